"""API v1 of review meetings (`reviews/`) and action items: CRUD through the services,
read-only meeting status, attendees, filters, pagination, bad input as 400s naming the field,
the action-item owner's own updates, and list queries that do not grow with the page."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from core.roles import EMPLOYEE, OSM_STAFF, UNIT_HEAD
from reviews.models import ActionItem, ReviewMeeting
from tests import factories as f
from tests.helpers import client_for, ids, list_queries

pytestmark = pytest.mark.django_db

MEETING_FIELDS = {
    "id",
    "kind",
    "unit",
    "title",
    "scheduled_for",
    "chair",
    "attendees",
    "status",
    "approved_version",
}
ITEM_FIELDS = {"id", "meeting", "objective", "owner", "title", "due", "status"}


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
def meeting(tree):
    return f.ReviewMeetingFactory(unit=tree.b1, title="B1 March review")


@pytest.mark.parametrize("path", ["reviews", "action-items"])
def test_401_without_auth(path):
    assert APIClient().get(f"/api/v1/{path}/").status_code == 401
    assert APIClient().post(f"/api/v1/{path}/", {}).status_code == 401


# Review meetings ---------------------------------------------------------------------------


def test_meeting_crud(tree, staff_client):
    chair, ada, bob = f.UserFactory(), f.UserFactory(), f.UserFactory()
    body = {
        "kind": "strategy",
        "unit": tree.b1.pk,
        "title": "Q1 strategy review",
        "scheduled_for": "2026-04-02T09:00:00Z",
        "chair": chair.pk,
        "attendees": [ada.pk, bob.pk],
    }
    created = staff_client.post("/api/v1/reviews/", {**body, "status": "held"})
    assert created.status_code == 201, created.json()
    data = created.json()
    assert set(data) == MEETING_FIELDS
    assert data["status"] == "scheduled"  # read-only: set in the web pages
    assert sorted(data["attendees"]) == sorted([ada.pk, bob.pk])
    assert dt.datetime.fromisoformat(data["scheduled_for"]) == dt.datetime(
        2026, 4, 2, 9, tzinfo=dt.UTC
    )
    assert {k: data[k] for k in ("kind", "unit", "title", "chair")} == {
        k: body[k] for k in ("kind", "unit", "title", "chair")
    }
    url = f"/api/v1/reviews/{data['id']}/"
    assert staff_client.get(url).json() == data
    put = staff_client.put(url, {**body, "title": "Q1 review", "attendees": [bob.pk]})
    assert put.status_code == 200, put.json()
    assert (put.json()["title"], put.json()["attendees"]) == ("Q1 review", [bob.pk])
    patch = staff_client.patch(url, {"chair": None, "status": "cancelled"})
    assert patch.status_code == 200
    assert (patch.json()["chair"], patch.json()["status"]) == (None, "scheduled")
    assert patch.json()["attendees"] == [bob.pk]  # omitted: kept
    f.ActionItemFactory(meeting_id=data["id"])
    assert staff_client.delete(url).status_code == 204  # with its action items
    assert staff_client.get(url).status_code == 404
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kind": "weekly"}, "kind"),
        ({"unit": 999999}, "unit"),
        ({"unit": None}, "unit"),
        ({"title": ""}, "title"),
        ({"scheduled_for": "next tuesday"}, "scheduled_for"),
        ({"chair": 999999}, "chair"),
        ({"attendees": [999999]}, "attendees"),
        ({"attendees": "everyone"}, "attendees"),
        ({"attendees": [2**63]}, "attendees"),
    ],
)
def test_meeting_bad_input_names_the_field(tree, staff_client, changes, field):
    body = {
        "kind": "operational",
        "unit": tree.b1.pk,
        "title": "Review",
        "scheduled_for": "2026-04-02T09:00:00Z",
        **changes,
    }
    response = staff_client.post("/api/v1/reviews/", body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not ReviewMeeting.objects.exists()


def test_meeting_move_refused_while_items_point_out_of_reach(tree, staff_client, meeting):
    objective = f.ObjectiveFactory(unit=tree.d1, code="SELL")
    f.ActionItemFactory(meeting=meeting, objective=objective, title="Fix pipeline")
    response = staff_client.patch(f"/api/v1/reviews/{meeting.pk}/", {"unit": tree.b2.pk})
    assert response.status_code == 400
    assert "D1.SELL" in response.json()["unit"][0]
    meeting.refresh_from_db()
    assert meeting.unit == tree.b1
    # up the tree, D1 is still below: fine
    moved = staff_client.patch(f"/api/v1/reviews/{meeting.pk}/", {"unit": tree.ent.pk})
    assert moved.status_code == 200


def test_meeting_filters(tree, staff_client, meeting):
    ada = f.UserFactory()
    other = f.ReviewMeetingFactory(
        unit=tree.b2,
        kind="test_adapt",
        chair=ada,
        attendees=[ada],
        scheduled_for=dt.datetime(2026, 11, 5, 9, tzinfo=dt.UTC),
    )
    url = "/api/v1/reviews/"
    assert ids(staff_client, url) == [other.pk, meeting.pk]  # latest first
    assert ids(staff_client, url, unit=tree.b1.pk) == [meeting.pk]
    assert ids(staff_client, url, kind="test_adapt") == [other.pk]
    assert ids(staff_client, url, status="scheduled") == [other.pk, meeting.pk]
    assert ids(staff_client, url, chair=ada.pk) == [other.pk]
    assert ids(staff_client, url, attendees=ada.pk) == [other.pk]
    assert ids(staff_client, url, scheduled_for_before="2026-03-01") == [meeting.pk]
    assert ids(staff_client, url, scheduled_for_after="2026-11-05") == [other.pk]
    assert ids(staff_client, url, ordering="scheduled_for") == [meeting.pk, other.pk]
    for bad in ({"kind": "x"}, {"unit": "x"}, {"scheduled_for_after": "soon"}):
        assert staff_client.get(url, bad).status_code == 400
    page = staff_client.get(url, {"page_size": 1}).json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]


# Action items ------------------------------------------------------------------------------


def test_action_item_crud(tree, staff_client, meeting):
    objective = f.ObjectiveFactory(unit=tree.d1, code="SELL")
    owner = f.UserFactory()
    body = {
        "meeting": meeting.pk,
        "objective": objective.pk,
        "owner": owner.pk,
        "title": "Fix the pipeline",
        "due": "2026-04-30",
        "status": "open",
    }
    created = staff_client.post("/api/v1/action-items/", body)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert set(data) == ITEM_FIELDS
    assert data == {**body, "id": data["id"]}
    url = f"/api/v1/action-items/{data['id']}/"
    assert staff_client.get(url).json() == data
    put = staff_client.put(url, {**body, "title": "Fix it", "objective": None})
    assert put.status_code == 200 and put.json()["objective"] is None
    patch = staff_client.patch(url, {"status": "done"})
    assert patch.status_code == 200 and patch.json()["status"] == "done"
    later = f.ReviewMeetingFactory(unit=tree.b1)
    moved = staff_client.patch(url, {"meeting": later.pk})
    assert moved.status_code == 200 and moved.json()["meeting"] == later.pk
    assert staff_client.delete(url).status_code == 204
    assert staff_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"objective": "B2"}, "objective"),  # not of the meeting's unit or below
        ({"objective": "ENT"}, "objective"),  # above it
        ({"objective": 999999}, "objective"),
        ({"meeting": 999999}, "meeting"),
        ({"meeting": None}, "meeting"),
        ({"owner": "me"}, "owner"),
        ({"title": ""}, "title"),
        ({"due": "2026-02-30"}, "due"),
        ({"status": "closed"}, "status"),
    ],
)
def test_action_item_bad_input_names_the_field(tree, staff_client, meeting, changes, field):
    if changes.get("objective") in ("B2", "ENT"):
        unit = getattr(tree, changes["objective"].lower())
        changes = {"objective": f.ObjectiveFactory(unit=unit).pk}
    body = {"meeting": meeting.pk, "title": "Act", "due": "2026-04-30", **changes}
    response = staff_client.post("/api/v1/action-items/", body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not ActionItem.objects.exists()


def test_the_owner_updates_his_own_item(tree, meeting):
    owner = f.UserFactory(roles=[EMPLOYEE])
    item = f.ActionItemFactory(meeting=meeting, owner=owner)
    client = client_for(owner)
    url = f"/api/v1/action-items/{item.pk}/"
    done = client.patch(url, {"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    # what the item is belongs to whoever runs the meeting: the owner changes its status only
    put = client.put(
        url, {"meeting": meeting.pk, "title": "Renamed", "due": "2026-05-01", "status": "done"}
    )
    assert put.status_code == 403
    assert put.json()["detail"] == ("As its owner you may change the status only, not: due, title.")
    item.refresh_from_db()
    assert (item.meeting, item.status) == (meeting, "done")
    assert item.title != "Renamed"


def test_the_owner_does_not_move_delete_or_touch_other_items(tree, meeting):
    owner = f.UserFactory(roles=[EMPLOYEE])
    item = f.ActionItemFactory(meeting=meeting, owner=owner)
    someone_elses = f.ActionItemFactory(meeting=meeting)
    client = client_for(owner)
    url = f"/api/v1/action-items/{item.pk}/"
    other_meeting = f.ReviewMeetingFactory(unit=tree.b1)
    assert client.patch(url, {"meeting": other_meeting.pk}).status_code == 403
    assert client.delete(url).status_code == 403
    elses = f"/api/v1/action-items/{someone_elses.pk}/"
    assert client.patch(elses, {"status": "done"}).status_code == 403
    new = {"meeting": meeting.pk, "title": "Mine", "due": "2026-05-01"}
    assert client.post("/api/v1/action-items/", new).status_code == 403
    item.refresh_from_db()
    assert (item.meeting, item.status) == (meeting, "open")
    assert ActionItem.objects.count() == 2


def test_unit_head_writes_items_of_his_meetings_only(tree, meeting):
    head = f.UserFactory(roles=[UNIT_HEAD])
    tree.b1.head = head
    tree.b1.save()
    theirs = f.ReviewMeetingFactory(unit=tree.b2)
    client = client_for(head)
    new = {"title": "Act", "due": "2026-05-01"}
    assert client.post("/api/v1/action-items/", {**new, "meeting": meeting.pk}).status_code == 201
    assert client.post("/api/v1/action-items/", {**new, "meeting": theirs.pk}).status_code == 403
    item = ActionItem.objects.get()
    moved = client.patch(f"/api/v1/action-items/{item.pk}/", {"meeting": theirs.pk})
    assert moved.status_code == 403
    assert client.patch(f"/api/v1/reviews/{theirs.pk}/", {"title": "x"}).status_code == 403
    assert client.patch(f"/api/v1/reviews/{meeting.pk}/", {"unit": tree.b2.pk}).status_code == 403


def test_action_item_filters(tree, staff_client, meeting):
    objective = f.ObjectiveFactory(unit=tree.b1, code="GROW")
    ada = f.UserFactory()
    other = f.ReviewMeetingFactory(unit=tree.b2)
    a = f.ActionItemFactory(meeting=meeting, objective=objective, due=dt.date(2026, 3, 1))
    b = f.ActionItemFactory(meeting=meeting, owner=ada, status="done", due=dt.date(2026, 4, 1))
    c = f.ActionItemFactory(meeting=other, due=dt.date(2026, 5, 1))
    url = "/api/v1/action-items/"
    assert ids(staff_client, url) == [a.pk, b.pk, c.pk]
    assert ids(staff_client, url, meeting=meeting.pk) == [a.pk, b.pk]
    assert ids(staff_client, url, unit=tree.b2.pk) == [c.pk]
    assert ids(staff_client, url, objective=objective.pk) == [a.pk]
    assert ids(staff_client, url, owner=ada.pk) == [b.pk]
    assert ids(staff_client, url, status="done") == [b.pk]
    assert ids(staff_client, url, due_before="2026-04-01") == [a.pk, b.pk]
    assert ids(staff_client, url, ordering="-due") == [c.pk, b.pk, a.pk]
    assert staff_client.get(url, {"status": "x"}).status_code == 400
    assert staff_client.get(url, {"meeting": 2**63}).status_code == 400
    assert staff_client.get(url, {"unit": "abc"}).status_code == 400


@pytest.mark.parametrize("path", ["reviews", "action-items"])
def test_list_queries_do_not_grow(tree, staff, path):
    people = [f.UserFactory() for _ in range(3)]

    def add(count):
        for _ in range(count):
            meeting = f.ReviewMeetingFactory(unit=tree.b1, chair=people[0], attendees=people)
            if path == "action-items":
                f.ActionItemFactory(meeting=meeting, owner=people[1])

    add(3)
    employee = f.UserFactory(roles=[EMPLOYEE])
    small = {user.pk: list_queries(user, f"/api/v1/{path}/")[1] for user in (staff, employee)}
    add(27)
    for user in (staff, employee):
        assert list_queries(user, f"/api/v1/{path}/") == (30, small[user.pk])
