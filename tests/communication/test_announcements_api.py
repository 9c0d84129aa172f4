"""API v1's announcements: publishing (who may, where, bad input), the `read` flag, marking
read, the read share by unit, and the list's cost."""

import pytest

from communication.models import Announcement, AnnouncementRead
from core.models import Notification
from tests import factories as f
from tests.communication.worlds import small_org
from tests.factories import AnnouncementFactory, AnnouncementReadFactory
from tests.helpers import client_for, list_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/announcements/"


@pytest.fixture
def org():
    return small_org()


def post(user, **data):
    body = {"unit": None, "title": "Q3 focus", "body": "Grow key accounts.", **data}
    return client_for(user).post(URL, body, format="json")


def test_a_head_publishes_in_his_subtree_and_it_reads_back(org):
    sell = f.ObjectiveFactory(unit=org.b1, code="SELL")
    made = post(org.head, unit=org.d1.pk, objectives=[sell.pk])
    assert made.status_code == 201, made.json()
    body = made.json()
    assert {k: body[k] for k in ("unit", "title", "body", "objectives", "author", "read")} == {
        "unit": org.d1.pk, "title": "Q3 focus", "body": "Grow key accounts.",
        "objectives": [sell.pk], "author": org.head.pk, "read": False,
    }  # fmt: skip
    assert body["published_at"]
    # D1's people are told: cy, dee, eve.
    assert Notification.objects.filter(kind="announcement").count() == 3


def test_who_may_not_publish(org):
    assert post(org.head, unit=org.b2.pk).status_code == 403  # outside his subtree
    assert post(org.ana, unit=org.b1.pk).status_code == 403  # an employee
    assert post(f.UserFactory(), unit=org.b1.pk).status_code == 403  # no role
    assert client_for(f.UserFactory()).get(URL).status_code == 403
    mine = AnnouncementFactory(unit=org.b2)
    patched = client_for(org.head).patch(f"{URL}{mine.pk}/", {"title": "X"}, format="json")
    assert patched.status_code == 403
    assert client_for(org.head).delete(f"{URL}{mine.pk}/").status_code == 403
    own = post(org.head, unit=org.b1.pk).json()
    moved = client_for(org.head).patch(f"{URL}{own['id']}/", {"unit": org.b2.pk}, format="json")
    assert moved.status_code == 403
    assert Announcement.objects.get(pk=own["id"]).unit == org.b1


def test_bad_input_is_400_by_field(org):
    assert post(org.head, unit=org.b1.pk, title="").json().keys() == {"title"}
    assert post(org.head, unit=org.b1.pk, title="   ").status_code == 400
    assert post(org.head, unit=999_999).json().keys() == {"unit"}
    assert post(org.head, unit="B1").json().keys() == {"unit"}
    assert post(org.head, unit=org.b1.pk, body="").json().keys() == {"body"}
    invisible = post(org.head, unit=org.b1.pk, objectives=[999_999])
    assert invisible.status_code == 400 and invisible.json().keys() == {"objectives"}
    assert post(org.head, unit=org.b1.pk, objectives="x").status_code == 400
    assert client_for(org.head).post(URL, {}, format="json").json().keys() == {
        "unit", "title", "body",
    }  # fmt: skip
    assert not Announcement.objects.exists()
    assert client_for(org.ana).get(f"{URL}999999/").status_code == 404


def test_read_is_the_current_users_and_marking_is_idempotent(org):
    first, second = AnnouncementFactory(unit=org.b1), AnnouncementFactory(unit=org.ent)
    AnnouncementReadFactory(announcement=first, user=org.ana)
    rows = client_for(org.ana).get(URL).json()["results"]
    assert {r["id"]: r["read"] for r in rows} == {first.pk: True, second.pk: False}
    assert {r["id"]: r["read"] for r in client_for(org.ben).get(URL).json()["results"]} == {
        first.pk: False, second.pk: False,
    }  # fmt: skip
    for _ in range(2):
        marked = client_for(org.ben).post(f"{URL}{second.pk}/read/")
        assert marked.status_code == 200 and marked.json()["read"] is True
    assert AnnouncementRead.objects.filter(announcement=second, user=org.ben).count() == 1
    assert [r["id"] for r in client_for(org.ben).get(URL, {"read": "false"}).json()["results"]] == [
        first.pk
    ]
    assert client_for(f.UserFactory()).post(f"{URL}{second.pk}/read/").status_code == 403
    assert client_for(org.ben).post(f"{URL}999999/read/").status_code == 404


def test_marking_read_reads_the_inbox_notification(org):
    made = post(org.head, unit=org.b1.pk).json()
    client_for(org.cy).post(f"{URL}{made['id']}/read/")
    assert Notification.objects.get(recipient=org.cy).read_at is not None
    assert Notification.objects.get(recipient=org.dee).read_at is None


def test_addressed_and_unit_filters(org):
    to_ent, to_b1 = AnnouncementFactory(unit=org.ent), AnnouncementFactory(unit=org.b1)
    to_b2 = AnnouncementFactory(unit=org.b2)
    got = client_for(org.cy).get(URL, {"addressed": "true"}).json()["results"]
    assert {r["id"] for r in got} == {to_ent.pk, to_b1.pk}  # cy is in D1, below B1
    assert client_for(org.staff).get(URL, {"addressed": "true"}).json()["count"] == 0
    assert client_for(org.cy).get(URL).json()["count"] == 3
    got = client_for(org.cy).get(URL, {"unit": org.b2.pk}).json()["results"]
    assert [r["id"] for r in got] == [to_b2.pk]


def test_the_reach_by_unit_worked_out_by_hand(org):
    made = post(org.head, unit=org.b1.pk).json()
    for reader in (org.ben, org.eve, org.gus, org.head):
        client_for(reader).post(f"{URL}{made['id']}/read/")
    reach = client_for(org.head).get(f"{URL}{made['id']}/reach/")
    assert reach.status_code == 200
    # B1 ana, ben; D1 cy, dee; T1 eve: 5 reached. ben and eve read; gus (B2) and the head
    # (no employee record) are outside: 2 readers of 5.
    assert reach.json() == {
        "readers": 2,
        "audience": 5,
        "units": [
            {"id": org.b1.pk, "code": "B1", "readers": 1, "audience": 2},
            {"id": org.d1.pk, "code": "D1", "readers": 0, "audience": 2},
            {"id": org.t1.pk, "code": "T1", "readers": 1, "audience": 1},
        ],
    }
    assert client_for(org.staff).get(f"{URL}{made['id']}/reach/").status_code == 200


def test_the_reach_is_the_authors_and_the_staffs(org):
    made = post(org.staff, unit=org.b1.pk).json()
    url = f"{URL}{made['id']}/reach/"
    assert client_for(org.ana).get(url).status_code == 403  # reached, not its author
    assert client_for(org.head).get(url).status_code == 403  # head of B1, not its author
    assert client_for(f.UserFactory()).get(url).status_code == 403  # no role
    assert client_for(org.staff).get(url).status_code == 200


def test_the_list_costs_the_same_queries_whatever_its_length(org):
    objectives = [f.ObjectiveFactory(unit=org.b1, code=f"O{n}") for n in range(3)]
    for _ in range(2):
        AnnouncementFactory(unit=org.b1, objectives=objectives[:2])
    count_small, small = list_queries(org.ana, URL)
    for _ in range(10):
        announcement = AnnouncementFactory(unit=org.ent, objectives=objectives)
        AnnouncementReadFactory(announcement=announcement, user=org.ana)
    count_big, big = list_queries(org.ana, URL)
    assert (count_small, count_big) == (2, 12)
    assert small == big


def test_the_reach_costs_the_same_queries_whatever_the_audience(org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    made = post(org.staff, unit=org.b1.pk).json()
    url = f"{URL}{made['id']}/reach/"
    client_for(org.staff).get(url)
    with CaptureQueriesContext(connection) as small:
        client_for(org.staff).get(url)
    for n in range(12):
        user = f.UserFactory(roles=["Employee"])
        f.EmployeeFactory(user=user, unit=f.OrgUnitFactory(code=f"Y{n}", parent=org.d1))
        client_for(user).post(f"{url[: -len('reach/')]}read/")
    with CaptureQueriesContext(connection) as big:
        answer = client_for(org.staff).get(url).json()
    assert (answer["readers"], answer["audience"]) == (12, 17)  # 12 new readers, 5 + 12 reached
    assert len(small) == len(big)


def test_a_head_changes_and_withdraws_his_own(org):
    made = post(org.head, unit=org.b1.pk).json()
    url = f"{URL}{made['id']}/"
    changed = client_for(org.head).patch(url, {"title": "Q3 focus, revised"}, format="json")
    assert changed.status_code == 200 and changed.json()["title"] == "Q3 focus, revised"
    assert client_for(org.head).patch(url, {"body": " "}, format="json").json().keys() == {"body"}
    assert client_for(org.ana).delete(url).status_code == 403
    assert client_for(org.head).delete(url).status_code == 204
    assert not Notification.objects.filter(kind="announcement").exists()
