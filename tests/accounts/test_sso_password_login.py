"""Password sign-in switched off (PASSWORD_LOGIN=0): refused for everyone but the
break-glass accounts, on the login page and for API tokens alike (accounts.backends)."""

import pytest
from django.contrib.auth import SESSION_KEY

from accounts.backends import PasswordBackend
from accounts.models import AuditEvent
from core.audit import AuditKind
from tests import factories as f
from tests.browser.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sso_backends")]


@pytest.fixture
def password_off(settings):
    settings.PASSWORD_LOGIN = False
    settings.BREAK_GLASS_USERNAMES = ["rescue"]
    settings.OIDC_ISSUER = "https://login.example.com"
    return settings


def _web_login(client, username):
    return client.post(
        "/accounts/login/", {"username": username, "password": PASSWORD, "next": "/reports/"}
    )


def test_a_normal_user_cannot_sign_in_with_a_password(client, password_off):
    f.UserFactory(username="pat")
    response = _web_login(client, "pat")
    assert response.status_code == 200  # the form again, with its error
    page = response.content.decode()
    assert "Please enter a correct username and password" in page
    assert "Password sign-in is kept for the break-glass accounts" in page
    assert SESSION_KEY not in client.session
    [failure] = AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED)
    assert failure.actor_name == "pat"


def test_the_break_glass_account_signs_in_with_its_password(client, password_off):
    rescue = f.UserFactory(username="rescue", is_superuser=True)
    response = _web_login(client, "rescue")
    assert response.status_code == 302
    assert response["Location"] == "/reports/"
    assert client.session[SESSION_KEY] == str(rescue.pk)
    [login] = AuditEvent.objects.filter(kind=AuditKind.LOGIN)
    assert (login.actor, login.detail) == (rescue, "password")


def test_api_tokens_follow_the_same_rule(client, password_off):
    f.UserFactory(username="pat")
    f.UserFactory(username="rescue")
    refused = client.post(
        "/api/v1/auth/token/",
        {"username": "pat", "password": PASSWORD},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "token" not in refused.json()
    given = client.post(
        "/api/v1/auth/token/",
        {"username": "rescue", "password": PASSWORD},
        content_type="application/json",
    )
    assert given.status_code == 200
    assert given.json()["token"]


def test_with_password_login_on_everyone_signs_in(client, settings):
    settings.PASSWORD_LOGIN = True
    settings.BREAK_GLASS_USERNAMES = []
    pat = f.UserFactory(username="pat")
    assert _web_login(client, "pat").status_code == 302
    assert client.session[SESSION_KEY] == str(pat.pk)


def test_the_backend_checks_the_username_given_by_keyword(password_off, rf):
    f.UserFactory(username="rescue")
    f.UserFactory(username="pat")
    backend = PasswordBackend()
    request = rf.post("/")
    assert backend.authenticate(request, username="pat", password=PASSWORD) is None
    assert backend.authenticate(request, username="rescue", password=PASSWORD).username == (
        "rescue"
    )


def test_a_refused_password_login_still_hashes_so_timing_does_not_tell_break_glass_names(
    password_off, monkeypatch
):
    """A name that is not break-glass is refused after the same hashing a real check does
    (the security review of issue 18)."""
    from django.contrib.auth import base_user

    hashed = []
    real = base_user.make_password
    monkeypatch.setattr(
        base_user, "make_password", lambda raw, *a, **k: hashed.append(raw) or real(raw, *a, **k)
    )
    f.UserFactory(username="normal")
    assert PasswordBackend().authenticate(None, username="normal", password="guess-1") is None
    assert hashed == ["guess-1"]
