"""API v1 authentication: hashed expiring tokens, logout, throttled login, the schema's
assets."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.roles import EXECUTIVE
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "pw-long-enough-1"


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()  # throttle counts live in the cache
    yield
    cache.clear()


@pytest.fixture
def user():
    return f.UserFactory(username="ada", roles=[EXECUTIVE])


def token_for(client, username="ada", password=PASSWORD):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_token_with_good_credentials(user):
    response = token_for(APIClient())
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) >= 40
    stored = AuthToken.objects.get(user=user)
    assert token not in (stored.digest, stored.token_key)  # only a hash and a prefix kept
    # expires in 30 days (the API_TOKEN_DAYS default), give or take the test's run time
    assert abs(stored.expiry - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "ada", "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "ada"},
        {},
    ],
)
def test_no_token_for_bad_credentials(user, payload):
    response = APIClient().post("/api/v1/auth/token/", payload, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert not AuthToken.objects.exists()


def test_the_token_authenticates_and_logout_revokes_it(user):
    client = APIClient()
    token = token_for(client).json()["token"]
    assert client.get("/api/v1/units/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/units/").status_code == 200
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/units/").status_code == 401


def test_an_expired_token_is_refused(user):
    client = APIClient()
    token = token_for(client).json()["token"]
    AuthToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/units/").status_code == 401


def test_login_is_throttled_per_user_and_address(user, settings):
    settings.AXES_ENABLED = False  # the lockout after 5 failures is tested in test_lockout
    client = APIClient()
    codes = [token_for(client, password="wrong").status_code for _ in range(10)]
    assert codes == [400] * 10
    assert token_for(client).status_code == 429  # the 11th try in the minute, even right
    other_address = APIClient(REMOTE_ADDR="10.9.9.9")
    # the user's budget of tries is spent whatever the address
    assert token_for(other_address).status_code == 429


def test_schema_and_docs_use_local_assets(user):
    # Signed in: the schema is not public (API_SCHEMA_PUBLIC; tests/accounts/test_schema_access.py).
    client = APIClient()
    client.force_login(user)
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/units/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    assert "/static/drf_spectacular_sidecar/" in html
