"""API v1 of employees, goals and incentive components: CRUD through the services (HR and OSM
staff write), filters, pagination, bad input as 400s naming the field (progress out of
0-100, links outside the employee's reach, ids out of sight), scoping, and list queries that
do not grow with the page."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from core.roles import EMPLOYEE, HR, OSM_STAFF, UNIT_HEAD
from people.api import EmployeeSerializer, GoalSerializer, IncentiveSerializer
from people.models import Employee, Goal, IncentiveComponent
from tests import factories as f
from tests.helpers import client_for, ids, list_queries

pytestmark = pytest.mark.django_db

EMPLOYEE_FIELDS = {"id", "name", "email", "unit", "manager", "job_family", "user", "active"}
GOAL_FIELDS = {
    "id",
    "employee",
    "fiscal_year",
    "kind",
    "title",
    "weight",
    "objective",
    "measure",
    "progress",
}
INCENTIVE_FIELDS = {"id", "employee", "fiscal_year", "name", "weight", "objective", "measure"}


@pytest.fixture
def tree():
    return f.four_level_tree()


@pytest.fixture
def hr():
    return f.UserFactory(roles=[HR])


@pytest.fixture
def hr_client(hr):
    return client_for(hr)


@pytest.fixture
def strategy(tree):
    """Objectives and measures at the enterprise, B1, D1 (below B1) and B2 (beside it)."""
    made = {}
    for unit in (tree.ent, tree.b1, tree.d1, tree.b2):
        objective = f.ObjectiveFactory(unit=unit, code=f"O_{unit.code}")
        made[unit.code] = SimpleNamespace(
            objective=objective, measure=f.MeasureFactory(objective=objective)
        )
    return made


@pytest.fixture
def ann(tree):
    """An employee of B1."""
    return f.EmployeeFactory(unit=tree.b1, name="Ann", email="ann@example.com")


@pytest.mark.parametrize("path", ["employees", "goals", "incentives"])
def test_401_without_auth(path):
    assert APIClient().get(f"/api/v1/{path}/").status_code == 401
    assert APIClient().post(f"/api/v1/{path}/", {}).status_code == 401


# Employees ---------------------------------------------------------------------------------


def test_employee_crud(tree, hr_client, ann):
    login = f.UserFactory()
    body = {
        "name": "Bob",
        "email": "bob@example.com",
        "unit": tree.d1.pk,
        "manager": ann.pk,
        "job_family": "Sales",
        "user": login.pk,
        "active": True,
    }
    created = hr_client.post("/api/v1/employees/", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert set(data) == EMPLOYEE_FIELDS
    assert data == {**body, "id": data["id"]}
    url = f"/api/v1/employees/{data['id']}/"
    assert hr_client.get(url).json() == data
    put = hr_client.put(url, {**body, "job_family": "Marketing"})
    assert put.status_code == 200 and put.json()["job_family"] == "Marketing"
    patch = hr_client.patch(url, {"active": False, "manager": None})
    assert patch.status_code == 200
    assert (patch.json()["active"], patch.json()["manager"]) == (False, None)
    f.GoalFactory(employee_id=data["id"])
    assert hr_client.delete(url).status_code == 204  # with his or her goals
    assert hr_client.get(url).status_code == 404
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"email": "ann@example.com"}, "email"),  # taken
        ({"email": "not an email"}, "email"),
        ({"name": ""}, "name"),
        ({"unit": None}, "unit"),
        ({"unit": 999999}, "unit"),
        ({"manager": 999999}, "manager"),
        ({"manager": "Ann"}, "manager"),
        ({"user": 999999}, "user"),
        ({"active": "perhaps"}, "active"),
    ],
)
def test_employee_bad_input_names_the_field(tree, hr_client, ann, changes, field):
    body = {"name": "Bob", "email": "bob@example.com", "unit": tree.b1.pk, **changes}
    response = hr_client.post("/api/v1/employees/", body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Employee.objects.count() == 1


def test_employee_cannot_be_own_manager_or_take_a_login_twice(tree, hr_client, ann):
    url = f"/api/v1/employees/{ann.pk}/"
    assert "manager" in hr_client.patch(url, {"manager": ann.pk}).json()
    login = f.UserFactory()
    f.EmployeeFactory(unit=tree.b2, user=login)
    response = hr_client.patch(url, {"user": login.pk})
    assert response.status_code == 400 and "user" in response.json()


def test_employee_move_refused_while_goals_point_out_of_reach(tree, hr_client, ann, strategy):
    f.GoalFactory(employee=ann, objective=strategy["B1"].objective)
    response = hr_client.patch(f"/api/v1/employees/{ann.pk}/", {"unit": tree.b2.pk})
    assert response.status_code == 400
    assert "cannot move" in response.json()["unit"][0]
    ann.refresh_from_db()
    assert ann.unit == tree.b1


def test_employee_filters(tree, hr_client, ann):
    login = f.UserFactory()
    bob = f.EmployeeFactory(unit=tree.d1, name="Bob", manager=ann, job_family="IT", user=login)
    cid = f.EmployeeFactory(unit=tree.b2, name="Cid", active=False)
    url = "/api/v1/employees/"
    assert ids(hr_client, url) == [ann.pk, bob.pk, cid.pk]
    assert ids(hr_client, url, unit=tree.b2.pk) == [cid.pk]
    assert ids(hr_client, url, manager=ann.pk) == [bob.pk]
    assert ids(hr_client, url, job_family="IT") == [bob.pk]
    assert ids(hr_client, url, user=login.pk) == [bob.pk]
    assert ids(hr_client, url, active="false") == [cid.pk]
    assert ids(hr_client, url, email="ann@example.com") == [ann.pk]
    assert ids(hr_client, url, ordering="-name") == [cid.pk, bob.pk, ann.pk]
    assert hr_client.get(url, {"unit": "x"}).status_code == 400
    page = hr_client.get(url, {"page_size": 2}).json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]


def test_related_ids_out_of_sight_are_refused_as_unknown(tree, ann):
    """A unit head of B2 does not see Ann (B1): her id is as good as unknown to him."""
    head = f.UserFactory(roles=[UNIT_HEAD])
    tree.b2.head = head
    tree.b2.save()
    own = f.EmployeeFactory(unit=tree.d2)
    request = SimpleNamespace(user=get_user_model().objects.get(pk=head.pk))
    context = {"request": request}
    for serializer_class, extra in (
        (GoalSerializer, {"fiscal_year": 2026, "title": "T"}),
        (IncentiveSerializer, {"fiscal_year": 2026, "name": "N", "weight": "1"}),
    ):
        hidden = serializer_class(data={"employee": ann.pk, **extra}, context=context)
        assert not hidden.is_valid()
        assert "Invalid pk" in str(hidden.errors["employee"][0])
        seen = serializer_class(data={"employee": own.pk, **extra}, context=context)
        assert seen.is_valid(), seen.errors
    data = {"name": "X", "email": "x@example.com", "unit": tree.d2.pk}
    hidden = EmployeeSerializer(data={**data, "manager": ann.pk}, context=context)
    assert not hidden.is_valid() and "Invalid pk" in str(hidden.errors["manager"][0])
    assert EmployeeSerializer(data={**data, "manager": own.pk}, context=context).is_valid()


# Goals -------------------------------------------------------------------------------------


def goal_body(who, **changes):
    return {
        "employee": who.pk,
        "fiscal_year": 2026,
        "kind": "performance",
        "title": "Grow sales",
        "weight": "2.000",
        "objective": None,
        "measure": None,
        "progress": 0,
        **changes,
    }


def test_goal_crud(hr, hr_client, ann, strategy):
    body = goal_body(ann, objective=strategy["ENT"].objective.pk, measure=strategy["B1"].measure.pk)
    created = hr_client.post("/api/v1/goals/", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert set(data) == GOAL_FIELDS
    assert data == {**body, "id": data["id"]}
    goal = Goal.objects.get(pk=data["id"])
    assert goal.history.first().history_user == hr
    url = f"/api/v1/goals/{data['id']}/"
    assert hr_client.get(url).json() == data
    put = hr_client.put(url, {**body, "kind": "development", "progress": 100})
    assert put.status_code == 200 and put.json()["progress"] == 100
    patch = hr_client.patch(url, {"progress": 40, "objective": None})
    assert patch.status_code == 200
    assert (patch.json()["progress"], patch.json()["objective"]) == (40, None)
    assert hr_client.delete(url).status_code == 204
    assert hr_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"progress": 101}, "progress"),
        ({"progress": -1}, "progress"),
        ({"progress": "half"}, "progress"),
        ({"weight": "0"}, "weight"),
        ({"weight": "-1"}, "weight"),
        ({"weight": "heavy"}, "weight"),
        ({"kind": "bogus"}, "kind"),
        ({"fiscal_year": 99999}, "fiscal_year"),
        ({"title": ""}, "title"),
        ({"employee": 999999}, "employee"),
        ({"employee": None}, "employee"),
        ({"employee": {"id": 1}}, "employee"),
        ({"objective": 999999}, "objective"),
        ({"measure": 2**63}, "measure"),
    ],
)
def test_goal_bad_input_names_the_field(hr_client, ann, strategy, changes, field):
    response = hr_client.post("/api/v1/goals/", goal_body(ann, **changes))
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    "unit, field", [("D1", "objective"), ("B2", "objective"), ("D1", "measure"), ("B2", "measure")]
)
def test_goal_links_only_to_the_employees_unit_or_above(hr_client, ann, strategy, unit, field):
    """Ann works in B1: D1 is below her unit, B2 beside it; both are out of her reach."""
    response = hr_client.post(
        "/api/v1/goals/", goal_body(ann, **{field: getattr(strategy[unit], field).pk})
    )
    assert response.status_code == 400
    assert f" {field} of B1 or a unit above it" in response.json()[field][0]
    assert not Goal.objects.exists()
    goal = f.GoalFactory(employee=ann)
    patch = hr_client.patch(f"/api/v1/goals/{goal.pk}/", {field: getattr(strategy[unit], field).pk})
    assert patch.status_code == 400 and field in patch.json()


def test_goal_moves_to_another_employee_within_reach_only(tree, hr_client, ann, strategy):
    goal = f.GoalFactory(employee=ann, objective=strategy["B1"].objective)
    beside = f.EmployeeFactory(unit=tree.b2)
    below = f.EmployeeFactory(unit=tree.d1)
    url = f"/api/v1/goals/{goal.pk}/"
    refused = hr_client.patch(url, {"employee": beside.pk})
    assert refused.status_code == 400 and "objective" in refused.json()
    moved = hr_client.patch(url, {"employee": below.pk, "progress": 20})
    assert moved.status_code == 200, moved.json()
    goal.refresh_from_db()
    assert (goal.employee, goal.progress) == (below, 20)


def test_goal_filters(tree, hr_client, ann, strategy):
    bob = f.EmployeeFactory(unit=tree.b2, name="Bob")
    a = f.GoalFactory(employee=ann, title="A", objective=strategy["B1"].objective)
    b = f.GoalFactory(employee=ann, title="B", kind="development", fiscal_year=2027)
    c = f.GoalFactory(employee=bob, title="C", measure=strategy["B2"].measure, progress=50)
    url = "/api/v1/goals/"
    assert ids(hr_client, url) == [a.pk, c.pk, b.pk]  # by fiscal year, then title
    assert ids(hr_client, url, employee=ann.pk) == [a.pk, b.pk]
    assert ids(hr_client, url, unit=tree.b2.pk) == [c.pk]
    assert ids(hr_client, url, fiscal_year=2027) == [b.pk]
    assert ids(hr_client, url, kind="development") == [b.pk]
    assert ids(hr_client, url, objective=strategy["B1"].objective.pk) == [a.pk]
    assert ids(hr_client, url, measure=strategy["B2"].measure.pk) == [c.pk]
    assert ids(hr_client, url, ordering="-progress") == [c.pk, a.pk, b.pk]
    assert hr_client.get(url, {"employee": "x"}).status_code == 400
    assert hr_client.get(url, {"unit": 999999}).status_code == 400
    assert hr_client.get(url, {"kind": "x"}).status_code == 400


# Incentives --------------------------------------------------------------------------------


def incentive_body(who, **changes):
    return {
        "employee": who.pk,
        "fiscal_year": 2026,
        "name": "Revenue bonus",
        "weight": "0.500",
        "objective": None,
        "measure": None,
        **changes,
    }


def test_incentive_crud(hr_client, ann, strategy):
    body = incentive_body(ann, measure=strategy["ENT"].measure.pk)
    created = hr_client.post("/api/v1/incentives/", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert set(data) == INCENTIVE_FIELDS
    assert data == {**body, "id": data["id"]}
    url = f"/api/v1/incentives/{data['id']}/"
    assert hr_client.get(url).json() == data
    put = hr_client.put(url, {**body, "weight": "0.250"})
    assert put.status_code == 200 and put.json()["weight"] == "0.250"
    patch = hr_client.patch(url, {"objective": strategy["B1"].objective.pk})
    assert patch.status_code == 200
    assert IncentiveComponent.objects.get().objective == strategy["B1"].objective
    assert hr_client.delete(url).status_code == 204
    assert hr_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"weight": "0"}, "weight"),
        ({"weight": None}, "weight"),
        ({"fiscal_year": "next"}, "fiscal_year"),
        ({"name": ""}, "name"),
        ({"employee": 999999}, "employee"),
        ({"objective": "x"}, "objective"),
        ({"objective": "D1"}, "objective"),  # below Ann's unit
        ({"measure": "B2"}, "measure"),  # beside it
    ],
)
def test_incentive_bad_input_names_the_field(hr_client, ann, strategy, changes, field):
    changes = {
        key: getattr(strategy[value], key).pk if value in strategy else value
        for key, value in changes.items()
    }
    response = hr_client.post("/api/v1/incentives/", incentive_body(ann, **changes))
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not IncentiveComponent.objects.exists()


def test_incentive_filters(tree, hr_client, ann, strategy):
    bob = f.EmployeeFactory(unit=tree.b2, name="Bob")
    a = f.IncentiveComponentFactory(employee=ann, name="A", objective=strategy["B1"].objective)
    b = f.IncentiveComponentFactory(employee=bob, name="B", fiscal_year=2027)
    url = "/api/v1/incentives/"
    assert ids(hr_client, url) == [a.pk, b.pk]
    assert ids(hr_client, url, employee=bob.pk) == [b.pk]
    assert ids(hr_client, url, unit=tree.b1.pk) == [a.pk]
    assert ids(hr_client, url, fiscal_year=2027) == [b.pk]
    assert ids(hr_client, url, objective=strategy["B1"].objective.pk) == [a.pk]
    assert ids(hr_client, url, ordering="-name") == [b.pk, a.pk]
    assert hr_client.get(url, {"fiscal_year": "x"}).status_code == 400


# Scoping and query counts ------------------------------------------------------------------


def test_an_employee_sees_his_or_her_own_rows_only(tree, ann):
    login = f.UserFactory(roles=[EMPLOYEE])
    me = f.EmployeeFactory(unit=tree.b1, user=login)
    mine = f.GoalFactory(employee=me)
    theirs = f.GoalFactory(employee=ann)
    my_part = f.IncentiveComponentFactory(employee=me)
    f.IncentiveComponentFactory(employee=ann)
    client = client_for(login)
    assert ids(client, "/api/v1/employees/") == [me.pk]
    assert ids(client, "/api/v1/goals/") == [mine.pk]
    assert ids(client, "/api/v1/incentives/") == [my_part.pk]
    assert client.get(f"/api/v1/goals/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/employees/{ann.pk}/").status_code == 404
    assert client.patch(f"/api/v1/goals/{mine.pk}/", {"progress": 90}).status_code == 403
    mine.refresh_from_db()
    assert mine.progress == 0


def test_hr_only_writes_people(tree, ann):
    head = f.UserFactory(roles=[UNIT_HEAD])
    tree.b1.head = head
    tree.b1.save()
    client = client_for(head)
    assert client.get(f"/api/v1/employees/{ann.pk}/").status_code == 200  # reads his subtree
    assert client.patch(f"/api/v1/employees/{ann.pk}/", {"name": "X"}).status_code == 403
    assert client.post("/api/v1/goals/", goal_body(ann)).status_code == 403
    staff = f.UserFactory(roles=[OSM_STAFF])
    assert client_for(staff).post("/api/v1/goals/", goal_body(ann)).status_code == 201


@pytest.mark.parametrize("path", ["employees", "goals", "incentives"])
def test_list_queries_do_not_grow(tree, hr, path, strategy):
    head = f.UserFactory(roles=[UNIT_HEAD])
    tree.b1.head = head
    tree.b1.save()
    login = f.UserFactory(roles=[EMPLOYEE])
    me = f.EmployeeFactory(unit=tree.d1, user=login)
    manager = f.EmployeeFactory(unit=tree.b1)

    def add(count):
        for _ in range(count):
            if path == "employees":
                f.EmployeeFactory(unit=tree.d1, manager=manager, user=f.UserFactory())
            elif path == "goals":
                f.GoalFactory(employee=me, measure=strategy["B1"].measure, weight=Decimal("2"))
            else:
                f.IncentiveComponentFactory(employee=me, objective=strategy["ENT"].objective)

    add(3)
    url = f"/api/v1/{path}/"
    users = (hr, head, login)
    small = {user.pk: list_queries(user, url)[1] for user in users}
    add(27)
    for user in users:
        rows, queries = list_queries(user, url)
        own_record_only = user == login and path == "employees"
        assert rows == 1 if own_record_only else rows >= 30
        assert queries == small[user.pk], (user, small, queries)
