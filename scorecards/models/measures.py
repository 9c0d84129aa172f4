"""Measures (KPIs) of objectives and their values per period."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from core import policies
from core.fields import VALUE, WEIGHT
from core.models import TimeStampedModel
from core.scoping import Access
from core.validators import code_validator

from ..choices import Aggregation, Frequency, Polarity, Rollup
from ..periods import FIRST_YEAR, LAST_YEAR, describe_period_starts, is_period_start
from .objectives import Objective
from .units import OrgUnit


def _number(value) -> str:
    """A value for a message: 100 rather than the stored 100.000000."""
    return format(Decimal(value).normalize(), "f")


class Measure(TimeStampedModel):
    """How an objective's progress is measured; per period it has an actual, a target and
    a red flag. A measure is entered, calculated (`formula`) or a rollup of `sources`.

    `unit` repeats the objective's unit so the database can hold "codes unique within a
    unit"; services set it from the objective and an objective never changes unit.
    """

    access = Access(policies.STRATEGY, unit="unit", owner="owner")

    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="measures")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="measures")
    code = models.CharField(max_length=40, validators=[code_validator])
    name = models.CharField(max_length=200)
    unit_label = models.CharField(max_length=40, blank=True, help_text="e.g. %, EUR, days")
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.INCREASE)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    aggregation = models.CharField(
        max_length=10, choices=Aggregation.choices, default=Aggregation.LAST
    )
    weight = models.DecimalField(**WEIGHT, default=Decimal("1"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_measures",
    )
    tolerance = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.10"),
        help_text="Default red-flag distance from the target, as a fraction (0.10 = 10%).",
    )
    formula = models.TextField(
        null=True,
        blank=True,
        help_text="Calculated measure: e.g. (REV - COST) / REV, or UNITCODE.CODE for another unit.",
    )
    rollup = models.CharField(max_length=10, choices=Rollup.choices, default=Rollup.NONE)
    sources = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="RollupSource",
        through_fields=("rollup_measure", "source"),
        related_name="rolled_up_into",
        blank=True,
    )
    description = models.TextField(blank=True)
    # How people enter and read the figures: places shown (None = as entered) and the range a
    # value must lie in. A "%" measure without a range is held to 0-100 (valid_range).
    decimal_places = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Decimal places shown and accepted (empty: as entered).",
    )
    min_value = models.DecimalField(
        **VALUE, null=True, blank=True, help_text="Lowest valid value (empty: no limit)."
    )
    max_value = models.DecimalField(
        **VALUE, null=True, blank=True, help_text="Highest valid value (empty: no limit)."
    )
    baseline = models.DecimalField(
        **VALUE, null=True, blank=True, help_text="Where the measure stood before the strategy."
    )

    history = HistoricalRecords(excluded_fields=["sources"])

    class Meta:
        ordering = ["unit__code", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "code"],
                name="measure_code_unique_in_unit",
                violation_error_message="This unit already has a measure with this code.",
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0),
                name="measure_weight_positive",
                violation_error_message="The weight must be positive.",
            ),
            models.CheckConstraint(
                condition=models.Q(tolerance__gte=0, tolerance__lte=1),
                name="measure_tolerance_fraction",
                violation_error_message="The tolerance is a fraction between 0 and 1.",
            ),
            models.CheckConstraint(
                condition=models.Q(polarity__in=Polarity.values)
                & models.Q(frequency__in=Frequency.values)
                & models.Q(aggregation__in=Aggregation.values)
                & models.Q(rollup__in=Rollup.values),
                name="measure_choices_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(min_value__isnull=True)
                | models.Q(max_value__isnull=True)
                | models.Q(min_value__lte=models.F("max_value")),
                name="measure_range_ordered",
                violation_error_message="The lowest valid value must not be above the highest.",
            ),
            models.CheckConstraint(
                condition=models.Q(decimal_places__isnull=True) | models.Q(decimal_places__lte=6),
                name="measure_decimal_places_max",
                violation_error_message="A measure has at most 6 decimal places.",
            ),
            models.CheckConstraint(
                condition=models.Q(formula__isnull=True) | models.Q(rollup=Rollup.NONE),
                name="measure_formula_or_rollup",
                violation_error_message="A measure is either calculated or a rollup, not both.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_calculated(self) -> bool:
        return bool(self.formula)

    @property
    def is_rollup(self) -> bool:
        return self.rollup != Rollup.NONE

    @property
    def takes_actuals(self) -> bool:
        """Entered measures take actuals; calculated and rollup ones compute them."""
        return not (self.is_calculated or self.is_rollup)

    def valid_range(self) -> tuple[Decimal | None, Decimal | None]:
        """The (lowest, highest) value this measure accepts; None is no limit. A percentage
        (unit label "%") without a declared range is held to 0-100."""
        if self.min_value is None and self.max_value is None and self.unit_label.strip() == "%":
            return Decimal("0"), Decimal("100")
        return self.min_value, self.max_value

    def clean(self):
        if self.formula is not None and not self.formula.strip():
            self.formula = None
        if self.objective_id:
            if self.unit_id is None:
                self.unit_id = self.objective.unit_id
            elif self.unit_id != self.objective.unit_id:
                raise ValidationError({"unit": "A measure belongs to its objective's unit."})


class RollupSource(models.Model):
    """A source measure (of a descendant unit) whose values a rollup measure combines."""

    access = Access(policies.STRATEGY, unit="rollup_measure__unit")

    rollup_measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="source_links"
    )
    source = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="rollup_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rollup_measure", "source"], name="rollup_source_once"),
            models.CheckConstraint(
                condition=~models.Q(rollup_measure=models.F("source")),
                name="rollup_source_not_self",
                violation_error_message="A measure cannot roll up itself.",
            ),
        ]

    def __str__(self):
        return f"{self.source} → {self.rollup_measure}"


class FormulaInput(models.Model):
    """A measure that a calculated measure's formula reads, resolved when the formula is
    saved: reads need no parsing to find inputs, and deleting an input is refused."""

    access = Access(policies.INTERNAL, unit="measure__unit")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="input_links")
    input = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="formula_links")

    class Meta:
        verbose_name = "formula input"
        constraints = [
            models.UniqueConstraint(fields=["measure", "input"], name="formula_input_once"),
            models.CheckConstraint(
                condition=~models.Q(measure=models.F("input")),
                name="formula_input_not_self",
                violation_error_message="A formula cannot read its own measure.",
            ),
        ]

    def __str__(self):
        return f"{self.measure.code} reads {self.input.code}"


class MeasureValue(models.Model):
    """The actual, target and red flag of one measure for one period (its first day).

    Any of the three may be missing: targets are often entered a year ahead, and calculated
    and rollup measures store targets only.
    """

    access = Access(policies.VALUES, unit="measure__unit", owner="measure__owner")

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="values")
    period = models.DateField(help_text="First day of the month, quarter or year.")
    actual = models.DecimalField(**VALUE, null=True, blank=True)
    target = models.DecimalField(**VALUE, null=True, blank=True)
    red_flag = models.DecimalField(**VALUE, null=True, blank=True)
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure_id", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period"],
                name="measure_value_once_per_period",
                violation_error_message="This measure already has a value for this period.",
            )
        ]
        indexes = [models.Index(fields=["period"], name="measure_value_period_idx")]

    def __str__(self):
        return f"{self.measure.code} {self.period:%Y-%m}"

    def clean(self):
        if not self.measure_id or self.period is None:
            return
        measure = self.measure
        errors = {}
        fiscal_start = settings.FISCAL_YEAR_START_MONTH
        if not FIRST_YEAR <= self.period.year <= LAST_YEAR:
            errors["period"] = f"The year must be between {FIRST_YEAR} and {LAST_YEAR}."
        elif not is_period_start(self.period, measure.frequency, fiscal_start):
            errors["period"] = (
                f"{measure.code} is {measure.frequency}: the period must be "
                f"{describe_period_starts(measure.frequency, fiscal_start)}, "
                f"not {self.period.isoformat()}."
            )
        if self.actual is not None and not measure.takes_actuals:
            kind = "calculated" if measure.is_calculated else "a rollup"
            errors["actual"] = (
                f"{measure.code} is {kind}: its actual is computed, not entered. "
                "Enter only its target and red flag."
            )
        if self.target is not None and self.red_flag is not None:
            if measure.polarity == Polarity.INCREASE and self.red_flag > self.target:
                errors["red_flag"] = (
                    "Higher is better for this measure, so the red flag must not be above "
                    f"the target ({_number(self.red_flag)} > {_number(self.target)})."
                )
            if measure.polarity == Polarity.DECREASE and self.red_flag < self.target:
                errors["red_flag"] = (
                    "Lower is better for this measure, so the red flag must not be below "
                    f"the target ({_number(self.red_flag)} < {_number(self.target)})."
                )
        if errors:
            raise ValidationError(errors)
