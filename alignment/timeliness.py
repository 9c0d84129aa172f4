"""Data timeliness and overdue measures for the alignment report, in two queries whatever
the number of measures, values and history rows.

A measure owes an actual for each period whose due date fell within the fiscal year and has
passed, from the period it started (`scorecards.scoring.owes_from`); a period is on time
when its actual was first entered, by the values' change history, before its due day
ended. Those periods are few per frequency, so they are numbered, and the database answers
for each measure with one integer, a bit per period entered on time (bit n for period n).
Which of those periods the measure owed is worked out here, from the period it started:
no row per period leaves the database.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.aggregates import BitOr
from django.db import connections, router
from django.db.models import (
    BigIntegerField,
    Case,
    DateField,
    Exists,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from scorecards.choices import Frequency, Rollup
from scorecards.models import Measure, MeasureValue
from scorecards.periods import add_months, months_in, period_start
from scorecards.scoring import due_date, latest_due_period, owes_from


@dataclass(frozen=True)
class Overdue:
    """A measure whose latest period due by today has no actual."""

    id: int
    code: str
    name: str
    unit_code: str
    period: dt.date
    due: dt.date


def measure_timeliness(
    unit_ids: list[int],
    year_start: dt.date,
    year_end: dt.date,
    today: dt.date,
    *,
    whole_tree: bool = False,
) -> tuple[dict[int, tuple[int, int]], list[Overdue]]:
    """({unit id: (periods due, periods on time)}, the overdue measures by unit code and
    code) for the entered measures of the units `unit_ids` and the fiscal year.
    `whole_tree`: the units are a whole tree (its top has no parent); the history is then
    read for every measure, in one pass."""
    start_month, due_days = settings.FISCAL_YEAR_START_MONTH, settings.MEASURE_DUE_DAYS
    latest = {
        frequency: latest_due_period(frequency, start_month, today.replace(day=1), today, due_days)
        for frequency in Frequency.values
    }
    entered = Measure.objects.filter(unit_id__in=unit_ids, formula__isnull=True, rollup=Rollup.NONE)
    first_actual = MeasureValue.objects.filter(measure=OuterRef("pk"), actual__isnull=False)
    measures = list(
        entered.annotate(
            # the day it was created, in the site's time zone (as timezone.localdate)
            created_on=TruncDate("created_at"),
            first_period=Subquery(first_actual.order_by("period").values("period")[:1]),
            latest_due=Case(
                *(When(frequency=f, then=Value(period)) for f, period in latest.items()),
                output_field=DateField(),
            ),
            reported=Exists(first_actual.filter(period=OuterRef("latest_due"))),
        )
        .values_list(
            "id",
            "code",
            "name",
            "unit_id",
            "unit__code",
            "frequency",
            "created_on",
            "first_period",
            "reported",
        )
        .order_by("unit__code", "code")
    )
    calendar = _calendar(year_start, year_end, today, {m[5] for m in measures})
    on_time = {}
    if any(calendar.values()):
        # Every measure's history, for the whole tree: one pass over it, where a join with
        # the measures may be planned as an index scan per measure. Only the measures read
        # above are looked up in the answer.
        on_time = _on_time(None if whole_tree else entered, calendar)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    overdue = []
    owed_from = {}  # many measures share a creation day: work each case out once
    for id_, code, name, unit_id, unit_code, frequency, created, first, reported in measures:
        # A measure owes values from the period it was created in, or from its first actual
        # if that is earlier (history loaded from before OSM); one never reported still owes.
        # (Targets set ahead for the whole year owe nothing: only actuals count here.)
        case = (created, frequency, first)
        if case not in owed_from:
            since = owes_from(created, frequency, start_month, first)
            # the periods due before it are not owed
            owed_from[case] = since, bisect_left(calendar[frequency], since)
        since, owed = owed_from[case]
        if owed < len(calendar[frequency]):
            unit = counts[unit_id]
            unit[0] += len(calendar[frequency]) - owed
            unit[1] += (on_time.get((id_, frequency), 0) >> owed).bit_count()
        # Overdue now: the latest period due by today has no actual (the engine's rule); a
        # new measure owes nothing yet.
        period = latest[frequency]
        if not reported and period >= since:
            due = due_date(period, frequency, due_days)
            overdue.append(Overdue(id_, code, name, unit_code, period, due))
    return {unit: (due, timely) for unit, (due, timely) in counts.items()}, overdue


def _calendar(year_start: dt.date, year_end: dt.date, today: dt.date, frequencies) -> dict:
    """{frequency: [period, ...]}: the periods whose due date fell within the year and has
    passed, oldest first, for each of `frequencies`; a period's place in its list is its
    bit."""
    start_month, due_days = settings.FISCAL_YEAR_START_MONTH, settings.MEASURE_DUE_DAYS
    calendar: dict[str, list[dt.date]] = {}
    for frequency in frequencies:
        step = months_in(frequency)
        period = period_start(add_months(year_start, -12 - step), frequency, start_month)
        calendar[frequency] = []
        while period <= year_end:
            deadline = due_date(period, frequency, due_days)
            if year_start <= deadline <= year_end and deadline < today:
                calendar[frequency].append(period)
            period = add_months(period, step)
    return calendar


def _on_time(entered, calendar: dict[str, list[dt.date]]) -> dict[tuple[int, str], int]:
    """{(measure id, frequency): the bits 2**n of the periods n of that frequency whose
    actual was first entered on time, or-ed}; the measure's own frequency is the one that
    counts.

    On time: a history row with an actual written before the due day ended, in the site's
    time zone (one cut-off per period, not a time-zone conversion per row); a period with
    several such rows sets its bit once. One answer per frequency rather than a join with
    the measures: the history is read in one pass. `entered`: the measures to read (None:
    every measure)."""
    due_days = settings.MEASURE_DUE_DAYS
    sums, periods_due = {}, set()
    for frequency, periods in calendar.items():
        bits = []
        for bit, period in enumerate(periods):
            deadline = due_date(period, frequency, due_days)
            cutoff = timezone.make_aware(
                dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time.min)
            )
            bits.append(When(period=period, history_date__lt=cutoff, then=Value(1 << bit)))
            periods_due.add(period)
        if bits:
            sums[frequency] = _bit_or(Case(*bits, output_field=BigIntegerField()))
    history = MeasureValue.history.filter(actual__isnull=False, period__in=periods_due)
    if entered is not None:
        history = history.filter(measure_id__in=entered.values("pk"))
    rows = history.order_by().values("measure_id").annotate(**sums).values_list("measure_id", *sums)
    return {
        (measure_id, frequency): bits
        for measure_id, *masks in rows
        for frequency, bits in zip(sums, masks, strict=True)
        if bits
    }


def _bit_or(bits):
    """The bitwise or of `bits` (each a power of two) over a group: PostgreSQL's BIT_OR,
    which it aggregates by hashing (a DISTINCT aggregate makes it sort the rows first),
    else the sum of the distinct bits, which is the same number."""
    if connections[router.db_for_read(MeasureValue)].vendor == "postgresql":
        return BitOr(bits)
    return Sum(bits, distinct=True)
