"""User management pages (accounts/users_views.py): what they show, who may open them
(the OSM staff only: a unit head cannot grant roles), the invitation end to end, roles and
units given and taken, deactivation ending sessions and API tokens at once, reactivation,
unlocking, bad input, and a list whose number of queries does not grow with the users."""

import datetime as dt
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from accounts.models import AuditEvent, UserSession
from core.audit import AuditKind
from core.roles import EXECUTIVE, HR, OSM_STAFF, UNIT_HEAD
from scorecards.models import OrgUnit
from tests import factories as f
from tests.accounts.users_world import NEW_PASSWORD, build_world, invitation_path, roles

User = get_user_model()
LIST = "/accounts/users/"
INVITE = "/accounts/users/invite/"


@pytest.fixture
def world(db):
    return build_world()


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def user_url(user, action: str = "") -> str:
    return f"/accounts/users/{user.pk}/" + (f"{action}/" if action else "")


# Who may open them ---------------------------------------------------------------------------


def pages_of(world) -> list[tuple[str, str]]:
    return [
        ("GET", LIST),
        ("GET", INVITE),
        ("GET", user_url(world.hr)),
        ("GET", user_url(world.hr, "edit")),
        ("POST", INVITE),
        ("POST", user_url(world.hr, "edit")),
        ("POST", user_url(world.hr)),
        ("POST", user_url(world.hr, "deactivate")),
        ("POST", user_url(world.hr, "reactivate")),
        ("POST", user_url(world.hr, "unlock")),
        ("POST", user_url(world.hr, "invitation")),
    ]


@pytest.mark.parametrize("who", ["head", "hr", "employee", "exec"])
def test_everyone_but_the_osm_staff_is_refused(world, who):
    client = page(getattr(world, who))
    for method, url in pages_of(world):
        data = {"roles": [OSM_STAFF], "email": "x@example.com", "full_name": "X Y",
                "username": "x"}  # fmt: skip
        response = client.get(url) if method == "GET" else client.post(url, data)
        assert response.status_code == 403, (method, url)
    assert roles(getattr(world, who)) <= {UNIT_HEAD, HR, "Employee", EXECUTIVE}
    assert roles(world.hr) == {HR} and not User.objects.filter(email="x@example.com").exists()


def test_a_unit_head_is_told_who_may(world):
    response = page(world.head).post(user_url(world.head), {"roles": [UNIT_HEAD, OSM_STAFF]})
    assert response.status_code == 403
    assert "Only people with the role “OSM staff” may change a user." in response.content.decode()
    assert roles(world.head) == {UNIT_HEAD}


def test_anonymous_people_are_sent_to_sign_in(world, client):
    for method, url in pages_of(world):
        response = client.get(url) if method == "GET" else client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/?next="
        ), url
    # The buttons answer only a POST, whoever asks.
    assert client.get(user_url(world.hr, "deactivate")).status_code == 405
    assert page(world.staff).get(user_url(world.hr, "deactivate")).status_code == 405


# The list ------------------------------------------------------------------------------------


def test_the_list_shows_names_roles_units_state_and_last_sign_in(world):
    world.head.last_login = dt.datetime(2026, 3, 4, 10, 30, tzinfo=dt.UTC)
    world.head.save()
    world.exec.is_active = False
    world.exec.save()
    response = page(world.staff).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Users</h1>" in html
    rows = {u.username: u for u in response.context["page"].object_list}
    assert set(rows) == {"boss", "emp", "exec", "head", "hr", "staff"}
    assert rows["head"].role_labels == ["Unit head"]
    assert [u.code for u in rows["head"].headed_units.all()] == ["SALES"]
    assert "Hal Head" in html and "head@example.com" in html and "Sales" in html
    assert "4 Mar 2026, 10:30" in html  # last sign-in
    assert "Deactivated" in html and "Never" in html
    assert 'href="/accounts/users/invite/"' in html


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"q": "hal head"}, {"head"}),  # every word, first and last name
        ({"q": "EMP"}, {"emp"}),  # username, any case
        ({"q": "boss@example"}, {"boss"}),  # e-mail
        ({"role": OSM_STAFF}, {"boss", "staff"}),
        ({"role": HR, "q": "hana"}, {"hr"}),
        ({"active": "inactive"}, {"exec"}),
        ({"active": "active", "role": EXECUTIVE}, set()),
    ],
)
def test_search_and_filters(world, query, expected):
    world.exec.is_active = False
    world.exec.save()
    response = page(world.staff).get(LIST, query)
    assert response.status_code == 200
    assert {u.username for u in response.context["page"].object_list} == expected


@pytest.mark.parametrize("query", [{"role": "Boss"}, {"active": "maybe"}, {"q": "x" * 101}])
def test_bad_filters_are_a_400_with_the_field_marked(world, query):
    response = page(world.staff).get(LIST, query)
    assert response.status_code == 400
    assert response.context["page"] is None
    assert response.context["form"].errors
    assert "Correct the filters above" in response.content.decode()


def list_queries(world, users: int) -> int:
    for n in range(users):
        user = f.UserFactory(roles=[UNIT_HEAD, EXECUTIVE])
        f.OrgUnitFactory(code=f"Q{users}X{n}", parent=world.ent, head=user)
    client = page(world.staff)
    client.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries)


def test_the_list_takes_as_many_queries_for_many_users(world):
    few = list_queries(world, 2)
    many = list_queries(world, 30)
    assert few == many, (few, many)
    assert len(page(world.staff).get(LIST).context["page"].object_list) == 38


def test_the_list_is_paginated(world):
    for _n in range(55):
        f.UserFactory()
    response = page(world.staff).get(LIST)
    assert len(response.context["page"].object_list) == 50
    assert "Page 1 of 2" in response.content.decode()
    assert len(page(world.staff).get(LIST, {"page": 2}).context["page"].object_list) == 11


# A user's page -------------------------------------------------------------------------------


def test_a_users_page_shows_the_account(world):
    client = page(world.staff)
    page(world.head)  # a session of his
    AuthToken.objects.create(world.head)
    world.head.last_login = dt.datetime(2026, 3, 4, 10, 30, tzinfo=dt.UTC)
    world.head.save()
    response = client.get(user_url(world.head))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Hal Head</h1>" in html
    assert "1 signed-in session" in html and "1 token" in html
    assert "4 Mar 2026, 10:30" in html
    assert re.search(r'value="Unit head"[^>]*checked', html)
    assert not re.search(r'value="HR"[^>]*checked', html)
    form = response.context["form"]
    assert form.initial == {"roles": [UNIT_HEAD], "units": [world.sales.pk]}
    assert f'action="/accounts/users/{world.head.pk}/deactivate/"' in html
    assert "data-searchable" in html  # the units box (Tom Select)
    assert f'href="/accounts/security/{world.head.pk}/"' in html
    assert "Unlock" not in html  # not locked out


def test_roles_and_units_are_given_and_taken_on_the_page(world):
    client = page(world.staff)
    response = client.post(
        user_url(world.hr), {"roles": [HR, UNIT_HEAD], "units": [world.make.pk, world.sales.pk]}
    )
    assert response.status_code == 302 and response["Location"] == user_url(world.hr)
    assert roles(world.hr) == {HR, UNIT_HEAD}
    assert set(OrgUnit.objects.filter(head=world.hr).values_list("code", flat=True)) == {
        "MAKE", "SALES",
    }  # fmt: skip
    followed = client.get(response["Location"])
    assert "Saved the roles and units of Hana Human." in followed.content.decode()
    response = client.post(user_url(world.hr), {"roles": [EXECUTIVE]})
    assert response.status_code == 302
    assert roles(world.hr) == {EXECUTIVE}
    assert not OrgUnit.objects.filter(head=world.hr).exists()
    kinds = list(
        AuditEvent.objects.exclude(kind=AuditKind.LOGIN)
        .order_by("id")
        .values_list("kind", "detail")
    )
    assert kinds[0] == (AuditKind.ROLES_CHANGED, "+Unit head")
    assert (AuditKind.ROLES_CHANGED, "+Executive \u2212Unit head \u2212HR") in kinds
    assert [k for k, _d in kinds].count(AuditKind.HEAD_CHANGED) == 4


def test_bad_input_on_the_users_page_is_a_400_and_writes_nothing(world):
    client = page(world.staff)
    response = client.post(user_url(world.hr), {"roles": ["Boss"], "units": ["999999"]})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"roles", "units"}
    # The service's refusal, next to its field.
    response = client.post(user_url(world.hr), {"roles": [HR], "units": [world.make.pk]})
    assert response.status_code == 400
    assert response.context["form"].errors["units"] == [
        "Give Hana Human the role Unit head too: without it, heading a unit grants nothing."
    ]
    assert roles(world.hr) == {HR} and OrgUnit.objects.get(code="MAKE").head is None
    assert not AuditEvent.objects.exclude(kind=AuditKind.LOGIN).exists()
    assert client.get(user_url(world.hr).replace(str(world.hr.pk), "999999")).status_code == 404


def test_the_last_osm_staff_member_keeps_the_role(world):
    client = page(world.staff)
    client.post(user_url(world.boss, "deactivate"))
    response = client.post(user_url(world.staff), {"roles": [EXECUTIVE]})
    assert response.status_code == 400
    assert "Sam Staff is the last active OSM staff member" in response.content.decode()
    assert roles(world.staff) == {OSM_STAFF}


def test_the_details_are_changed_on_their_page(world):
    client = page(world.staff)
    form = client.get(user_url(world.hr, "edit"))
    assert form.status_code == 200
    assert form.context["form"].initial == {
        "username": "hr", "full_name": "Hana Human", "email": "hr@example.com",
    }  # fmt: skip
    taken = client.post(user_url(world.hr, "edit"), {"username": "HEAD", "full_name": "Hana",
                                                     "email": "Boss@Example.com"})  # fmt: skip
    assert taken.status_code == 400
    assert taken.context["form"].errors == {
        "username": ["The username HEAD is taken."],
        "email": ["Boss@example.com already has an account (boss): change that user's roles "
                  "instead."],
    }  # fmt: skip
    world.hr.refresh_from_db()
    assert (world.hr.username, world.hr.email) == ("hr", "hr@example.com")
    done = client.post(user_url(world.hr, "edit"), {"username": "hana", "full_name": "Hana Hu",
                                                    "email": "hana@example.com"})  # fmt: skip
    assert done.status_code == 302 and done["Location"] == user_url(world.hr)
    world.hr.refresh_from_db()
    assert (world.hr.username, world.hr.first_name, world.hr.last_name, world.hr.email) == (
        "hana", "Hana", "Hu", "hana@example.com",
    )  # fmt: skip


# Deactivation, reactivation, unlocking -------------------------------------------------------


def test_deactivation_ends_the_users_sessions_and_tokens_at_once(world):
    victim = page(world.hr)
    assert victim.get("/my/strategy/").status_code == 200
    assert UserSession.objects.filter(user=world.hr).count() == 1
    _token, key = AuthToken.objects.create(world.hr)
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/users/").status_code == 200
    response = page(world.staff).post(user_url(world.hr, "deactivate"))
    assert response.status_code == 302 and response["Location"] == user_url(world.hr)
    world.hr.refresh_from_db()
    assert not world.hr.is_active
    assert api.get("/api/v1/users/").status_code == 401
    following = victim.get("/my/strategy/")
    assert following.status_code == 302 and following["Location"].startswith("/accounts/login/")
    assert not UserSession.objects.filter(user=world.hr).exists()
    assert not AuthToken.objects.filter(user=world.hr).exists()
    event = AuditEvent.objects.get(kind=AuditKind.USER_DEACTIVATED)
    assert (event.actor_name, event.target_name, event.detail) == (
        "staff", "hr", "1 sessions, 1 tokens ended",
    )  # fmt: skip
    assert event.address == "127.0.0.1"
    html = page(world.staff).get(user_url(world.hr)).content.decode()
    assert "Deactivated" in html and "/reactivate/" in html
    # Reactivated, the person signs in again with the roles he or she had.
    page(world.staff).post(user_url(world.hr, "reactivate"))
    world.hr.refresh_from_db()
    assert world.hr.is_active and roles(world.hr) == {HR}
    assert AuditEvent.objects.filter(kind=AuditKind.USER_REACTIVATED).count() == 1


def test_deactivating_oneself_is_refused_with_a_message(world):
    client = page(world.staff)
    assert 'deactivate/"' not in client.get(user_url(world.staff)).content.decode()
    response = client.post(user_url(world.staff, "deactivate"), follow=True)
    assert "You cannot deactivate yourself." in response.content.decode()
    world.staff.refresh_from_db()
    assert world.staff.is_active


def test_a_locked_out_login_is_shown_and_unlocked(world):
    for address in ("10.1.1.1", "10.2.2.2"):
        AccessAttempt.objects.create(
            username="hr", ip_address=address, user_agent="t", failures_since_start=5,
            get_data="", post_data="", http_accept="", path_info="/accounts/login/",
        )  # fmt: skip
    client = page(world.staff)
    html = client.get(user_url(world.hr)).content.decode()
    assert "This login is locked out" in html
    assert "from 10.1.1.1, 5 failures" in html and "from 10.2.2.2, 5 failures" in html
    response = client.post(user_url(world.hr, "unlock"), follow=True)
    assert "Unlocked the login of Hana Human." in response.content.decode()
    assert "This login is locked out" not in response.content.decode()
    assert not AccessAttempt.objects.exists()
    assert AuditEvent.objects.get(kind=AuditKind.UNLOCKED).detail == "10.1.1.1, 10.2.2.2"


def test_an_old_lockout_is_no_longer_shown(world):
    attempt = AccessAttempt.objects.create(
        username="hr", ip_address="10.1.1.1", user_agent="t", failures_since_start=5,
        get_data="", post_data="", http_accept="", path_info="/accounts/login/",
    )  # fmt: skip
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    html = page(world.staff).get(user_url(world.hr)).content.decode()
    assert "This login is locked out" not in html


# The invitation ------------------------------------------------------------------------------


def invite(client, django_capture_on_commit_callbacks, **data):
    data = {"email": "ann@example.com", "full_name": "Ann Archer", "roles": [EXECUTIVE]} | data
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(INVITE, data)


def test_invitation_end_to_end(world, django_capture_on_commit_callbacks):
    staff = page(world.staff)
    assert staff.get(INVITE).status_code == 200
    response = invite(staff, django_capture_on_commit_callbacks)
    ann = User.objects.get(email="ann@example.com")
    assert response.status_code == 302 and response["Location"] == user_url(ann)
    assert "Invited Ann Archer (ann): the invitation goes to ann@example.com." in (
        staff.get(response["Location"]).content.decode()
    )
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]
    link = invitation_path(mail.outbox[0].body)
    # Following the link: the token goes into the session, the address loses it.
    browser = Client()
    opened = browser.get(link)
    uid = link.split("/")[-3]
    assert opened.status_code == 302
    assert opened["Location"] == f"/accounts/users/invitation/{uid}/set-password/"
    form = browser.get(opened["Location"])
    assert form.status_code == 200
    html = form.content.decode()
    assert "Welcome to OSM" in html and "<strong>ann</strong>" in html
    # The validators are on: short and common passwords are refused.
    weak = browser.post(
        opened["Location"], {"new_password1": "password", "new_password2": "password"}
    )
    assert weak.status_code == 200 and weak.context["form"].errors["new_password2"]
    done = browser.post(
        opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    ann.refresh_from_db()
    assert ann.check_password(NEW_PASSWORD)
    assert "Your password is set. Sign in with your username, ann." in (
        browser.get("/accounts/login/").content.decode()
    )
    signed_in = browser.post("/accounts/login/", {"username": "ann", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert browser.get("/my/strategy/").status_code == 200
    # The link was used: it no longer works.
    again = Client().get(link)
    assert again.status_code == 200
    assert "This invitation link no longer works" in again.content.decode()
    kinds = set(AuditEvent.objects.values_list("kind", flat=True))
    assert {AuditKind.USER_INVITED, AuditKind.PASSWORD_CHANGED, AuditKind.LOGIN} <= kinds


def test_an_expired_invitation_link_says_so(world, settings, django_capture_on_commit_callbacks):
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        invite(page(world.staff), django_capture_on_commit_callbacks)
    link = invitation_path(mail.outbox[0].body)
    late = start + dt.timedelta(days=settings.INVITATION_DAYS, minutes=1)
    with time_machine.travel(late, tick=False):
        response = Client().get(link)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This invitation link no longer works" in html
    assert "Ask the OSM staff to send you a new invitation" in html
    assert response.context["form"] is None
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        assert Client().get(link).status_code == 302  # still good the day after


def test_a_password_reset_link_is_no_invitation(world):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(world.hr.pk))
    token = default_token_generator.make_token(world.hr)
    response = Client().get(f"/accounts/users/invitation/{uid}/{token}/")
    assert response.status_code == 200
    assert "This invitation link no longer works" in response.content.decode()


def test_a_deactivated_users_invitation_no_longer_works(world, django_capture_on_commit_callbacks):
    staff = page(world.staff)
    invite(staff, django_capture_on_commit_callbacks)
    ann = User.objects.get(email="ann@example.com")
    staff.post(user_url(ann, "deactivate"))
    response = Client().get(invitation_path(mail.outbox[0].body))
    assert "This invitation link no longer works" in response.content.decode()


def test_the_invitation_can_be_sent_again(world, django_capture_on_commit_callbacks):
    staff = page(world.staff)
    invite(staff, django_capture_on_commit_callbacks)
    ann = User.objects.get(email="ann@example.com")
    html = staff.get(user_url(ann)).content.decode()
    assert "invited, has not chosen a password yet" in html
    later = time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2))
    with later, django_capture_on_commit_callbacks(execute=True):
        response = staff.post(user_url(ann, "invitation"), follow=True)
    assert "Sent Ann Archer a new invitation." in response.content.decode()
    assert len(mail.outbox) == 2


def test_bad_invitations_are_a_400_with_each_field_marked(
    world, django_capture_on_commit_callbacks
):
    staff = page(world.staff)
    response = invite(staff, django_capture_on_commit_callbacks, email="not-an-address",
                      full_name="", roles=["Boss"])  # fmt: skip
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"email", "full_name", "roles"}
    response = invite(staff, django_capture_on_commit_callbacks, email="HR@example.com", roles=[])
    assert response.context["form"].errors["roles"] == ["Choose at least one role."]
    response = invite(staff, django_capture_on_commit_callbacks, email="HR@example.com")
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == [
        "HR@example.com already has an account (hr): change that user's roles instead."
    ]
    assert not mail.outbox and User.objects.count() == 6
