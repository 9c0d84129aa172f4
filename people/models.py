"""Employees, their personal goals and incentive components, linked to the strategy."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import policies
from core.fields import WEIGHT
from core.models import TimeStampedModel
from core.scoping import Access
from core.validators import positive_weight
from scorecards.models import Measure, Objective, OrgUnit

from .choices import GoalKind


class Employee(TimeStampedModel):
    """A person of the organisation; `user` is set when he or she logs in to OSM."""

    access = Access(policies.PEOPLE, unit="unit", owner="user")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), unique=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="employees", verbose_name=_("unit")
    )
    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        verbose_name=_("manager"),
    )
    job_family = models.CharField(_("job family"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("id")),
                name="employee_not_own_manager",
                violation_error_message=_("An employee cannot be his or her own manager."),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.pk and self.manager_id == self.pk:
            raise ValidationError({"manager": _("An employee cannot be his or her own manager.")})


def validate_strategy_link(
    employee: Employee, objective: Objective | None, measure: Measure | None
) -> None:
    """A goal or incentive may link only to the strategy of the employee's unit or above."""
    if not employee or not (objective or measure):
        return
    allowed = employee.unit.ancestor_ids(include_self=True)
    errors = {}
    if objective and objective.unit_id not in allowed:
        errors["objective"] = gettext(
            "%(objective)s is not an objective of %(unit)s or a unit above it."
        ) % {"objective": f"{objective.unit.code}.{objective.code}", "unit": employee.unit.code}
    if measure and measure.unit_id not in allowed:
        errors["measure"] = gettext(
            "%(measure)s is not a measure of %(unit)s or a unit above it."
        ) % {"measure": f"{measure.unit.code}.{measure.code}", "unit": employee.unit.code}
    if errors:
        raise ValidationError(errors)


class GoalTemplate(TimeStampedModel):
    """A goal HR sets for many employees at once (every active employee of a unit's
    subtree and/or of a job family, `people.services.goal_template_apply`): each receives a
    goal with the template's year, kind, title, weight and link to the strategy, and keeps
    it even if the template is later changed or deleted."""

    access = Access(policies.PEOPLE)

    name = models.CharField(
        _("name"), max_length=200, help_text=_("How HR finds the template in the list.")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    kind = models.CharField(
        _("kind"), max_length=12, choices=GoalKind.choices, default=GoalKind.PERFORMANCE
    )
    title = models.CharField(
        _("title"), max_length=300, help_text=_("The title of the goals it gives.")
    )
    weight = models.DecimalField(
        _("weight"), **WEIGHT, default=Decimal("1"), validators=[positive_weight]
    )
    objective = models.ForeignKey(
        Objective,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goal_templates",
        verbose_name=_("objective"),
        help_text=_("Only employees of its unit or a unit below can receive the goal."),
    )
    measure = models.ForeignKey(
        Measure,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goal_templates",
        verbose_name=_("measure"),
        help_text=_("Only employees of its unit or a unit below can receive the goal."),
    )

    class Meta:
        ordering = ["-fiscal_year", "name"]
        verbose_name = _("goal template")
        verbose_name_plural = _("goal templates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0),
                name="goal_template_weight_positive",
                violation_error_message=_("The weight must be positive."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=GoalKind.values), name="goal_template_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_year__gte=1900, fiscal_year__lte=2999),
                name="goal_template_fiscal_year_plausible",
                violation_error_message=_("The fiscal year must be between 1900 and 2999."),
            ),
            models.UniqueConstraint(
                fields=["fiscal_year", "name"],
                name="goal_template_name_unique_in_year",
                violation_error_message=_("A template of this fiscal year already has this name."),
            ),
        ]

    def __str__(self):
        return gettext("%(name)s (FY%(year)s)") % {"name": self.name, "year": self.fiscal_year}

    @property
    def is_aligned(self) -> bool:
        return bool(self.objective_id or self.measure_id)

    def clean(self):
        # Its goals go to employees below both units: if neither unit is above the other,
        # nobody could ever receive it.
        if self.objective_id and self.measure_id:
            objective_unit, measure_unit = self.objective.unit, self.measure.unit
            if objective_unit.pk != measure_unit.pk and not (
                objective_unit.pk in measure_unit.ancestor_ids()
                or measure_unit.pk in objective_unit.ancestor_ids()
            ):
                raise ValidationError(
                    {
                        "measure": gettext(
                            "%(measure)s and the objective %(objective)s are on different "
                            "branches of the organisation: no employee could receive the goal."
                        )
                        % {
                            "measure": f"{measure_unit.code}.{self.measure.code}",
                            "objective": f"{objective_unit.code}.{self.objective.code}",
                        }
                    }
                )


class Goal(TimeStampedModel):
    """A personal goal of an employee for a fiscal year: performance or development,
    aligned when it names the objective or measure it serves; `template` names the goal
    template it was applied from, if any."""

    access = Access(policies.PEOPLE, unit="employee__unit", owner="employee__user")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="goals", verbose_name=_("employee")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    kind = models.CharField(
        _("kind"), max_length=12, choices=GoalKind.choices, default=GoalKind.PERFORMANCE
    )
    title = models.CharField(_("title"), max_length=300)
    weight = models.DecimalField(_("weight"), **WEIGHT, default=Decimal("1"))
    objective = models.ForeignKey(
        Objective,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goals",
        verbose_name=_("objective"),
    )
    measure = models.ForeignKey(
        Measure,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goals",
        verbose_name=_("measure"),
    )
    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, help_text=_("Percent, 0 to 100.")
    )
    template = models.ForeignKey(
        GoalTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="goals",
        verbose_name=_("template"),
        help_text=_("The goal template it was applied from, if any."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["employee__name", "fiscal_year", "title"]
        constraints = [
            # Applying a template twice gives nobody a second copy (the service skips those
            # who have one; this stops two applies running at the same moment).
            models.UniqueConstraint(
                fields=["template", "employee", "fiscal_year"],
                condition=models.Q(template__isnull=False),
                name="goal_once_per_template",
                violation_error_message=_("The employee already has a goal from this template."),
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0),
                name="goal_weight_positive",
                violation_error_message=_("The weight must be positive."),
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="goal_progress_0_100",
                violation_error_message=_("Progress is a percentage between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=GoalKind.values), name="goal_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_year__gte=1900, fiscal_year__lte=2999),
                name="goal_fiscal_year_plausible",
                violation_error_message=_("The fiscal year must be between 1900 and 2999."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_aligned(self) -> bool:
        return bool(self.objective_id or self.measure_id)

    def clean(self):
        if self.employee_id:
            validate_strategy_link(
                self.employee,
                self.objective if self.objective_id else None,
                self.measure if self.measure_id else None,
            )


class IncentiveComponent(TimeStampedModel):
    """A weighted part of an employee's variable pay for a fiscal year; linked to strategy
    when it names an objective or a measure."""

    access = Access(policies.PEOPLE, unit="employee__unit", owner="employee__user")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="incentives", verbose_name=_("employee")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight"), **WEIGHT)
    objective = models.ForeignKey(
        Objective,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incentives",
        verbose_name=_("objective"),
    )
    measure = models.ForeignKey(
        Measure,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incentives",
        verbose_name=_("measure"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["employee__name", "fiscal_year", "name"]
        verbose_name = _("incentive component")
        verbose_name_plural = _("incentive components")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0),
                name="incentive_weight_positive",
                violation_error_message=_("The weight must be positive."),
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_year__gte=1900, fiscal_year__lte=2999),
                name="incentive_fiscal_year_plausible",
                violation_error_message=_("The fiscal year must be between 1900 and 2999."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_linked(self) -> bool:
        return bool(self.objective_id or self.measure_id)

    def clean(self):
        if self.employee_id:
            validate_strategy_link(
                self.employee,
                self.objective if self.objective_id else None,
                self.measure if self.measure_id else None,
            )
