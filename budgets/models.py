"""Budget lines of a fiscal year, linked to the strategy they fund."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core import policies
from core.fields import MONEY
from core.models import TimeStampedModel
from core.scoping import Access
from core.validators import non_negative
from initiatives.models import Initiative
from scorecards.models import Objective, OrgUnit

from .choices import BudgetCategory


class BudgetLine(TimeStampedModel):
    """A planned (and actual) amount of a unit for a fiscal year. It may fund an objective
    or an initiative; STRATEX money always names the initiative it funds."""

    access = Access(policies.BUDGET, unit="unit")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("unit")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    category = models.CharField(_("category"), max_length=10, choices=BudgetCategory.choices)
    label = models.CharField(_("label"), max_length=200)
    planned = models.DecimalField(
        pgettext_lazy("money", "planned"),
        max_digits=16,
        decimal_places=2,
        validators=[non_negative],
    )
    actual = models.DecimalField(
        pgettext_lazy("money", "actual"),
        **MONEY,
        default=Decimal("0"),
        validators=[non_negative],
        help_text=_("Spent so far."),
    )
    objective = models.ForeignKey(
        Objective,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("objective"),
    )
    initiative = models.ForeignKey(
        Initiative,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("initiative"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["fiscal_year", "unit__code", "category", "label"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(category=BudgetCategory.STRATEX)
                | models.Q(initiative__isnull=False),
                name="budget_stratex_names_initiative",
                violation_error_message=_("A STRATEX line must name the initiative it funds."),
            ),
            models.CheckConstraint(
                condition=models.Q(planned__gte=0, actual__gte=0),
                name="budget_money_not_negative",
                violation_error_message=_("Amounts must not be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_year__gte=1900, fiscal_year__lte=2999),
                name="budget_fiscal_year_plausible",
                violation_error_message=_("The fiscal year must be between 1900 and 2999."),
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=BudgetCategory.values),
                name="budget_category_valid",
            ),
        ]
        indexes = [models.Index(fields=["fiscal_year", "unit"], name="budget_year_unit_idx")]

    def __str__(self):
        return f"{self.fiscal_year} {self.unit.code} {self.label}"

    @property
    def is_linked(self) -> bool:
        """Linked to strategy: an objective, or an initiative that advances an objective."""
        if self.objective_id:
            return True
        return bool(self.initiative_id) and self.initiative.objective_links.exists()

    def clean(self):
        if self.category == BudgetCategory.STRATEX and not self.initiative_id:
            raise ValidationError(
                {"initiative": _("A STRATEX line must name the initiative it funds.")}
            )
