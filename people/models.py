"""Employees, their personal goals and incentive components, linked to the strategy."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from osm.models import TimeStampedModel
from osm.utils import WEIGHT
from scorecards.models import Measure, Objective, OrgUnit

from .choices import GoalKind


class Employee(TimeStampedModel):
    """A person of the organisation; `user` is set when he or she logs in to OSM."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="employees")
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    job_family = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("id")),
                name="employee_not_own_manager",
                violation_error_message="An employee cannot be his or her own manager.",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.pk and self.manager_id == self.pk:
            raise ValidationError({"manager": "An employee cannot be his or her own manager."})


def validate_strategy_link(
    employee: Employee, objective: Objective | None, measure: Measure | None
) -> None:
    """A goal or incentive may link only to the strategy of the employee's unit or above."""
    if not employee or not (objective or measure):
        return
    allowed = employee.unit.ancestor_ids(include_self=True)
    errors = {}
    if objective and objective.unit_id not in allowed:
        errors["objective"] = (
            f"{objective.unit.code}.{objective.code} is not an objective of "
            f"{employee.unit.code} or a unit above it."
        )
    if measure and measure.unit_id not in allowed:
        errors["measure"] = (
            f"{measure.unit.code}.{measure.code} is not a measure of "
            f"{employee.unit.code} or a unit above it."
        )
    if errors:
        raise ValidationError(errors)


class Goal(TimeStampedModel):
    """A personal goal of an employee for a fiscal year: performance or development,
    aligned when it names the objective or measure it serves."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="goals")
    fiscal_year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=12, choices=GoalKind.choices, default=GoalKind.PERFORMANCE)
    title = models.CharField(max_length=300)
    weight = models.DecimalField(**WEIGHT, default=Decimal("1"))
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.PROTECT, related_name="goals"
    )
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="goals"
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent, 0 to 100.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["employee__name", "fiscal_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0),
                name="goal_weight_positive",
                violation_error_message="The weight must be positive.",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="goal_progress_0_100",
                violation_error_message="Progress is a percentage between 0 and 100.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=GoalKind.values), name="goal_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_year__gte=1900, fiscal_year__lte=2999),
                name="goal_fiscal_year_plausible",
                violation_error_message="The fiscal year must be between 1900 and 2999.",
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

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="incentives")
    fiscal_year = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    weight = models.DecimalField(**WEIGHT)
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.PROTECT, related_name="incentives"
    )
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="incentives"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["employee__name", "fiscal_year", "name"]
        verbose_name = "incentive component"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0),
                name="incentive_weight_positive",
                violation_error_message="The weight must be positive.",
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_year__gte=1900, fiscal_year__lte=2999),
                name="incentive_fiscal_year_plausible",
                violation_error_message="The fiscal year must be between 1900 and 2999.",
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
