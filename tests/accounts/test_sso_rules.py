"""Single sign-on's rules without the provider: the role map, who the claims make of a
user, the pages while single sign-on is off or misconfigured, and the login page."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from accounts import sso, sso_views
from accounts.models import AuditEvent
from core.audit import AuditKind
from core.roles import EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF
from tests import factories as f

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _refusals_uncounted():
    """Each test starts with no SSO refusals counted for the test client's address."""
    cache.delete(sso_views.failures_key("127.0.0.1"))


def claims(**extra) -> dict:
    return {
        "sub": "42",
        "preferred_username": "kim",
        "email": "kim@example.com",
        "given_name": "Kim",
        "family_name": "Kowalski",
        "groups": [],
        **extra,
    }


def roles(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


# The role map ------------------------------------------------------------------------------


def test_the_role_map_is_read_from_the_setting(settings):
    settings.OIDC_ROLE_MAP = (
        " osm-staff:OSM staff, execs:Executive,execs:HR,,cn=leads:ou=x:Unit head "
    )
    assert sso.role_map() == {
        "osm-staff": {OSM_STAFF},
        "execs": {EXECUTIVE, HR},
        "cn=leads:ou=x": {"Unit head"},  # the role is after the last colon
    }
    settings.OIDC_ROLE_MAP = ""
    assert sso.role_map() == {}


@pytest.mark.parametrize("entry", ["wizards:Wizard", "osm-staff", ":OSM staff", "x:osm staff"])
def test_an_unknown_role_or_a_malformed_entry_is_a_configuration_error(settings, entry):
    settings.OIDC_ROLE_MAP = f"execs:Executive,{entry}"
    with pytest.raises(ImproperlyConfigured) as error:
        sso.role_map()
    assert str(error.value) == (
        f"OIDC_ROLE_MAP entry {entry!r}: expected 'group:Role' with Role one of OSM staff, "
        "Executive, Unit head, HR, Measure owner, Employee."
    )


def test_roles_follow_the_groups_claim_and_leave_unmapped_roles_alone(settings):
    settings.OIDC_ROLE_MAP = "staff:OSM staff,execs:Executive,people:HR"
    settings.OIDC_GROUPS_CLAIM = "roles"  # e.g. Entra ID app roles
    user = f.UserFactory(roles=[OSM_STAFF, MEASURE_OWNER])

    change = sso.roles_apply(user=user, claims={"roles": ["execs", "people", "other"]})

    assert roles(user) == {EXECUTIVE, HR, MEASURE_OWNER}
    assert (change.added, change.removed) == ([EXECUTIVE, HR], [OSM_STAFF])
    # A single group as a string counts; no claim at all means no mapped role.
    assert sso.roles_apply(user=user, claims={"roles": "execs"}).removed == [HR]
    assert sso.roles_apply(user=user, claims={}).removed == [EXECUTIVE]
    assert roles(user) == {MEASURE_OWNER}
    assert not sso.roles_apply(user=user, claims={})


# Who the claims make of a user -------------------------------------------------------------


def test_a_new_user_without_mapped_groups_gets_no_role_and_no_audit_entry(settings):
    settings.OIDC_ROLE_MAP = "staff:OSM staff"
    user = sso.user_sign_in(claims=claims(groups=["nobody"]))
    assert (user.username, user.first_name, user.last_name) == ("kim", "Kim", "Kowalski")
    assert roles(user) == set()
    assert not AuditEvent.objects.filter(kind=AuditKind.ROLES_CHANGED).exists()


def test_the_address_may_come_from_preferred_username_and_the_name_from_name():
    user = sso.user_sign_in(
        claims={"sub": "1", "preferred_username": "Lea.Lang@Example.com", "name": "Lea Lang"}
    )
    assert (user.username, user.email) == ("Lea.Lang@Example.com", "Lea.Lang@Example.com")
    assert (user.first_name, user.last_name) == ("Lea", "Lang")


def test_a_username_is_cleaned_of_characters_django_refuses():
    user = sso.user_sign_in(claims=claims(preferred_username="Kim Kowalski (ext)"))
    assert user.username == "KimKowalskiext"


def test_no_address_is_refused():
    with pytest.raises(sso.SSORefused) as refusal:
        sso.user_sign_in(claims={"sub": "1", "preferred_username": "kim"})
    assert refusal.value.message == (
        "The sign-in provider sent no e-mail address; OSM needs one to know you."
    )
    assert not User.objects.exists()


@pytest.mark.parametrize("verified", [False, "false", "False"])
def test_an_address_the_provider_has_not_verified_is_refused(verified):
    f.UserFactory(username="kim-local", email="kim@example.com", roles=[OSM_STAFF])
    with pytest.raises(sso.SSORefused) as refusal:
        sso.user_sign_in(claims=claims(email_verified=verified))
    assert refusal.value.reason == "e-mail address kim@example.com not verified by the provider"


def test_two_users_with_the_address_are_refused():
    f.UserFactory(email="kim@example.com")
    f.UserFactory(email="KIM@example.com")
    with pytest.raises(sso.SSORefused) as refusal:
        sso.user_sign_in(claims=claims())
    assert refusal.value.message == (
        "Several OSM accounts share your e-mail address; ask OSM staff to fix that."
    )


def test_an_employee_already_linked_to_someone_is_left_alone():
    other = f.UserFactory()
    employee = f.EmployeeFactory(email="kim@example.com", user=other)
    user = sso.user_sign_in(claims=claims())
    employee.refresh_from_db()
    assert employee.user == other
    assert not hasattr(user, "employee") or user.employee is None


def test_an_unknown_role_in_the_map_creates_no_one(settings):
    settings.OIDC_ROLE_MAP = "x:Wizard"
    with pytest.raises(ImproperlyConfigured):
        sso.user_sign_in(claims=claims())
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("amr", "trusted", "expected"),
    [
        (["pwd", "mfa"], True, True),
        (["otp"], True, True),
        ("mfa", True, True),
        (["pwd"], True, False),
        (None, True, False),
        (["pwd", "mfa"], False, False),
    ],
)
def test_provider_mfa(settings, amr, trusted, expected):
    settings.OIDC_TRUST_PROVIDER_MFA = trusted
    settings.OIDC_MFA_AMR = ["mfa", "otp"]
    assert sso.mfa_asserted({"amr": amr}) is expected


# The pages while single sign-on is off, unreachable or misconfigured ------------------------


@pytest.mark.parametrize("path", ["/accounts/sso/login/", "/accounts/sso/callback/"])
def test_the_pages_are_not_found_while_single_sign_on_is_off(client, settings, path):
    settings.OIDC_ISSUER = ""
    assert client.get(path).status_code == 404


def test_the_pages_take_get_only(client, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9/o"
    assert client.post("/accounts/sso/login/").status_code == 405
    assert client.post("/accounts/sso/callback/").status_code == 405


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_provider_is_said(client, settings):
    settings.OIDC_ISSUER = f"http://127.0.0.1:{_free_port()}/o"  # nothing listens there
    response = client.get("/accounts/sso/login/")
    assert response["Location"] == "/accounts/login/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The sign-in provider could not be reached. Please try again later."
    ]
    [failure] = AuditEvent.objects.filter(kind=AuditKind.SSO_FAILED)
    assert failure.detail.startswith("provider unreachable:")


def test_a_misconfigured_role_map_is_said_before_going_to_the_provider(client, settings):
    settings.OIDC_ISSUER = f"http://127.0.0.1:{_free_port()}/o"
    settings.OIDC_ROLE_MAP = "x:Wizard"
    response = client.get("/accounts/sso/login/")
    assert response["Location"] == "/accounts/login/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Single sign-on is not configured correctly. Please tell OSM staff."
    ]
    [failure] = AuditEvent.objects.filter(kind=AuditKind.SSO_FAILED)
    assert failure.detail.startswith("configuration: OIDC_ROLE_MAP entry 'x:Wizard'")


def test_a_callback_without_state_is_refused(client, settings):
    # Bad input: the callback as a stranger would call it. No state this session began, so
    # it is refused before asking the provider (none listens at that address: asking it
    # would have been refused as "provider unreachable").
    settings.OIDC_ISSUER = f"http://127.0.0.1:{_free_port()}/o"
    response = client.get("/accounts/sso/callback/", {"code": "abc"})
    assert response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session
    [failure] = AuditEvent.objects.filter(kind=AuditKind.SSO_FAILED)
    assert failure.detail == "state: unknown, already used or expired"


# The login page ----------------------------------------------------------------------------

SSO_BUTTON = "Sign in with Acme Login"
BREAK_GLASS_LINK = 'href="?password=1&amp;next=/reports/"'


def _login_page(client, query="?next=/reports/") -> str:
    response = client.get("/accounts/login/" + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_login_page_without_single_sign_on_shows_the_password_form(client, settings):
    settings.OIDC_ISSUER = ""
    page = _login_page(client)
    assert 'name="password"' in page
    assert "Sign in with" not in page
    assert "Break-glass" not in page


def test_the_login_page_offers_both_ways(client, settings):
    settings.OIDC_ISSUER = "https://login.example.com"
    settings.OIDC_PROVIDER_NAME = "Acme Login"
    settings.PASSWORD_LOGIN = True
    page = _login_page(client)
    assert f'href="/accounts/sso/login/?next=/reports/">{SSO_BUTTON}</a>' in page
    assert 'name="password"' in page
    assert "Or with your OSM password" in page


def test_with_password_login_off_the_form_hides_behind_a_break_glass_link(client, settings):
    settings.OIDC_ISSUER = "https://login.example.com"
    settings.OIDC_PROVIDER_NAME = "Acme Login"
    settings.PASSWORD_LOGIN = False
    page = _login_page(client)
    assert SSO_BUTTON in page
    assert 'name="password"' not in page
    assert BREAK_GLASS_LINK in page

    shown = _login_page(client, "?password=1&next=/reports/")
    assert 'name="password"' in shown
    assert "Password sign-in is kept for the break-glass accounts" in shown


# The test provider itself ------------------------------------------------------------------


def test_the_test_provider_skips_or_fails_saying_why_when_it_cannot_start(tmp_path, monkeypatch):
    from tests.accounts import conftest

    monkeypatch.setattr(conftest, "PROVIDER_DIR", tmp_path)  # no manage.py there
    monkeypatch.setattr(conftest, "REQUIRE_SERVICES", False)  # as on a machine outside CI
    with pytest.raises(pytest.skip.Exception) as skipped:
        conftest._start(tmp_path)
    assert str(skipped.value).startswith("OpenID Connect test provider: migrate failed:")
    monkeypatch.setattr(conftest, "REQUIRE_SERVICES", True)
    with pytest.raises(pytest.fail.Exception) as failed:
        conftest._start(tmp_path)
    assert str(failed.value).endswith("and OSM_REQUIRE_SERVICES=1 requires it.")


# The provider's identity (iss, sub) -------------------------------------------------------


def test_the_first_sign_in_links_the_identity_and_later_ones_follow_it_not_the_address():
    from accounts.models import SSOIdentity

    first = sso.user_sign_in(claims=claims(iss="https://idp.example", sub="s-1"))
    identity = SSOIdentity.objects.get()
    assert (identity.user, identity.issuer, identity.subject) == (
        first,
        "https://idp.example",
        "s-1",
    )
    # The address changed at the provider: the same account, its address brought up to date.
    again = sso.user_sign_in(
        claims=claims(iss="https://idp.example", sub="s-1", email="kim.k@example.com")
    )
    assert again.pk == first.pk
    assert User.objects.get(pk=first.pk).email == "kim.k@example.com"
    assert User.objects.count() == 1


def test_an_address_reused_for_someone_new_at_the_provider_does_not_reach_the_old_account():
    old = sso.user_sign_in(claims=claims(iss="https://idp.example", sub="s-1"))
    with pytest.raises(sso.SSORefused) as refusal:
        sso.user_sign_in(claims=claims(iss="https://idp.example", sub="s-2"))
    assert "linked to another identity of the provider (not s-2)" in refusal.value.reason
    assert User.objects.count() == 1 and User.objects.get().pk == old.pk


def test_no_subject_is_refused():
    with pytest.raises(sso.SSORefused) as refusal:
        sso.user_sign_in(claims=claims(sub=""))
    assert refusal.value.reason == "no subject (sub) in the ID token"
    assert not User.objects.exists()
