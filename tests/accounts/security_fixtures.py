"""What the tests of sessions, API tokens, passwords and the lockout share: the set-up they
run under (added here where osm/settings/base.py does not have it yet: the session index's
middleware, the password hook, django-axes' per-attempt expiry), signing in from an
address, and counting the audit log's entries."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import AuditEvent

SESSION_MIDDLEWARE = "accounts.session_middleware.SessionIndexMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
PASSWORD_HOOK = {"NAME": "accounts.password_hooks.EndAccessOnPasswordChange"}
PASSWORD = "pw-long-enough-1"
NEW_PASSWORD = "a-fresh-passphrase-42"


@pytest.fixture
def security_settings(settings):
    """The set-up of issue 18's sign-in fixes; the second factor is not required here (its
    own tests are tests/accounts/test_mfa*.py)."""
    if SESSION_MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(middleware.index(AUTH_MIDDLEWARE) + 1, SESSION_MIDDLEWARE)
        settings.MIDDLEWARE = middleware
    if PASSWORD_HOOK not in settings.AUTH_PASSWORD_VALIDATORS:
        settings.AUTH_PASSWORD_VALIDATORS = [*settings.AUTH_PASSWORD_VALIDATORS, PASSWORD_HOOK]
    settings.AXES_USE_ATTEMPT_EXPIRATION = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_LOCKOUT_MINUTES = 15
    settings.NUM_PROXIES = 0
    settings.OTP_REQUIRED_FOR = "none"
    settings.PASSWORD_LOGIN = True
    cache.clear()  # lockout counts, throttles and reset limits live in the cache
    yield settings
    cache.clear()


def web_login(client, username, password=PASSWORD, address="10.0.0.1", **headers):
    """Sign in through the login page from `address`."""
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=headers.pop(
            "agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
        ),
        **headers,
    )


def token_login(username, password=PASSWORD, address="10.0.0.1", **headers):
    """`POST auth/token/` from `address`: the response."""
    api = APIClient(REMOTE_ADDR=address, **headers)
    return api.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def events(kind) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("at", "id"))
