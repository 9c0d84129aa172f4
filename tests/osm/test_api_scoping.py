"""Who sees and writes what through API v1, table-driven over every role.

The organisation: ENT > B1 > D1, and ENT > B2. "Own" rows are in D1 (below B1, the unit the
unit head heads), "other" rows in B2. Every acting user has an employee record of his or her
own in D1 ("record": the record, its goal, its incentive component). The user with no role
also heads B1 and has a record, to show that relationships without a role grant nothing.

Reads: for every role and every row, the API shows the row (200, and present in the list)
exactly when `user.has_perm("app.view_model", row)`; otherwise the row is 404 and missing
from the list, or, for a user who may see no row of that kind at all, the endpoint is a 403.
The expected visibility is also written out by hand from the role descriptions of
core/roles.py, and checked against `has_perm`.

Writes: every role x every write endpoint (create, update, delete of every resource of the
initiatives, budgets, people and reviews apps) x own unit / other unit, with the status code
the rules give (written by hand), and the database changed exactly when the answer is 2xx.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from budgets.models import BudgetLine
from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from initiatives.models import Initiative, Milestone
from people.models import Employee, Goal, IncentiveComponent
from reviews.models import ActionItem, ReviewMeeting
from tests import factories as f

pytestmark = pytest.mark.django_db

NO_ROLE = "no role"
ROLES = [OSM_STAFF, EXECUTIVE, UNIT_HEAD, HR, MEASURE_OWNER, EMPLOYEE, NO_ROLE]


def build_world(role: str) -> SimpleNamespace:
    ent = f.EnterpriseFactory()
    b1 = f.OrgUnitFactory(code="B1", parent=ent)
    d1 = f.OrgUnitFactory(code="D1", parent=b1, kind="department")
    b2 = f.OrgUnitFactory(code="B2", parent=ent)
    user = f.UserFactory(username="actor", roles=[] if role == NO_ROLE else [role])
    if role in (UNIT_HEAD, NO_ROLE):
        b1.head = user
        b1.save()
    rows = {}
    for which, unit in (("own", d1), ("other", b2)):
        objective = f.ObjectiveFactory(unit=unit)
        measure = f.MeasureFactory(objective=objective)
        initiative = f.InitiativeFactory(unit=unit, objectives=[objective])
        employee = f.EmployeeFactory(unit=unit)
        meeting = f.ReviewMeetingFactory(unit=unit)
        rows[which] = SimpleNamespace(
            unit=unit,
            objective=objective,
            initiatives=initiative,
            milestones=f.MilestoneFactory(initiative=initiative),
            **{"budget-lines": f.BudgetLineFactory(unit=unit, objective=objective)},
            employees=employee,
            goals=f.GoalFactory(employee=employee, objective=objective, measure=measure),
            incentives=f.IncentiveComponentFactory(employee=employee, objective=objective),
            reviews=meeting,
            **{"action-items": f.ActionItemFactory(meeting=meeting, objective=objective)},
        )
    if role == MEASURE_OWNER:  # owns the own unit's measure, as measure owners do
        measure.owner = user
        measure.save()
    me = f.EmployeeFactory(unit=d1, user=user)
    rows["record"] = SimpleNamespace(
        employees=me,
        goals=f.GoalFactory(employee=me),
        incentives=f.IncentiveComponentFactory(employee=me),
    )
    return SimpleNamespace(user=user, rows=rows, b1=b1, d1=d1, b2=b2)


def client_for(user) -> tuple[APIClient, object]:
    """A client logged in as a fresh copy of `user`, and that copy."""
    fresh = get_user_model().objects.get(pk=user.pk)
    client = APIClient()
    client.force_authenticate(fresh)
    return client, fresh


# Reads -------------------------------------------------------------------------------------

VIEW_PERMS = {
    "initiatives": "initiatives.view_initiative",
    "milestones": "initiatives.view_milestone",
    "reviews": "reviews.view_reviewmeeting",
    "action-items": "reviews.view_actionitem",
    "budget-lines": "budgets.view_budgetline",
    "employees": "people.view_employee",
    "goals": "people.view_goal",
    "incentives": "people.view_incentivecomponent",
}
STRATEGY = ["initiatives", "milestones", "reviews", "action-items"]
PEOPLE = ["employees", "goals", "incentives"]
READ_ROWS = [
    (path, which) for path in [*STRATEGY, "budget-lines"] for which in ("own", "other")
] + [(path, which) for path in PEOPLE for which in ("own", "other", "record")]
EVERYTHING = set(READ_ROWS)
STRATEGY_ROWS = {(path, which) for path in STRATEGY for which in ("own", "other")}
OWN_RECORDS = {(path, "record") for path in PEOPLE}

# Written from core/roles.py's role descriptions: OSM staff, executives and HR read everything; a
# unit head the strategy, and the budgets and people of his or her subtree; measure owners
# and employees the strategy and their own records; without a role, nothing.
VISIBLE = {
    OSM_STAFF: EVERYTHING,
    EXECUTIVE: EVERYTHING,
    HR: EVERYTHING,
    UNIT_HEAD: STRATEGY_ROWS
    | OWN_RECORDS
    | {("budget-lines", "own")}
    | {(path, "own") for path in PEOPLE},
    MEASURE_OWNER: STRATEGY_ROWS | OWN_RECORDS,
    EMPLOYEE: STRATEGY_ROWS | OWN_RECORDS,
    NO_ROLE: set(),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path, which", READ_ROWS, ids=[f"{p}-{w}" for p, w in READ_ROWS])
def test_read(role, path, which):
    world = build_world(role)
    row = getattr(world.rows[which], path)
    client, user = client_for(world.user)
    perm = VIEW_PERMS[path]
    visible = user.has_perm(perm, row)
    assert visible is ((path, which) in VISIBLE[role]), "rules and the hand table disagree"
    sees_some = user.has_perm(perm)

    detail = client.get(f"/api/v1/{path}/{row.pk}/")
    listing = client.get(f"/api/v1/{path}/", {"page_size": 500})
    if visible:
        assert detail.status_code == 200
        assert detail.json()["id"] == row.pk
    else:
        assert detail.status_code == (404 if sees_some else 403)
    if sees_some:
        assert listing.status_code == 200
        assert (row.pk in {r["id"] for r in listing.json()["results"]}) is visible
    else:
        assert listing.status_code == 403


def test_list_counts_match_the_rules_for_every_role():
    """Summing up: each role's lists hold exactly the rows `has_perm` lets it see."""
    worlds = {}
    for role in ROLES:
        # one organisation, one actor per role
        if not worlds:
            worlds[role] = build_world(role)
            continue
        base = next(iter(worlds.values()))
        user = f.UserFactory(username=f"actor_{role}", roles=[] if role == NO_ROLE else [role])
        f.EmployeeFactory(unit=base.d1, user=user)
        worlds[role] = SimpleNamespace(user=user)
    for role, world in worlds.items():
        client, user = client_for(world.user)
        for path, perm in VIEW_PERMS.items():
            model = {
                "initiatives": Initiative,
                "milestones": Milestone,
                "reviews": ReviewMeeting,
                "action-items": ActionItem,
                "budget-lines": BudgetLine,
                "employees": Employee,
                "goals": Goal,
                "incentives": IncentiveComponent,
            }[path]
            expected = {row.pk for row in model.objects.all() if user.has_perm(perm, row)}
            response = client.get(f"/api/v1/{path}/", {"page_size": 500})
            if not user.has_perm(perm):
                assert response.status_code == 403, (role, path)
                assert not expected
                continue
            got = {r["id"] for r in response.json()["results"]}
            assert got == expected, (role, path)


# Writes ------------------------------------------------------------------------------------

FAMILY = {
    "initiatives": "strategy",
    "milestones": "strategy",
    "reviews": "strategy",
    "action-items": "strategy",
    "budget-lines": "budget",
    "employees": "people",
    "goals": "people",
    "incentives": "people",
}
ALL_OK = {"create": (201, 201), "update": (200, 200), "delete": (204, 204)}
NOTHING = {"create": (403, 403), "update": (403, 403), "delete": (403, 403)}
# family -> role -> action -> (code on the own unit, code on the other unit); NOTHING else.
# Unit heads write the strategy and budgets of their subtree: elsewhere they are refused
# (403), or do not even see the budget line (404). People are HR's and OSM staff's.
EXPECTED_WRITES = {
    "strategy": {
        OSM_STAFF: ALL_OK,
        UNIT_HEAD: {"create": (201, 403), "update": (200, 403), "delete": (204, 403)},
    },
    "budget": {
        OSM_STAFF: ALL_OK,
        UNIT_HEAD: {"create": (201, 403), "update": (200, 404), "delete": (204, 404)},
    },
    "people": {OSM_STAFF: ALL_OK, HR: ALL_OK},
}

MODELS = {
    "initiatives": Initiative,
    "milestones": Milestone,
    "reviews": ReviewMeeting,
    "action-items": ActionItem,
    "budget-lines": BudgetLine,
    "employees": Employee,
    "goals": Goal,
    "incentives": IncentiveComponent,
}


def create_body(path: str, rows) -> dict:
    unit = rows.unit.pk
    return {
        "initiatives": {"code": "NEWI", "name": "New", "unit": unit, "start": "2026-01-01"},
        "milestones": {"initiative": rows.initiatives.pk, "name": "New", "due": "2026-05-01"},
        "reviews": {
            "kind": "operational",
            "unit": unit,
            "title": "New",
            "scheduled_for": "2026-05-01T09:00:00Z",
        },
        "action-items": {"meeting": rows.reviews.pk, "title": "New", "due": "2026-05-01"},
        "budget-lines": {
            "unit": unit,
            "fiscal_year": 2026,
            "category": "opex",
            "label": "New",
            "planned": "10.00",
        },
        "employees": {"name": "New", "email": "new@example.com", "unit": unit},
        "goals": {"employee": rows.employees.pk, "fiscal_year": 2026, "title": "New"},
        "incentives": {
            "employee": rows.employees.pk,
            "fiscal_year": 2026,
            "name": "New",
            "weight": "1",
        },
    }[path]


# the field an update changes, by resource
TEXT_FIELD = {
    "initiatives": "name",
    "milestones": "name",
    "reviews": "title",
    "action-items": "title",
    "budget-lines": "label",
    "employees": "name",
    "goals": "title",
    "incentives": "name",
}

WRITE_CASES = [
    pytest.param(
        role,
        path,
        action,
        which,
        EXPECTED_WRITES[FAMILY[path]].get(role, NOTHING)[action][which == "other"],
        id=f"{role}-{action}-{path}-{which}",
    )
    for role in ROLES
    for path in FAMILY
    for action in ("create", "update", "delete")
    for which in ("own", "other")
]


@pytest.mark.parametrize("role, path, action, which, expected", WRITE_CASES)
def test_write(role, path, action, which, expected):
    world = build_world(role)
    rows = world.rows[which]
    client, _ = client_for(world.user)
    model = MODELS[path]
    before = model.objects.count()
    if action == "create":
        response = client.post(f"/api/v1/{path}/", create_body(path, rows))
        assert response.status_code == expected, response.content
        assert model.objects.count() == before + (1 if expected == 201 else 0)
    elif action == "update":
        row = getattr(rows, path)
        field = TEXT_FIELD[path]
        old = getattr(row, field)
        response = client.patch(f"/api/v1/{path}/{row.pk}/", {field: "Changed"})
        assert response.status_code == expected, response.content
        row.refresh_from_db()
        assert getattr(row, field) == ("Changed" if expected == 200 else old)
    else:
        row = getattr(rows, path)
        response = client.delete(f"/api/v1/{path}/{row.pk}/")
        assert response.status_code == expected, response.content
        assert model.objects.filter(pk=row.pk).exists() is (expected != 204)


@pytest.mark.parametrize("role", [OSM_STAFF, UNIT_HEAD])
@pytest.mark.parametrize("path", ["initiatives", "reviews", "budget-lines"])
def test_moving_a_row_out_of_reach_is_checked_against_where_it_goes(role, path):
    """A unit head may change his rows, but not move them to a unit he does not head."""
    world = build_world(role)
    row = getattr(world.rows["own"], path)
    client, _ = client_for(world.user)
    move = {"unit": world.b2.pk}
    if path == "initiatives":
        move["objectives"] = []  # D1's objective would be out of B2's reach
    if path == "reviews":  # nor may its action item stay about D1's objective
        ActionItem.objects.filter(meeting=row).update(objective=None)
    if path == "budget-lines":  # nor may it keep funding D1's objective
        move["objective"] = None
    response = client.patch(f"/api/v1/{path}/{row.pk}/", move)
    expected = 200 if role == OSM_STAFF else 403
    assert response.status_code == expected, response.content
    row.refresh_from_db()
    assert row.unit == (world.b2 if expected == 200 else world.d1)


def test_the_world_is_what_the_docstring_says():
    world = build_world(UNIT_HEAD)
    assert world.b1.head == world.user
    assert world.rows["own"].unit == world.d1 and world.d1.parent == world.b1
    assert world.rows["record"].employees.user == world.user
    assert world.rows["other"].unit == world.b2 and world.b2.parent.kind == "enterprise"
