"""The arithmetic of the demo's story: periods, targets, red flags and actuals of a measure.

Pure: plain data in, plain data out, no ORM. Every random draw comes from a
`random.Random` seeded from a string (`rng_for`), one stream per measure and purpose, so
the demo is the same on every run and adding a measure does not change the others.
"""

import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from core.clock import fiscal_year_bounds, fiscal_year_of
from scorecards.periods import add_months, months_in, period_end, period_start
from scorecards.scoring import RED, measure_status

from .company import SEED, Kpi, Step

MONTHS = 36  # the demo's history: 36 months ending with the last complete month

# How far an actual strays from its target over the 36 months (t from 0 to 1), as a
# fraction of the target: positive is better than target whatever the polarity.
STORIES: dict[str, Callable[[float], float]] = {
    "strong": lambda t: 0.03 + 0.02 * t,
    "steady": lambda t: 0.0,
    "slipping": lambda t: 0.01 - 0.15 * t,
    # A dip to about -15% halfway, then back above target.
    "recovering": lambda t: -0.16 * max(0.0, 1 - abs(t - 0.5) / 0.5) + 0.03 * t,
    "weak": lambda t: -0.07,
    # Fine for two years, then a sharp fall in the last months.
    "late_dip": lambda t: 0.02 if t < 0.7 else 0.02 - 0.17 * (t - 0.7) / 0.3,
}

# Monthly flows (revenue, orders) follow the business's seasons; the factors average 1.
SEASON = {
    1: 0.88,
    2: 0.92,
    3: 1.04,
    4: 0.98,
    5: 1.00,
    6: 1.06,
    7: 0.94,
    8: 0.84,
    9: 1.04,
    10: 1.06,
    11: 1.06,
    12: 1.18,
}


def rng_for(*parts: str) -> random.Random:
    """A random stream of its own for `parts` (string seeds hash the same in every process,
    unlike `hash()`, so runs are reproducible)."""
    return random.Random(":".join((str(SEED), *parts)))


@dataclass(frozen=True)
class Window:
    """The demo's time frame, computed from today and the fiscal-year start month."""

    today: dt.date
    fiscal_start: int
    due_days: int

    @property
    def current_month(self) -> dt.date:
        return dt.date(self.today.year, self.today.month, 1)

    @property
    def last(self) -> dt.date:
        """The last complete month (its first day): the end of the history."""
        return add_months(self.current_month, -1)

    @property
    def first(self) -> dt.date:
        """The first month of the 36."""
        return add_months(self.last, -(MONTHS - 1))

    @property
    def current_fiscal_year(self) -> int:
        return fiscal_year_of(self.today, self.fiscal_start)

    @property
    def horizon(self) -> dt.date:
        """The last day targets are set for: the end of the current fiscal year."""
        return fiscal_year_bounds(self.current_fiscal_year, self.fiscal_start)[1]

    def month(self, offset: int) -> dt.date:
        """The first day of the month `offset` months after the window's first month."""
        return add_months(self.first, offset)

    def offset(self, day: dt.date) -> int:
        """Months from the window's first month to `day`'s month."""
        return (day.year - self.first.year) * 12 + day.month - self.first.month

    def is_complete(self, period: dt.date, frequency: str) -> bool:
        """Whether the period has ended (so it can have an actual)."""
        return period_end(period, frequency) < self.current_month

    def fiscal_elapsed(self) -> float:
        """The share of the current fiscal year's months that are complete."""
        start, _ = fiscal_year_bounds(self.current_fiscal_year, self.fiscal_start)
        return max(0, self.offset(self.current_month) - self.offset(start)) / 12


@dataclass(frozen=True)
class PlannedValue:
    """One value row to write: `entered_on` is when its owner entered it (history date)."""

    period: dt.date
    target: Decimal | None
    red_flag: Decimal | None
    actual: Decimal | None
    note: str
    entered_on: dt.date


def periods(kpi: Kpi, window: Window) -> list[dt.date]:
    """The measure's periods from the one containing the window's first month (or, for a
    measure introduced `since` months ago, the first of those months) to the end of the
    current fiscal year."""
    step = months_in(kpi.frequency)
    first = window.first if kpi.since is None else add_months(window.last, 1 - kpi.since)
    day = period_start(first, kpi.frequency, window.fiscal_start)
    out = []
    while day <= window.horizon:
        out.append(day)
        day = add_months(day, step)
    return out


def _round(value: float, decimals: int) -> Decimal:
    return Decimal(f"{value:.{decimals}f}")


def target_of(kpi: Kpi, period: dt.date, window: Window) -> float:
    """The unrounded target: stepped once per fiscal year, seasonal for monthly flows."""
    years = fiscal_year_of(period, window.fiscal_start) - fiscal_year_of(
        window.first, window.fiscal_start
    )
    value = kpi.base * (1 + kpi.growth) ** years
    if kpi.cap is not None:
        value = min(value, kpi.cap) if kpi.polarity == "increase" else max(value, kpi.cap)
    if kpi.seasonal and kpi.frequency == "monthly":
        value *= SEASON[period.month]
    return value


def red_flag_of(kpi: Kpi, target: Decimal) -> Decimal | None:
    """The red flag on the correct side of the target, or None (the tolerance applies)."""
    if kpi.red is None:
        return None
    if kpi.polarity == "increase":
        return min(_round(float(target) * (1 - kpi.red), kpi.decimals), target)
    return max(_round(float(target) * (1 + kpi.red), kpi.decimals), target)


def _actual_of(kpi: Kpi, target: float, better: float) -> Decimal:
    factor = 1 + better if kpi.polarity == "increase" else 1 - better
    value = max(0.0, target * factor)
    if kpi.ceiling is not None:
        value = min(value, kpi.ceiling)
    return _round(value, kpi.decimals)


def _entered_on(period_end_day: dt.date, window: Window, offset: int, rng) -> dt.date:
    """When the owner reported: mostly before the due date, late more often in the first
    year, before reporting became a habit (the data-timeliness story)."""
    late_chance = 0.25 if offset < 12 else 0.12 if offset < 24 else 0.05
    if rng.random() < late_chance:
        days = rng.randint(window.due_days + 1, window.due_days + 20)
    else:
        days = rng.randint(1, window.due_days)
    return min(period_end_day + dt.timedelta(days=days), window.today)


def targets_set_on(period: dt.date, window: Window) -> dt.date:
    """Targets are set in the budget round, three weeks before their fiscal year starts."""
    start, _ = fiscal_year_bounds(fiscal_year_of(period, window.fiscal_start), window.fiscal_start)
    return min(start - dt.timedelta(days=21), window.today)


def _reported(kpi: Kpi, window: Window) -> list[dt.date]:
    """The periods an entered measure has actuals for: the complete ones, but for an
    `overdue` measure its last two."""
    complete = [p for p in periods(kpi, window) if window.is_complete(p, kpi.frequency)]
    if kpi.formula is not None or kpi.rollup != "none":
        return []
    return complete[:-2] if kpi.overdue else complete


def performance(
    kpi: Kpi, window: Window, lead: Mapping[dt.date, float] | None = None
) -> dict[dt.date, float]:
    """How much better than its target an entered measure did in each period it reported,
    as a fraction (positive is better whatever the polarity): its story bent by `amp`, its
    own noise, and, for a measure that follows another (`Kpi.follows`), `lead`: the other's
    performance some months earlier times a gain (see `lead_of`)."""
    noise = rng_for("actual", kpi.unit, kpi.code)
    out = {}
    for period in _reported(kpi, window):
        middle = window.offset(period) + months_in(kpi.frequency) / 2
        t = min(1.0, max(0.0, middle / (MONTHS - 1)))
        better = kpi.amp * STORIES[kpi.story](t) + noise.gauss(0, kpi.sigma)
        out[period] = better + (lead or {}).get(period, 0.0)
    return out


def lead_of(kpi: Kpi, leader: Mapping[dt.date, float]) -> dict[dt.date, float]:
    """What a following measure's performance owes to its leader's (`Kpi.follows`): the
    leader's performance `lag` months before each month, times `gain` (nothing before the
    leader's history starts). A negative gain makes the data contradict the map."""
    _, lag, gain = kpi.follows
    return {add_months(period, lag): gain * better for period, better in leader.items()}


def plan_values(
    kpi: Kpi, window: Window, lead: Mapping[dt.date, float] | None = None
) -> list[PlannedValue]:
    """Targets (and red flags) for every period of the measure, and actuals for the
    complete periods of entered measures (`performance` away from the target); an
    `overdue` measure misses its last two."""
    timing = rng_for("entered", kpi.unit, kpi.code)
    better = performance(kpi, window, lead)
    all_periods = periods(kpi, window)
    latest_reported = max(better, default=None)
    out = []
    for period in all_periods:
        raw_target = target_of(kpi, period, window)
        target = _round(raw_target, kpi.decimals)
        red_flag = red_flag_of(kpi, target)
        actual = None
        note = ""
        entered_on = targets_set_on(period, window)
        if period in better:
            actual = _actual_of(kpi, raw_target, better[period])
            entered_on = _entered_on(
                period_end(period, kpi.frequency), window, window.offset(period), timing
            )
            if (
                kpi.red_note
                and period == latest_reported
                and measure_status(actual, target, red_flag, kpi.polarity, kpi.tolerance) == RED
            ):
                note = kpi.red_note
        out.append(PlannedValue(period, target, red_flag, actual, note, entered_on))
    return out


def plan_rollup_targets(
    kpi: Kpi, sources: list[list[PlannedValue]], window: Window
) -> list[PlannedValue]:
    """A rollup's own targets: the sum of its sources' targets per period (the usual
    case), with a red flag from the rollup's definition; no actuals (they are computed)."""
    by_period: dict[dt.date, Decimal] = {}
    counts: dict[dt.date, int] = {}
    for source in sources:
        for value in source:
            if value.target is not None:
                by_period[value.period] = by_period.get(value.period, Decimal(0)) + value.target
                counts[value.period] = counts.get(value.period, 0) + 1
    out = []
    for period in sorted(by_period):
        if counts[period] != len(sources):
            continue
        target = by_period[period]
        out.append(
            PlannedValue(
                period,
                target,
                red_flag_of(kpi, target),
                None,
                "",
                targets_set_on(period, window),
            )
        )
    return out


# The strategy calendar ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedEvent:
    """One calendar event to write: `ends_on` is None for a one-day event."""

    unit: str
    kind: str
    title: str
    starts_on: dt.date
    ends_on: dt.date | None
    notes: str


def plan_calendar(steps: tuple[Step, ...], window: Window) -> list[PlannedEvent]:
    """The steps of the cycle placed in the current fiscal year and the next (planned a
    year ahead, as an OSM does), in date order; a day past the month's end is its last day,
    a day on a weekend moves to the Monday."""
    out = []
    for year in (window.current_fiscal_year, window.current_fiscal_year + 1):
        first, _ = fiscal_year_bounds(year, window.fiscal_start)
        for step in steps:
            month = add_months(first, step.month)
            last_day = (add_months(month, 1) - dt.timedelta(days=1)).day
            day = month.replace(day=min(step.day, last_day))
            if day.weekday() >= 5:  # Saturday or Sunday: the Monday after
                day += dt.timedelta(days=7 - day.weekday())
            end = day + dt.timedelta(days=step.days - 1) if step.days > 1 else None
            out.append(
                PlannedEvent(
                    unit=step.unit,
                    kind=step.kind,
                    title=step.title.format(year=year, next=year + 1),
                    starts_on=day,
                    ends_on=end,
                    notes=step.notes.format(year=year, next=year + 1),
                )
            )
    return sorted(out, key=lambda e: (e.starts_on, e.unit, e.title))
