"""A small organisation with one user per role, for the people pages' tests.

ENT > B1 > D1, and ENT > B2. The unit head heads B1 (so D1 too, not B2). The employee
user is Ann of D1. Objectives: ENT.GROW, B1.SELL (supports GROW, measure B1.REV), B2.MAKE.

Employees (fiscal year 2026):
- Ann (D1, Sales, the employee user): goals "Sell" → B1.SELL and "Learn" (development,
  unlinked); incentives "Revenue bonus" 0.6 → measure B1.REV, "Team bonus" 0.4 unlinked.
- Bob (B1, Sales, manager Ann): one unlinked goal.
- Cid (B2, Engineering): a goal → ENT.GROW.
- Dan (D1, Sales, not active): a goal → B1.SELL.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from people.choices import GoalKind
from tests import factories as f

ROLE_NAMES = ("osm", "executive", "head", "hr", "owner", "employee", "none")


@pytest.fixture
def world(db):
    users = {
        "osm": f.UserFactory(roles=[OSM_STAFF]),
        "executive": f.UserFactory(roles=[EXECUTIVE]),
        "head": f.UserFactory(roles=[UNIT_HEAD]),
        "hr": f.UserFactory(roles=[HR]),
        "owner": f.UserFactory(roles=[MEASURE_OWNER]),
        "employee": f.UserFactory(roles=[EMPLOYEE]),
        "none": f.UserFactory(),
    }
    ent = f.EnterpriseFactory(code="ENT")
    b1 = f.OrgUnitFactory(code="B1", parent=ent, head=users["head"])
    d1 = f.OrgUnitFactory(code="D1", parent=b1, kind="department")
    b2 = f.OrgUnitFactory(code="B2", parent=ent)
    grow = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow")
    sell = f.ObjectiveFactory(unit=b1, code="SELL", name="Sell more", supports=[grow])
    make = f.ObjectiveFactory(unit=b2, code="MAKE", name="Make better")
    rev = f.MeasureFactory(objective=sell, code="REV", name="Revenue", owner=users["owner"])

    ann = f.EmployeeFactory(name="Ann", unit=d1, job_family="Sales", user=users["employee"])
    bob = f.EmployeeFactory(name="Bob", unit=b1, job_family="Sales", manager=ann)
    cid = f.EmployeeFactory(name="Cid", unit=b2, job_family="Engineering")
    dan = f.EmployeeFactory(name="Dan", unit=d1, job_family="Sales", active=False)
    sell_goal = f.GoalFactory(employee=ann, title="Sell", objective=sell, weight=Decimal("0.7"))
    f.GoalFactory(employee=ann, title="Learn", kind=GoalKind.DEVELOPMENT, weight=Decimal("0.3"))
    f.GoalFactory(employee=bob, title="Tidy up")
    f.GoalFactory(employee=cid, title="Grow it", objective=grow)
    f.GoalFactory(employee=dan, title="Old one", objective=sell)
    bonus = f.IncentiveComponentFactory(
        employee=ann, name="Revenue bonus", weight=Decimal("0.6"), measure=rev
    )
    f.IncentiveComponentFactory(employee=ann, name="Team bonus", weight=Decimal("0.4"))
    return SimpleNamespace(
        users=users,
        ent=ent,
        b1=b1,
        d1=d1,
        b2=b2,
        grow=grow,
        sell=sell,
        make=make,
        rev=rev,
        ann=ann,
        bob=bob,
        cid=cid,
        dan=dan,
        sell_goal=sell_goal,
        bonus=bonus,
    )


@pytest.fixture
def login(client):
    """`login(user)`: the test client logged in as a fresh copy of `user` (no caches)."""

    def log_in(user):
        client.force_login(get_user_model().objects.get(pk=user.pk))
        return client

    return log_in
