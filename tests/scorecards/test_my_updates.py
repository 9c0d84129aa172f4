"""My updates: what each person owes and when it is due."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import EMPLOYEE, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from scorecards.models import Measure
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/my/updates/"


@pytest.fixture(autouse=True)
def frozen(settings):
    settings.MEASURE_DUE_DAYS = 10
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


def measure_of(owner, unit, code):
    measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=unit), code=code, owner=owner)
    # Created on 20 Oct: only October (due 10 Nov, overdue) and November (due 10 Dec) count.
    Measure.objects.filter(pk=measure.pk).update(
        created_at=dt.datetime(2026, 10, 20, tzinfo=dt.UTC)
    )
    return measure


@pytest.fixture
def world():
    ent = f.EnterpriseFactory(code="ACME")
    head = f.UserFactory(roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", parent=ent, head=head)
    ann = f.UserFactory(roles=[MEASURE_OWNER], first_name="Ann", last_name="Lee")
    bob = f.UserFactory(roles=[MEASURE_OWNER], first_name="Bob", last_name="Roe")
    rev = measure_of(ann, bu, "REV")
    measure_of(bob, bu, "COST")
    measure_of(bob, f.OrgUnitFactory(code="ELSE", parent=ent), "FAR")
    return {"head": head, "ann": ann, "bob": bob, "rev": rev}


def test_an_owner_sees_what_he_owes(client, world):
    client.force_login(world["ann"])
    response = client.get(URL)
    assert response.status_code == 200
    overdue, upcoming = response.context["overdue"], response.context["upcoming"]
    # October was due 31 Oct + 10 = 10 Nov: 17 days late; November is due 10 Dec, in 13 days.
    assert [(o.measure_code, o.period, o.days) for o in overdue] == [
        ("REV", dt.date(2026, 10, 1), 17)
    ]
    assert [(o.measure_code, o.period, o.days) for o in upcoming] == [
        ("REV", dt.date(2026, 11, 1), 13)
    ]
    html = response.content.decode()
    assert f"/measures/{world['rev'].pk}/?period=2026-10#value-form" in html
    assert "Owed in your units" not in html


def test_entering_the_value_clears_it(client, world):
    f.MeasureValueFactory(
        measure=world["rev"], period=dt.date(2026, 10, 1), actual=Decimal(1), red_flag=None
    )
    client.force_login(world["ann"])
    assert client.get(URL).context["overdue"] == []


def test_a_unit_head_sees_each_owner_of_his_units(client, world):
    client.force_login(world["head"])
    owners = client.get(URL).context["owners"]
    # BU's owners only: Ann (REV) and Bob (COST, not FAR of ELSE); one overdue each.
    rows = {(o["owner"].first_name, o["overdue"], tuple(o["units"])) for o in owners}
    assert rows == {("Ann", 1, ("BU",)), ("Bob", 1, ("BU",))}
    # each owed value links to its entry: Ann's October (overdue) and November (next)
    html = client.get(URL).content.decode()
    rev = world["rev"].pk
    assert f'<a href="/measures/{rev}/?period=2026-10#value-form">BU.REV Oct 2026</a>' in html
    assert f'<a href="/measures/{rev}/?period=2026-11#value-form">BU.REV Nov 2026</a>' in html


def test_osm_staff_see_every_owner(client, world):
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    owners = {o["owner"].first_name: o for o in client.get(URL).context["owners"]}
    assert owners["Bob"]["overdue"] == 2 and owners["Bob"]["units"] == ["BU", "ELSE"]


def test_the_owners_come_fifty_a_page_the_most_behind_first(client, world):
    # 55 more owners of one measure each in BU: with Ann and Bob, 57 owners
    unit = world["rev"].unit
    for k in range(55):
        measure_of(f.UserFactory(roles=[MEASURE_OWNER], first_name=f"P{k:02}"), unit, f"P{k:02}")
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    # Bob owes two overdue values (COST and FAR, October): he leads; 50 rows, then 7
    assert first.context["owners"][0]["owner"] == world["bob"]
    assert len(first.context["owners"]) == 50 and len(second.context["owners"]) == 7
    assert "Page 1 of 2 (1 to 50 of 57)" in first.content.decode()
    assert '<a href="?page=2">Next \u203a</a>' in first.content.decode()
    assert '<a href="?page=1">\u2039 Previous</a>' in second.content.decode()
    shown = {o["owner_id"] for o in first.context["owners"]} | {
        o["owner_id"] for o in second.context["owners"]
    }
    assert len(shown) == 57  # every owner once
    assert client.get(URL, {"page": "x"}).status_code == 200  # a bad page is the first


def test_a_page_past_the_last_is_the_last_and_staff_queries_do_not_grow(client, world):
    # Two owners (Ann and Bob), one page; then 60 more, each owing October and November:
    # the same queries for two pages of owners; a page past the end is the last.
    staff = f.UserFactory(roles=[OSM_STAFF])
    client.force_login(staff)
    client.get(URL)  # warm-up
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    unit = world["rev"].unit
    for k in range(60):
        measure_of(f.UserFactory(roles=[MEASURE_OWNER], first_name=f"P{k:02}"), unit, f"P{k:02}")
    with CaptureQueriesContext(connection) as large:
        first = client.get(URL)
    assert len(large) == len(small)
    assert len(first.context["owners"]) == 50
    last = client.get(URL, {"page": "99"})
    # 62 owners: the last page holds the 12 after the first 50
    assert last.context["owners"].number == 2 and len(last.context["owners"]) == 12
    assert "Page 2 of 2 (51 to 62 of 62)" in last.content.decode()


def test_the_staff_see_their_own_measures_in_their_list_not_among_the_owners(client, world):
    # A staff member who owns BU's PLAN (created 20 Oct: October overdue, November next)
    # sees it in his own list; the owners' table shows Ann and Bob only.
    staff = f.UserFactory(roles=[OSM_STAFF], first_name="Sam")
    measure_of(staff, world["rev"].unit, "PLAN")
    client.force_login(staff)
    response = client.get(URL)
    assert [(o.measure_code, o.period) for o in response.context["overdue"]] == [
        ("PLAN", dt.date(2026, 10, 1))
    ]
    assert [(o.measure_code, o.period) for o in response.context["upcoming"]] == [
        ("PLAN", dt.date(2026, 11, 1))
    ]
    assert {o["owner"].first_name for o in response.context["owners"]} == {"Ann", "Bob"}
    # Ann, an owner, sees her own list and no table of owners
    client.force_login(world["ann"])
    response = client.get(URL)
    assert response.context["owners"] == [] and not response.context["team"]
    assert [o.measure_code for o in response.context["overdue"]] == ["REV"]


def test_roles(client, world):
    client.force_login(f.UserFactory(roles=[EMPLOYEE]))
    html = client.get(URL).content.decode()
    # an employee owns no measure: the page says so, not "nothing overdue"
    assert "You own no measure whose actual you enter, so you owe no value." in html
    assert "Nothing overdue" not in html and "Next due" not in html
    client.force_login(f.UserFactory())
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page


def test_queries_do_not_grow_with_measures(client, world):
    client.force_login(world["head"])
    client.get(URL)  # warm-up
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for k in range(20):
        measure_of(world["ann"], world["rev"].unit, f"MORE{k}")
        measure_of(f.UserFactory(roles=[MEASURE_OWNER]), world["rev"].unit, f"NEW{k}")
    with CaptureQueriesContext(connection) as large:
        client.get(URL)
    assert len(large) == len(small)


# Empty states that say something true --------------------------------------------------------


def enter(measure, period):
    f.MeasureValueFactory(measure=measure, period=period, actual=Decimal(100), target=Decimal(100))


def test_all_in_is_not_nothing_owned(client, world):
    # Ann's REV: October (overdue) and November (next) entered: nothing owed, one owned
    enter(world["rev"], dt.date(2026, 10, 1))
    enter(world["rev"], dt.date(2026, 11, 1))
    client.force_login(world["ann"])
    html = client.get(URL).content.decode()
    assert "The actuals of the 1 measure you own" in html
    assert "Nothing overdue: every value due is in." in html
    assert "Every next value is already in." in html
    assert "You own no measure" not in html


def test_a_unit_heads_empty_team_list_says_why(client, world):
    head = world["head"]
    client.force_login(head)
    for measure in Measure.objects.filter(unit__code="BU"):  # REV and COST: all in
        enter(measure, dt.date(2026, 10, 1))
        enter(measure, dt.date(2026, 11, 1))
    html = client.get(URL).content.decode()
    assert "Every value due in your units is in, and every next one too." in html
    empty_head = f.UserFactory(roles=[UNIT_HEAD])
    f.OrgUnitFactory(code="EMPTY", parent=world["rev"].unit.parent, head=empty_head)
    client.force_login(empty_head)
    html = client.get(URL).content.decode()
    assert "Your units have no measure whose actual people enter." in html


@pytest.fixture
def emma(world):
    """An employee of BU with two goals of 2026 (today is in fiscal year 2026) and one of
    2025."""
    user = f.UserFactory(roles=[EMPLOYEE], first_name="Emma")
    employee = f.EmployeeFactory(user=user, unit=world["rev"].unit, name="Emma Novak")
    objective = world["rev"].objective
    f.GoalFactory(employee=employee, fiscal_year=2026, title="Win two accounts",
                  objective=objective, progress=40)  # fmt: skip
    f.GoalFactory(employee=employee, fiscal_year=2026, title="Learn Spanish", kind="development")
    f.GoalFactory(employee=employee, fiscal_year=2025, title="Last year's goal")
    return user, employee, objective


def test_an_employee_sees_her_goals(client, emma):
    user, employee, objective = emma
    client.force_login(user)
    response = client.get(URL)
    html = response.content.decode()
    assert [g.title for g in response.context["goals"].goals] == [
        "Learn Spanish",
        "Win two accounts",
    ]  # fmt: skip (development before performance, then by title)
    assert "Your goals for 2026" in html
    assert '<th scope="row">Win two accounts</th>' in html and "40%" in html
    assert f'<a href="/objectives/{objective.pk}/">BU.{objective.code} ' in html
    assert "not linked to the strategy yet" in html  # Learn Spanish
    assert "Last year's goal" not in html
    assert f'href="/people/{employee.pk}/"' in html and 'href="/my/strategy/"' in html


def test_an_employee_without_goals_this_year_is_told_so(client, world):
    user = f.UserFactory(roles=[EMPLOYEE])
    f.EmployeeFactory(user=user, unit=world["rev"].unit)
    client.force_login(user)
    assert "No goal of yours is recorded for 2026." in client.get(URL).content.decode()


def test_no_employee_record_no_goals_section(client, world):
    client.force_login(world["ann"])
    response = client.get(URL)
    assert response.context["goals"] is None
    assert "Your goals" not in response.content.decode()


def test_queries_do_not_grow_with_goals(client, emma):
    user, employee, objective = emma
    client.force_login(user)
    client.get(URL)  # warm-up
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for i in range(10):
        f.GoalFactory(employee=employee, fiscal_year=2026, title=f"More {i}", objective=objective)
    with CaptureQueriesContext(connection) as large:
        html = client.get(URL).content.decode()
    assert html.count('<th scope="row">More ') == 10
    assert len(large) == len(small)
