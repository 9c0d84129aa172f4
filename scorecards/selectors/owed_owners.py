"""What each measure owner owes, a page of owners at a time, worked out in the database.

"My updates" shows unit heads and the OSM staff every owner of their units who owes an
actual: how many are overdue, the oldest overdue, the next due and the units. The staff see
8,000 measures and as many owners at seed_scale: one statement finds the periods owed,
groups them by owner, orders the owners and returns the page shown with the number of
owners, whatever their number.

The rules are `owed_values`' (tests/scorecards/test_owed_owners.py checks that both give the
same answer). The periods each frequency owes come from the same `Schedule`s, sent as a
small calendar table; the database compares each measure's creation day and first actual
with it, and knows which periods have their actual in from one bit a period, summed over
the measure's values of the last months (no join per period, so no plan can go quadratic).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, Q, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from .. import scoring
from ..choices import Frequency, ValueState
from ..models import Measure, MeasureValue, OrgUnit
from ..periods import add_months, months_in, period_end
from .updates import (
    ENTERED_BY_PEOPLE,
    OwedValue,
    Schedule,
    entered_from,
    owed_schedules,
)

# The frequencies by number in the statement: a number takes less room than a word in
# the 8,000 groups of its aggregate (40,000 at five times the size).
_CODES = {frequency: code for code, frequency in enumerate(Frequency.values, start=1)}
# Room for the measures' ranks in an owed value's sort key (due date rank times this, plus
# the measure's rank): far more than any number of measures.
_RANKS = 1 << 32
# The periods after the next one due that a new measure may owe first (the one it was
# created in): its creation can only be today or before, a year ahead is a margin.
LATER_MONTHS = 12

# The calendar (`kind` "due": a period due so far or the next, with its bit; "later": a
# period after the next, owed by a measure created in it), the scoped measures, each
# measure's mask of the periods whose actual is in, the measures with one missing and their
# first actual, the periods owed, then the owners.
# A measure owes a period due when its actual is not in and the period is not before the
# one it owes from (`scoring.owes_from`: created on or before the period's end, or an actual
# at or before it); a later period when it was created in it and has no actual there.
_SQL = """
WITH calendar (frequency, kind, period, period_end, due, due_rank, bit) AS (
  VALUES {calendar}
),
scoped (id, frequency, created) AS ({scoped}),
masks AS (
  SELECT id, SUM(bit) AS mask, MAX(frequency) AS frequency, MAX(created) AS created
  FROM (
    SELECT id, 0 AS bit, frequency, created FROM scoped
    UNION ALL
    SELECT v.measure_id, CASE v.period {bits} ELSE 0 END, NULL, NULL
    FROM {values} v
    WHERE v.period >= %s AND v.period <= %s AND (v.actual IS NOT NULL OR v.state = %s){narrow}
  ) AS measure_rows
  GROUP BY id
  HAVING MAX(frequency) IS NOT NULL
),
dated AS {materialized} (
  SELECT masks.*, m.owner_id, m.code, m.unit_id,
    CASE WHEN masks.created >= %s THEN (
      SELECT v.period FROM {values} v
      WHERE v.measure_id = masks.id AND (v.actual IS NOT NULL OR v.state = %s)
      ORDER BY v.period LIMIT 1
    ) ELSE %s END AS first_actual
  FROM masks JOIN {measures} m ON m.id = masks.id
  WHERE (mask & {all_bits}) <> {all_bits}
),
owing AS {materialized} (
  SELECT id, owner_id, code, unit_id, frequency, created, first_actual, later,
    due_bits - (due_bits & mask) AS owed_bits
  FROM (SELECT dated.*, {owes} AS due_bits, {later} AS later FROM dated) AS settled
  WHERE due_bits <> (due_bits & mask) OR later = 1
),
named AS (
  SELECT owing.*, u.code AS unit_code,
    ROW_NUMBER() OVER (ORDER BY u.code{c}, owing.code{c}) AS measure_rank
  FROM owing JOIN {units} u ON u.id = owing.unit_id
),
owed AS (
  SELECT m.id, COALESCE(m.owner_id, 0) AS owner_key, m.owner_id, m.code, m.unit_id,
    m.unit_code, c.period, c.due, CASE WHEN c.due < %s THEN 1 ELSE 0 END AS late,
    c.due_rank * {ranks} + m.measure_rank AS sort_key
  FROM named m JOIN calendar c ON c.frequency = m.frequency
  WHERE (m.owed_bits & c.bit) <> 0
    OR (c.kind = 'later' AND m.later = 1 AND c.period <= m.created
        AND m.created <= c.period_end
        AND (m.first_actual IS NULL OR m.first_actual > c.period))
),
ranked AS (
  SELECT owed.*,
    SUM(late) OVER by_owner AS overdue,
    MIN(sort_key) OVER by_owner AS first_key,
    MIN(CASE WHEN late = 1 THEN sort_key END) OVER by_owner AS oldest_key,
    MIN(CASE WHEN late = 0 THEN sort_key END) OVER by_owner AS next_key,
    ROW_NUMBER() OVER (PARTITION BY owner_key, unit_id) AS unit_rank
  FROM owed
  WINDOW by_owner AS (PARTITION BY owner_key)
),
placed AS (
  SELECT ranked.*, DENSE_RANK() OVER (ORDER BY overdue DESC, first_key, owner_key) AS place
  FROM ranked
  WHERE sort_key = oldest_key OR sort_key = next_key OR unit_rank = 1
)
SELECT totals.owners, placed.place, placed.owner_id, placed.overdue, placed.late,
  CASE WHEN sort_key = oldest_key OR sort_key = next_key THEN 1 ELSE 0 END, placed.id,
  placed.code, placed.unit_code, placed.period, placed.due, names.name
FROM (SELECT COUNT(DISTINCT owner_key) AS owners FROM owed) AS totals
LEFT JOIN placed ON placed.place > %s AND placed.place <= %s
LEFT JOIN {measures} names ON names.id = placed.id
ORDER BY placed.place, placed.late DESC, placed.due
"""


def owners_page(
    measures: Q,
    number,
    per_page: int,
    *,
    today: dt.date | None = None,
    every_value: bool = False,
) -> Page:
    """Page `number` (as typed: a bad one is handled as `Paginator.get_page` does) of the
    owners of the entered measures matching `measures` who owe an actual (see
    `owed_values`), the most behind first: most overdue, then the oldest due, then by the
    unit and code of their first owed value. Each row is a dict: `owner_id` (None for the
    measures without an owner), `overdue` (how many), `oldest` and `next` (`OwedValue`s or
    None) and `units` (sorted codes).

    One query, whatever the number of owners and measures (two for a page out of range).
    `every_value` reads the last months' values of every measure in one pass, for a scope
    that is most of them (the OSM staff's); otherwise only the scoped measures' values are
    read, through the index."""
    try:
        guess = max(int(number), 1)
    except (TypeError, ValueError):
        guess = 1
    owing = OwnersOwing(measures, today=today or timezone.localdate(), every_value=every_value)
    owing.read((guess - 1) * per_page, guess * per_page)
    return Paginator(owing, per_page).get_page(number)


class OwnersOwing:
    """The owners who owe something, as a sequence Django's Paginator can page: `count()`
    and slices are answered from the slice last read (`read`), or read when outside it."""

    def __init__(self, measures: Q, *, today: dt.date, every_value: bool):
        self.measures, self.today, self.every_value = measures, today, every_value
        self.total, self.start, self.rows = None, 0, []

    def read(self, start: int, stop: int) -> None:
        sql, params = owed_owners_sql(self.measures, self.today, self.every_value)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, start, stop])
            fetched = cursor.fetchall()
        self.total, self.start = fetched[0][0], start
        self.rows = _owners(fetched, self.today)

    def count(self) -> int:
        if self.total is None:
            self.read(0, 0)
        return self.total

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[dict]:
        start, stop = index.start or 0, index.stop
        if self.total is None or not self.start <= start <= stop <= self.start + len(self.rows):
            self.read(start, stop)
        return self.rows[start - self.start : stop - self.start]


def owed_owners_sql(measures: Q, today: dt.date, every_value: bool) -> tuple[str, list]:
    """The statement and its parameters but the last two (the rows of owners, from the
    first after the one and up to the other). Public for the tests and for EXPLAIN."""
    horizon, schedules = owed_schedules(today)
    calendar, bits = _calendar(today, schedules)
    all_bits = [v for f, s in schedules.items() for v in (_CODES[f], _bits(_due_periods(s), bits))]
    owes, owes_params = _owes(schedules, bits)
    later, later_params = _later(schedules)
    scoped, scoped_params = _scoped(measures).query.sql_with_params()
    quote, postgresql = connection.ops.quote_name, connection.vendor == "postgresql"
    sql = _SQL.format(
        calendar=", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(calendar)),
        scoped=scoped,
        bits=" ".join(["WHEN %s THEN %s"] * len(bits)),
        values=quote(MeasureValue._meta.db_table),
        narrow="" if every_value else " AND v.measure_id IN (SELECT id FROM scoped)",
        # Computed once, not again wherever their columns are named.
        materialized="MATERIALIZED" if postgresql else "",
        # Each owed value sorts by its due date's rank, then its measure's (by unit and
        # code): one number, compared without a sort of text for every value.
        ranks=_RANKS,
        all_bits=f"CASE masks.frequency {' '.join(['WHEN %s THEN %s'] * len(schedules))} END",
        owes=owes,
        later=later,
        units=quote(OrgUnit._meta.db_table),
        measures=quote(Measure._meta.db_table),
        # Codes in the order Python sorts them (by code point) whatever the database's
        # collation; SQLite's default already is.
        c=' COLLATE "C"' if postgresql else "",
    )
    first_due = min(bits)
    params = [value for row in calendar for value in row]
    params += scoped_params
    params += [value for pair in bits.items() for value in pair]
    # Actuals of periods before the first owed cannot settle anything (`entered_from`).
    params += [entered_from(horizon, schedules), max(bits), ValueState.SUBMITTED]
    # Only the measures with an actual missing are read further, and their first actual is
    # looked up only if they were created since the first period due: before, they owe every
    # period due whatever it is, as they would with an actual at that first period.
    params += [first_due, ValueState.SUBMITTED, first_due, *all_bits, *all_bits]
    return sql, [*params, *owes_params, *later_params, today]


def _bits(periods: list[dt.date], bits: dict) -> int:
    return sum(bits[period] for period in periods)


def _calendar(today: dt.date, schedules: dict[str, Schedule]) -> tuple[list[tuple], dict]:
    """The calendar's rows (frequency, kind, period, its last day, due date, the due date's
    rank, bit), and the bit of each period due (one per period, shared by the
    frequencies)."""
    due_days, last = settings.MEASURE_DUE_DAYS, add_months(today.replace(day=1), LATER_MONTHS)
    rows, bits = [], {}
    for frequency, schedule in schedules.items():
        for period in _due_periods(schedule):
            rows.append((frequency, "due", period, bits.setdefault(period, 1 << len(bits))))
        period = add_months(schedule.upcoming, months_in(frequency))
        while period <= last:
            rows.append((frequency, "later", period, 0))
            period = add_months(period, months_in(frequency))
    dues = {(f, p): scoring.due_date(p, f, due_days) for f, _, p, _ in rows}
    rank = {due: k for k, due in enumerate(sorted(set(dues.values())))}
    calendar = [
        (_CODES[f], kind, p, period_end(p, f), dues[f, p], rank[dues[f, p]], bit)
        for f, kind, p, bit in rows
    ]
    return calendar, bits


def _due_periods(schedule: Schedule) -> list[dt.date]:
    """The periods of a schedule's frequency due so far in the horizon and the next, oldest
    first."""
    return sorted([period for period, _ in schedule.past] + [schedule.upcoming])


def _owes(schedules: dict[str, Schedule], bits: dict) -> tuple[str, list]:
    """The bits of the periods due that a measure owes, by its frequency: those from the
    first it owes on (created by its end, or an actual at or before it; each later period
    is owed if an earlier one is)."""
    cases, params = [], []
    for frequency, schedule in schedules.items():
        periods = _due_periods(schedule)
        whens = " ".join(["WHEN created <= %s OR first_actual <= %s THEN %s"] * len(periods))
        cases.append(f"WHEN %s THEN CASE {whens} ELSE 0 END")
        params.append(_CODES[frequency])
        for k, period in enumerate(periods):
            params += [period_end(period, frequency), period, _bits(periods[k:], bits)]
    return f"CASE frequency {' '.join(cases)} ELSE 0 END", params


def _later(schedules: dict[str, Schedule]) -> tuple[str, list]:
    """1 for a measure whose first period owed is after the next one due (created since,
    with no actual up to it), else 0."""
    cases, params = [], []
    for frequency, schedule in schedules.items():
        upcoming = schedule.upcoming
        cases.append(
            "WHEN %s THEN CASE WHEN created > %s AND (first_actual IS NULL OR first_actual > %s)"
            " THEN 1 ELSE 0 END"
        )
        params += [_CODES[frequency], period_end(upcoming, frequency), upcoming]
    return f"CASE frequency {' '.join(cases)} ELSE 0 END", params


def _scoped(measures: Q):
    return (
        Measure.objects.filter(measures)
        .filter(ENTERED_BY_PEOPLE)
        .order_by()
        .annotate(created=TruncDate("created_at"))
        .annotate(
            frequency_code=Case(
                *(When(frequency=frequency, then=code) for frequency, code in _CODES.items())
            )
        )
        .values_list("id", "frequency_code", "created")
    )


def _owners(fetched: list[tuple], today: dt.date) -> list[dict]:
    """One dict per owner from the statement's rows: each owner's oldest overdue and next
    value (`first`) and a row for each unit at least."""
    owners = {}
    for row in fetched:
        _, place, owner_id, overdue, late, first, measure_id, code, unit, period, due, name = row
        if place is None:  # no owner on this page: only the count
            continue
        owner = owners.setdefault(place, {"owner_id": owner_id, "overdue": overdue})
        owner.setdefault("units", set())
        owner["units"].add(unit)
        if first:
            due = _date(due)
            owner["oldest" if late else "next"] = OwedValue(
                measure_id=measure_id,
                measure_code=code,
                measure_name=name,
                unit_code=unit,
                owner_id=owner_id,
                period=_date(period),
                due=due,
                overdue=due < today,
                days=abs((today - due).days),
            )
    for owner in owners.values():
        owner["units"] = sorted(owner["units"])
        owner.setdefault("oldest", None)
        owner.setdefault("next", None)
    return [owners[place] for place in sorted(owners)]


def _date(value) -> dt.date:
    """SQLite answers dates as text."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value
