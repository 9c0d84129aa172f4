"""Single sign-on in a real browser, through the test OpenID Connect provider on loopback
(tests/accounts/conftest.py): the button, the provider's login page, and back in OSM."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from accounts.models import AuditEvent
from core.audit import AuditKind
from core.roles import EXECUTIVE
from tests import factories as f
from tests.accounts.conftest import oidc_provider, sso, sso_backends  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider(sso, live_server):  # noqa: F811
    sso.allow_redirect(f"{live_server.url}/accounts/sso/callback/")
    return sso


def _sign_in_at_the_provider(page, username: str):
    page.get_by_role("link", name="Sign in with Test Provider").click()
    expect(page.get_by_role("heading", name="Test provider")).to_be_visible()
    page.get_by_label("Provider username").fill(username)
    page.get_by_label("Provider password").fill("provider-pw-1")
    page.get_by_role("button", name="Continue").click()


def test_a_person_signs_in_through_the_provider(visit, provider):
    provider.user(
        "nora", groups=["execs"], first_name="Nora", last_name="Nieminen", amr=["pwd", "mfa"]
    )
    employee = f.EmployeeFactory(email="nora@example.com", name="Nora Nieminen")
    page = visit.go("/accounts/login/?next=/notifications/")

    _sign_in_at_the_provider(page, "nora")

    page.wait_for_url(re.compile(r"/notifications/$"))
    expect(page.locator(".who")).to_have_text("Nora Nieminen")
    visit.screenshot("sso-signed-in")
    user = get_user_model().objects.get(username="nora")
    assert set(user.groups.values_list("name", flat=True)) == {EXECUTIVE}
    employee.refresh_from_db()
    assert employee.user == user
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN_SSO, actor=user).count() == 1


def test_a_token_signed_with_another_key_is_refused_in_the_browser(visit, provider):
    provider.user("olaf")
    provider.mode("other_key")
    page = visit.go("/accounts/login/")

    _sign_in_at_the_provider(page, "olaf")

    page.wait_for_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("status")).to_contain_text(
        "The sign-in provider's answer could not be verified"
    )
    expect(page.locator(".who")).to_have_count(0)  # nobody signed in
    assert not get_user_model().objects.filter(username="olaf").exists()
