"""What measure owners owe: the actuals due and missing, and the next ones falling due.

"My updates" shows a person's own list; unit heads and the OSM staff see their units'
owners, a page at a time, by the same rules worked out in the database (owed_owners.py);
the reminder jobs read the same list, so a page and an email never disagree. It also shows
an employee her goals: they are the people app's, above this one, so an app above registers
how to read them (`register_personal_goals`, in its AppConfig.ready()).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from .. import scoring
from ..choices import Frequency, ValueState
from ..models import Measure, MeasureValue
from ..periods import add_months, months_in

# Missing actuals older than this are history, not a to-do list.
HORIZON_MONTHS = 12

# An actual is in when it is approved, or submitted and waiting for a unit head: the owner
# has done his part (a returned one is owed again).
ACTUAL_IN = Q(actual__isnull=False) | Q(state=ValueState.SUBMITTED)
# People enter the actuals of these measures; calculated and rollup measures compute theirs.
ENTERED_BY_PEOPLE = (Q(formula__isnull=True) | Q(formula="")) & Q(rollup="none")


@dataclass(frozen=True)
class OwedValue:
    """One actual a measure's owner owes: for `period`, due on `due`."""

    measure_id: int
    measure_code: str
    measure_name: str
    unit_code: str
    owner_id: int | None
    period: dt.date
    due: dt.date
    overdue: bool
    days: int  # days late when overdue, days left otherwise


def owed_values(measures: Q, *, today: dt.date | None = None) -> list[OwedValue]:
    """The actuals owed on the entered measures matching `measures` (calculated and
    rollup measures compute theirs), ordered by due date:

    - overdue: the latest period whose due date has passed (the dashboards' overdue rule)
      and earlier periods of the last 12 months, when their actual is missing and the
      measure owes them (`scoring.owes_from`: not the periods that ended before it was
      created, unless it has actuals from before);
    - upcoming: the next period to fall due (for a new measure, the one it was created
      in), when its actual is not in yet.

    Three queries, whatever the number of measures; only the measures that may owe
    something are read further (a few hundred of 8,000 at seed_scale)."""
    today = today or timezone.localdate()
    fiscal_start = settings.FISCAL_YEAR_START_MONTH
    horizon, schedules = owed_schedules(today)
    start = entered_from(horizon, schedules)
    measures = Measure.objects.filter(measures).filter(ENTERED_BY_PEOPLE).order_by()
    # A lookup per measure on the (measure, period) index, not an aggregate over every value
    first_actual = (
        MeasureValue.objects.filter(ACTUAL_IN, measure=OuterRef("pk"))
        .order_by("period")
        .values("period")[:1]
    )
    # How many of its frequency's scheduled periods a measure has actuals for. Every actual
    # is at or after the period the measure owes from (`scoring.owes_from`), so a measure
    # whose count is that of the periods it owes has them all and is not read further.
    scheduled = Q()
    for frequency, schedule in schedules.items():
        scheduled |= Q(frequency=frequency, recent__period__in=schedule.periods)
    recent = FilteredRelation(
        "values",
        condition=Q(values__period__gte=start)
        & (Q(values__actual__isnull=False) | Q(values__state=ValueState.SUBMITTED)),
    )
    counted = (
        measures.annotate(recent=recent)
        .annotate(
            created=TruncDate("created_at"),
            first_actual=Subquery(first_actual),
            entered=Count("recent", filter=scheduled),
        )
        .values_list("id", "frequency", "created", "first_actual", "entered")
    )
    owing = {}  # measure id: the periods it owes, with due dates, when one may be missing
    periods_owed = {}  # by (frequency, first period owed): most measures share a few
    for measure_id, frequency, created, first, entered in counted:
        since = scoring.owes_from(created, frequency, fiscal_start, first)
        owes = periods_owed.get((frequency, since))
        if owes is None:
            owes = periods_owed[frequency, since] = schedules[frequency].owed_since(since)
        if entered != len(owes):
            owing[measure_id] = owes
    rows = measures.filter(id__in=owing).values("id", "code", "name", "unit__code", "owner_id")
    entered = set(
        MeasureValue.objects.filter(ACTUAL_IN, measure_id__in=owing, period__gte=start).values_list(
            "measure_id", "period"
        )
    )
    owed = [
        _owed(row, period, due, today)
        for row in rows
        for period, due in owing[row["id"]]
        if (row["id"], period) not in entered
    ]
    owed.sort(key=lambda o: (o.due, o.unit_code, o.measure_code))
    return owed


def owed_schedules(today: dt.date) -> tuple[dt.date, dict[str, Schedule]]:
    """The horizon (the first month of the last 12) and each frequency's `Schedule` as of
    `today`: what is due depends on the frequency only, so it is worked out once per
    frequency, not per measure."""
    fiscal_start, due_days = settings.FISCAL_YEAR_START_MONTH, settings.MEASURE_DUE_DAYS
    horizon = add_months(today.replace(day=1), -HORIZON_MONTHS)
    schedules = {
        frequency: Schedule(frequency, fiscal_start, today, horizon, due_days)
        for frequency in Frequency.values
    }
    return horizon, schedules


def entered_from(horizon: dt.date, schedules: dict[str, Schedule]) -> dt.date:
    """The first period whose actual can settle something owed: the horizon, or an earlier
    next period (a fiscal year's, when values are due more than a month after it ends)."""
    return min(horizon, *(schedule.upcoming for schedule in schedules.values()))


class Schedule:
    """For one frequency, as of `today`: the periods due so far within the horizon, latest
    first, each with its due date (`past`), and the next period to fall due (`upcoming`)."""

    def __init__(self, frequency, fiscal_start, today, horizon, due_days):
        step = months_in(frequency)
        latest = scoring.latest_due_period(frequency, fiscal_start, today, today, due_days)
        self.past = []
        period = latest
        while period >= horizon:
            self.past.append((period, scoring.due_date(period, frequency, due_days)))
            period = add_months(period, -step)
        self.upcoming = add_months(latest, step)
        self.periods = [period for period, _ in self.past] + [self.upcoming]
        self.frequency, self.due_days = frequency, due_days

    def owed_since(self, since: dt.date) -> list[tuple[dt.date, dt.date]]:
        """The periods a measure owes from `since` on (see `owed_values`), with due dates."""
        owes = [(period, due) for period, due in self.past if period >= since]
        upcoming = max(self.upcoming, since)
        owes.append((upcoming, scoring.due_date(upcoming, self.frequency, self.due_days)))
        return owes


def _owed(row: dict, period: dt.date, due: dt.date, today: dt.date) -> OwedValue:
    return OwedValue(
        measure_id=row["id"],
        measure_code=row["code"],
        measure_name=row["name"],
        unit_code=row["unit__code"],
        owner_id=row["owner_id"],
        period=period,
        due=due,
        overdue=due < today,
        days=abs((today - due).days),
    )


def entered_measure_count(measures: Q) -> int:
    """How many measures matching `measures` have actuals entered by people (not calculated
    or rolled up): whether "nothing owed" means all is in or nothing is owned (one query)."""
    return Measure.objects.filter(measures).filter(ENTERED_BY_PEOPLE).count()


# A person's goals (read by an app above this one) -------------------------------------------


@dataclass
class PersonalGoals:
    """An employee's goals of a fiscal year (`goals`: the people app's Goal rows)."""

    employee: object
    fiscal_year: int
    goals: list = field(default_factory=list)


_goals_reader: Callable[[object], PersonalGoals | None] | None = None


def register_personal_goals(reader: Callable[[object], PersonalGoals | None]) -> None:
    """Called once, in the AppConfig.ready() of an app that may read the people app."""
    global _goals_reader
    _goals_reader = reader


def personal_goals(user) -> PersonalGoals | None:
    """`user`'s goals of this fiscal year; None when the user has no employee record (or no
    app reads goals)."""
    return _goals_reader(user) if _goals_reader else None
