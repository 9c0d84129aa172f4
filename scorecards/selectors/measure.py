"""One measure's page: its figures as of today and every period's row, scored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.db.models import Q

from .. import scoring
from ..models import Measure, MeasureValue
from ..periods import closing_month
from ..targets import year_periods
from .reporting import closed_months
from .scorecard import Clock, MeasureReading, read_measure
from .series import Series, load_series


@dataclass
class PeriodRow:
    """A period of the measure's history, scored as that period alone."""

    period: dt.date
    due: dt.date
    actual: Fraction | None
    target: Fraction | None
    red_flag: Fraction | None
    red_flag_is_default: bool
    score: Fraction | None
    status: str
    stored: MeasureValue | None  # the entered row (note, who, when), if any
    locked: bool = False  # its month is closed: no door writes into it


@dataclass
class MeasureDetail:
    """What the measure page shows: the series, today's reading and the period rows,
    newest first."""

    series: Series
    reading: MeasureReading
    rows: list[PeriodRow]


def measure_detail(measure: Measure, clock: Clock | None = None) -> MeasureDetail:
    """The measure's series (computed for calculated and rollup measures), its reading as
    of the clock's month, and a row per period with a value (a bounded number of queries:
    the series' rounds, one for the stored rows, one for the closed months)."""
    clock = clock or Clock.make()
    series = load_series(Q(pk=measure.pk))[measure.pk]
    stored = {
        v.period: v
        for v in MeasureValue.objects.filter(measure=measure).select_related(
            "entered_by", "submitted_by", "reviewed_by"
        )
    }
    info = series.measure
    periods = sorted(set(series.values) | set(stored), reverse=True)
    closed = closed_months(closing_month(period, info.frequency) for period in periods)
    rows = []
    for period in periods:
        value = series.values.get(period)
        actual = value.actual if value else None
        target = value.target if value else None
        red_flag = value.red_flag if value else None
        is_default = red_flag is None and target is not None
        if is_default:
            red_flag = scoring.default_red_flag(target, info.polarity, info.tolerance)
        rows.append(
            PeriodRow(
                period=period,
                due=scoring.due_date(period, info.frequency, clock.due_days),
                actual=actual,
                target=target,
                red_flag=red_flag,
                red_flag_is_default=is_default,
                score=scoring.measure_score(
                    actual, target, red_flag, info.polarity, info.tolerance
                ),
                status=scoring.measure_status(
                    actual, target, red_flag, info.polarity, info.tolerance
                ),
                stored=stored.get(period),
                locked=closing_month(period, info.frequency) in closed,
            )
        )
    return MeasureDetail(series=series, reading=read_measure(series, clock), rows=rows)


def year_actuals(measure: Measure, fiscal_year: int) -> dict[dt.date, Fraction | None]:
    """The measure's actual of each period of fiscal year `fiscal_year`, in period order
    (None where there is none); computed ones for calculated and rollup measures."""
    periods = year_periods(fiscal_year, measure.frequency, settings.FISCAL_YEAR_START_MONTH)
    series = load_series(Q(pk=measure.pk), since=periods[0], upto=periods[-1])[measure.pk]
    return {p: series.actual(p) for p in periods}
