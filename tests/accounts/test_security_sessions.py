"""Each web sign-in indexes its session (accounts.UserSession) for the Security page: how,
from where, with which browser; the middleware keeps its key and last-seen time in step,
writing at most once every five minutes; signing out forgets it. API token logins have no
session."""

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts.constants import SIGN_IN_METHOD_SESSION_KEY
from accounts.models import UserSession
from accounts.selectors.sessions import describe_browser
from accounts.services.sessions import session_track
from core.roles import EMPLOYEE
from tests import factories as f
from tests.accounts.security_fixtures import (  # noqa: F401  (fixtures)
    security_settings,
    token_login,
    web_login,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("security_settings")]
START = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def ada():
    return f.UserFactory(username="ada", roles=[EMPLOYEE])


def updates_of_the_index(queries) -> int:
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "accounts_usersession" in q["sql"]
    )


def test_signing_in_indexes_the_session(client, ada):
    with time_machine.travel(START, tick=False):
        assert web_login(client, "ada", address="192.0.2.7").status_code == 302
    row = UserSession.objects.get()
    assert row.user == ada
    assert row.session_key == client.session.session_key
    assert (row.method, row.address, row.user_agent) == ("password", "192.0.2.7", FIREFOX)
    assert row.created_at == row.last_seen == START


def test_the_address_is_the_client_behind_the_proxy(client, ada, settings):
    settings.NUM_PROXIES = 1
    web_login(client, "ada", address="10.0.0.254", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.8")
    assert UserSession.objects.get().address == "192.0.2.8"


def test_last_seen_is_written_at_most_every_five_minutes_in_one_update(client, ada):
    with time_machine.travel(START, tick=False):
        web_login(client, "ada")
    with time_machine.travel(START + dt.timedelta(minutes=4), tick=False):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/accounts/security/").status_code == 200
        assert updates_of_the_index(queries) == 0
    assert UserSession.objects.get().last_seen == START
    later = START + dt.timedelta(minutes=6)
    with time_machine.travel(later, tick=False):
        with CaptureQueriesContext(connection) as queries:
            client.get("/accounts/security/")
        assert updates_of_the_index(queries) == 1
        with CaptureQueriesContext(connection) as queries:
            client.get("/accounts/security/")
        assert updates_of_the_index(queries) == 0  # written a moment ago
    assert UserSession.objects.get().last_seen == later


def test_signing_out_forgets_the_session(client, ada):
    web_login(client, "ada")
    assert UserSession.objects.count() == 1
    assert client.post("/accounts/logout/").status_code == 302
    assert not UserSession.objects.exists()


def test_a_new_key_for_the_session_moves_its_row(client, ada):
    """Django gives a session a new key when its password changes in it (and when a
    rotated secret is accepted): the row follows, keeping when and how it signed in."""
    with time_machine.travel(START, tick=False):
        web_login(client, "ada")
    old_key = client.session.session_key
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "pw-long-enough-1",
            "new_password1": "a-fresh-passphrase-42",
            "new_password2": "a-fresh-passphrase-42",
        },
    )
    assert response.status_code == 302
    row = UserSession.objects.get()
    assert row.session_key == client.session.session_key != old_key
    assert row.created_at == START


def test_signing_in_again_over_another_users_session(client, ada):
    bob = f.UserFactory(username="bob")
    web_login(client, "bob")
    web_login(client, "ada")  # login() flushes bob's session: a new one for ada
    (row,) = UserSession.objects.all()
    assert (row.user, row.session_key) == (ada, client.session.session_key)
    assert not UserSession.objects.filter(user=bob).exists()


def test_a_session_signed_in_before_the_index_gets_a_row(client, ada):
    with time_machine.travel(START, tick=False):
        web_login(client, "ada")
    UserSession.objects.all().delete()  # as sessions from before the index was made
    with time_machine.travel(START + dt.timedelta(minutes=6), tick=False):
        client.get("/accounts/security/", HTTP_USER_AGENT=FIREFOX)
    row = UserSession.objects.get()
    assert (row.user, row.session_key) == (ada, client.session.session_key)


def test_an_api_token_login_has_no_session(ada):
    assert token_login("ada").status_code == 200
    assert not UserSession.objects.exists()


def test_single_sign_on_says_so(ada):
    request = RequestFactory().get("/accounts/sso/callback/", REMOTE_ADDR="192.0.2.9")
    request.session = SessionStore()
    request.session[SIGN_IN_METHOD_SESSION_KEY] = "sso"
    row = session_track(request=request, user=ada, method="password")
    assert (row.method, row.address, row.user_agent) == ("sso", "192.0.2.9", "")
    assert row.session_key == request.session.session_key


def test_an_address_that_is_not_one_is_not_stored(ada, settings):
    settings.NUM_PROXIES = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="unknown")
    request.session = SessionStore()
    assert session_track(request=request, user=ada).address is None


@pytest.mark.parametrize(
    ("agent", "shown"),
    [
        (FIREFOX, "Firefox on Linux"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/130.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "curl"),
        ("", ""),
    ],
)
def test_the_browser_in_words(agent, shown):
    assert describe_browser(agent) == shown
