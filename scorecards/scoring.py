"""Scoring: the semantics of DESIGN.md "Scoring" as pure functions (no ORM).

Numbers are exact: inputs (Decimal, int, str, Fraction) become `Fraction`s, so the target
scores exactly 20/3 and the red flag exactly 10/3, and statuses never disagree with scores
through rounding. Callers round only for display (`core.formatting.to_decimal`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .periods import add_months, months_in, period_end, period_start

GREEN = "green"
YELLOW = "yellow"
RED = "red"
NO_DATA = "no_data"

UP, DOWN, FLAT = "up", "down", "flat"

TEN = Fraction(10)
THIRD = Fraction(10, 3)  # the red flag's score
TWO_THIRDS = Fraction(20, 3)  # the target's score
TREND_STEP = Fraction(1, 100)
DEFAULT_TOLERANCE = Fraction(1, 10)

Number = Fraction | Decimal | int | str


def exact(value: Number | None) -> Fraction | None:
    """An exact Fraction of `value` (None stays None)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        raise TypeError("Scores are exact: pass Decimal, int, str or Fraction, not float.")
    return Fraction(Decimal(value) if isinstance(value, str) else value)


# One measure, one period -------------------------------------------------------------------


def default_red_flag(target: Number, polarity: str, tolerance: Number | None = None) -> Fraction:
    """`g - t·|g|` for increase, `g + t·|g|` for decrease (t defaults to 10%)."""
    g = exact(target)
    t = DEFAULT_TOLERANCE if tolerance is None else exact(tolerance)
    return g - t * abs(g) if polarity == "increase" else g + t * abs(g)


def _meets(actual: Fraction, bar: Fraction, polarity: str) -> bool:
    return actual >= bar if polarity == "increase" else actual <= bar


def measure_status(
    actual: Number | None,
    target: Number | None,
    red_flag: Number | None,
    polarity: str,
    tolerance: Number | None = None,
) -> str:
    """green when the target is met, yellow when the red flag is, else red; no_data when
    the actual or the target is missing. A missing red flag takes the default."""
    a, g = exact(actual), exact(target)
    if a is None or g is None:
        return NO_DATA
    r = exact(red_flag) if red_flag is not None else default_red_flag(g, polarity, tolerance)
    if _meets(a, g, polarity):
        return GREEN
    if _meets(a, r, polarity):
        return YELLOW
    return RED


def measure_score(
    actual: Number | None,
    target: Number | None,
    red_flag: Number | None,
    polarity: str,
    tolerance: Number | None = None,
) -> Fraction | None:
    """`10/3 + (a - r)/(g - r) · 10/3`, clamped to [0, 10]; 10 or 0 when `g = r`."""
    a, g = exact(actual), exact(target)
    if a is None or g is None:
        return None
    r = exact(red_flag) if red_flag is not None else default_red_flag(g, polarity, tolerance)
    if g == r:
        return TEN if _meets(a, g, polarity) else Fraction(0)
    score = THIRD + (a - r) / (g - r) * THIRD
    return min(TEN, max(Fraction(0), score))


def aggregate_status(score: Fraction | None) -> str:
    """The status of an aggregate score: green ≥ 20/3, yellow ≥ 10/3, else red."""
    if score is None:
        return NO_DATA
    if score >= TWO_THIRDS:
        return GREEN
    if score >= THIRD:
        return YELLOW
    return RED


def weighted_mean(pairs: Iterable[tuple[Number | None, Number]]) -> Fraction | None:
    """Weighted mean of (score, weight) pairs that have a score; None when none has."""
    total = weight_sum = Fraction(0)
    for score, weight in pairs:
        if score is None:
            continue
        w = exact(weight)
        total += exact(score) * w
        weight_sum += w
    return total / weight_sum if weight_sum else None


def plain_mean(scores: Iterable[Number | None]) -> Fraction | None:
    """Mean of the scores that exist; None when none does."""
    present = [exact(s) for s in scores if s is not None]
    return sum(present, Fraction(0)) / len(present) if present else None


def objective_score(
    measures: Iterable[tuple[Number | None, Number]],
    supporting: Iterable[tuple[Number | None, Number]] = (),
) -> Fraction | None:
    """Weighted mean of the measures' scores with data; where none has data, the weighted
    mean of the supporting objectives' scores (the cascade below); else None."""
    own = weighted_mean(measures)
    return own if own is not None else weighted_mean(supporting)


def trend(current: Number | None, previous: Number | None) -> str | None:
    """up / down when the scores differ by 0.01 or more, else flat; None without both."""
    if current is None or previous is None:
        return None
    delta = exact(current) - exact(previous)
    if delta >= TREND_STEP:
        return UP
    if delta <= -TREND_STEP:
        return DOWN
    return FLAT


# Choosing periods --------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodValue:
    """One stored value of a measure: a period start and what was entered or computed."""

    period: dt.date
    actual: Fraction | None = None
    target: Fraction | None = None
    red_flag: Fraction | None = None

    @property
    def complete(self) -> bool:
        """Has both an actual and a target, so it can be scored."""
        return self.actual is not None and self.target is not None


def due_date(period: dt.date, frequency: str, due_days: int) -> dt.date:
    """A value is due `due_days` days after its period ends."""
    return period_end(period, frequency) + dt.timedelta(days=due_days)


def as_of_value(values: Sequence[PeriodValue], month: dt.date) -> PeriodValue | None:
    """The latest value starting on or before `month` with both actual and target."""
    best = None
    for value in values:
        if (
            value.period <= month
            and value.complete
            and (best is None or value.period > best.period)
        ):
            best = value
    return best


def previous_complete(values: Sequence[PeriodValue], before: dt.date) -> PeriodValue | None:
    """The latest complete value of a period before `before` (for the trend)."""
    best = None
    for value in values:
        if (
            value.period < before
            and value.complete
            and (best is None or value.period > best.period)
        ):
            best = value
    return best


def latest_due_period(
    frequency: str, fiscal_start_month: int, month: dt.date, today: dt.date, due_days: int
) -> dt.date:
    """The latest period whose due date has passed by the end of `month`, or by `today` if
    that is earlier. A due date has passed once its whole day is over: by the end of a month
    its last day has passed; today has not."""
    cutoff = min(add_months(month, 1), today)  # due dates strictly before this have passed
    period = period_start(cutoff, frequency, fiscal_start_month)
    while due_date(period, frequency, due_days) >= cutoff:
        period = add_months(period, -months_in(frequency))
    return period


def owes_from(
    created: dt.date, frequency: str, fiscal_start_month: int, first_actual: dt.date | None
) -> dt.date:
    """The first period a measure owes an actual for: the period it was created in (the
    periods that ended before it existed are not owed), or its first period with an actual
    if that is earlier (history loaded from before it was set up in OSM). So a new measure is
    not overdue before its first period is due."""
    since = period_start(created, frequency, fiscal_start_month)
    return since if first_actual is None else min(since, first_actual)


def is_overdue(
    values: Sequence[PeriodValue],
    frequency: str,
    fiscal_start_month: int,
    month: dt.date,
    today: dt.date,
    due_days: int,
    created: dt.date | None = None,
) -> bool:
    """Overdue: the latest period due by then (see `latest_due_period`) has no actual, and
    the measure owes it (see `owes_from`; `created` is the day the measure was created,
    None for no limit)."""
    due = latest_due_period(frequency, fiscal_start_month, month, today, due_days)
    if created is not None:
        first_actual = min((v.period for v in values if v.actual is not None), default=None)
        if due < owes_from(created, frequency, fiscal_start_month, first_actual):
            return False
    return not any(v.period == due and v.actual is not None for v in values)


# Year to date ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Combined:
    """Year-to-date figures of a measure: combined actual, target and red flag, scored."""

    actual: Fraction
    target: Fraction
    red_flag: Fraction | None
    periods: tuple[dt.date, ...]


def combine(values: Sequence[Fraction], aggregation: str) -> Fraction:
    """sum, average or last (the latest; `values` in period order) of a non-empty list."""
    if aggregation == "sum":
        return sum(values, Fraction(0))
    if aggregation == "average":
        return sum(values, Fraction(0)) / len(values)
    if aggregation == "last":
        return values[-1]
    raise ValueError(f"Unknown aggregation {aggregation!r}.")


def year_to_date(
    values: Sequence[PeriodValue], month: dt.date, aggregation: str, fiscal_start_month: int
) -> Combined | None:
    """Combine the periods of the fiscal year containing `month` that start on or before
    it and have both actual and target. Red flags combine the same way only when every one
    of those periods has one; otherwise `red_flag` is None and the caller's default (from
    the tolerance) applies to the combined target."""
    year_start = period_start(month, "annual", fiscal_start_month)
    chosen = sorted(
        (v for v in values if year_start <= v.period <= month and v.complete),
        key=lambda v: v.period,
    )
    if not chosen:
        return None
    red_flags = [v.red_flag for v in chosen]
    return Combined(
        actual=combine([v.actual for v in chosen], aggregation),
        target=combine([v.target for v in chosen], aggregation),
        red_flag=combine(red_flags, aggregation) if None not in red_flags else None,
        periods=tuple(v.period for v in chosen),
    )


# Rollups -----------------------------------------------------------------------------------

ROLLUP_FUNCTIONS = ("sum", "average", "min", "max")


@dataclass(frozen=True)
class RollupResult:
    """A rollup's value for one period and how many of its sources reported."""

    value: Fraction | None
    reported: int
    total: int


def rollup(function: str, source_values: Sequence[Number | None]) -> RollupResult:
    """Combine the sources that have a value; None when none has."""
    present = [exact(v) for v in source_values if v is not None]
    total = len(source_values)
    if not present:
        return RollupResult(None, 0, total)
    if function == "sum":
        value = sum(present, Fraction(0))
    elif function == "average":
        value = sum(present, Fraction(0)) / len(present)
    elif function == "min":
        value = min(present)
    elif function == "max":
        value = max(present)
    else:
        raise ValueError(f"Unknown rollup function {function!r}.")
    return RollupResult(value, len(present), total)
