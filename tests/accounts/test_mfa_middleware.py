"""Where the second factor is enforced (issue 18, item 3): the middleware in front of every
page and of the API signed in by session, the admin site, and the API token login; under
each `OTP_REQUIRED_FOR`, and for a session whose single sign-on provider asserted MFA."""

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.constants import MFA_BY_PROVIDER_SESSION_KEY
from accounts.models import AuditEvent
from accounts.services.mfa import MUST_ENROL, NO_CODE, WRONG_CODE
from core.audit import AuditKind
from core.roles import EMPLOYEE, EXECUTIVE, OSM_STAFF
from tests import factories as f
from tests.accounts.factories_mfa import (
    PASSWORD,
    SECOND_FACTOR_MIDDLEWARE,
    code_for,
    enrolled,
    second_factor,  # noqa: F401 (a fixture)
    sign_in,
    wrong_code_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("second_factor")]

PAGE = "/notifications/"
API = "/api/v1/notifications/"
STATUS = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/verify/"
TOKEN = "/api/v1/auth/token/"


def events(kind) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


# The middleware ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "required_for, roles, superuser, goes_to",
    [
        ("staff", [OSM_STAFF], False, SETUP),
        ("staff", [], True, SETUP),
        ("staff", [EMPLOYEE], False, None),
        ("staff", [EXECUTIVE], False, None),
        ("all", [EMPLOYEE], False, SETUP),
        ("none", [OSM_STAFF], False, None),
        ("none", [], True, None),
    ],
)
def test_who_must_set_it_up_first(client, settings, required_for, roles, superuser, goes_to):
    settings.OTP_REQUIRED_FOR = required_for
    sign_in(client, f.UserFactory(roles=roles, is_superuser=superuser))
    response = client.get(PAGE)
    if goes_to is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"] == f"{goes_to}?next=%2Fnotifications%2F"


@pytest.mark.parametrize("required_for", ["staff", "all", "none"])
def test_who_has_one_must_pass_it_whatever_is_required(client, settings, required_for):
    settings.OTP_REQUIRED_FOR = required_for
    person = f.UserFactory(roles=[EMPLOYEE])
    device, _ = enrolled(person)
    sign_in(client, person)
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    sign_in(client, person, device=device)
    assert client.get(PAGE).status_code == 200


def test_the_password_then_the_code(client):
    person = f.UserFactory(username="ada", roles=[EMPLOYEE])
    device, _ = enrolled(person)
    signed = client.post(
        "/accounts/login/", {"username": "ada", "password": PASSWORD, "next": PAGE}, follow=True
    )
    assert signed.redirect_chain[-1] == (f"{VERIFY}?next=%2Fnotifications%2F", 302)
    assert "Enter your code" in signed.content.decode()
    done = client.post(VERIFY, {"code": code_for(device), "next": PAGE}, follow=True)
    assert done.redirect_chain == [(PAGE, 302)] and done.status_code == 200


def test_a_device_set_up_elsewhere_is_asked_for_at_once(client):
    # the answer "has no device" is cached; a device saved or deleted anywhere drops it
    person = f.UserFactory(roles=[EMPLOYEE])
    sign_in(client, person)
    assert client.get(PAGE).status_code == 200
    device, _ = enrolled(person)  # another session, the admin, a script...
    assert client.get(PAGE).status_code == 302
    device.delete()
    assert client.get(PAGE).status_code == 200
    person.delete()  # the devices go with the user, nothing fails on the way


def test_a_post_is_sent_to_verify_without_next(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    enrolled(person)
    sign_in(client, person)
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302 and response["Location"] == VERIFY


def test_an_htmx_request_gets_htmx_redirect(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    enrolled(person)
    sign_in(client, person)
    response = client.get("/notifications/count/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{VERIFY}?next=%2Fnotifications%2Fcount%2F"


def test_an_htmx_request_of_a_page_reachable_unverified_changes_nothing(client):
    # the top bar's inbox count on the verify page: a redirect would reload it without end
    person = f.UserFactory(roles=[EMPLOYEE])
    enrolled(person)
    sign_in(client, person)
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{VERIFY}?next=/"}
    response = client.get("/notifications/count/", headers=headers)
    assert response.status_code == 204 and "HX-Redirect" not in response


def test_what_an_unverified_session_still_reaches(client):
    staff = f.UserFactory(roles=[OSM_STAFF])  # must set it up: everything else redirects
    sign_in(client, staff)
    assert client.get("/accounts/two-factor/").status_code == 302
    assert client.get(SETUP).status_code == 200
    assert client.get(VERIFY).status_code == 302  # on to the set-up, by the page itself
    assert client.get("/healthz/").status_code == 200
    assert client.get("/accounts/language/").status_code == 200
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/static/js/mfa.js").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_api_signed_in_by_session_gets_403_json(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    enrolled(person)
    sign_in(client, person)
    response = client.get(API)
    assert response.status_code == 403
    assert "has not passed the second factor" in response.json()["detail"]
    staff = f.UserFactory(roles=[OSM_STAFF])
    sign_in(client, staff)
    response = client.get(API)
    assert response.status_code == 403
    assert "must have a second factor" in response.json()["detail"]


def test_an_api_token_is_not_asked_for_the_second_factor(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    enrolled(person)
    _, token = AuthToken.objects.create(user=person)
    sign_in(client, person)  # even with an unverified session cookie beside it
    response = client.get(API, headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200


def test_another_authorization_scheme_does_not_open_the_api_to_an_unverified_session(client):
    """Knox ignores a scheme that is not `Token`, and DRF would then take the session: both
    the middleware and the API's session authentication refuse (the security review)."""
    staff = f.UserFactory(roles=[OSM_STAFF])
    enrolled(staff)
    sign_in(client, staff)  # the password only
    for header in ("Basic eDp5", "Bearer x", "Negotiate abc"):
        response = client.get("/api/v1/users/", headers={"Authorization": header})
        assert response.status_code == 403, header
        assert "has not passed the second factor" in response.json()["detail"]
    response = client.patch(
        f"/api/v1/users/{staff.pk}/",
        {"full_name": "Taken Over"},
        content_type="application/json",
        headers={"Authorization": "Basic eDp5"},
    )
    assert response.status_code == 403
    staff.refresh_from_db()
    assert staff.get_full_name() != "Taken Over"


def test_the_api_session_authentication_refuses_without_the_middleware(client, settings):
    """The API's own check holds even where the middleware is not installed."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "SecondFactor" not in m]
    person = f.UserFactory(roles=[EMPLOYEE])
    enrolled(person)
    sign_in(client, person)
    assert client.get(API).status_code == 403
    device = person.totpdevice_set.get()
    sign_in(client, person, device=device)
    assert client.get(API).status_code == 200


def test_the_middleware_is_not_fooled_by_a_bad_token_header(client):
    response = Client().get(API, headers={"Authorization": "Token nonsense"})
    assert response.status_code == 401  # the API's own refusal, no session to verify


# Single sign-on that asserted MFA ----------------------------------------------------------


def test_a_session_whose_provider_asserted_mfa_counts_as_verified(client, settings):
    staff = f.UserFactory(roles=[OSM_STAFF], is_staff=True)
    sign_in(client, staff)
    session = client.session
    session[MFA_BY_PROVIDER_SESSION_KEY] = True
    session.save()
    assert client.get(PAGE).status_code == 200
    assert client.get("/admin/").status_code == 200

    settings.OIDC_TRUST_PROVIDER_MFA = False  # OSM told not to trust the provider's word
    assert client.get(PAGE)["Location"].startswith(SETUP)


def test_only_a_true_provider_assertion_counts(client):
    staff = f.UserFactory(roles=[OSM_STAFF])
    sign_in(client, staff)
    session = client.session
    session[MFA_BY_PROVIDER_SESSION_KEY] = "yes"
    session.save()
    assert client.get(PAGE).status_code == 302


def _provider_verified(client, person):
    """A single sign-on session whose provider asserted MFA (OIDC_TRUST_PROVIDER_MFA on)."""
    sign_in(client, person)
    session = client.session
    session[MFA_BY_PROVIDER_SESSION_KEY] = True
    session.save()
    return client


def test_a_session_verified_by_its_provider_gives_a_code_before_a_new_phone(client):
    """The security review: set-up sent it to verify, verify (nothing pending) sent it back
    to the set-up, without end."""
    person = f.UserFactory(roles=[OSM_STAFF])
    device, _ = enrolled(person)
    _provider_verified(client, person)
    assert client.get(PAGE).status_code == 200  # verified, by the provider

    asked = client.get(SETUP, follow=True)

    assert asked.redirect_chain == [(f"{VERIFY}?next=/accounts/two-factor/setup/", 302)]
    assert asked.status_code == 200
    text = asked.content.decode()
    assert 'name="code"' in text and "Confirm that it is you" in text
    assert f'href="{STATUS}"' in text  # cancel: back to the status page
    assert not TOTPDevice.objects.filter(user=person, confirmed=False).exists()  # nothing begun

    wrong = client.post(VERIFY, {"code": wrong_code_for(device), "next": SETUP})
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["code"] == [str(WRONG_CODE)]
    [failed] = events(AuditKind.MFA_FAILED)
    assert (failed.target, failed.detail) == (person, "after single sign-on: wrong code")
    assert client.get(SETUP)["Location"].startswith(VERIFY)  # still asked
    TOTPDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)

    done = client.post(VERIFY, {"code": code_for(device), "next": SETUP})

    assert done.status_code == 302 and done["Location"] == SETUP
    page = client.get(SETUP)
    assert page.status_code == 200
    assert "A new phone: the app you use now stops working" in page.content.decode()
    new = TOTPDevice.objects.get(user=person, confirmed=False)
    # the current app's next code (the verify page used this one), beside the new phone's
    moved = client.post(
        SETUP, {"current_code": code_for(device, steps_ahead=1), "code": code_for(new)}
    )
    assert moved.status_code == 200
    assert list(TOTPDevice.objects.filter(user=person)) == [new]


def test_a_session_verified_by_its_provider_may_give_a_recovery_code_instead(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    _, codes = enrolled(person)
    _provider_verified(client, person)
    done = client.post(VERIFY, {"code": codes[3], "next": SETUP})  # the phone is lost
    assert done.status_code == 302 and done["Location"] == SETUP
    [used] = events(AuditKind.RECOVERY_CODE_USED)
    assert used.detail == "after single sign-on: 9 left"
    assert client.get(SETUP).status_code == 200


def test_a_session_verified_by_its_provider_without_an_app_is_asked_nothing(client):
    person = f.UserFactory(roles=[OSM_STAFF])
    _provider_verified(client, person)
    response = client.get(VERIFY, {"next": PAGE})
    assert response.status_code == 302 and response["Location"] == PAGE
    page = client.get(SETUP)
    assert page.status_code == 200 and "A new phone" not in page.content.decode()


# The admin -----------------------------------------------------------------------------------


@pytest.fixture
def without_middleware(request):
    """The admin's own check, with nothing in front of it."""
    settings = request.getfixturevalue("second_factor")
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != SECOND_FACTOR_MIDDLEWARE]


@pytest.mark.usefixtures("without_middleware")
def test_the_admin_refuses_the_osm_staff_until_verified(client):
    staff = f.UserFactory(roles=[OSM_STAFF], is_staff=True)
    device, _ = enrolled(staff)
    sign_in(client, staff)
    refused = client.get("/admin/")
    assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")
    sign_in(client, staff, device=device)
    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("without_middleware")
def test_the_admin_refuses_the_staff_who_must_set_it_up(client, settings):
    staff = f.UserFactory(roles=[OSM_STAFF], is_staff=True)
    sign_in(client, staff)
    assert client.get("/admin/").status_code == 302
    settings.OTP_REQUIRED_FOR = "none"
    assert client.get("/admin/").status_code == 200


def test_with_the_middleware_the_admin_sends_to_verify(client):
    staff = f.UserFactory(roles=[OSM_STAFF], is_staff=True)
    device, _ = enrolled(staff)
    sign_in(client, staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert client.post(VERIFY, {"code": code_for(device), "next": "/admin/"})["Location"] == (
        "/admin/"
    )
    assert client.get("/admin/").status_code == 200


# The API token login -----------------------------------------------------------------------


def token_for(username, **extra):
    return APIClient().post(TOKEN, {"username": username, "password": PASSWORD, **extra})


def test_a_token_without_a_second_factor_where_none_is_required():
    person = f.UserFactory(username="eve", roles=[EMPLOYEE])
    response = token_for("eve")
    assert response.status_code == 200
    stored = AuthToken.objects.get(user=person)
    [event] = events(AuditKind.TOKEN_CREATED)
    assert (event.actor, event.target, event.detail) == (person, person, stored.token_key[:8])
    assert len(event.detail) == 8


def test_no_token_for_who_must_have_a_second_factor_and_has_none():
    f.UserFactory(username="osm", roles=[OSM_STAFF])
    response = token_for("osm", otp="123456")
    assert response.status_code == 400
    assert response.json() == {"otp": [str(MUST_ENROL)]}
    assert not AuthToken.objects.exists() and not events(AuditKind.TOKEN_CREATED)


def test_a_token_needs_the_code_of_who_has_one():
    person = f.UserFactory(username="ada", roles=[EMPLOYEE])
    device, _ = enrolled(person)

    missing = token_for("ada")
    assert missing.status_code == 400 and missing.json() == {"otp": [str(NO_CODE)]}
    blank = token_for("ada", otp=" ")
    assert blank.status_code == 400 and blank.json() == {"otp": [str(NO_CODE)]}
    wrong = token_for("ada", otp=wrong_code_for(device))
    assert wrong.status_code == 400 and wrong.json() == {"otp": [str(WRONG_CODE)]}
    [failed] = events(AuditKind.MFA_FAILED)
    assert (failed.target, failed.detail) == (person, "API token: wrong code")
    assert not AuthToken.objects.exists()

    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # the throttle's second is over
    device.save()
    right = token_for("ada", otp=code_for(device))
    assert right.status_code == 200 and AuthToken.objects.filter(user=person).count() == 1
    assert len(events(AuditKind.TOKEN_CREATED)) == 1


def test_a_recovery_code_gives_one_token():
    person = f.UserFactory(username="ada", roles=[OSM_STAFF])
    _, codes = enrolled(person)
    first = token_for("ada", otp=codes[0])
    assert first.status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    [used] = events(AuditKind.RECOVERY_CODE_USED)
    assert used.detail == "API token: 9 left"
    again = token_for("ada", otp=codes[0])
    assert again.status_code == 400 and again.json() == {"otp": [str(WRONG_CODE)]}
    assert AuthToken.objects.filter(user=person).count() == 1


def test_wrong_credentials_never_reach_the_second_factor():
    person = f.UserFactory(username="ada", roles=[EMPLOYEE])
    device, _ = enrolled(person)
    response = APIClient().post(
        TOKEN, {"username": "ada", "password": "wrong", "otp": code_for(device)}
    )
    assert response.status_code == 400 and "otp" not in response.json()
    assert not events(AuditKind.MFA_FAILED)
    device.refresh_from_db()
    assert device.last_t == -1  # the code was not spent


def test_an_otp_too_long_is_a_field_error():
    f.UserFactory(username="ada", roles=[EMPLOYEE])
    response = token_for("ada", otp="1" * 40)
    assert response.status_code == 400 and "otp" in response.json()
    assert not AuthToken.objects.exists()
