"""The reporting cycle's months as the Reporting months page shows them, which are closed,
and what is still missing before a month is closed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import TruncDate

from .. import scoring
from ..choices import Frequency, PeriodStatus, Rollup, ValueState
from ..models import Measure, MeasureValue, ReportingPeriod, ReportingPeriodEvent
from ..periods import add_months, is_period_start, months_in
from .scorecard import objective_scores
from .tree import unit_tree

SHOWN_MONTHS = 18  # the months before this one listed, even those never closed


def closed_months(months: Iterable[dt.date]) -> set[dt.date]:
    """Which of `months` (first days) are closed (one query; none for no month)."""
    months = set(months)
    if not months:
        return set()
    return set(
        ReportingPeriod.objects.filter(month__in=months, status=PeriodStatus.CLOSED).values_list(
            "month", flat=True
        )
    )


@dataclass
class MonthRow:
    """A month: open or closed, who closed it and when, its closings and reopenings."""

    month: dt.date
    status: str = PeriodStatus.OPEN
    closed_by: object = None
    closed_at: dt.datetime | None = None
    events: list = field(default_factory=list)
    over: bool = True  # a month can be closed once it has ended

    @property
    def closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


def reporting_months(today: dt.date, shown: int = SHOWN_MONTHS) -> list[MonthRow]:
    """This month and the `shown` before it, latest first, and any other month that has
    been closed; each with its record (two queries, whatever the number of events)."""
    this_month = today.replace(day=1)
    rows = {
        month: MonthRow(month, over=month < this_month)
        for month in (add_months(this_month, -back) for back in range(shown + 1))
    }
    events = ReportingPeriodEvent.objects.select_related("by").order_by("at", "id")
    for period in ReportingPeriod.objects.select_related("closed_by").prefetch_related(
        Prefetch("events", queryset=events)
    ):
        row = rows.setdefault(period.month, MonthRow(period.month, over=period.month < this_month))
        row.status, row.closed_by, row.closed_at = period.status, period.closed_by, period.closed_at
        row.events = list(period.events.all())
    return sorted(rows.values(), key=lambda row: row.month, reverse=True)


@dataclass
class ChecklistUnit:
    """A unit with something to see to before the month closes: values still missing for
    the periods ending in it, values submitted and not yet approved, red objectives without
    the month's analysis."""

    id: int
    code: str
    name: str
    missing: list = field(default_factory=list)  # (measure id, code, name, period)
    awaiting: list = field(default_factory=list)  # (measure id, code, name, period)
    red_unanalysed: list = field(default_factory=list)  # (objective id, code, name)


# Which of some objectives have the month's analysis: the communication app's to say (it is
# above this one), registered in its AppConfig.ready().
_analysed_reader: Callable[[dt.date, set[int]], set[int]] | None = None


def register_analysed_objectives(reader: Callable[[dt.date, set[int]], set[int]]) -> None:
    """Called once by the app that keeps analyses."""
    global _analysed_reader
    _analysed_reader = reader


def periods_ending_in(month: dt.date, fiscal_start: int) -> dict[str, dt.date]:
    """For each frequency, the period that ends in `month`, if one does: the month itself;
    the quarter whose last month it is; the fiscal year whose last month it is."""
    ending = {}
    for frequency in Frequency.values:
        start = add_months(month, 1 - months_in(frequency))
        if is_period_start(start, frequency, fiscal_start):
            ending[frequency] = start
    return ending


def close_checklist(month: dt.date, unit_ids: set[int] | None = None) -> list[ChecklistUnit]:
    """What to see to before `month` is closed, by unit in tree order (only the units of
    `unit_ids` when given):

    - missing: the entered measures (not calculated, not rolled up) owing an actual for the
      period that ends in the month (`scoring.owes_from`: not one created after it, unless it
      has history from before) and without one, approved or submitted;
    - awaiting approval: the values of those periods submitted and not yet approved;
    - red without analysis: the objectives red as of the month with no analysis of it.

    A fixed number of queries, whatever the size of the company (the objectives are scored
    in one pass, `objective_scores`)."""
    fiscal_start = settings.FISCAL_YEAR_START_MONTH
    ending = periods_ending_in(month, fiscal_start)
    entered = (
        Q(formula__isnull=True) | Q(formula=""),
        Q(rollup=Rollup.NONE),
    )
    first_actual = (
        MeasureValue.objects.filter(measure=OuterRef("pk"), actual__isnull=False)
        .order_by("period")
        .values("period")[:1]
    )
    rows = (
        Measure.objects.filter(*entered)
        .filter(frequency__in=list(ending))
        .annotate(created=TruncDate("created_at"), first_actual=Subquery(first_actual))
        .values("id", "code", "name", "frequency", "created", "first_actual", "unit_id")
    )
    candidates = [
        row
        for row in rows
        if scoring.owes_from(row["created"], row["frequency"], fiscal_start, row["first_actual"])
        <= ending[row["frequency"]]
    ]
    # in: approved, or submitted and awaiting approval (listed as such, not as missing)
    have = set(
        MeasureValue.objects.filter(
            reduce(
                or_, (Q(measure__frequency=f, period=p) for f, p in ending.items()), Q(pk__in=[])
            ),
            Q(actual__isnull=False) | Q(state=ValueState.SUBMITTED),
        ).values_list("measure_id", flat=True)
    )
    missing = defaultdict(list)
    for row in candidates:
        if row["id"] not in have:
            missing[row["unit_id"]].append(
                (row["id"], row["code"], row["name"], ending[row["frequency"]])
            )
    awaiting = defaultdict(list)
    submitted = MeasureValue.objects.filter(
        reduce(or_, (Q(measure__frequency=f, period=p) for f, p in ending.items()), Q(pk__in=[])),
        state=ValueState.SUBMITTED,
    ).values_list("measure_id", "measure__code", "measure__name", "period", "measure__unit_id")
    for measure_id, code, name, period, unit_id in submitted:
        awaiting[unit_id].append((measure_id, code, name, period))
    red = defaultdict(list)
    readings = [r for r in objective_scores(as_of=month).values() if r.status == scoring.RED]
    analysed = _analysed_reader(month, {r.id for r in readings}) if _analysed_reader else set()
    for reading in readings:
        if reading.id not in analysed:
            red[reading.unit_id].append((reading.id, reading.code, reading.name))
    units = []
    for unit, _depth in unit_tree():
        if unit_ids is not None and unit.pk not in unit_ids:
            continue
        if unit.pk in missing or unit.pk in awaiting or unit.pk in red:
            found = ChecklistUnit(unit.pk, unit.code, unit.name)
            found.missing = sorted(missing[unit.pk], key=lambda m: m[1])
            found.awaiting = sorted(awaiting[unit.pk], key=lambda m: m[1])
            found.red_unanalysed = sorted(red[unit.pk], key=lambda o: o[1])
            units.append(found)
    return units
