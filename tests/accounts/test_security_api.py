"""`GET auth/sessions/` and `DELETE auth/sessions/{id}/` (API.md "Users and audit"): one's
own sessions and tokens in one list, each ended by its id; someone else's are a 404; OSM
staff pass `?user=<id>` for anyone's."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import UserSession
from core.audit import AuditKind
from core.roles import EMPLOYEE, EXECUTIVE, OSM_STAFF
from tests import factories as f
from tests.accounts.security_fixtures import (  # noqa: F401  (fixtures)
    events,
    security_settings,
    token_client,
    web_login,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("security_settings")]
URL = "/api/v1/auth/sessions/"
START = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)


@pytest.fixture
def ada():
    return f.UserFactory(username="ada", roles=[EMPLOYEE])


def browser(user, address="192.0.2.1") -> Client:
    client = Client()
    assert web_login(client, user.username, address=address).status_code == 302
    return client


def session_row(client) -> UserSession:
    return UserSession.objects.get(session_key=client.session.session_key)


def test_one_list_of_sessions_then_tokens(ada):
    with time_machine.travel(START, tick=False):
        laptop = browser(ada, "192.0.2.1")
        older, _ = AuthToken.objects.create(user=ada, expiry=dt.timedelta(days=30))
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        newer, token = AuthToken.objects.create(user=ada, expiry=None)
        AuthToken.objects.create(user=f.UserFactory(username="bob"))  # not ada's
        response = token_client(token).get(URL)
    assert response.status_code == 200
    row = session_row(laptop)
    assert response.json() == [
        {
            "id": f"session-{row.pk}",
            "kind": "session",
            "created": "2026-11-27T09:00:00Z",
            "last_seen": "2026-11-27T09:00:00Z",
            "expiry": None,
            "address": "192.0.2.1",
            "browser": "Firefox on Linux",
            "method": "password",
            "current": False,
        },
        {
            "id": f"token-{newer.token_key}",
            "kind": "token",
            "created": "2026-11-27T10:00:00Z",
            "last_seen": None,
            "expiry": None,
            "address": None,
            "browser": "",
            "method": "token",
            "current": True,  # the token of this request
        },
        {
            "id": f"token-{older.token_key}",
            "kind": "token",
            "created": "2026-11-27T09:00:00Z",
            "last_seen": None,
            "expiry": "2026-12-27T09:00:00Z",
            "address": None,
            "browser": "",
            "method": "token",
            "current": False,
        },
    ]


def test_the_session_of_the_request_is_current(ada):
    laptop, phone = browser(ada), browser(ada, "192.0.2.2")
    listed = {row["id"]: row["current"] for row in laptop.get(URL).json()}
    assert listed == {
        f"session-{session_row(laptop).pk}": True,
        f"session-{session_row(phone).pk}": False,
    }


def test_ending_a_session_and_a_token(ada):
    laptop, phone = browser(ada), browser(ada, "192.0.2.2")
    row, token = AuthToken.objects.create(user=ada)
    other, other_token = AuthToken.objects.create(user=ada)
    api = token_client(token)
    assert api.delete(f"{URL}session-{session_row(phone).pk}/").status_code == 204
    assert phone.get("/accounts/security/").status_code == 302  # signed out
    assert laptop.get("/accounts/security/").status_code == 200
    assert api.delete(f"{URL}token-{other.token_key}/").status_code == 204
    assert token_client(other_token).get(URL).status_code == 401
    assert [e.target for e in events(AuditKind.SESSION_ENDED)] == [ada]
    assert [e.detail for e in events(AuditKind.TOKEN_REVOKED)] == [other.token_key[:8]]
    # Its own token too: this request's token stops working.
    assert api.delete(f"{URL}token-{row.token_key}/").status_code == 204
    assert api.get(URL).status_code == 401


def test_someone_elses_are_a_404_and_stay(ada):
    bob = f.UserFactory(username="bob", roles=[EXECUTIVE])
    bob_browser = browser(bob)
    bob_token, _ = AuthToken.objects.create(user=bob)
    api = token_client(AuthToken.objects.create(user=ada)[1])
    assert api.delete(f"{URL}session-{session_row(bob_browser).pk}/").status_code == 404
    assert api.delete(f"{URL}token-{bob_token.token_key}/").status_code == 404
    assert all(row["id"].startswith("token-") for row in api.get(URL).json())
    assert bob_browser.get("/accounts/security/").status_code == 200
    assert AuthToken.objects.filter(user=bob).exists()


@pytest.mark.parametrize("bad", ["session-abc", "token-", "nothing-1", "session-99999999"])
def test_an_unknown_id_is_a_404(ada, bad):
    api = token_client(AuthToken.objects.create(user=ada)[1])
    response = api.delete(f"{URL}{bad}/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_the_staff_list_and_end_anyones(ada):
    staff = f.UserFactory(username="staff", roles=[OSM_STAFF])
    ada_browser = browser(ada)
    row, token = AuthToken.objects.create(user=ada)
    api = APIClient()
    api.force_authenticate(staff)
    listed = api.get(URL, {"user": ada.pk}).json()
    assert [item["id"] for item in listed] == [
        f"session-{session_row(ada_browser).pk}",
        f"token-{row.token_key}",
    ]
    assert api.delete(f"{URL}token-{row.token_key}/?user={ada.pk}").status_code == 204
    assert (
        api.delete(f"{URL}session-{session_row(ada_browser).pk}/?user={ada.pk}").status_code == 204
    )
    assert not UserSession.objects.filter(user=ada).exists()
    assert token_client(token).get(URL).status_code == 401
    assert {(e.actor, e.target) for e in events(AuditKind.SESSION_ENDED)} == {(staff, ada)}
    # Without ?user, the staff's own (none): someone else's is a 404 as for anyone.
    assert api.get(URL).json() == []


def test_only_the_staff_name_another_user(ada):
    bob = f.UserFactory(username="bob", roles=[EXECUTIVE])
    row, _ = AuthToken.objects.create(user=bob)
    api = APIClient()
    api.force_authenticate(ada)
    assert api.get(URL, {"user": bob.pk}).status_code == 403
    assert api.delete(f"{URL}token-{row.token_key}/?user={bob.pk}").status_code == 403
    assert api.get(URL, {"user": ada.pk}).status_code == 200  # oneself: allowed
    assert AuthToken.objects.filter(user=bob).exists()


@pytest.mark.parametrize("bad", ["abc", "0", "-3", "1.5"])
def test_a_bad_user_parameter_is_a_400(ada, bad):
    api = APIClient()
    api.force_authenticate(ada)
    response = api.get(URL, {"user": bad})
    assert response.status_code == 400
    assert list(response.json()) == ["user"]


def test_an_unknown_user_is_a_404_for_the_staff():
    api = APIClient()
    api.force_authenticate(f.UserFactory(roles=[OSM_STAFF]))
    assert api.get(URL, {"user": 987654}).status_code == 404


def test_anonymous_is_a_401():
    assert APIClient().get(URL).status_code == 401
    assert APIClient().delete(f"{URL}session-1/").status_code == 401


def test_the_schema_describes_both(ada, client):
    client.force_login(ada)
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    listed = schema["paths"]["/api/v1/auth/sessions/"]["get"]
    ended = schema["paths"]["/api/v1/auth/sessions/{id}/"]["delete"]
    assert {p["name"] for p in listed["parameters"]} == {"user"}
    assert {p["name"] for p in ended["parameters"]} == {"id", "user"}
    assert set(ended["responses"]) == {"204", "400", "403", "404"}


def test_an_id_that_only_looks_like_digits_is_a_404_not_a_500(ada):
    """`"²".isdigit()` is true, `int("²")` fails (the security review of issue 18)."""
    client = browser(ada)
    assert client.delete(f"{URL}session-%C2%B2/").status_code == 404
    assert client.delete(f"{URL}session-%D9%A3/").status_code == 404  # an Arabic-Indic 3


def test_the_api_logout_revokes_the_token_and_keeps_the_browser_session(ada):
    """`POST auth/logout/` is a token's revocation (TOKEN_REVOKED), not a sign-out: the
    browser session whose cookie rides along stays listed and working."""
    client = browser(ada)
    row = session_row(client)
    instance, token = AuthToken.objects.create(user=ada)
    response = client.post("/api/v1/auth/logout/", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 204
    assert not AuthToken.objects.filter(pk=instance.pk).exists()
    assert UserSession.objects.filter(pk=row.pk).exists()
    assert client.get(URL).status_code == 200  # the session still signs in
    from accounts.models import AuditEvent

    revoked = AuditEvent.objects.get(kind=AuditKind.TOKEN_REVOKED)
    assert (revoked.target_id, revoked.detail) == (ada.pk, instance.token_key[:8])
    assert not AuditEvent.objects.filter(kind=AuditKind.LOGOUT).exists()
