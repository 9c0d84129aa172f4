"""The second factor's pages and services (issue 18, item 3): setting up an authenticator
app end to end with a code computed here from the secret on the page, the recovery codes
(each used once), wrong codes refused, recorded and throttled, new codes, removal by the
person and by the OSM staff, and whom it is required for."""

import datetime as dt
import re
from base64 import b32decode
from html import unescape

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.constants import MFA_BY_PROVIDER_SESSION_KEY
from accounts.mfa import mfa_required_for
from accounts.models import AuditEvent
from accounts.services import mfa as services
from core.audit import AuditKind
from core.roles import EMPLOYEE, EXECUTIVE, OSM_STAFF, UNIT_HEAD
from tests import factories as f
from tests.accounts.factories_mfa import (
    RECOVERY,
    code_for,
    enrolled,
    second_factor,  # noqa: F401 (a fixture)
    sign_in,
    totp_code,
    wrong_code_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("second_factor")]

STATUS = "/accounts/two-factor/"
SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/verify/"
CODES = "/accounts/two-factor/recovery-codes/"
REMOVE = "/accounts/two-factor/remove/"


def user_remove_url(user) -> str:
    return f"/accounts/two-factor/users/{user.pk}/remove/"


def events(kind) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


def html(response) -> str:
    return response.content.decode()


def test_the_code_helper_follows_rfc_6238():
    # RFC 6238 appendix B: SHA1 secret "12345678901234567890", T = 59 s -> 94287082 (8 digits)
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of that ASCII secret
    assert b32decode(secret) == b"12345678901234567890"
    assert totp_code(secret, at=59, digits=8) == "94287082"
    assert totp_code(secret, at=1111111109, digits=8) == "07081804"
    assert totp_code(secret, at=59) == "287082"  # six digits: the last six


# Setting up ---------------------------------------------------------------------------------


def test_set_up_end_to_end_with_the_secret_on_the_page(client):
    person = f.UserFactory(username="ada", roles=[EMPLOYEE])
    sign_in(client, person)

    page = client.get(SETUP)

    assert page.status_code == 200
    text = html(page)
    assert '<img class="qr" src="data:image/svg+xml' in text  # drawn here, no outside service
    secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7 ]+)</code>', text).group(1)
    device = TOTPDevice.objects.get(user=person)
    assert not device.confirmed
    assert secret.replace(" ", "") == re.search(r"secret=([A-Z2-7]+)", device.config_url).group(1)
    assert "no-store" in page["Cache-Control"]  # the secret is on it

    done = client.post(SETUP, {"code": totp_code(secret), "next": "/notifications/"})

    assert done.status_code == 200
    shown = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", html(done))
    assert len(shown) == 10 and len(set(shown)) == 10
    stored = set(StaticToken.objects.filter(device__user=person).values_list("token", flat=True))
    assert stored == {code.replace("-", "") for code in shown}
    assert 'href="/notifications/"' in html(done)  # "go on" leads where the person was going
    assert "data:text/plain;charset=utf-8," in html(done)  # the download, written here
    assert "no-store" in done["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    [event] = events(AuditKind.MFA_ENROLLED)
    assert (event.actor, event.target, event.detail) == (person, person, "")
    # the session passed the second factor with it; the codes are never shown again
    status = client.get(STATUS)
    assert status.status_code == 200
    assert "Your authenticator app is set up" in html(status)
    assert "You have 10 unused recovery codes." in html(status)
    assert not any(code in html(status) for code in shown)


def test_a_reloaded_set_up_page_keeps_its_secret(client):
    sign_in(client, f.UserFactory(roles=[EMPLOYEE]))
    first = client.get(SETUP)
    second = client.get(SETUP)
    pattern = r'<code class="secret"[^>]*>([A-Z2-7 ]+)</code>'
    assert re.search(pattern, html(first)).group(1) == re.search(pattern, html(second)).group(1)
    assert TOTPDevice.objects.count() == 1


def test_a_wrong_first_code_is_refused_and_recorded(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    sign_in(client, person)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=person)

    response = client.post(SETUP, {"code": wrong_code_for(device)})

    assert response.status_code == 400
    assert "This code is not right." in unescape(html(response))
    device.refresh_from_db()
    assert not device.confirmed and not StaticDevice.objects.exists()
    [event] = events(AuditKind.MFA_FAILED)
    assert (event.target, event.detail) == (person, "set-up: wrong code")
    assert not events(AuditKind.MFA_ENROLLED)


@pytest.mark.parametrize("code", ["", "   ", "x" * 33])
def test_set_up_bad_input_is_a_form_error(client, code):
    sign_in(client, f.UserFactory(roles=[EMPLOYEE]))
    client.get(SETUP)
    response = client.post(SETUP, {"code": code})
    assert response.status_code == 400
    assert response.context["form"].errors["code"]
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.MFA_FAILED).exists()


def test_a_new_phone_replaces_the_old_one(client):
    person = f.UserFactory(roles=[OSM_STAFF])  # required: cannot remove it, may move it
    _, old_codes = enrolled(person)
    sign_in(client, person)
    assert client.post(VERIFY, {"code": old_codes[0]}).status_code == 302  # phone lost

    page = client.get(SETUP)
    assert page.status_code == 200
    assert "A new phone: the app you use now stops working" in html(page)
    new = TOTPDevice.objects.get(user=person, confirmed=False)
    # no current app: a second recovery code confirms it is the owner (test_mfa_replace.py)
    done = client.post(SETUP, {"current_code": old_codes[1], "code": code_for(new)})

    assert done.status_code == 200 and "Your recovery codes" in html(done)
    assert list(TOTPDevice.objects.filter(user=person)) == [new]
    new.refresh_from_db()
    assert new.confirmed
    assert not StaticToken.objects.filter(token__in=old_codes).exists()
    [event] = events(AuditKind.MFA_ENROLLED)
    assert event.detail == "replaced the authenticator app"
    assert client.get(STATUS).status_code == 200  # verified with the new one


def test_a_session_not_verified_cannot_replace_it(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    old, _ = enrolled(person)
    sign_in(client, person)
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=/accounts/two-factor/setup/"
    assert client.post(SETUP, {"code": "123456"}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=person)) == [old]
    with pytest.raises(ValidationError):
        services.mfa_enrolment_start(user=person)


# Signing in with it ------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_and_goes_on(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    device, _ = enrolled(person)
    sign_in(client, person)

    asked = client.get("/notifications/")
    assert asked.status_code == 302
    assert asked["Location"] == f"{VERIFY}?next=%2Fnotifications%2F"
    page = client.get(asked["Location"])
    assert page.status_code == 200 and "Enter your code" in html(page)

    done = client.post(VERIFY, {"code": code_for(device), "next": "/notifications/"})

    assert done.status_code == 302 and done["Location"] == "/notifications/"
    assert client.get("/notifications/").status_code == 200
    assert not events(AuditKind.MFA_FAILED)


def test_verify_refuses_a_next_elsewhere(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    device, _ = enrolled(person)
    sign_in(client, person)
    done = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert done.status_code == 302 and done["Location"] == "/start/"


def test_a_recovery_code_lets_in_once(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    _, codes = enrolled(person)
    sign_in(client, person)

    done = client.post(VERIFY, {"code": "AAAA-bbbb"})  # as shown, any case

    assert done.status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    assert StaticToken.objects.filter(device__user=person).count() == 9
    [used] = events(AuditKind.RECOVERY_CODE_USED)
    assert (used.target, used.detail) == (person, "sign-in: 9 left")
    # another session, the same code: refused
    other = sign_in(type(client)(), person)
    again = other.post(VERIFY, {"code": codes[0]})
    assert again.status_code == 400
    assert "This code is not right." in unescape(html(again))
    [failed] = events(AuditKind.MFA_FAILED)
    assert failed.detail == "sign-in: wrong code"


def test_a_wrong_code_is_refused_recorded_and_throttled(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    device, _ = enrolled(person)
    sign_in(client, person)

    wrong = client.post(VERIFY, {"code": wrong_code_for(device)})
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["code"] == [str(services.WRONG_CODE)]

    # django-otp now refuses every code for a second, the right one too
    throttled = client.post(VERIFY, {"code": code_for(device)})
    assert throttled.status_code == 400
    assert throttled.context["form"].errors["code"] == [
        "Too many wrong codes: wait 1 second, then try again."
    ]
    assert [e.detail for e in events(AuditKind.MFA_FAILED)] == [
        "sign-in: wrong code",
        "sign-in: too many wrong codes",
    ]
    assert client.get("/notifications/").status_code == 302  # still not in

    # once the wait is over, the right code goes through
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(seconds=5)
    )
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    assert client.get("/notifications/").status_code == 200


@pytest.mark.parametrize("code", ["", "x" * 40])
def test_verify_bad_input_is_a_form_error(client, code):
    person = f.UserFactory(roles=[EMPLOYEE])
    enrolled(person)
    sign_in(client, person)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 400 and response.context["form"].errors["code"]


def test_verify_without_anything_to_verify_goes_straight_on(client):
    sign_in(client, f.UserFactory(roles=[EMPLOYEE]))
    response = client.get(VERIFY, {"next": "/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"


def test_verify_for_someone_who_must_set_it_up_goes_to_the_set_up(client):
    sign_in(client, f.UserFactory(roles=[OSM_STAFF]))
    response = client.get(VERIFY, {"next": "/notifications/"})
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=/notifications/"


# Recovery codes, removal -------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    device, old = enrolled(person)
    sign_in(client, person, device=device)

    page = client.get(CODES)
    assert page.status_code == 200 and "You have 10 unused recovery codes." in html(page)
    assert 'name="code"' in html(page) and 'inputmode="numeric"' in html(page)
    done = client.post(CODES, {"code": code_for(device)})

    assert done.status_code == 200
    shown = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", html(done))
    assert len(shown) == 10
    stored = set(StaticToken.objects.filter(device__user=person).values_list("token", flat=True))
    assert stored == {code.replace("-", "") for code in shown} and not stored & set(old)
    [event] = events(AuditKind.MFA_ENROLLED)
    assert event.detail == "recovery codes renewed"
    with pytest.raises(ValidationError):
        services.mfa_verify(request=_request(person), user=person, code=old[1], login=False)


def _tokens(person) -> set[str]:
    return set(StaticToken.objects.filter(device__user=person).values_list("token", flat=True))


def test_new_recovery_codes_need_the_apps_current_code(client):
    """The security review: a session alone (stolen, or verified by the provider) used to
    replace the owner's recovery codes with a bare POST."""
    person = f.UserFactory(roles=[EMPLOYEE])
    device, old = enrolled(person)
    sign_in(client, person, device=device)

    bare = client.post(CODES)
    assert bare.status_code == 400 and bare.context["form"].errors["code"]
    assert "<li><code>" not in html(bare)
    blank = client.post(CODES, {"code": "  "})
    assert blank.status_code == 400 and blank.context["form"].errors["code"]
    assert _tokens(person) == set(old)
    assert not AuditEvent.objects.filter(kind__startswith="mfa").exists()  # bad input only

    # a recovery code does not renew them, and is not used up by trying
    recovery = client.post(CODES, {"code": old[0]})
    assert recovery.status_code == 400
    assert recovery.context["form"].errors["code"] == [str(services.WRONG_APP_CODE)]
    assert _tokens(person) == set(old)

    wrong = client.post(CODES, {"code": wrong_code_for(device)})
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["code"] == [str(services.WRONG_APP_CODE)]
    assert "This code is not right." in unescape(html(wrong))
    # django-otp's throttle, as at sign-in: the right code waits a second
    throttled = client.post(CODES, {"code": code_for(device)})
    assert throttled.status_code == 400
    assert throttled.context["form"].errors["code"] == [
        "Too many wrong codes: wait 1 second, then try again."
    ]
    assert [(e.target, e.detail) for e in events(AuditKind.MFA_FAILED)] == [
        (person, "recovery codes: wrong code"),
        (person, "recovery codes: wrong code"),
        (person, "recovery codes: too many wrong codes"),
    ]
    assert _tokens(person) == set(old) and not events(AuditKind.MFA_ENROLLED)
    # the old codes still work
    services.mfa_verify(request=_request(person), user=person, code=old[1], login=False)
    assert _tokens(person) == set(old) - {old[1]}

    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(seconds=5)
    )
    done = client.post(CODES, {"code": code_for(device)})

    assert done.status_code == 200
    shown = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", html(done))
    assert _tokens(person) == {code.replace("-", "") for code in shown} and len(shown) == 10
    [event] = events(AuditKind.MFA_ENROLLED)
    assert event.detail == "recovery codes renewed"
    for code in (old[0], old[2]):
        with pytest.raises(ValidationError):
            services.mfa_verify(request=_request(person), user=person, code=code, login=False)


def test_a_provider_verified_session_needs_the_code_for_new_recovery_codes(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    device, old = enrolled(person)
    sign_in(client, person)
    session = client.session
    session[MFA_BY_PROVIDER_SESSION_KEY] = True
    session.save()

    assert client.get(CODES).status_code == 200
    refused = client.post(CODES)
    assert refused.status_code == 400 and _tokens(person) == set(old)
    done = client.post(CODES, {"code": code_for(device)})
    assert done.status_code == 200 and not _tokens(person) & set(old)


def test_the_service_renews_recovery_codes_only_with_the_apps_code():
    person = f.UserFactory(roles=[EMPLOYEE])
    device, old = enrolled(person)
    for code in ("", old[0], wrong_code_for(device)):
        with pytest.raises(ValidationError) as refused:
            services.mfa_recovery_codes_regenerate(request=_request(person), user=person, code=code)
        assert refused.value.message_dict == {"code": [str(services.WRONG_APP_CODE)]}
        TOTPDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)
    assert _tokens(person) == set(old)
    codes = services.mfa_recovery_codes_regenerate(
        request=_request(person), user=person, code=code_for(device)
    )
    assert len(codes) == 10 and _tokens(person) == set(codes)


def test_recovery_codes_without_a_second_factor(client):
    sign_in(client, f.UserFactory(roles=[EMPLOYEE]))
    page = client.get(CODES)
    assert page.status_code == 200 and "You have no second factor set up." in html(page)
    assert f'href="{SETUP}"' in html(page)
    refused = client.post(CODES)
    assert refused.status_code == 400 and "You have no second factor set up." in html(refused)
    assert not StaticToken.objects.exists()


def test_a_person_removes_their_own_with_a_code(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    device, _ = enrolled(person)
    sign_in(client, person, device=device)
    assert client.get(REMOVE).status_code == 200

    wrong = client.post(REMOVE, {"code": wrong_code_for(device)})
    assert wrong.status_code == 400 and TOTPDevice.objects.exists()
    TOTPDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)
    bad = client.post(REMOVE, {"code": ""})
    assert bad.status_code == 400 and bad.context["form"].errors["code"]

    done = client.post(REMOVE, {"code": code_for(device, steps_ahead=1)})

    assert done.status_code == 302 and done["Location"] == STATUS
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()
    [event] = events(AuditKind.MFA_REMOVED)
    assert (event.actor, event.target, event.detail) == (person, person, "")
    assert client.get("/notifications/").status_code == 200  # nothing more to ask


def test_removing_what_is_not_there(client):
    sign_in(client, f.UserFactory(roles=[EMPLOYEE]))
    page = client.get(REMOVE)
    assert page.status_code == 200 and "You have no second factor set up." in html(page)
    assert client.post(REMOVE, {"code": "123456"}).status_code == 400
    assert not AuditEvent.objects.filter(kind__startswith="mfa").exists()


def test_a_person_whose_role_requires_it_cannot_remove_it(client):
    staff = f.UserFactory(roles=[OSM_STAFF])
    device, _ = enrolled(staff)
    sign_in(client, staff, device=device)
    assert client.get(REMOVE).status_code == 403
    assert client.post(REMOVE, {"code": code_for(device)}).status_code == 403
    assert TOTPDevice.objects.filter(user=staff).exists()
    with pytest.raises(PermissionDenied):
        services.mfa_remove(request=_request(staff), actor=staff, user=staff, code="x")


def test_the_osm_staff_remove_the_second_factor_of_someone_who_lost_the_phone(client, settings):
    settings.OTP_REQUIRED_FOR = "all"
    staff = f.UserFactory(roles=[OSM_STAFF])
    staff_device, _ = enrolled(staff)
    person = f.UserFactory(first_name="Lee", last_name="Lost", roles=[UNIT_HEAD])
    enrolled(person)
    sign_in(client, staff, device=staff_device)

    page = client.get(user_remove_url(person))
    assert page.status_code == 200 and "Second factor of Lee Lost" in html(page)
    unconfirmed = client.post(user_remove_url(person), {})
    assert unconfirmed.status_code == 400 and unconfirmed.context["form"].errors["confirm"]
    assert TOTPDevice.objects.filter(user=person).exists()

    done = client.post(user_remove_url(person), {"confirm": "on"})

    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()
    [event] = events(AuditKind.MFA_REMOVED)
    assert (event.actor, event.target) == (staff, person)
    assert event.detail == "removed by the OSM staff"
    assert "has no second factor set up" in html(client.get(user_remove_url(person)))
    # at the next sign-in the person must set up a new one
    again = sign_in(type(client)(), person).get("/notifications/")
    assert again.status_code == 302 and again["Location"].startswith(SETUP)


def test_only_the_osm_staff_remove_someone_elses(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    enrolled(person)
    head = f.UserFactory(roles=[UNIT_HEAD, EXECUTIVE])
    sign_in(client, head)
    assert client.get(user_remove_url(person)).status_code == 403
    assert client.post(user_remove_url(person), {"confirm": "on"}).status_code == 403
    assert TOTPDevice.objects.filter(user=person).exists()
    with pytest.raises(PermissionDenied):
        services.mfa_remove(request=_request(head), actor=head, user=person)


def test_only_a_superuser_removes_a_superusers(client):
    staff = f.UserFactory(roles=[OSM_STAFF])
    staff_device, _ = enrolled(staff)
    root = f.UserFactory(is_superuser=True)
    enrolled(root)
    sign_in(client, staff, device=staff_device)
    assert client.post(user_remove_url(root), {"confirm": "on"}).status_code == 403
    assert TOTPDevice.objects.filter(user=root).exists()


def test_the_staff_page_for_an_unknown_user_or_oneself(client):
    staff = f.UserFactory(roles=[OSM_STAFF])
    device, _ = enrolled(staff)
    sign_in(client, staff, device=device)
    assert client.get("/accounts/two-factor/users/999999/remove/").status_code == 404
    assert client.get(user_remove_url(staff))["Location"] == REMOVE


# Pages: anonymous, rendering ---------------------------------------------------------------


@pytest.mark.parametrize("url", [STATUS, SETUP, VERIFY, CODES, REMOVE, "users/1/remove/"])
def test_every_page_asks_an_anonymous_visitor_to_sign_in(client, url):
    url = url if url.startswith("/") else f"/accounts/two-factor/{url}"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_status_page_without_and_with_a_second_factor(client):
    person = f.UserFactory(roles=[EMPLOYEE])
    sign_in(client, person)
    page = html(client.get(STATUS))
    assert "No second factor yet" in page and "It is optional for you" in page
    assert f'href="{SETUP}"' in page

    device, _ = enrolled(person)
    StaticToken.objects.filter(token__in=RECOVERY[:8]).delete()
    sign_in(client, person, device=device)
    page = html(client.get(STATUS))
    assert "You have 2 unused recovery codes." in page and "Make new ones" in page
    assert f'href="{REMOVE}"' in page and f'href="{CODES}"' in page


def test_the_status_page_of_someone_whose_role_requires_it(client):
    staff = f.UserFactory(roles=[OSM_STAFF])
    device, _ = enrolled(staff)
    sign_in(client, staff, device=device)
    page = html(client.get(STATUS))
    assert "Your role requires a second factor" in page
    assert f'href="{REMOVE}"' not in page


@pytest.mark.parametrize("url", [STATUS, SETUP, VERIFY, CODES, REMOVE])
def test_the_pages_answer_get_and_post_only(client, url):
    person = f.UserFactory(roles=[EMPLOYEE])
    device, _ = enrolled(person)
    sign_in(client, person, device=device)
    assert client.put(url).status_code == 405


# Whom it is required for -------------------------------------------------------------------


@pytest.mark.parametrize(
    "required_for, roles, superuser, expected",
    [
        ("staff", [OSM_STAFF], False, True),
        ("staff", [], True, True),
        ("staff", [EXECUTIVE, UNIT_HEAD], False, False),
        ("all", [EMPLOYEE], False, True),
        ("all", [], False, True),
        ("none", [OSM_STAFF], True, False),
        ("something else", [OSM_STAFF], False, True),  # read as "staff", the safe way
        ("something else", [EMPLOYEE], False, False),
    ],
)
def test_whom_it_is_required_for(settings, required_for, roles, superuser, expected):
    settings.OTP_REQUIRED_FOR = required_for
    user = f.UserFactory(roles=roles, is_superuser=superuser)
    assert mfa_required_for(user) is expected
    assert mfa_required_for(AnonymousUser()) is False


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    request.session = {}
    return request
