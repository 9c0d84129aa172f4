"""The users API (accounts/api/users.py): everyone with a role reads the active users; the
OSM staff read every user and create, invite, change and deactivate them; nobody else writes
(a unit head cannot grant roles); nobody deletes; bad input is a 400 naming the field; a
deactivation through the API ends the user's sessions and tokens as the page's does."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import AuditEvent, UserSession
from core.audit import AuditKind
from core.roles import EMPLOYEE, EXECUTIVE, HR, OSM_STAFF, UNIT_HEAD
from people.models import Employee
from tests import factories as f
from tests.accounts.users_world import build_world, invitation_path, roles
from tests.helpers import client_for, list_queries

User = get_user_model()
URL = "/api/v1/users/"
FIELDS = {"id", "username", "full_name", "email", "roles", "is_active", "headed_units",
          "last_login"}  # fmt: skip


@pytest.fixture
def world(db):
    return build_world()


def body(**changes) -> dict:
    data = {"username": "ann.a", "full_name": "Ann Archer", "email": "ann@example.com",
            "roles": [EXECUTIVE], "is_active": True}  # fmt: skip
    return data | changes


# Reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["head", "hr", "employee", "exec"])
def test_everyone_with_a_role_reads_the_active_users(world, who):
    world.boss.is_active = False
    world.boss.save()
    response = client_for(getattr(world, who)).get(URL, {"page_size": 100})
    assert response.status_code == 200
    rows = {row["username"]: row for row in response.json()["results"]}
    assert set(rows) == {"emp", "exec", "head", "hr", "staff"}
    head = rows["head"]
    assert set(head) == FIELDS
    assert (head["full_name"], head["email"], head["roles"], head["is_active"]) == (
        "Hal Head", "head@example.com", [UNIT_HEAD], True,
    )  # fmt: skip
    assert head["headed_units"] == [world.sales.pk] and head["last_login"] is None
    # Someone without a role reads nothing.
    assert client_for(f.UserFactory()).get(URL).status_code == 403


def test_only_the_osm_staff_read_when_someone_last_signed_in(world):
    """The last sign-in is the OSM staff's to see (issue 18, item 4)."""
    import datetime as dt

    from django.utils import timezone

    world.head.last_login = timezone.now() - dt.timedelta(hours=3)
    world.head.save()
    for who in ("hr", "employee", "exec"):
        rows = client_for(getattr(world, who)).get(URL, {"username": "head"}).json()["results"]
        assert rows[0]["last_login"] is None, who
    rows = client_for(world.staff).get(URL, {"username": "head"}).json()["results"]
    assert rows[0]["last_login"] is not None


def test_the_osm_staff_read_every_user(world):
    world.boss.is_active = False
    world.boss.save()
    staff = client_for(world.staff)
    everyone = staff.get(URL, {"page_size": 100}).json()["results"]
    assert len(everyone) == 6
    deactivated = staff.get(URL, {"is_active": "false"}).json()["results"]
    assert [(row["username"], row["is_active"]) for row in deactivated] == [("boss", False)]
    assert staff.get(f"{URL}{world.boss.pk}/").json()["roles"] == [OSM_STAFF]
    assert client_for(world.hr).get(f"{URL}{world.boss.pk}/").status_code == 404


def test_reading_takes_as_many_queries_for_many_users(world):
    for who in (world.staff, world.hr):
        small = list_queries(who, URL)[1]
        for n in range(20):
            user = f.UserFactory(roles=[UNIT_HEAD, EMPLOYEE])
            f.OrgUnitFactory(code=f"N{who.pk}X{n}", parent=world.ent, head=user)
        count, large = list_queries(who, URL)
        assert count >= 26 and large == small, (who, small, large)


# Creating and inviting -----------------------------------------------------------------------


def test_the_osm_staff_create_a_user_and_the_invitation_goes(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.staff).post(URL, body(), format="json")
    assert response.status_code == 201, response.json()
    ann = User.objects.get(username="ann.a")
    assert response.json() == {
        "id": ann.pk, "username": "ann.a", "full_name": "Ann Archer", "email": "ann@example.com",
        "roles": [EXECUTIVE], "is_active": True, "headed_units": [], "last_login": None,
    }  # fmt: skip
    assert Employee.objects.get(email="ann@example.com").user == ann
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]
    assert invitation_path(mail.outbox[0].body)


def test_invite(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.staff).post(
            f"{URL}invite/",
            {"email": "ann@example.com", "full_name": "Ann Archer", "roles": [HR, EXECUTIVE]},
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert response.json()["username"] == "ann"
    assert sorted(response.json()["roles"]) == [EXECUTIVE, HR]
    assert len(mail.outbox) == 1
    event = AuditEvent.objects.get(kind=AuditKind.USER_INVITED)
    assert (event.actor_name, event.target_name, event.detail) == ("staff", "ann", "Executive, HR")


@pytest.mark.parametrize(
    "data,expected",
    [
        (body(email="HR@example.com"),
         {"email": ["HR@example.com already has an account (hr): change that user's roles "
                    "instead."]}),
        (body(username="Head"), {"username": ["The username Head is taken."]}),
        (body(username="no spaces"),
         {"username": ["Enter a valid username. This value may contain only letters, numbers, "
                       "and @/./+/-/_ characters."]}),
        (body(full_name=" "), {"full_name": ["This field may not be blank."]}),
        (body(email="nope"), {"email": ["Enter a valid email address."]}),
        (body(roles=["Boss"]), {"roles": {"0": ['"Boss" is not a valid choice.']}}),
        (body(is_active=False),
         {"is_active": ["A new user starts active: deactivate him or her afterwards."]}),
        ({"email": "x@example.com"},
         {"username": ["This field is required."], "full_name": ["This field is required."],
          "roles": ["This field is required."], "is_active": ["This field is required."]}),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_field(world, data, expected):
    response = client_for(world.staff).post(URL, data, format="json")
    assert response.status_code == 400
    assert response.json() == expected
    assert User.objects.count() == 6 and not mail.outbox


def test_bad_invitations_are_a_400(world):
    staff = client_for(world.staff)
    response = staff.post(f"{URL}invite/", {"email": "hr@example.com", "full_name": "H",
                                             "roles": []}, format="json")  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {
        "email": ["hr@example.com already has an account (hr): change that user's roles instead."]
    }
    response = staff.post(f"{URL}invite/", {"roles": "OSM staff"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "full_name", "roles"}


# Changing ------------------------------------------------------------------------------------


def test_the_osm_staff_change_details_and_roles(world):
    staff = client_for(world.staff)
    response = staff.patch(f"{URL}{world.hr.pk}/", {"roles": [HR, EXECUTIVE]}, format="json")
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["roles"]) == [EXECUTIVE, HR]
    assert roles(world.hr) == {HR, EXECUTIVE}
    assert AuditEvent.objects.get(kind=AuditKind.ROLES_CHANGED).detail == "+Executive"
    response = staff.put(
        f"{URL}{world.hr.pk}/",
        body(username="hana", full_name="Hana Human", email="hana@example.com", roles=[HR]),
        format="json",
    )
    assert response.status_code == 200, response.json()
    world.hr.refresh_from_db()
    assert (world.hr.username, world.hr.email) == ("hana", "hana@example.com")
    assert roles(world.hr) == {HR}
    # headed_units is read here, set through units/.
    response = staff.patch(f"{URL}{world.hr.pk}/", {"headed_units": [world.make.pk]},
                           format="json")  # fmt: skip
    assert response.status_code == 200 and response.json()["headed_units"] == []


def test_deactivating_through_the_api_ends_sessions_and_tokens(world):
    UserSession.objects.create(session_key="abc", user=world.hr)
    _token, key = AuthToken.objects.create(world.hr)
    theirs = APIClient()
    theirs.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert theirs.get(URL).status_code == 200
    response = client_for(world.staff).patch(
        f"{URL}{world.hr.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert theirs.get(URL).status_code == 401
    assert not UserSession.objects.filter(user=world.hr).exists()
    assert AuditEvent.objects.get(kind=AuditKind.USER_DEACTIVATED).detail == (
        "1 sessions, 1 tokens ended"
    )
    response = client_for(world.staff).patch(
        f"{URL}{world.hr.pk}/", {"is_active": True}, format="json"
    )
    assert response.json()["is_active"] is True
    assert AuditEvent.objects.filter(kind=AuditKind.USER_REACTIVATED).count() == 1


def test_change_refusals_are_400s(world):
    staff = client_for(world.staff)
    response = staff.patch(f"{URL}{world.staff.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 400
    assert response.json() == {"is_active": ["You cannot deactivate yourself."]}
    changes = {"email": "boss@example.com", "roles": ["Admin"]}
    response = staff.patch(f"{URL}{world.hr.pk}/", changes, format="json")
    assert response.status_code == 400
    assert response.json() == {"roles": {"0": ['"Admin" is not a valid choice.']}}
    response = staff.patch(f"{URL}{world.hr.pk}/", {"email": "BOSS@example.com"}, format="json")
    assert response.json() == {
        "email": ["BOSS@example.com already has an account (boss): change that user's roles "
                  "instead."]
    }  # fmt: skip
    world.hr.refresh_from_db()
    assert world.hr.email == "hr@example.com" and roles(world.hr) == {HR}


# Who may not ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["head", "hr", "employee", "exec"])
def test_nobody_but_the_osm_staff_writes(world, who):
    client = client_for(getattr(world, who))
    me = getattr(world, who)
    attempts = [
        client.post(URL, body(), format="json"),
        client.post(f"{URL}invite/", {"email": "a@example.com", "full_name": "A",
                                      "roles": [OSM_STAFF]}, format="json"),
        client.patch(f"{URL}{me.pk}/", {"roles": [OSM_STAFF]}, format="json"),
        client.patch(f"{URL}{world.hr.pk}/", {"is_active": False}, format="json"),
        client.put(f"{URL}{world.employee.pk}/", body(), format="json"),
    ]  # fmt: skip
    assert [r.status_code for r in attempts] == [403] * 5
    assert OSM_STAFF not in roles(me)
    assert User.objects.count() == 6 and User.objects.filter(is_active=False).count() == 0


def test_a_unit_head_cannot_grant_a_role_through_the_api(world):
    response = client_for(world.head).patch(
        f"{URL}{world.employee.pk}/", {"roles": [EMPLOYEE, UNIT_HEAD]}, format="json"
    )
    assert response.status_code == 403
    assert roles(world.employee) == {EMPLOYEE}


def test_nobody_deletes_a_user(world):
    for user in (world.staff, world.head):
        response = client_for(user).delete(f"{URL}{world.hr.pk}/")
        assert response.status_code == 405
        assert response.json() == {"detail": "A user is never deleted: deactivate him or her."}
    assert APIClient().delete(f"{URL}{world.hr.pk}/").status_code == 405
    assert User.objects.filter(pk=world.hr.pk, is_active=True).exists()


def test_anonymous_requests_are_refused(world):
    anonymous = APIClient()
    assert anonymous.get(URL).status_code == 401
    assert anonymous.post(f"{URL}invite/", {}, format="json").status_code == 401
