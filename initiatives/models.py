"""Strategic initiatives, their milestones and the objectives they advance."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import policies
from core.models import TimeStampedModel
from core.scoping import Access
from core.validators import code_validator
from scorecards.models import Objective, OrgUnit

from .choices import InitiativeStatus


class Initiative(TimeStampedModel):
    """An action programme that closes the gap to target on the objectives it advances."""

    access = Access(policies.STRATEGY, unit="unit")

    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="initiatives", verbose_name=_("unit")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_initiatives",
        verbose_name=_("owner"),
    )
    objectives = models.ManyToManyField(
        Objective,
        through="InitiativeObjective",
        related_name="initiatives",
        blank=True,
        verbose_name=_("objectives"),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InitiativeStatus.choices,
        default=InitiativeStatus.PROPOSED,
    )
    percent_complete = models.PositiveSmallIntegerField(_("percent complete"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["unit__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "code"],
                name="initiative_code_unique_in_unit",
                violation_error_message=_("This unit already has an initiative with this code."),
            ),
            models.CheckConstraint(
                condition=models.Q(percent_complete__gte=0, percent_complete__lte=100),
                name="initiative_percent_complete_0_100",
                violation_error_message=_("Percent complete is between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="initiative_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=InitiativeStatus.values),
                name="initiative_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class InitiativeObjective(models.Model):
    """Links an initiative to an objective it advances; an objective with initiatives
    linked to it cannot be deleted."""

    access = Access(policies.STRATEGY, unit="initiative__unit")

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="objective_links",
        verbose_name=_("initiative"),
    )
    objective = models.ForeignKey(
        Objective,
        on_delete=models.PROTECT,
        related_name="initiative_links",
        verbose_name=_("objective"),
    )

    class Meta:
        verbose_name = _("initiative objective")
        verbose_name_plural = _("initiative objectives")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "objective"], name="initiative_objective_once"
            )
        ]

    def __str__(self):
        return f"{self.initiative.code} → {self.objective.code}"


class Milestone(models.Model):
    """A dated step of an initiative; done when `done_on` is set."""

    access = Access(policies.STRATEGY, unit="initiative__unit")

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("initiative"),
    )
    name = models.CharField(_("name"), max_length=200)
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["initiative_id", "due"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.done_on and self.initiative_id and self.done_on < self.initiative.start:
            raise ValidationError(
                {"done_on": _("A milestone cannot be done before its initiative starts.")}
            )
