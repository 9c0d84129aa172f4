"""Single sign-on against a real OpenID Connect provider on loopback (tests/accounts/
provider/, started by the `oidc_provider` fixture): OSM's test client on one side, the
provider reached over HTTP with `requests` on the other (its login page, its authorization
redirect, its token endpoint and published keys)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts import sso_views
from accounts.constants import MFA_BY_PROVIDER_SESSION_KEY, SIGN_IN_METHOD_SESSION_KEY
from accounts.models import AuditEvent
from core.audit import AuditKind
from core.roles import EXECUTIVE, MEASURE_OWNER, OSM_STAFF
from tests import factories as f
from tests.accounts.conftest import sign_in

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _refusals_uncounted():
    """Each test starts with no SSO refusals counted for the test client's address."""
    cache.delete(sso_views.failures_key("127.0.0.1"))


def roles(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def entries(kind) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("pk"))


def shown(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_first_sign_in_creates_the_user_with_roles_and_links_the_employee(client, sso):
    sso.user(
        "alice",
        groups=["osm-staff", "unmapped-group"],
        email="Alice.Archer@Example.com",
        first_name="Alice",
        last_name="Archer",
    )
    employee = f.EmployeeFactory(email="alice.archer@example.com", name="Alice Archer")

    response = client.get(sign_in(client, sso, "alice", next_url="/notifications/"))

    assert response.status_code == 302
    assert response["Location"] == "/notifications/"
    user = User.objects.get(username="alice")
    assert (user.first_name, user.last_name, user.email) == (
        "Alice",
        "Archer",
        "Alice.Archer@Example.com",
    )
    assert not user.has_usable_password()  # signs in through the provider only
    assert roles(user) == {OSM_STAFF}  # "unmapped-group" gives nothing
    employee.refresh_from_db()
    assert employee.user == user  # same address, other case
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session[SIGN_IN_METHOD_SESSION_KEY] == "sso"
    assert MFA_BY_PROVIDER_SESSION_KEY not in client.session  # amr: ["pwd"]
    [login] = entries(AuditKind.LOGIN_SSO)
    assert (login.actor, login.target, login.detail) == (user, user, "sso")
    [change] = entries(AuditKind.ROLES_CHANGED)
    assert change.target == user
    assert change.detail == "+OSM staff (single sign-on groups)"
    assert entries(AuditKind.SSO_FAILED) == []
    # The session works on the next request.
    assert client.get("/notifications/").wsgi_request.user == user


def test_groups_removed_at_the_provider_remove_the_role_at_the_next_sign_in(client, sso):
    sso.user("bruno", groups=["osm-staff", "execs"])
    client.get(sign_in(client, sso, "bruno"))
    user = User.objects.get(username="bruno")
    assert roles(user) == {OSM_STAFF, EXECUTIVE}
    user.groups.add(
        Group.objects.get_or_create(name=MEASURE_OWNER)[0]
    )  # given in OSM: not the map's business

    sso.user("bruno", groups=["execs"])  # taken out of osm-staff at the provider
    again = Client()
    response = again.get(sign_in(again, sso, "bruno"))

    assert response.status_code == 302
    assert again.session[SESSION_KEY] == str(user.pk)
    assert roles(user) == {EXECUTIVE, MEASURE_OWNER}
    assert [e.detail for e in entries(AuditKind.ROLES_CHANGED)] == [
        "+Executive +OSM staff (single sign-on groups)",
        "\u2212OSM staff (single sign-on groups)",
    ]
    assert User.objects.filter(username__startswith="bruno").count() == 1


def test_an_existing_user_is_found_by_address_and_brought_up_to_date(client, sso):
    local = f.UserFactory(username="jdoe", email="JDoe@example.com", first_name="J")
    sso.user("john.doe", email="jdoe@example.com", first_name="John", last_name="Doe", groups=[])

    client.get(sign_in(client, sso, "john.doe"))

    local.refresh_from_db()
    assert client.session[SESSION_KEY] == str(local.pk)
    assert (local.username, local.first_name, local.last_name, local.email) == (
        "jdoe",
        "John",
        "Doe",
        "jdoe@example.com",
    )
    assert local.has_usable_password()  # an existing password is left as it was
    assert not User.objects.filter(username="john.doe").exists()
    assert entries(AuditKind.ROLES_CHANGED) == []  # no mapped role before or after


def test_a_username_taken_by_someone_else_gets_a_number(client, sso):
    other = f.UserFactory(username="carla", email="carla@elsewhere.example")
    sso.user("carla", email="carla@example.com")

    client.get(sign_in(client, sso, "carla"))

    new = User.objects.get(email="carla@example.com")
    assert new.username == "carla-2"
    assert new != other
    assert client.session[SESSION_KEY] == str(new.pk)


def test_a_second_factor_asserted_by_the_provider_is_kept_in_the_session(client, sso, settings):
    sso.user("dora", amr=["pwd", "mfa"])
    client.get(sign_in(client, sso, "dora"))
    assert client.session[MFA_BY_PROVIDER_SESSION_KEY] is True

    settings.OIDC_TRUST_PROVIDER_MFA = False
    untrusting = Client()
    untrusting.get(sign_in(untrusting, sso, "dora"))
    assert untrusting.session[SESSION_KEY] == client.session[SESSION_KEY]
    assert MFA_BY_PROVIDER_SESSION_KEY not in untrusting.session


def test_an_unsafe_next_is_ignored(client, sso):
    sso.user("emil")
    response = client.get(sign_in(client, sso, "emil", next_url="https://evil.example/"))
    assert response.status_code == 302
    assert response["Location"] == reverse("landing")


def _assert_refused(response, client, message: str, reason: str, username: str):
    """Back on the login page with `message`, nobody signed in or created, one SSO_FAILED
    entry whose detail starts with `reason`."""
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert shown(response) == [message]
    assert SESSION_KEY not in client.session
    assert not User.objects.filter(username=username).exists()
    [failure] = entries(AuditKind.SSO_FAILED)
    assert failure.detail.startswith(reason), failure.detail
    assert failure.actor is None
    assert entries(AuditKind.LOGIN_SSO) == []
    page = client.get("/accounts/login/")
    assert message in page.content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize(
    ("mode", "reason", "message"),
    [
        (
            "other_key",
            "signature:",
            "The sign-in provider's answer could not be verified: its signature does not "
            "match the provider's published keys.",
        ),
        (
            "wrong_audience",
            "audience:",
            "The sign-in provider's answer was meant for another application.",
        ),
        (
            "expired",
            "expired:",
            "The sign-in provider's answer has expired. Please sign in again.",
        ),
        (
            "wrong_nonce",
            "nonce:",
            "The sign-in provider's answer does not belong to this sign-in attempt.",
        ),
        (
            "wrong_issuer",
            "issuer:",
            "The sign-in provider's answer comes from another issuer than OSM expects.",
        ),
    ],
)
def test_a_bad_id_token_is_refused_with_no_session(client, sso, mode, reason, message):
    sso.user("fritz", groups=["osm-staff"])
    f.EmployeeFactory(email="fritz@example.com")
    sso.mode(mode)

    response = client.get(sign_in(client, sso, "fritz"))

    _assert_refused(response, client, message, reason, "fritz")
    assert entries(AuditKind.ROLES_CHANGED) == []


def test_a_replayed_callback_is_refused(client, sso):
    sso.user("gina", groups=["execs"])
    callback = sign_in(client, sso, "gina")
    assert client.get(callback).status_code == 302
    user = User.objects.get(username="gina")
    assert client.session[SESSION_KEY] == str(user.pk)
    message = (
        "This sign-in answer is not valid any more: it was already used, or the sign-in "
        "began in another browser. Please sign in again."
    )

    # Someone who captured the callback URL replays it in another browser...
    stranger = Client()
    replayed = stranger.get(callback)
    assert replayed["Location"] == "/accounts/login/"
    assert shown(replayed) == [message]
    assert SESSION_KEY not in stranger.session
    # ...and in the same browser once signed out: the state was good for one use only.
    client.post("/accounts/logout/")
    again = client.get(callback)
    assert shown(again) == [message]
    assert SESSION_KEY not in client.session
    failures = entries(AuditKind.SSO_FAILED)
    assert [e.detail for e in failures] == ["state: unknown, already used or expired"] * 2
    assert len(entries(AuditKind.LOGIN_SSO)) == 1


def test_a_failure_ends_a_session_already_signed_in(client, sso):
    sso.user("hugo")
    client.get(sign_in(client, sso, "hugo"))
    assert SESSION_KEY in client.session
    sso.mode("expired")

    response = client.get(sign_in(client, sso, "hugo"))

    assert response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session
    assert [e.kind for e in AuditEvent.objects.order_by("pk")][-2:] == [
        AuditKind.SSO_FAILED,
        AuditKind.LOGOUT,
    ]


def test_the_provider_refusing_is_said(client, sso):
    start = client.get("/accounts/sso/login/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]

    response = client.get(
        "/accounts/sso/callback/",
        {"error": "access_denied", "error_description": "The user said no", "state": state},
    )

    assert response["Location"] == "/accounts/login/"
    assert shown(response) == ["The sign-in provider refused the sign-in (access_denied)."]
    assert SESSION_KEY not in client.session
    [failure] = entries(AuditKind.SSO_FAILED)
    assert failure.detail == "provider error: access_denied: The user said no"


def test_a_deactivated_user_is_refused(client, sso):
    user = f.UserFactory(username="ivan", email="ivan@example.com", is_active=False)
    sso.user("ivan", groups=["osm-staff"])

    response = client.get(sign_in(client, sso, "ivan"))

    assert response["Location"] == "/accounts/login/"
    assert shown(response) == ["Your OSM account is deactivated. Ask OSM staff to reactivate it."]
    assert SESSION_KEY not in client.session
    assert roles(user) == set()  # nothing changed for a refused sign-in
    [failure] = entries(AuditKind.SSO_FAILED)
    assert failure.detail == "user ivan is deactivated"


def test_the_request_to_the_provider_carries_state_nonce_and_a_pkce_challenge(client, sso):
    response = client.get("/accounts/sso/login/")
    url = urlsplit(response["Location"])
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{sso.issuer}/authorize/"
    assert query["response_type"] == "code"
    assert query["client_id"] == sso.client_id
    assert query["redirect_uri"] == "http://testserver/accounts/sso/callback/"
    assert query["scope"] == "openid email profile"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43  # base64url of a SHA-256
    assert len(query["state"]) >= 20
    assert len(query["nonce"]) >= 20
    # ...and the session keeps what the answer is checked against.
    [kept] = [value for key, value in client.session.items() if key.endswith(query["state"])]
    assert kept["data"]["nonce"] == query["nonce"]
    assert "code_verifier" in kept["data"]


def test_a_discovery_document_naming_another_issuer_is_refused(client, sso, settings):
    # The same provider reached by another name: its document names 127.0.0.1.
    settings.OIDC_ISSUER = sso.issuer.replace("127.0.0.1", "localhost")
    response = client.get("/accounts/sso/login/")
    assert response["Location"] == "/accounts/login/"
    assert shown(response) == [
        "The sign-in provider's configuration names another issuer than OSM expects."
    ]
    [failure] = entries(AuditKind.SSO_FAILED)
    assert failure.detail == f"issuer: discovery document names '{sso.issuer}'"
