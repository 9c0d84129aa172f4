"""A small portfolio for the initiatives pages' tests: the four-level tree, a unit head of
B1, objectives up and down the tree, three initiatives with milestones and budget lines."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from scorecards.models import OrgUnit
from tests import factories as f


@pytest.fixture(autouse=True)
def calendar_fiscal_year(settings):
    settings.FISCAL_YEAR_START_MONTH = 1


@pytest.fixture
def world(db):
    """ENT > (B1 > (D1 > T1), B2 > D2), S1; `head` heads B1 (so B1, D1 and T1).

    Initiatives (codes unique per unit, labels UNIT.CODE):
    - B1.LAUNCH: active, 40 %, 2026-01-01 to 2026-12-31, advances ENT.GROW and B1.SELL;
      milestones "Kick-off" (done) and "Beta" (overdue, relative to today) and "Launch
      day" (open, relative to today).
    - D1.TOOLS: done, 2025-07-01 to 2026-03-31, advances D1.SHIP.
    - B2.ELSE: proposed, from 2027-01-01, open-ended, no objective.

    Budget lines (planned / actual):
    - B1 2026 STRATEX → LAUNCH 1000.50 / 200.25
    - B1 2025 OPEX    → LAUNCH  300.00 / 300.00
    - D1 2026 STRATEX → LAUNCH   99.50 /   0.00
    - B2 2026 STRATEX → LAUNCH 5000.00 /  10.00   (outside the head's subtree)
    - D1 2026 CAPEX   → TOOLS   700.00 / 650.00
    - B1 2026 OPEX    (no initiative) 12345.00 / 0  (counted nowhere)
    """
    tree = f.four_level_tree()
    head = f.UserFactory(username="head", roles=[UNIT_HEAD])
    OrgUnit.objects.filter(pk=tree.b1.pk).update(head=head)
    grow = f.ObjectiveFactory(unit=tree.ent, code="GROW", name="Grow")
    sell = f.ObjectiveFactory(unit=tree.b1, code="SELL", name="Sell")
    ship = f.ObjectiveFactory(unit=tree.d1, code="SHIP", name="Ship")
    other = f.ObjectiveFactory(unit=tree.b2, code="OTHER", name="Other")
    owner = f.UserFactory(username="olive", first_name="Olive", last_name="Owner")
    launch = f.InitiativeFactory(
        unit=tree.b1,
        code="LAUNCH",
        name="Launch the product",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        status="active",
        percent_complete=40,
        owner=owner,
        objectives=[grow, sell],
    )
    tools = f.InitiativeFactory(
        unit=tree.d1,
        code="TOOLS",
        name="New tools",
        start=dt.date(2025, 7, 1),
        end=dt.date(2026, 3, 31),
        status="done",
        percent_complete=100,
        objectives=[ship],
    )
    other_initiative = f.InitiativeFactory(
        unit=tree.b2, code="ELSE", name="Elsewhere", start=dt.date(2027, 1, 1), end=None,
        status="proposed",
    )  # fmt: skip
    today = timezone.localdate()
    f.MilestoneFactory(
        initiative=launch, name="Kick-off", due=dt.date(2026, 2, 1), done_on=dt.date(2026, 2, 3)
    )
    f.MilestoneFactory(initiative=launch, name="Beta", due=today - dt.timedelta(days=10))
    f.MilestoneFactory(initiative=launch, name="Launch day", due=today + dt.timedelta(days=30))
    money = [
        (tree.b1, 2026, "stratex", launch, "1000.50", "200.25"),
        (tree.b1, 2025, "opex", launch, "300.00", "300.00"),
        (tree.d1, 2026, "stratex", launch, "99.50", "0.00"),
        (tree.b2, 2026, "stratex", launch, "5000.00", "10.00"),
        (tree.d1, 2026, "capex", tools, "700.00", "650.00"),
        (tree.b1, 2026, "opex", None, "12345.00", "0.00"),
    ]
    for unit, year, category, initiative, planned, actual in money:
        f.BudgetLineFactory(
            unit=unit, fiscal_year=year, category=category, initiative=initiative,
            planned=Decimal(planned), actual=Decimal(actual),
        )  # fmt: skip
    return SimpleNamespace(
        tree=tree,
        head=head,
        owner=owner,
        grow=grow,
        sell=sell,
        ship=ship,
        other=other,
        launch=launch,
        tools=tools,
        other_initiative=other_initiative,
    )


ROLE_USERS = {
    "staff": [OSM_STAFF],
    "executive": [EXECUTIVE],
    "hr": [HR],
    "measure_owner": [MEASURE_OWNER],
    "employee": [EMPLOYEE],
    "no_role": [],
}


@pytest.fixture
def login(client, world):
    """`login("staff")`, `login("head")`, ...: the client logged in as that kind of user."""

    def log_in(who: str):
        user = world.head if who == "head" else f.UserFactory(roles=ROLE_USERS[who])
        client.force_login(user)
        return user

    return log_in
