"""The Security page (issue 18, item 6): everyone signed in sees their own sessions and API
tokens and ends any of them; makes a token, shown once; ends all other sessions; OSM staff
see and end anyone's on the person's own Security page. Every ending is audited."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import UserSession
from core.audit import AuditKind
from core.roles import EMPLOYEE, EXECUTIVE, OSM_STAFF, UNIT_HEAD
from tests import factories as f
from tests.accounts.security_fixtures import (  # noqa: F401  (fixtures)
    events,
    security_settings,
    token_client,
    web_login,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("security_settings")]
PAGE = "/accounts/security/"


@pytest.fixture
def ada():
    return f.UserFactory(username="ada", first_name="Ada", last_name="Lovelace", roles=[EMPLOYEE])


@pytest.fixture
def staff():
    return f.UserFactory(username="staff", roles=[OSM_STAFF])


def signed_in(user, address="10.0.0.1") -> Client:
    client = Client()
    assert web_login(client, user.username, address=address).status_code == 302
    return client


def row_of(client) -> UserSession:
    return UserSession.objects.get(session_key=client.session.session_key)


def is_signed_in(client) -> bool:
    return client.get(PAGE).status_code == 200


def test_the_page_lists_ones_sessions_and_tokens(ada):
    here, phone = signed_in(ada, "192.0.2.1"), signed_in(ada, "192.0.2.2")
    token_row, _token = AuthToken.objects.create(user=ada)
    f.UserFactory(username="bob")
    AuthToken.objects.create(user=f.UserFactory(username="carol"))  # someone else's
    response = here.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Security</h1>" in html
    assert "192.0.2.1" in html and "192.0.2.2" in html
    assert html.count("this session") == 1
    assert "Firefox on Linux" in html
    assert f"<code>{token_row.token_key[:8]}…</code>" in html
    assert len(re.findall(r"<code>[^<]+…</code>", html)) == 1  # not carol's
    assert 'href="/accounts/password_change/"' in html
    assert "/accounts/two-factor/" in html or 'href="/accounts/mfa' in html
    assert f"/accounts/security/sessions/{row_of(phone).pk}/end/" in html
    assert f"/accounts/security/sessions/{row_of(here).pk}/end/" not in html  # log out instead
    assert "End all other sessions" in html


def test_a_user_with_no_role_has_the_page_too(client):
    nobody = f.UserFactory(username="nobody")
    assert signed_in(nobody).get(PAGE).status_code == 200


def test_anonymous_is_sent_to_log_in(client, ada):
    session = signed_in(ada)
    token_row, _token = AuthToken.objects.create(user=ada)
    for url in (
        PAGE,
        f"/accounts/security/{ada.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for url in (
        f"/accounts/security/sessions/{row_of(session).pk}/end/",
        "/accounts/security/sessions/end-others/",
        "/accounts/security/tokens/new/",
        f"/accounts/security/tokens/{token_row.token_key}/revoke/",
        f"/accounts/security/{ada.pk}/end-all/",
    ):
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert UserSession.objects.count() == 1 and AuthToken.objects.count() == 1


def test_the_actions_take_only_a_post(ada):
    here = signed_in(ada)
    for url in (
        f"/accounts/security/sessions/{row_of(here).pk}/end/",
        "/accounts/security/sessions/end-others/",
        "/accounts/security/tokens/new/",
    ):
        assert here.get(url).status_code == 405


def test_ending_another_session_signs_that_browser_out(ada):
    here, phone = signed_in(ada), signed_in(ada, "192.0.2.2")
    phone_row = row_of(phone)
    response = here.post(f"/accounts/security/sessions/{phone_row.pk}/end/")
    assert response.status_code == 302 and response["Location"] == PAGE
    assert not UserSession.objects.filter(pk=phone_row.pk).exists()
    assert not is_signed_in(phone)
    assert is_signed_in(here)
    (event,) = events(AuditKind.SESSION_ENDED)
    assert (event.actor, event.target, event.address) == (ada, ada, "127.0.0.1")


def test_ending_this_session_is_logging_out(ada):
    here = signed_in(ada)
    response = here.post(f"/accounts/security/sessions/{row_of(here).pk}/end/")
    assert response.status_code == 302
    assert not UserSession.objects.exists()
    assert not is_signed_in(here)
    assert len(events(AuditKind.LOGOUT)) == 1


def test_no_one_ends_someone_elses_session_or_token_but_the_staff(ada):
    bob = f.UserFactory(username="bob", roles=[UNIT_HEAD, EXECUTIVE])
    ada_browser = signed_in(ada)
    ada_token, token = AuthToken.objects.create(user=ada)
    bob_browser = signed_in(bob)
    assert (
        bob_browser.post(f"/accounts/security/sessions/{row_of(ada_browser).pk}/end/").status_code
        == 404
    )
    assert (
        bob_browser.post(f"/accounts/security/tokens/{ada_token.token_key}/revoke/").status_code
        == 404
    )
    assert bob_browser.post(f"/accounts/security/{ada.pk}/end-all/").status_code == 403
    assert bob_browser.get(f"/accounts/security/{ada.pk}/").status_code == 403
    assert is_signed_in(ada_browser)
    assert token_client(token).get("/api/v1/auth/sessions/").status_code == 200
    assert events(AuditKind.SESSION_ENDED) == events(AuditKind.TOKEN_REVOKED) == []


def test_ending_every_other_session(ada):
    here = signed_in(ada)
    others = [signed_in(ada, f"192.0.2.{n}") for n in (2, 3)]
    bob_browser = signed_in(f.UserFactory(username="bob"))
    _row, token = AuthToken.objects.create(user=ada)
    response = here.post("/accounts/security/sessions/end-others/")
    assert response.status_code == 302
    assert is_signed_in(here) and is_signed_in(bob_browser)
    assert not any(is_signed_in(other) for other in others)
    assert list(UserSession.objects.filter(user=ada)) == [row_of(here)]
    assert token_client(token).get("/api/v1/auth/sessions/").status_code == 200  # tokens stay
    assert len(events(AuditKind.SESSION_ENDED)) == 2


def test_revoking_a_token(ada):
    here = signed_in(ada)
    row, token = AuthToken.objects.create(user=ada)
    api = token_client(token)
    assert api.get("/api/v1/auth/sessions/").status_code == 200
    response = here.post(f"/accounts/security/tokens/{row.token_key}/revoke/")
    assert response.status_code == 302 and response["Location"] == PAGE
    assert api.get("/api/v1/auth/sessions/").status_code == 401
    (event,) = events(AuditKind.TOKEN_REVOKED)
    assert (event.target, event.detail) == (ada, row.token_key[:8])


def test_making_a_token_shows_it_once(ada):
    here = signed_in(ada)
    before = timezone.now()
    response = here.post("/accounts/security/tokens/new/", {"days": "7"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = re.search(r'id="new-token" type="text" value="([^"]+)"', response.content.decode())[1]
    row = AuthToken.objects.get(user=ada)
    assert token.startswith(row.token_key) and token != row.digest
    assert abs(row.expiry - (before + dt.timedelta(days=7))) < dt.timedelta(minutes=1)
    assert token_client(token).get("/api/v1/auth/sessions/").status_code == 200
    assert token not in here.get(PAGE).content.decode()  # never shown again
    (event,) = events(AuditKind.TOKEN_CREATED)
    assert (event.actor, event.target, event.detail) == (ada, ada, row.token_key[:8])


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("31", "Ensure this value is less than or equal to 30."),
        ("a week", "Enter a whole number."),
        ("", "This field is required."),
    ],
)
def test_a_bad_lifetime_makes_no_token(ada, days, message):
    response = signed_in(ada).post("/accounts/security/tokens/new/", {"days": days})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuthToken.objects.exists()
    assert events(AuditKind.TOKEN_CREATED) == []


# The OSM staff ---------------------------------------------------------------------------


def test_the_staff_see_someones_sessions_and_tokens(ada, staff):
    signed_in(ada, "192.0.2.44")
    row, _token = AuthToken.objects.create(user=ada)
    response = signed_in(staff).get(f"/accounts/security/{ada.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sessions and API tokens of Ada Lovelace" in html
    assert "192.0.2.44" in html and f"{row.token_key[:8]}…" in html
    assert "this session" not in html  # none of them is the staff's own
    assert "/accounts/security/tokens/new/" not in html  # nobody makes a token for another


def test_the_staff_end_someones_session_and_token(ada, staff):
    ada_browser = signed_in(ada)
    row, token = AuthToken.objects.create(user=ada)
    desk = signed_in(staff)
    page = f"/accounts/security/{ada.pk}/"
    response = desk.post(f"/accounts/security/sessions/{row_of(ada_browser).pk}/end/")
    assert response.status_code == 302 and response["Location"] == page
    response = desk.post(f"/accounts/security/tokens/{row.token_key}/revoke/")
    assert response.status_code == 302 and response["Location"] == page
    assert not is_signed_in(ada_browser)
    assert token_client(token).get("/api/v1/auth/sessions/").status_code == 401
    ended, revoked = events(AuditKind.SESSION_ENDED), events(AuditKind.TOKEN_REVOKED)
    assert [(e.actor, e.target) for e in ended + revoked] == [(staff, ada), (staff, ada)]


def test_the_staff_end_everything_of_someone(ada, staff):
    browsers = [signed_in(ada), signed_in(ada, "192.0.2.2")]
    tokens = [AuthToken.objects.create(user=ada)[1] for _ in range(2)]
    desk = signed_in(staff)
    assert desk.post(f"/accounts/security/{ada.pk}/end-all/").status_code == 302
    assert not any(is_signed_in(browser) for browser in browsers)
    assert all(token_client(t).get("/api/v1/auth/sessions/").status_code == 401 for t in tokens)
    assert is_signed_in(desk)
    assert len(events(AuditKind.SESSION_ENDED)) == 2
    assert len(events(AuditKind.TOKEN_REVOKED)) == 2


def test_the_staffs_own_page_is_the_security_page(staff):
    desk = signed_in(staff)
    response = desk.get(f"/accounts/security/{staff.pk}/")
    assert response.status_code == 302 and response["Location"] == PAGE


def test_an_unknown_user_is_a_404_for_the_staff(staff):
    assert signed_in(staff).get("/accounts/security/999999/").status_code == 404


def test_the_page_asks_the_same_number_of_queries_whatever_it_lists(ada):
    here = signed_in(ada)

    def queries() -> int:
        here.get(PAGE)  # warm up (the session's last-seen write, caches)
        with CaptureQueriesContext(connection) as captured:
            assert here.get(PAGE).status_code == 200
        return len(captured)

    few = queries()
    for n in range(5):
        signed_in(ada, f"192.0.2.{n + 10}")
        AuthToken.objects.create(user=ada)
    assert queries() == few
