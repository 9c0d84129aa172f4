"""Single sign-on after the security review: no automatic link to a powerful account or
by an address the provider did not verify; a callback no sign-in of this browser began
neither signs anyone out nor floods the audit log; only `mfa` counts as a second factor
unless configured otherwise."""

import socket
import time

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client

from accounts import sso_views
from accounts.models import AuditEvent, SSOIdentity
from accounts.sso import CLIENT_NAME, SSORefused, mfa_asserted, user_sign_in
from core.audit import AuditKind
from tests import factories as f
from tests.accounts.conftest import sign_in

pytestmark = pytest.mark.django_db
User = get_user_model()

CANNOT_LINK = "This OSM account cannot be linked to single sign-on automatically; ask OSM staff."
NOT_CONFIRMED = (
    "The sign-in provider has not confirmed your e-mail address, so OSM cannot link it to "
    "your OSM account; ask OSM staff."
)
STATE = "state: unknown, already used or expired"
STATE_MESSAGE = (
    "This sign-in answer is not valid any more: it was already used, or the sign-in began "
    "in another browser. Please sign in again."
)
CALLBACK = "/accounts/sso/callback/"
# Addresses of the documentation ranges (RFC 5737): no test elsewhere counts them.
STRANGER, OTHER = "203.0.113.7", "198.51.100.8"


@pytest.fixture(autouse=True)
def _refusals_uncounted():
    for address in ("127.0.0.1", STRANGER, OTHER):
        cache.delete(sso_views.failures_key(address))


def claims(**extra) -> dict:
    return {
        "iss": "https://idp.example",
        "sub": "s-1",
        "preferred_username": "kim",
        "email": "kim@example.com",
        "given_name": "Kim",
        "family_name": "Kowalski",
        **extra,
    }


def failures() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditKind.SSO_FAILED).order_by("pk"))


def shown(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# 1. Linking an existing account by address ---------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "what"),
    [
        ({"is_superuser": True}, "a superuser"),
        ({}, "a break-glass account"),
    ],
)
def test_a_powerful_account_is_never_linked_automatically(settings, fields, what):
    settings.BREAK_GLASS_USERNAMES = ["osm-rescue"]
    local = f.UserFactory(
        username="osm-rescue", email="Kim@Example.com", first_name="Local", **fields
    )

    with pytest.raises(SSORefused) as refusal:
        user_sign_in(claims=claims(email_verified=True))

    assert refusal.value.message == CANNOT_LINK
    assert refusal.value.reason == (
        f"the address kim@example.com belongs to osm-rescue, {what}: not linked to single "
        "sign-on automatically"
    )
    assert not SSOIdentity.objects.exists()
    local.refresh_from_db()
    assert (local.first_name, local.email) == ("Local", "Kim@example.com")  # untouched
    assert User.objects.count() == 1


def test_an_account_with_the_admins_access_is_linked_only_with_a_verified_address(settings):
    """is_staff (the admin) needs the provider's word that it verified the address, even
    where unverified addresses are trusted for everyone else."""
    settings.OIDC_LINK_UNVERIFIED_EMAIL = True
    local = f.UserFactory(username="kim-local", email="kim@example.com", is_staff=True)
    with pytest.raises(SSORefused) as refusal:
        user_sign_in(claims=claims())  # no email_verified
    assert refusal.value.message == NOT_CONFIRMED
    assert user_sign_in(claims=claims(email_verified=True)).pk == local.pk


def test_an_ordinary_account_is_linked_without_the_claim_where_the_setting_trusts_it(settings):
    """Microsoft Entra ID sends no email_verified: OIDC_LINK_UNVERIFIED_EMAIL links all the
    same; a claim that says false is refused whatever the setting."""
    settings.OIDC_LINK_UNVERIFIED_EMAIL = True
    local = f.UserFactory(username="kim-local", email="kim@example.com")
    with pytest.raises(SSORefused):
        user_sign_in(claims=claims(email_verified=False))
    assert not SSOIdentity.objects.exists()
    assert user_sign_in(claims=claims()).pk == local.pk
    assert SSOIdentity.objects.get().user == local


def test_a_break_glass_name_is_matched_whatever_its_case(settings):
    settings.BREAK_GLASS_USERNAMES = ["OSM-Rescue"]
    f.UserFactory(username="osm-rescue", email="kim@example.com")
    with pytest.raises(SSORefused) as refusal:
        user_sign_in(claims=claims(email_verified="true"))
    assert refusal.value.message == CANNOT_LINK


@pytest.mark.parametrize("verified", [True, "true", "TRUE", "True"])
def test_an_ordinary_account_is_linked_when_the_provider_verified_the_address(verified):
    local = f.UserFactory(username="kim-local", email="kim@example.com")

    user = user_sign_in(claims=claims(email_verified=verified))

    assert user.pk == local.pk
    identity = SSOIdentity.objects.get()
    assert (identity.user, identity.issuer, identity.subject) == (
        local,
        "https://idp.example",
        "s-1",
    )


@pytest.mark.parametrize("claim", [{}, {"email_verified": None}])
def test_an_existing_account_is_not_linked_without_a_verified_address(claim):
    f.UserFactory(username="kim-local", email="kim@example.com")
    with pytest.raises(SSORefused) as refusal:
        user_sign_in(claims=claims(**claim))
    assert refusal.value.message == NOT_CONFIRMED
    assert refusal.value.reason == (
        "the address kim@example.com belongs to kim-local; the provider did not say it "
        "verified the address (email_verified), so it is not linked"
    )
    assert not SSOIdentity.objects.exists()


def test_without_the_claim_a_new_account_is_still_created():
    # Microsoft Entra ID sends no email_verified: no one has the address, so no one is
    # taken over.
    user = user_sign_in(claims=claims())
    assert (user.username, user.email) == ("kim", "kim@example.com")
    assert SSOIdentity.objects.get().user == user


@pytest.mark.parametrize("verified", [False, "false", "FALSE", "no", 0, ""])
def test_an_address_said_not_verified_is_refused_even_for_a_new_account(verified):
    with pytest.raises(SSORefused) as refusal:
        user_sign_in(claims=claims(email_verified=verified))
    assert refusal.value.reason == "e-mail address kim@example.com not verified by the provider"
    assert not User.objects.exists()


def test_a_powerful_account_is_refused_at_the_callback(client, sso):
    # The whole way: the test provider sends email_verified: true.
    f.UserFactory(username="root", email="rita@example.com", is_superuser=True)
    sso.user("rita")

    response = client.get(sign_in(client, sso, "rita"))

    assert response["Location"] == "/accounts/login/"
    assert shown(response) == [CANNOT_LINK]
    assert SESSION_KEY not in client.session
    [failure] = failures()
    assert failure.detail == (
        "the address rita@example.com belongs to root, a superuser: not linked to single "
        "sign-on automatically"
    )
    assert not User.objects.filter(username="rita").exists()


# 2. The callback as anyone can make a browser open it ---------------------------------------


def _unreachable(settings) -> None:
    # Nothing listens there: asking the provider would be refused as "provider unreachable".
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.OIDC_ISSUER = f"http://127.0.0.1:{port}/o"


def _keep_state(client, state: str) -> None:
    """Make the session keep `state` as Authlib does when sending the browser away."""
    session = client.session
    session[f"_state_{CLIENT_NAME}_{state}"] = {
        "data": {"redirect_uri": "http://testserver/accounts/sso/callback/", "nonce": "n"},
        "exp": time.time() + 3600,
    }
    session[sso_views.NEXT_SESSION_KEY] = "/reports/"
    session.save()


@pytest.mark.parametrize("query", [{}, {"code": "abc"}, {"code": "abc", "state": "forged"}])
def test_a_callback_no_sign_in_began_leaves_a_signed_in_user_signed_in(client, settings, query):
    _unreachable(settings)
    user = f.UserFactory()
    client.force_login(user)
    _keep_state(client, "mine")  # a sign-in under way: another state does not match it

    response = client.get(CALLBACK, query)

    assert response["Location"] == "/accounts/login/"
    assert shown(response) == [STATE_MESSAGE]
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session[sso_views.NEXT_SESSION_KEY] == "/reports/"  # the sign-in under way
    assert client.get("/notifications/").wsgi_request.user == user
    assert [e.detail for e in failures()] == [STATE]  # the provider was not asked
    assert not AuditEvent.objects.filter(kind=AuditKind.LOGOUT).exists()


def test_a_provider_error_without_this_sessions_state_signs_no_one_out(client, settings):
    _unreachable(settings)
    user = f.UserFactory()
    client.force_login(user)
    response = client.get(CALLBACK, {"error": "access_denied"})
    assert shown(response) == [STATE_MESSAGE]
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_refusal_after_a_sign_in_this_browser_began_ends_the_session(client, settings):
    _unreachable(settings)
    client.force_login(f.UserFactory())
    _keep_state(client, "mine")

    response = client.get(CALLBACK, {"code": "abc", "state": "mine"})

    assert response["Location"] == "/accounts/login/"
    assert shown(response) == ["The sign-in provider could not be reached. Please try again later."]
    assert SESSION_KEY not in client.session
    assert sso_views.NEXT_SESSION_KEY not in client.session
    [failure] = failures()
    assert failure.detail.startswith("provider unreachable:")


def test_a_refused_start_leaves_a_signed_in_user_signed_in(client, settings):
    _unreachable(settings)
    user = f.UserFactory()
    client.force_login(user)
    _keep_state(client, "earlier")  # an earlier start's target is not kept either

    response = client.get("/accounts/sso/login/", {"next": "/notifications/"})

    assert shown(response) == ["The sign-in provider could not be reached. Please try again later."]
    assert client.session[SESSION_KEY] == str(user.pk)
    assert sso_views.NEXT_SESSION_KEY not in client.session


def test_the_21st_refusal_from_an_address_in_an_hour_writes_no_audit_entry(settings):
    _unreachable(settings)
    for _number in range(20):  # a loop without cookies: a new session each time
        Client().get(CALLBACK, REMOTE_ADDR=STRANGER)
    assert len(failures()) == 20

    client = Client()
    response = client.get(CALLBACK, REMOTE_ADDR=STRANGER)

    assert response["Location"] == "/accounts/login/"
    assert shown(response) == [STATE_MESSAGE]  # refused all the same
    assert len(failures()) == 20
    assert {e.address for e in failures()} == {STRANGER}
    # Another address has its own count...
    client.get(CALLBACK, REMOTE_ADDR=OTHER)
    assert failures()[-1].address == OTHER
    # ...and the next window starts again (the count's cache entry expires after an hour).
    cache.delete(sso_views.failures_key(STRANGER))
    client.get(CALLBACK, REMOTE_ADDR=STRANGER)
    assert len(failures()) == 22


def test_the_count_is_by_the_address_behind_the_proxy(client, settings):
    _unreachable(settings)
    settings.NUM_PROXIES = 1
    for _number in range(21):
        client.get(CALLBACK, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=STRANGER)
    client.get(CALLBACK, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=OTHER)
    assert [e.address for e in failures()] == [STRANGER] * 20 + [OTHER]


def test_the_window_is_an_hour_and_the_limit_twenty():
    assert (sso_views.FAILURES_AUDITED_PER_ADDRESS, sso_views.FAILURES_WINDOW) == (20, 3600)


# 3. Which `amr` counts as a second factor ---------------------------------------------------


@pytest.mark.parametrize(
    ("amr", "expected"),
    [
        (["pwd", "mfa"], True),
        (["mfa"], True),
        (["otp"], False),  # a one-time password may be the only factor
        (["hwk"], False),  # a passkey alone
        (["pwd", "swk"], False),
        (["fpt"], False),
        (["sc"], False),
    ],
)
def test_only_mfa_counts_when_configured_as_the_review_asks(settings, amr, expected):
    settings.OIDC_TRUST_PROVIDER_MFA = True
    settings.OIDC_MFA_AMR = ["mfa"]  # the default asked for in osm/settings/base.py
    assert mfa_asserted({"amr": amr}) is expected


def test_another_method_counts_once_configured(settings):
    settings.OIDC_TRUST_PROVIDER_MFA = True
    settings.OIDC_MFA_AMR = ["mfa", "hwk"]
    assert mfa_asserted({"amr": ["hwk"]}) is True
