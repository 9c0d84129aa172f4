"""Measures (KPIs) of objectives and their values per period."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import policies
from core.fields import VALUE, WEIGHT
from core.models import TimeStampedModel
from core.numbers import active_number_format, format_plain
from core.scoping import Access
from core.validators import code_validator

from ..choices import Aggregation, Frequency, Polarity, Rollup, ValueState
from ..periods import FIRST_YEAR, LAST_YEAR, describe_period_starts, is_period_start
from .objectives import Objective
from .units import OrgUnit


def _number(value) -> str:
    """A value for a message: 100 rather than the stored 100.000000, with the active
    language's decimal separator."""
    return format_plain(Decimal(value), active_number_format())


class Measure(TimeStampedModel):
    """How an objective's progress is measured; per period it has an actual, a target and
    a red flag. A measure is entered, calculated (`formula`) or a rollup of `sources`.

    `unit` repeats the objective's unit so the database can hold "codes unique within a
    unit"; services set it from the objective and an objective never changes unit.
    """

    access = Access(policies.STRATEGY, unit="unit", owner="owner")

    objective = models.ForeignKey(
        Objective, on_delete=models.PROTECT, related_name="measures", verbose_name=_("objective")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="measures", verbose_name=_("unit")
    )
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    unit_label = models.CharField(
        _("unit label"), max_length=40, blank=True, help_text=_("e.g. %, EUR, days")
    )
    polarity = models.CharField(
        _("polarity"), max_length=10, choices=Polarity.choices, default=Polarity.INCREASE
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    aggregation = models.CharField(
        _("aggregation"), max_length=10, choices=Aggregation.choices, default=Aggregation.LAST
    )
    weight = models.DecimalField(_("weight"), **WEIGHT, default=Decimal("1"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_measures",
        verbose_name=_("owner"),
    )
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.10"),
        help_text=_("Default red-flag distance from the target, as a fraction (0.10 = 10%)."),
    )
    formula = models.TextField(
        _("formula"),
        null=True,
        blank=True,
        help_text=_(
            "Calculated measure: e.g. (REV - COST) / REV, or UNITCODE.CODE for another unit."
        ),
    )
    rollup = models.CharField(
        _("rollup"), max_length=10, choices=Rollup.choices, default=Rollup.NONE
    )
    sources = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="RollupSource",
        through_fields=("rollup_measure", "source"),
        related_name="rolled_up_into",
        blank=True,
        verbose_name=_("sources"),
    )
    description = models.TextField(_("description"), blank=True)
    # How people enter and read the figures: places shown (None = as entered) and the range a
    # value must lie in. A "%" measure without a range is held to 0-100 (valid_range).
    decimal_places = models.PositiveSmallIntegerField(
        _("decimal places"),
        null=True,
        blank=True,
        help_text=_("Decimal places shown and accepted (empty: as entered)."),
    )
    min_value = models.DecimalField(
        _("min value"),
        **VALUE,
        null=True,
        blank=True,
        help_text=_("Lowest valid value (empty: no limit)."),
    )
    max_value = models.DecimalField(
        _("max value"),
        **VALUE,
        null=True,
        blank=True,
        help_text=_("Highest valid value (empty: no limit)."),
    )
    baseline = models.DecimalField(
        _("baseline"),
        **VALUE,
        null=True,
        blank=True,
        help_text=_("Where the measure stood before the strategy."),
    )

    history = HistoricalRecords(excluded_fields=["sources"])

    class Meta:
        ordering = ["unit__code", "code"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "code"],
                name="measure_code_unique_in_unit",
                violation_error_message=_("This unit already has a measure with this code."),
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0),
                name="measure_weight_positive",
                violation_error_message=_("The weight must be positive."),
            ),
            models.CheckConstraint(
                condition=models.Q(tolerance__gte=0, tolerance__lte=1),
                name="measure_tolerance_fraction",
                violation_error_message=_("The tolerance is a fraction between 0 and 1."),
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
                violation_error_message=_("The lowest valid value must not be above the highest."),
            ),
            models.CheckConstraint(
                condition=models.Q(decimal_places__isnull=True) | models.Q(decimal_places__lte=6),
                name="measure_decimal_places_max",
                violation_error_message=_("A measure has at most 6 decimal places."),
            ),
            models.CheckConstraint(
                condition=models.Q(formula__isnull=True) | models.Q(rollup=Rollup.NONE),
                name="measure_formula_or_rollup",
                violation_error_message=_("A measure is either calculated or a rollup, not both."),
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
                raise ValidationError({"unit": _("A measure belongs to its objective's unit.")})


class RollupSource(models.Model):
    """A source measure (of a descendant unit) whose values a rollup measure combines."""

    access = Access(policies.STRATEGY, unit="rollup_measure__unit")

    rollup_measure = models.ForeignKey(
        Measure,
        on_delete=models.CASCADE,
        related_name="source_links",
        verbose_name=_("rollup measure"),
    )
    source = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="rollup_links", verbose_name=_("source")
    )

    class Meta:
        verbose_name = _("rollup source")
        verbose_name_plural = _("rollup sources")
        constraints = [
            models.UniqueConstraint(fields=["rollup_measure", "source"], name="rollup_source_once"),
            models.CheckConstraint(
                condition=~models.Q(rollup_measure=models.F("source")),
                name="rollup_source_not_self",
                violation_error_message=_("A measure cannot roll up itself."),
            ),
        ]

    def __str__(self):
        return f"{self.source} → {self.rollup_measure}"


class FormulaInput(models.Model):
    """A measure that a calculated measure's formula reads, resolved when the formula is
    saved: reads need no parsing to find inputs, and deleting an input is refused."""

    access = Access(policies.INTERNAL, unit="measure__unit")

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="input_links", verbose_name=_("measure")
    )
    input = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="formula_links", verbose_name=_("input")
    )

    class Meta:
        verbose_name = _("formula input")
        verbose_name_plural = _("formula inputs")
        constraints = [
            models.UniqueConstraint(fields=["measure", "input"], name="formula_input_once"),
            models.CheckConstraint(
                condition=~models.Q(measure=models.F("input")),
                name="formula_input_not_self",
                violation_error_message=_("A formula cannot read its own measure."),
            ),
        ]

    def __str__(self):
        return _("%(measure)s reads %(input)s") % {
            "measure": self.measure.code,
            "input": self.input.code,
        }


class MeasureValue(models.Model):
    """The actual, target and red flag of one measure for one period (its first day).

    Any of the three may be missing: targets are often entered a year ahead, and calculated
    and rollup measures store targets only.

    `actual` and `note` are always the approved ones, so every computed figure reads them
    as they are. Where the unit requires approval, a measure owner's new actual and note
    wait in `submitted_actual` and `submitted_note` (`state` submitted) until a unit head
    above or the OSM staff approve them (they move into `actual` and `note`) or return
    them with a comment (`state` returned; the owner corrects and submits again).
    """

    access = Access(policies.VALUES, unit="measure__unit", owner="measure__owner")

    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="values", verbose_name=_("measure")
    )
    period = models.DateField(_("period"), help_text=_("First day of the month, quarter or year."))
    actual = models.DecimalField(_("actual"), **VALUE, null=True, blank=True)
    target = models.DecimalField(_("target"), **VALUE, null=True, blank=True)
    red_flag = models.DecimalField(_("red flag"), **VALUE, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ValueState.choices, default=ValueState.APPROVED
    )
    submitted_actual = models.DecimalField(_("submitted actual"), **VALUE, null=True, blank=True)
    submitted_note = models.TextField(_("submitted note"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure_id", "period"]
        verbose_name = _("measure value")
        verbose_name_plural = _("measure values")
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "period"],
                name="measure_value_once_per_period",
                violation_error_message=_("This measure already has a value for this period."),
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=ValueState.values), name="measure_value_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["period"], name="measure_value_period_idx"),
            # The approval queues read the few values not approved, never the rest.
            models.Index(
                fields=["state", "measure"],
                condition=~models.Q(state=ValueState.APPROVED),
                name="measure_value_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.measure.code} {self.period:%Y-%m}"

    def clean(self):
        if not self.measure_id or self.period is None:
            return
        measure = self.measure
        errors = {}
        fiscal_start = settings.FISCAL_YEAR_START_MONTH
        if not FIRST_YEAR <= self.period.year <= LAST_YEAR:
            errors["period"] = _("The year must be between %(first)s and %(last)s.") % {
                "first": FIRST_YEAR,
                "last": LAST_YEAR,
            }
        elif not is_period_start(self.period, measure.frequency, fiscal_start):
            where = {
                "measure": measure.code,
                "starts": describe_period_starts(measure.frequency, fiscal_start),
                "period": self.period.isoformat(),
            }
            errors["period"] = PERIOD_START_MESSAGES[measure.frequency] % where
        if self.actual is not None and not measure.takes_actuals:
            message = (
                _(
                    "%(measure)s is calculated: its actual is computed, not entered. "
                    "Enter only its target and red flag."
                )
                if measure.is_calculated
                else _(
                    "%(measure)s is a rollup: its actual is computed, not entered. "
                    "Enter only its target and red flag."
                )
            )
            errors["actual"] = message % {"measure": measure.code}
        if self.target is not None and self.red_flag is not None:
            figures = {"red_flag": _number(self.red_flag), "target": _number(self.target)}
            if measure.polarity == Polarity.INCREASE and self.red_flag > self.target:
                errors["red_flag"] = (
                    _(
                        "Higher is better for this measure, so the red flag must not be above "
                        "the target (%(red_flag)s > %(target)s)."
                    )
                    % figures
                )
            if measure.polarity == Polarity.DECREASE and self.red_flag < self.target:
                errors["red_flag"] = (
                    _(
                        "Lower is better for this measure, so the red flag must not be below "
                        "the target (%(red_flag)s < %(target)s)."
                    )
                    % figures
                )
        if errors:
            raise ValidationError(errors)


# A value's period that does not start one of its measure's periods, by frequency.
PERIOD_START_MESSAGES = {
    Frequency.MONTHLY: _("%(measure)s is monthly: the period must be %(starts)s, not %(period)s."),
    Frequency.QUARTERLY: _(
        "%(measure)s is quarterly: the period must be %(starts)s, not %(period)s."
    ),
    Frequency.ANNUAL: _("%(measure)s is annual: the period must be %(starts)s, not %(period)s."),
}
