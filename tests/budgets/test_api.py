"""API v1 of budget lines: CRUD through the services, money as decimal strings and never
negative, STRATEX lines naming their initiative, filters, pagination, scoping to those who
steer money, and list queries that do not grow with the page."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from budgets.models import BudgetLine
from core.roles import EMPLOYEE, EXECUTIVE, OSM_STAFF, UNIT_HEAD
from tests import factories as f
from tests.helpers import client_for, list_queries

pytestmark = pytest.mark.django_db

FIELDS = {
    "id",
    "unit",
    "fiscal_year",
    "category",
    "label",
    "planned",
    "actual",
    "objective",
    "initiative",
}
URL = "/api/v1/budget-lines/"


@pytest.fixture
def tree():
    return f.four_level_tree()


@pytest.fixture
def staff():
    return f.UserFactory(roles=[OSM_STAFF])


@pytest.fixture
def staff_client(staff):
    return client_for(staff)


@pytest.fixture
def head(tree):
    user = f.UserFactory(roles=[UNIT_HEAD])
    tree.b1.head = user
    tree.b1.save()
    return user


def body(tree, **changes):
    return {
        "unit": tree.b1.pk,
        "fiscal_year": 2026,
        "category": "opex",
        "label": "Rent",
        "planned": "1250000.00",
        "actual": "0.00",
        "objective": None,
        "initiative": None,
        **changes,
    }


def test_401_without_auth():
    assert APIClient().get(URL).status_code == 401
    assert APIClient().post(URL, {}).status_code == 401


def test_budget_line_crud(tree, staff, staff_client):
    objective = f.ObjectiveFactory(unit=tree.b1, code="GROW")
    initiative = f.InitiativeFactory(unit=tree.b1, code="LAUNCH")
    sent = body(tree, category="stratex", initiative=initiative.pk, objective=objective.pk)
    created = staff_client.post(URL, sent)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert set(data) == FIELDS
    assert data == {**sent, "id": data["id"]}
    assert data["planned"] == "1250000.00"  # money as decimal strings
    line = BudgetLine.objects.get(pk=data["id"])
    assert line.planned == Decimal("1250000.00")
    assert line.history.first().history_user == staff

    url = f"{URL}{data['id']}/"
    assert staff_client.get(url).json() == data
    put = staff_client.put(url, {**sent, "label": "Launch budget", "actual": 100.5})
    assert put.status_code == 200, put.json()
    assert put.json()["actual"] == "100.50" and put.json()["label"] == "Launch budget"
    patch = staff_client.patch(url, {"category": "capex", "initiative": None})
    assert patch.status_code == 200 and patch.json()["initiative"] is None
    assert staff_client.delete(url).status_code == 204
    assert staff_client.get(url).status_code == 404
    assert not BudgetLine.objects.exists()


def test_actual_defaults_to_zero(tree, staff_client):
    sent = body(tree)
    del sent["actual"], sent["objective"], sent["initiative"]
    created = staff_client.post(URL, sent)
    assert created.status_code == 201
    assert created.json()["actual"] == "0.00"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"planned": "-1.00"}, "planned"),
        ({"planned": -0.01}, "planned"),
        ({"actual": "-5"}, "actual"),
        ({"planned": "abc"}, "planned"),
        ({"planned": "NaN"}, "planned"),
        ({"planned": "Infinity"}, "planned"),
        ({"planned": "1.234"}, "planned"),
        ({"planned": "12345678901234567.00"}, "planned"),
        ({"planned": None}, "planned"),
        ({"category": "stratex"}, "initiative"),  # STRATEX names its initiative
        ({"category": "bogus"}, "category"),
        ({"fiscal_year": 1800}, "fiscal_year"),
        ({"fiscal_year": 3000}, "fiscal_year"),
        ({"fiscal_year": "this year"}, "fiscal_year"),
        ({"unit": 999999}, "unit"),
        ({"unit": None}, "unit"),
        ({"unit": "B1"}, "unit"),
        ({"unit": 1.5}, "unit"),
        ({"objective": 999999}, "objective"),
        ({"initiative": 2**63}, "initiative"),
        ({"label": ""}, "label"),
    ],
)
def test_bad_input_names_the_field(tree, staff_client, changes, field):
    response = staff_client.post(URL, body(tree, **changes))
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not BudgetLine.objects.exists()


def test_minus_zero_is_zero(tree, staff_client):
    created = staff_client.post(URL, body(tree, planned="-0", actual="-0.00"))
    assert created.status_code == 201
    assert (created.json()["planned"], created.json()["actual"]) == ("0.00", "0.00")


def test_update_checks_the_same_rules(tree, staff_client):
    line = f.BudgetLineFactory(unit=tree.b1)
    url = f"{URL}{line.pk}/"
    for changes, field in (
        ({"category": "stratex"}, "initiative"),
        ({"planned": "-3"}, "planned"),
        ({"actual": "-3"}, "actual"),
    ):
        response = staff_client.patch(url, changes)
        assert response.status_code == 400
        assert field in response.json()
    line.refresh_from_db()
    assert (line.category, line.planned, line.actual) == ("opex", Decimal("1000"), Decimal("0"))


def test_filters_and_ordering(tree, staff_client):
    objective = f.ObjectiveFactory(unit=tree.b1, code="GROW")
    a = f.BudgetLineFactory(unit=tree.b1, label="A", objective=objective)
    b = f.BudgetLineFactory(unit=tree.b1, label="B", stratex=True, planned=Decimal("5"))
    c = f.BudgetLineFactory(unit=tree.b2, label="C", fiscal_year=2027, category="capex")

    def ids(**params):
        response = staff_client.get(URL, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [a.pk, b.pk, c.pk]
    assert ids(unit=tree.b1.pk) == [a.pk, b.pk]
    assert ids(fiscal_year=2027) == [c.pk]
    assert ids(category="stratex") == [b.pk]
    assert ids(objective=objective.pk) == [a.pk]
    assert ids(initiative=b.initiative_id) == [b.pk]
    assert ids(ordering="planned") == [b.pk, a.pk, c.pk]
    assert ids(ordering="-label") == [c.pk, b.pk, a.pk]
    for bad in ({"unit": "x"}, {"fiscal_year": "x"}, {"category": "x"}, {"unit": 999999}):
        assert staff_client.get(URL, bad).status_code == 400


def test_pagination_shape(tree, staff_client):
    for _ in range(3):
        f.BudgetLineFactory(unit=tree.b1)
    page = staff_client.get(URL, {"page_size": 2}).json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 3 and len(page["results"]) == 2
    assert staff_client.get(URL, {"page_size": 2, "page": 2}).json()["next"] is None


def test_visible_to_those_who_steer_money(tree, head):
    mine = f.BudgetLineFactory(unit=tree.d1)  # below the unit he heads
    theirs = f.BudgetLineFactory(unit=tree.b2)
    rows = client_for(head).get(URL).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert client_for(head).get(f"{URL}{theirs.pk}/").status_code == 404
    executive = f.UserFactory(roles=[EXECUTIVE])
    assert client_for(executive).get(URL).json()["count"] == 2
    employee = f.UserFactory(roles=[EMPLOYEE])
    assert client_for(employee).get(URL).status_code == 403
    assert client_for(employee).get(f"{URL}{mine.pk}/").status_code == 403


def test_unit_head_writes_his_subtree_only(tree, head):
    client = client_for(head)
    assert client.post(URL, body(tree, unit=tree.d1.pk)).status_code == 201
    assert client.post(URL, body(tree, unit=tree.b2.pk)).status_code == 403
    mine = BudgetLine.objects.get()
    assert client.patch(f"{URL}{mine.pk}/", {"unit": tree.b2.pk}).status_code == 403
    theirs = f.BudgetLineFactory(unit=tree.b2)
    assert client.patch(f"{URL}{theirs.pk}/", {"label": "x"}).status_code == 404
    assert client.delete(f"{URL}{theirs.pk}/").status_code == 404
    assert BudgetLine.objects.count() == 2


def test_list_queries_do_not_grow(tree, staff, head):
    def add(count):
        for _ in range(count):
            f.BudgetLineFactory(unit=tree.d1, stratex=True)

    add(3)
    small = {user.pk: list_queries(user, URL) for user in (staff, head)}
    add(27)
    for user in (staff, head):
        assert list_queries(user, URL) == (30, small[user.pk][1])
