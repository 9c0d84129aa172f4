"""API v1 of initiatives and milestones: CRUD through the services, filters, pagination,
bad input as 400s naming the field, and list queries that do not grow with the page."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from core.roles import OSM_STAFF, UNIT_HEAD
from initiatives.models import Initiative, Milestone
from tests import factories as f
from tests.helpers import client_for, list_queries

pytestmark = pytest.mark.django_db

INITIATIVE_FIELDS = {
    "id",
    "code",
    "name",
    "unit",
    "owner",
    "objectives",
    "start",
    "end",
    "status",
    "percent_complete",
}
MILESTONE_FIELDS = {"id", "initiative", "name", "due", "done_on"}


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
def initiative(tree):
    objective = f.ObjectiveFactory(unit=tree.b1, code="GROW")
    return f.InitiativeFactory(unit=tree.b1, code="LAUNCH", objectives=[objective])


# Auth --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/initiatives/", "/api/v1/milestones/"])
def test_401_without_auth(path):
    assert APIClient().get(path).status_code == 401
    assert APIClient().post(path, {}).status_code == 401


# Initiatives -------------------------------------------------------------------------------


def test_initiative_crud(tree, staff, staff_client):
    objective = f.ObjectiveFactory(unit=tree.b1, code="GROW")
    below = f.ObjectiveFactory(unit=tree.d1, code="SELL")
    owner = f.UserFactory()
    body = {
        "code": "LAUNCH",
        "name": "Launch the new line",
        "unit": tree.b1.pk,
        "owner": owner.pk,
        "objectives": [objective.pk, below.pk],
        "start": "2026-01-01",
        "end": "2026-12-31",
        "status": "approved",
        "percent_complete": 10,
    }
    created = staff_client.post("/api/v1/initiatives/", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert set(data) == INITIATIVE_FIELDS
    assert data == {**body, "id": data["id"], "objectives": data["objectives"]}
    assert sorted(data["objectives"]) == sorted([objective.pk, below.pk])
    url = f"/api/v1/initiatives/{data['id']}/"
    initiative = Initiative.objects.get(pk=data["id"])
    assert initiative.history.first().history_user == staff  # written by the service

    assert staff_client.get(url).json() == data
    put = staff_client.put(url, {**body, "name": "Renamed", "objectives": [objective.pk]})
    assert put.status_code == 200, put.json()
    assert put.json()["name"] == "Renamed" and put.json()["objectives"] == [objective.pk]
    patch = staff_client.patch(url, {"percent_complete": 55, "status": "active"})
    assert patch.status_code == 200
    assert patch.json()["percent_complete"] == 55
    assert patch.json()["objectives"] == [objective.pk]  # omitted: the links stay
    assert staff_client.patch(url, {"objectives": []}).json()["objectives"] == []
    assert staff_client.delete(url).status_code == 204
    assert staff_client.get(url).status_code == 404
    assert not Initiative.objects.filter(pk=data["id"]).exists()


def test_initiative_delete_refused_while_funded(tree, staff_client, initiative):
    f.BudgetLineFactory(unit=tree.b1, category="stratex", initiative=initiative)
    response = staff_client.delete(f"/api/v1/initiatives/{initiative.pk}/")
    assert response.status_code == 400
    assert "cannot be deleted" in response.json()["non_field_errors"][0]
    assert Initiative.objects.filter(pk=initiative.pk).exists()


GOOD = {"code": "NEW", "name": "New", "start": "2026-01-01"}


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"percent_complete": 101}, "percent_complete"),
        ({"percent_complete": -1}, "percent_complete"),
        ({"percent_complete": "lots"}, "percent_complete"),
        ({"code": "1bad"}, "code"),
        ({"code": ""}, "code"),
        ({"status": "bogus"}, "status"),
        ({"start": "not a date"}, "start"),
        ({"start": None}, "start"),
        ({"unit": 999999}, "unit"),
        ({"unit": 2**63}, "unit"),
        ({"unit": "abc"}, "unit"),
        ({"unit": [1]}, "unit"),
        ({"unit": 1.5}, "unit"),  # not rounded to some unit
        ({"unit": True}, "unit"),
        ({"objectives": [1.5]}, "objectives"),
        ({"owner": 999999}, "owner"),
        ({"objectives": [999999]}, "objectives"),
        ({"objectives": 5}, "objectives"),
        ({"objectives": ["x"]}, "objectives"),
        ({"name": "x" * 201}, "name"),
        ({"name": "nul\x00byte"}, "name"),
    ],
)
def test_initiative_bad_input_names_the_field(tree, staff_client, changes, field):
    body = {**GOOD, "unit": tree.b1.pk, **changes}
    response = staff_client.post("/api/v1/initiatives/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Initiative.objects.exists()


def test_an_objective_named_twice_is_one_link(tree, staff_client):
    objective = f.ObjectiveFactory(unit=tree.b1, code="GROW")
    twice = [objective.pk, objective.pk]
    created = staff_client.post(
        "/api/v1/initiatives/", {**GOOD, "unit": tree.b1.pk, "objectives": twice}
    )
    assert created.status_code == 201, created.json()
    assert created.json()["objectives"] == [objective.pk]
    url = f"/api/v1/initiatives/{created.json()['id']}/"
    assert staff_client.patch(url, {"objectives": twice}).json()["objectives"] == [objective.pk]


def test_initiative_objectives_out_of_reach(tree, staff_client):
    sibling = f.ObjectiveFactory(unit=tree.b2, code="OTHER")
    response = staff_client.post(
        "/api/v1/initiatives/", {**GOOD, "unit": tree.d1.pk, "objectives": [sibling.pk]}
    )
    assert response.status_code == 400
    assert "B2.OTHER" in response.json()["objectives"][0]
    assert not Initiative.objects.exists()


def test_initiative_end_before_start_and_duplicate_code(tree, staff_client, initiative):
    response = staff_client.post(
        "/api/v1/initiatives/", {**GOOD, "unit": tree.b1.pk, "end": "2025-01-01"}
    )
    assert response.status_code == 400
    assert "before the start" in str(response.json())
    response = staff_client.post("/api/v1/initiatives/", {**GOOD, "unit": tree.b1.pk})
    assert response.status_code == 201
    again = staff_client.post("/api/v1/initiatives/", {**GOOD, "unit": tree.b1.pk})
    assert again.status_code == 400
    # the same code in another unit is fine
    elsewhere = staff_client.post("/api/v1/initiatives/", {**GOOD, "unit": tree.b2.pk})
    assert elsewhere.status_code == 201


def test_initiative_filters_and_ordering(tree, staff_client):
    grow = f.ObjectiveFactory(unit=tree.b1, code="GROW")
    owner = f.UserFactory()
    a = f.InitiativeFactory(unit=tree.b1, code="A", objectives=[grow], owner=owner)
    b = f.InitiativeFactory(unit=tree.b1, code="B", status="done", start=dt.date(2025, 3, 1))
    c = f.InitiativeFactory(unit=tree.b2, code="C")

    def ids(**params):
        response = staff_client.get("/api/v1/initiatives/", params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [a.pk, b.pk, c.pk]
    assert ids(unit=tree.b1.pk) == [a.pk, b.pk]
    assert ids(status="done") == [b.pk]
    assert ids(objective=grow.pk) == [a.pk]
    assert ids(objectives=grow.pk) == [a.pk]
    assert ids(owner=owner.pk) == [a.pk]
    assert ids(code="C") == [c.pk]
    assert ids(start_before="2025-12-31") == [b.pk]
    assert ids(start_after="2026-01-01") == [a.pk, c.pk]
    assert ids(ordering="-code") == [c.pk, b.pk, a.pk]
    for bad in ({"unit": "abc"}, {"unit": 999999}, {"status": "bogus"}, {"start_after": "x"}):
        assert staff_client.get("/api/v1/initiatives/", bad).status_code == 400


def test_pagination_shape(tree, staff_client):
    for n in range(5):
        f.InitiativeFactory(unit=tree.b1, code=f"P{n}")
    response = staff_client.get("/api/v1/initiatives/", {"page_size": 2})
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5 and len(body["results"]) == 2 and body["previous"] is None
    assert "page=2" in body["next"]
    last = staff_client.get("/api/v1/initiatives/", {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None
    assert staff_client.get("/api/v1/initiatives/", {"page": 99}).status_code == 404


def test_initiative_list_queries_do_not_grow(tree, staff):
    head = f.UserFactory(roles=[UNIT_HEAD])
    tree.b1.head = head
    tree.b1.save()
    objectives = [f.ObjectiveFactory(unit=tree.b1, code=f"O{n}") for n in range(3)]

    def add(count, start):
        for n in range(start, start + count):
            f.InitiativeFactory(
                unit=tree.b1, code=f"Q{n}", owner=head, objectives=objectives[: n % 3 + 1]
            )

    add(3, 0)
    small = {user.pk: list_queries(user, "/api/v1/initiatives/") for user in (staff, head)}
    add(27, 3)
    for user in (staff, head):
        rows, queries = list_queries(user, "/api/v1/initiatives/")
        assert rows == 30
        assert queries == small[user.pk][1], (small, queries)


def test_unit_head_writes_initiatives_of_his_subtree_only(tree):
    head = f.UserFactory(roles=[UNIT_HEAD])
    tree.b1.head = head
    tree.b1.save()
    client = client_for(head)
    assert client.post("/api/v1/initiatives/", {**GOOD, "unit": tree.d1.pk}).status_code == 201
    assert client.post("/api/v1/initiatives/", {**GOOD, "unit": tree.b2.pk}).status_code == 403
    mine = Initiative.objects.get(unit=tree.d1)
    # moving his initiative out of his subtree is a change he may not make
    moved = client.patch(f"/api/v1/initiatives/{mine.pk}/", {"unit": tree.b2.pk})
    assert moved.status_code == 403
    mine.refresh_from_db()
    assert mine.unit == tree.d1


# Milestones --------------------------------------------------------------------------------


def test_milestone_crud(staff_client, initiative):
    body = {"initiative": initiative.pk, "name": "Pilot", "due": "2026-04-30", "done_on": None}
    created = staff_client.post("/api/v1/milestones/", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert set(data) == MILESTONE_FIELDS
    assert data == {**body, "id": data["id"]}
    url = f"/api/v1/milestones/{data['id']}/"
    assert staff_client.get(url).json() == data
    put = staff_client.put(url, {**body, "name": "Pilot run"})
    assert put.status_code == 200 and put.json()["name"] == "Pilot run"
    patch = staff_client.patch(url, {"done_on": "2026-04-20"})
    assert patch.status_code == 200 and patch.json()["done_on"] == "2026-04-20"
    assert Milestone.objects.get(pk=data["id"]).done_on == dt.date(2026, 4, 20)
    assert staff_client.delete(url).status_code == 204
    assert staff_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"done_on": "2025-12-31"}, "done_on"),  # before the initiative starts
        ({"due": "31/12/2026"}, "due"),
        ({"initiative": 999999}, "initiative"),
        ({"initiative": None}, "initiative"),
        ({"initiative": "x"}, "initiative"),
        ({"name": ""}, "name"),
    ],
)
def test_milestone_bad_input_names_the_field(staff_client, initiative, changes, field):
    body = {"initiative": initiative.pk, "name": "Pilot", "due": "2026-04-30", **changes}
    response = staff_client.post("/api/v1/milestones/", body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Milestone.objects.exists()


def test_milestone_filters(tree, staff_client, initiative):
    other = f.InitiativeFactory(unit=tree.b2, code="ELSE")
    a = f.MilestoneFactory(initiative=initiative, due=dt.date(2026, 3, 31))
    b = f.MilestoneFactory(
        initiative=initiative, due=dt.date(2026, 6, 30), done_on=dt.date(2026, 6, 1)
    )
    c = f.MilestoneFactory(initiative=other, due=dt.date(2026, 9, 30))

    def ids(**params):
        response = staff_client.get("/api/v1/milestones/", params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [a.pk, b.pk, c.pk]
    assert ids(initiative=initiative.pk) == [a.pk, b.pk]
    assert ids(unit=tree.b2.pk) == [c.pk]
    assert ids(done="true") == [b.pk]
    assert ids(done="false") == [a.pk, c.pk]
    assert ids(due_after="2026-06-01") == [b.pk, c.pk]
    assert ids(ordering="-due") == [c.pk, b.pk, a.pk]
    for bad in ({"initiative": "x"}, {"unit": 999999}, {"unit": "1.5"}):
        assert staff_client.get("/api/v1/milestones/", bad).status_code == 400, bad


def test_milestone_list_queries_do_not_grow(tree, staff, initiative):
    for _ in range(3):
        f.MilestoneFactory(initiative=initiative)
    small = list_queries(staff, "/api/v1/milestones/")
    for _ in range(27):
        f.MilestoneFactory(initiative=initiative)
    assert list_queries(staff, "/api/v1/milestones/") == (30, small[1])


def test_unit_head_writes_milestones_of_his_initiatives_only(tree, initiative):
    head = f.UserFactory(roles=[UNIT_HEAD])
    tree.b2.head = head
    tree.b2.save()
    theirs = f.InitiativeFactory(unit=tree.b2, code="THEIRS")
    client = client_for(head)
    body = {"name": "Step", "due": "2026-05-01"}
    assert client.post("/api/v1/milestones/", {**body, "initiative": theirs.pk}).status_code == 201
    refused = client.post("/api/v1/milestones/", {**body, "initiative": initiative.pk})
    assert refused.status_code == 403
    milestone = Milestone.objects.get()
    moved = client.patch(f"/api/v1/milestones/{milestone.pk}/", {"initiative": initiative.pk})
    assert moved.status_code == 403
    other = f.MilestoneFactory(initiative=initiative)
    assert client.delete(f"/api/v1/milestones/{other.pk}/").status_code == 403
