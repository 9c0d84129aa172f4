"""The owners who owe, a page at a time (`scorecards.selectors.owed_owners.owners_page`):
what each owes, in which order, the pages, the queries, and the same answer as
`owed_values` (an owner's own list and the reminders) in every case the rules tell apart.

The suite runs this on SQLite and, in CI, on PostgreSQL: the statement is the same but for
the collation of codes and a CTE computed once. Unless a test says otherwise: values are
due 10 days after their period ends, the fiscal year starts in January, today is
27 November 2026.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from scorecards.choices import Frequency, ValueState
from scorecards.models import Measure, MeasureValue
from scorecards.selectors.owed_owners import owners_page
from scorecards.selectors.updates import owed_values
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)
MONTHLY, QUARTERLY, ANNUAL = Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.ANNUAL


@pytest.fixture(autouse=True)
def rules(settings):
    settings.MEASURE_DUE_DAYS = 10
    settings.FISCAL_YEAR_START_MONTH = 1


def measure(owner, unit, code, frequency=MONTHLY, created=dt.date(2026, 10, 20), actuals=()):
    """An entered measure created on `created`, with an actual for each period of `actuals`
    (first days of months)."""
    made = f.MeasureFactory(
        objective=f.ObjectiveFactory(unit=unit), code=code, owner=owner, frequency=frequency
    )
    Measure.objects.filter(pk=made.pk).update(
        created_at=dt.datetime(created.year, created.month, created.day, 12, tzinfo=dt.UTC)
    )
    for period in actuals:
        f.MeasureValueFactory(measure=made, period=period, actual=Decimal(1), red_flag=None)
    return made


def months(*pairs):
    return [dt.date(year, month, 1) for year, month in pairs]


def state(measure, period, value_state):
    """The value of `period` waits for approval or was returned: no approved actual."""
    f.MeasureValueFactory(measure=measure, period=period, actual=None, red_flag=None)
    MeasureValue.objects.filter(measure=measure, period=period).update(
        state=value_state, submitted_actual=Decimal(1)
    )


def every_page(scope=None, per_page=50, today=TODAY, every_value=True):
    """Every owner, reading page after page."""
    scope, rows, number = Q() if scope is None else scope, [], 1
    while True:
        page = owners_page(scope, number, per_page, today=today, every_value=every_value)
        rows += list(page)
        if not page.has_next():
            return rows
        number += 1


def shown(rows, names):
    """(owner, overdue, oldest, next, units) with values as unit.code period."""

    def value(item):
        return item and f"{item.unit_code}.{item.measure_code} {item.period:%Y-%m}"

    return [
        (names.get(r["owner_id"]), r["overdue"], value(r["oldest"]), value(r["next"]), r["units"])
        for r in rows
    ]


# What each owner owes, worked out by hand --------------------------------------------------


@pytest.fixture
def world():
    f.EnterpriseFactory()
    bu, far = f.OrgUnitFactory(code="BU"), f.OrgUnitFactory(code="ELSE")
    people = {name: f.UserFactory(first_name=name) for name in ("Ann", "Bob", "Cy", "Dee", "Eve")}
    # Ann: monthly since 15 Aug, September in: owes August (due 10 Sep) and October (due
    # 10 Nov), overdue, and November (due 10 Dec), next.
    measure(people["Ann"], bu, "REV", created=dt.date(2026, 8, 15), actuals=months((2026, 9)))
    # Bob: the quarter from July (due 30 Sep + 10 = 10 Oct) and, on another unit, October
    # (due 10 Nov) overdue; next the monthly November (10 Dec) before the quarter from
    # October (10 Jan).
    measure(people["Bob"], bu, "COST", QUARTERLY, created=dt.date(2026, 9, 1))
    measure(people["Bob"], far, "FAR")
    # Cy: created today, owes only November, next.
    measure(people["Cy"], bu, "NEW", created=TODAY)
    # No owner: October overdue, November next.
    measure(None, bu, "ORPH")
    # Dee: October and November in; her calculated measure owes nothing.
    done = measure(people["Dee"], bu, "DONE", actuals=months((2026, 10), (2026, 11)))
    f.MeasureFactory(objective=done.objective, code="CALC", owner=people["Dee"], formula="DONE")
    # Eve: October submitted (her part done), November returned (owed again).
    waiting = measure(people["Eve"], bu, "SUB")
    state(waiting, dt.date(2026, 10, 1), ValueState.SUBMITTED)
    state(waiting, dt.date(2026, 11, 1), ValueState.RETURNED)
    return {user.pk: name for name, user in people.items()}


def test_each_owner_most_behind_first_with_the_oldest_and_the_next(world):
    # Ann and Bob owe two overdue values each, Ann's oldest due first (10 Sep before
    # 10 Oct); the measures without an owner owe one; Cy and Eve none overdue, both next
    # due on 10 Dec: by unit and code, BU.NEW before BU.SUB.
    assert shown(every_page(), world) == [
        ("Ann", 2, "BU.REV 2026-08", "BU.REV 2026-11", ["BU"]),
        ("Bob", 2, "BU.COST 2026-07", "ELSE.FAR 2026-11", ["BU", "ELSE"]),
        (None, 1, "BU.ORPH 2026-10", "BU.ORPH 2026-11", ["BU"]),
        ("Cy", 0, None, "BU.NEW 2026-11", ["BU"]),
        ("Eve", 0, None, "BU.SUB 2026-11", ["BU"]),
    ]
    first = every_page()[0]
    assert (first["oldest"].due, first["oldest"].days, first["oldest"].overdue) == (
        dt.date(2026, 9, 10),
        78,  # 20 days of September, 31 of October, 27 of November
        True,
    )
    assert (first["next"].due, first["next"].days, first["next"].measure_name) == (
        dt.date(2026, 12, 10),
        13,
        "Measure REV",
    )


def test_a_scope_reads_its_measures_only_either_way(world):
    # ELSE's one measure: Bob's FAR, October overdue and November next.
    for every_value in (True, False):
        rows = every_page(Q(unit__code="ELSE"), every_value=every_value)
        assert shown(rows, world) == [("Bob", 1, "ELSE.FAR 2026-10", "ELSE.FAR 2026-11", ["ELSE"])]
    # without an owner's own measures, as My updates asks for its team
    bob = next(pk for pk, name in world.items() if name == "Bob")
    assert "Bob" not in [name for name, *_ in shown(every_page(~Q(owner=bob)), world)]


def test_a_measure_created_after_the_next_period_owes_its_own(settings):
    # On 5 Dec the next monthly period due is November (due 10 Dec). Created on 2 Dec, a
    # measure owes December (due 31 Dec + 10 = 10 Jan 2027), not November; with December's
    # actual already in, nothing; with history up to June, July to October (overdue) and
    # November.
    today = dt.date(2026, 12, 5)
    unit, created = f.OrgUnitFactory(code="BU"), dt.date(2026, 12, 2)
    owners = {name: f.UserFactory() for name in ("new", "entered", "history")}
    measure(owners["new"], unit, "NEW", created=created)
    measure(owners["entered"], unit, "IN", created=created, actuals=months((2026, 12)))
    measure(owners["history"], unit, "OLD", created=created, actuals=months((2026, 6)))
    names = {user.pk: name for name, user in owners.items()}
    assert shown(every_page(today=today), names) == [
        ("history", 4, "BU.OLD 2026-07", "BU.OLD 2026-11", ["BU"]),
        ("new", 0, None, "BU.NEW 2026-12", ["BU"]),
    ]
    assert every_page(today=today)[1]["next"].due == dt.date(2027, 1, 10)


def test_an_annual_value_entered_before_the_horizon_is_in(settings):
    # Due 45 days after the fiscal year: on 10 Feb 2027 the next annual period due is
    # FY2026 (from 1 Jan 2026, due 31 Dec + 45 = 14 Feb 2027), a month before the horizon
    # (1 Feb 2026). Its actual in, nothing is owed; missing, it is owed, in 4 days.
    settings.MEASURE_DUE_DAYS = 45
    today, unit = dt.date(2027, 2, 10), f.OrgUnitFactory(code="BU")
    entered, missing = f.UserFactory(), f.UserFactory()
    old = dt.date(2024, 3, 1)
    measure(entered, unit, "IN", ANNUAL, created=old, actuals=months((2025, 1), (2026, 1)))
    measure(missing, unit, "OUT", ANNUAL, created=old, actuals=months((2025, 1)))
    rows = every_page(today=today)
    assert shown(rows, {missing.pk: "missing"}) == [("missing", 0, None, "BU.OUT 2026-01", ["BU"])]
    assert (rows[0]["next"].due, rows[0]["next"].days) == (dt.date(2027, 2, 14), 4)
    assert [o.measure_code for o in owed_values(Q(), today=today)] == ["OUT"]


# Pages and queries -------------------------------------------------------------------------


def owners_of_one_measure(count, unit):
    for k in range(count):
        measure(f.UserFactory(), unit, f"P{k:02}")


def test_pages_and_bad_page_numbers(world):
    # Five owners, two a page: pages of 2, 2 and 1; a page that is no number is the first,
    # one past the end or below 1 the last (as Paginator.get_page has it).
    names = [row[0] for row in shown(every_page(), world)]
    for number, expected in [(1, names[:2]), (2, names[2:4]), ("3", names[4:]), ("x", names[:2]),
                             (None, names[:2]), ("9", names[4:]), ("0", names[4:])]:  # fmt: skip
        page = owners_page(Q(), number, 2, today=TODAY, every_value=True)
        assert [world.get(row["owner_id"]) for row in page] == expected, number
        assert page.paginator.count == 5 and page.paginator.num_pages == 3


def test_one_query_for_a_page_whatever_the_number_of_owners(world):
    unit = Measure.objects.get(code="REV").unit

    def queries(number):
        with CaptureQueriesContext(connection) as captured:
            list(owners_page(Q(), number, 2, today=TODAY, every_value=True))
        return len(captured)

    def narrow_queries():
        with CaptureQueriesContext(connection) as captured:
            list(owners_page(Q(unit=unit), 2, 2, today=TODAY))
        return len(captured)

    small = (queries(2), narrow_queries())
    owners_of_one_measure(12, unit)
    assert (queries(2), narrow_queries()) == small == (1, 1)
    assert queries(99) == 2  # a page out of range: read again, the last


def test_no_owner_owes_anything():
    unit = f.OrgUnitFactory(code="BU")
    measure(f.UserFactory(), unit, "DONE", actuals=months((2026, 10), (2026, 11)))
    page = owners_page(Q(), 1, 50, today=TODAY)
    assert list(page) == [] and page.paginator.count == 0 and page.number == 1


# The same answer as owed_values ------------------------------------------------------------


def grouped(owed):
    """What each owner owes, from `owed_values`' list, grouped as My updates grouped it in
    Python before the database did."""
    by_owner = defaultdict(list)
    for item in owed:
        by_owner[item.owner_id].append(item)
    rows = []
    for owner_id, items in by_owner.items():
        overdue = [i for i in items if i.overdue]
        rows.append(
            {
                "owner_id": owner_id,
                "overdue": len(overdue),
                "oldest": overdue[0] if overdue else None,
                "next": next((i for i in items if not i.overdue), None),
                "units": sorted({i.unit_code for i in items}),
            }
        )
    rows.sort(key=lambda o: (-o["overdue"], o["oldest"].due if o["oldest"] else dt.date.max))
    return rows


@pytest.fixture
def mixed():
    """Measures of every kind the rules tell apart, in two units and four owners."""
    f.EnterpriseFactory()
    a, b = f.OrgUnitFactory(code="A"), f.OrgUnitFactory(code="B")
    ann, bob, cy, dee = (f.UserFactory() for _ in range(4))
    year = [(2026, m) for m in range(1, 12) if m not in (3, 7)]
    measure(ann, a, "M1", created=dt.date(2025, 1, 10), actuals=months((2025, 12), *year))
    measure(ann, b, "Q1", QUARTERLY, created=dt.date(2026, 5, 20), actuals=months((2026, 4)))
    measure(bob, a, "Y1", ANNUAL, created=dt.date(2024, 3, 1), actuals=months((2025, 1)))
    measure(bob, a, "N1", created=dt.date(2026, 9, 3))
    measure(None, b, "N2", created=dt.date(2026, 12, 2), actuals=months((2026, 12)))
    measure(cy, b, "H1", created=dt.date(2026, 11, 20), actuals=months((2026, 6)))
    measure(cy, a, "Q2", QUARTERLY, created=dt.date(2026, 2, 14))
    was = measure(dee, a, "W1", created=dt.date(2026, 1, 20), actuals=months((2026, 1), (2026, 5)))
    Measure.objects.filter(pk=was.pk).update(frequency=QUARTERLY)
    waiting = measure(dee, b, "S1", created=dt.date(2026, 6, 15), actuals=months((2026, 6)))
    state(waiting, dt.date(2026, 7, 1), ValueState.SUBMITTED)
    state(waiting, dt.date(2026, 8, 1), ValueState.RETURNED)
    measure(dee, b, "Y2", ANNUAL, created=dt.date(2026, 3, 3))
    return a


@pytest.mark.parametrize("fiscal_start, due_days", [(1, 10), (4, 45)])
def test_the_same_as_owed_values_through_the_year(settings, mixed, fiscal_start, due_days):
    # Every ninth day from 3 Jan 2026 to mid-March 2027: before, while and after measures
    # are created, values fall due and quarters and fiscal years turn; two owners a page,
    # for every measure and for one unit, reading every value or the unit's.
    settings.FISCAL_YEAR_START_MONTH, settings.MEASURE_DUE_DAYS = fiscal_start, due_days
    days = [dt.date(2026, 1, 3) + dt.timedelta(days=k) for k in range(0, 440, 9)]
    compared = 0
    for today in days:
        for scope in (Q(), Q(unit=mixed)):
            expected = grouped(owed_values(scope, today=today))
            for every_value in (True, False):
                got = every_page(scope, 2, today, every_value)
                assert got == expected, (today, scope, every_value)
            compared += len(expected)
    assert compared > 100  # owners owed something on most days
