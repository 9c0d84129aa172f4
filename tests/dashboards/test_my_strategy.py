"""My strategy: the strategy as it concerns an employee, the page an employee lands on.

Emma works in SHOP (below BU, below ACME). Values of February 2026, today 20 March 2026
(score = 10/3 + (a - r)/(g - r) · 10/3, clamped to [0, 10]):

    ACME  GROW   G: 70, target 100, red flag 90 -> 0, red          (SELL supports it)
          PEOPLE no measure, nothing supports it -> no data        (a goal of Emma's serves it)
          OTHER  not served from SHOP, no goal        -> listed all the same: the enterprise's
                                                                      objectives are all shown
    BU    SELL   S: 100, 100, 90 -> 6.67, green; supports GROW     (FLOOR supports it)
          KEEP   not served from SHOP                              -> counted, not listed
    SHOP  FLOOR  F: 95, 100, 90 -> 5.00, yellow; supports SELL
          TIDY   no measure -> no data
    BU2   FAR    a sibling's: not on Emma's page

Emma's incentive "Team bonus" rests on S (a measure of SELL): SELL is marked. Off target
along her chain: GROW only (FLOOR is Watch, SELL On target).
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.roles import EMPLOYEE, EXECUTIVE
from dashboards.selectors import my_strategy
from scorecards import services
from tests import factories as f

pytestmark = pytest.mark.django_db
FEB = dt.date(2026, 2, 1)
URL = "/my/strategy/"


@pytest.fixture(autouse=True)
def frozen(settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC), tick=False):
        yield


def record(objective, actual, target=100, red_flag=90):
    services.measure_value_record(
        measure=f.MeasureFactory(objective=objective), period=FEB, actual=Decimal(actual),
        target=Decimal(target), red_flag=Decimal(red_flag), actor=None,
    )  # fmt: skip


@pytest.fixture
def world():
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent)
    shop = f.DepartmentFactory(code="SHOP", name="Shops", parent=bu)
    bu2 = f.OrgUnitFactory(code="BU2", parent=ent)
    grow = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow")
    people = f.ObjectiveFactory(unit=ent, code="PEOPLE", name="Great people")
    f.ObjectiveFactory(unit=ent, code="OTHER")
    sell = f.ObjectiveFactory(unit=bu, code="SELL", name="Sell more", supports=[grow])
    f.ObjectiveFactory(unit=bu, code="KEEP")
    floor = f.ObjectiveFactory(unit=shop, code="FLOOR", name="Floor ready", supports=[sell])
    f.ObjectiveFactory(unit=shop, code="TIDY", name="Tidy shops")
    f.ObjectiveFactory(unit=bu2, code="FAR", name="Far away")
    record(grow, 70)
    record(sell, 100)
    record(floor, 95)
    user = f.UserFactory(roles=[EMPLOYEE], first_name="Emma")
    emma = f.EmployeeFactory(user=user, unit=shop, name="Emma Novak")
    f.GoalFactory(employee=emma, fiscal_year=2026, title="Open on time", objective=floor)
    f.GoalFactory(employee=emma, fiscal_year=2026, title="Coach a colleague", objective=people)
    f.GoalFactory(employee=emma, fiscal_year=2025, title="Old goal", objective=floor)
    f.IncentiveComponentFactory(
        employee=emma, fiscal_year=2026, name="Team bonus", measure=sell.measures.get(),
        objective=None,
    )  # fmt: skip
    return locals()


def test_the_chain_from_her_unit_up_to_the_enterprise(world):
    strategy = my_strategy(world["emma"])
    assert strategy.fiscal_year == 2026
    assert [g.title for g in strategy.goals] == ["Coach a colleague", "Open on time"]
    chain = [(u.code, u.own, [(o.code, o.status) for o in u.objectives], u.others)
             for u in strategy.chain]  # fmt: skip
    assert chain == [
        ("SHOP", True, [("FLOOR", "yellow"), ("TIDY", "no_data")], 0),
        ("BU", False, [("SELL", "green")], 1),
        ("ACME", False, [("GROW", "red"), ("OTHER", "no_data"), ("PEOPLE", "no_data")], 0),
    ]
    floor, tidy = strategy.chain[0].objectives
    assert floor.score == 5 and floor.goal_linked and not tidy.goal_linked
    assert [o.code for o in floor.supports] == ["SELL"]
    assert [o.code for o in strategy.chain[1].objectives[0].supports] == ["GROW"]
    grow, _other, people = strategy.chain[2].objectives
    assert (grow.goal_linked, people.goal_linked) == (False, True)
    sell = strategy.chain[1].objectives[0]
    assert (sell.incentive_linked, sell.goal_linked, floor.incentive_linked) == (True, False, False)
    assert [i.name for i in strategy.incentives] == ["Team bonus"]
    assert [(o.unit_code, o.code) for o in strategy.off_target] == [("ACME", "GROW")]


def test_the_page(client, world):
    client.force_login(world["user"])
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your goals for 2026" in html and "Open on time" in html and "Old goal" not in html
    assert 'Your unit: <a href="/units/SHOP/">Shops</a>' in html
    assert 'Above it: <a href="/units/BU/">Retail</a>' in html
    assert 'The enterprise: <a href="/units/ACME/">Acme</a>' in html
    for key in ("floor", "sell", "grow", "people"):
        objective = world[key]
        assert (
            f'<a href="/objectives/{objective.pk}/">{objective.code} {objective.name}</a>' in html
        )
    assert f'supports <a href="/objectives/{world["sell"].pk}/">BU.SELL Sell more</a>' in html
    assert "a goal of yours serves it" in html
    assert "1 other objective of BU: on" in html and "other objective of ACME" not in html
    assert "FAR" not in html
    assert "Your incentives for 2026" in html and "Team bonus" in html
    assert "an incentive of yours rests on it" in html
    red = html[html.index("Off target along your chain") : html.index("Your unit:")]
    assert f'<a href="/objectives/{world["grow"].pk}/">ACME.GROW Grow</a>' in red
    assert "FLOOR" not in red
    assert "No announcement has been addressed to you yet." in html
    # an employee's work is the enterprise's dashboard: the page says where the link goes
    assert '<a class="button" href="/">The enterprise&#x27;s dashboard</a>' in html


def test_without_an_employee_record_it_says_so(client, world):
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    html = client.get(URL).content.decode()
    assert "OSM has no employee record for you" in html


def test_no_role_no_page(client, world):
    client.force_login(f.UserFactory())
    assert client.get(URL).status_code == 403


def test_queries_do_not_grow_with_objectives_goals_or_units(client, world):
    client.force_login(world["user"])
    client.get(URL)  # warm-up
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for i in range(6):
        # served objectives on every level, goals, and units elsewhere
        above = f.ObjectiveFactory(unit=world["ent"], code=f"E{i}")
        record(above, 90)
        middle = f.ObjectiveFactory(unit=world["bu"], code=f"B{i}", supports=[above])
        f.ObjectiveFactory(unit=world["shop"], code=f"S{i}", supports=[middle])
        f.GoalFactory(employee=world["emma"], fiscal_year=2026, objective=above)
        f.ObjectiveFactory(unit=f.OrgUnitFactory(code=f"X{i}", parent=world["ent"]))
    with CaptureQueriesContext(connection) as large:
        html = client.get(URL).content.decode()
    assert html.count("a goal of yours serves it") == 2 + 6
    assert len(large) == len(small)


def test_units_with_nothing_to_show_say_why(client, world):
    """Frank works in BU2: FAR is his unit's; nothing of BU2 supports ACME's objectives, which
    are listed all the same (the enterprise's are always shown). Nina works in NEW below BU2,
    which has no objective, and serves nothing of BU2's."""
    user = f.UserFactory(roles=[EMPLOYEE])
    f.EmployeeFactory(user=user, unit=world["bu2"])
    empty = f.DepartmentFactory(code="NEW", parent=world["bu2"])
    client.force_login(user)
    html = client.get(URL).content.decode()
    for key in ("grow", "people"):
        assert f'<a href="/objectives/{world[key].pk}/">' in html
    assert "No objective of ACME is served" not in html
    other = f.UserFactory(roles=[EMPLOYEE])
    f.EmployeeFactory(user=other, unit=empty)
    client.force_login(other)
    html = client.get(URL).content.decode()
    assert "NEW has no objective yet." in html
    assert "No objective of BU2 is served from your unit or by your goals yet; its 1" in html


def test_the_latest_announcements_to_her_chain(client, world):
    """Announcements to ACME and to SHOP reach Emma; one to BU2 does not. Read ones are
    told apart: she has read the one to ACME."""
    from communication.models import Announcement, AnnouncementRead

    def announce(unit, title, days_ago):
        return Announcement.objects.create(
            unit=unit, title=title, body="Text",
            published_at=timezone.now() - dt.timedelta(days=days_ago),
        )  # fmt: skip

    company = announce(world["ent"], "Company news", 2)
    announce(world["shop"], "Shop news", 1)
    announce(world["bu2"], "Elsewhere news", 0)
    AnnouncementRead.objects.create(announcement=company, user=world["user"])
    client.force_login(world["user"])
    html = client.get(URL).content.decode()
    latest = html[html.index("Latest announcements") : html.index("All announcements")]
    assert latest.index("Shop news") < latest.index("Company news")  # newest first
    assert "Elsewhere news" not in latest
    assert latest.count("<strong>unread</strong>") == 1  # Shop news only
