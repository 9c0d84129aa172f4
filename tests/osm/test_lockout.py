"""Login protection (django-axes): repeated failed logins for a username from one address
lock that pair out of the web and the API, with a clear message, until the lock lifts or
staff unlock. The rules in full (proxies, progressive lockouts): tests/accounts/
test_lockout.py."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.cache import cache
from rest_framework.test import APIClient

from core.roles import EXECUTIVE, OSM_STAFF
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "pw-long-enough-1"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_LOCKOUT_MINUTES = 15  # the first lockout (accounts/lockout.py)
    settings.AXES_USE_ATTEMPT_EXPIRATION = True
    cache.clear()  # the API's throttle counts live in the cache
    yield
    cache.clear()


@pytest.fixture
def ada():
    return f.UserFactory(username="ada", roles=[EXECUTIVE])


def web_login(client, username="ada", password=PASSWORD, address="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password},
        REMOTE_ADDR=address,
    )  # fmt: skip


def test_five_failures_lock_the_user_out_of_the_web_from_that_address(client, ada):
    for _ in range(4):
        response = web_login(client, password="wrong")
        assert response.status_code == 200  # the form again, with its error
    assert web_login(client, password="wrong").status_code == 429  # the fifth locks
    response = web_login(client)  # the right password, too late
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # From another address the user signs in: an attacker cannot lock him or her out.
    assert web_login(client, address="10.0.0.2").status_code == 302


def test_failures_with_many_usernames_lock_no_one_out_of_the_address(client, ada):
    f.UserFactory(username="bob")
    for name in ("x1", "x2", "x3", "x4", "x5"):  # five different (unknown) usernames
        web_login(client, username=name, password="wrong", address="10.6.6.6")
    # Everyone behind that address (the company's proxy) still signs in.
    assert web_login(client, username="bob", address="10.6.6.6").status_code == 302


def test_the_lock_lifts_by_itself(client, ada):
    start = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            web_login(client, password="wrong")
        assert web_login(client).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert web_login(client).status_code == 302


def test_the_api_says_so_with_a_429(ada):
    api = APIClient(REMOTE_ADDR="10.0.0.3")
    url = "/api/v1/auth/token/"
    codes = [
        api.post(url, {"username": "ada", "password": "x"}, format="json").status_code
        for _ in range(5)
    ]
    assert codes == [400, 400, 400, 400, 429]  # the fifth failure locks
    response = api.post(url, {"username": "ada", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert "Too many failed logins" in response.json()["detail"]
    assert "15 minutes" in response.json()["detail"]


def test_a_success_resets_the_count(client, ada):
    for _ in range(4):
        web_login(client, password="wrong")
    assert web_login(client).status_code == 302
    client.logout()
    for _ in range(4):
        web_login(client, password="wrong")
    assert web_login(client).status_code == 302  # 4 + 4 failures, but never 5 in a row


def test_osm_staff_unlock_in_the_admin(client, ada):
    for _ in range(5):
        web_login(client, password="wrong")
    assert web_login(client).status_code == 429
    attempt = AccessAttempt.objects.get(username="ada")
    staff = f.UserFactory(roles=[OSM_STAFF], is_staff=True)
    admin = type(client)()
    admin.force_login(staff)
    assert admin.get("/admin/axes/accessattempt/").status_code == 200
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="ada").exists()
    assert web_login(client).status_code == 302
