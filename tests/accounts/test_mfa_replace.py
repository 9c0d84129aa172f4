"""Moving to a new phone (the set-up page, for someone who has an authenticator app): the
security review found that a session verified with the current app, plus the NEW phone's
first code, replaced the owner's app; a stolen session could swap in the thief's. Now the
page also asks for a code of the current app, or a recovery code for a lost phone."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent
from accounts.services import mfa as services
from core.audit import AuditKind
from core.roles import EMPLOYEE, OSM_STAFF
from tests import factories as f
from tests.accounts.factories_mfa import (
    RECOVERY,
    code_for,
    enrolled,
    second_factor,  # noqa: F401 (a fixture)
    sign_in,
    wrong_code_for,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("second_factor")]

SETUP = "/accounts/two-factor/setup/"
VERIFY = "/accounts/two-factor/verify/"
PAGE = "/notifications/"


def events(kind) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


def html(response) -> str:
    return unescape(response.content.decode())


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    request.session = {}
    return request


def _tokens(person) -> set[str]:
    return set(StaticToken.objects.filter(device__user=person).values_list("token", flat=True))


def _moving(client, *, roles=(EMPLOYEE,)):
    """A person with an app, a session verified with it (a stolen one, say), and the set-up
    page opened: (person, the app in use, the new phone's device, not confirmed yet)."""
    person = f.UserFactory(roles=list(roles))
    old, _ = enrolled(person)
    sign_in(client, person, device=old)
    assert client.get(SETUP).status_code == 200
    return person, old, TOTPDevice.objects.get(user=person, confirmed=False)


def _next_new_code(new: TOTPDevice) -> str:
    """The new phone's code now, usable again: a refused attempt after the new phone's code
    was accepted used its 30-second step (as a phone would show the next code soon)."""
    TOTPDevice.objects.filter(pk=new.pk).update(last_t=-1)
    return code_for(new)


def _unthrottled(device: TOTPDevice) -> None:
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=None, throttling_failure_count=0
    )


def _unchanged(person, old: TOTPDevice, new: TOTPDevice) -> None:
    """Nothing changed: the app in use still set up and working, the new one not confirmed,
    the recovery codes as they were, nothing recorded as set up."""
    assert list(TOTPDevice.objects.filter(user=person, confirmed=True)) == [old]
    new.refresh_from_db()
    assert not new.confirmed
    assert _tokens(person) == set(RECOVERY)
    assert not events(AuditKind.MFA_ENROLLED)
    _unthrottled(old)
    device = services.mfa_verify(
        request=_request(person), user=person, code=code_for(old), login=False
    )
    assert device == old


def test_the_page_asks_for_both_codes_clearly_labelled(client):
    _moving(client)
    text = html(client.get(SETUP))
    assert '<label for="id_current_code">Code from your current app:</label>' in text
    assert '<label for="id_code">Code from the new phone:</label>' in text
    assert text.index('name="current_code"') < text.index('name="code"')
    assert "one of your recovery codes instead" in text
    assert "2. Enter a code from each phone" in text and "Move to the new phone" in text

    first = Client()
    sign_in(first, f.UserFactory(roles=[EMPLOYEE]))
    text = html(first.get(SETUP))  # a first set-up: one code, no current app
    assert 'name="code"' in text and 'name="current_code"' not in text
    assert "Turn on two-factor sign-in" in text


@pytest.mark.parametrize("current", [None, "", "   "])
def test_without_the_current_code_nothing_is_replaced(client, current):
    """A stolen session and the thief's phone: refused, the owner's app keeps working."""
    person, old, new = _moving(client)
    data = (
        {"code": code_for(new)}
        if current is None
        else {"code": code_for(new), "current_code": current}
    )

    response = client.post(SETUP, data)

    assert response.status_code == 400
    assert response.context["form"].errors["current_code"] == ["This field is required."]
    assert "<li><code>" not in html(response)  # no recovery codes shown
    assert not AuditEvent.objects.filter(kind__startswith="mfa").exists()  # bad input only
    _unchanged(person, old, new)


def test_a_wrong_current_code_is_refused_recorded_and_throttled(client):
    person, old, new = _moving(client, roles=[OSM_STAFF])

    wrong = client.post(SETUP, {"current_code": wrong_code_for(old), "code": code_for(new)})

    assert wrong.status_code == 400
    errors = wrong.context["form"].errors
    assert errors["current_code"] == [str(services.WRONG_CURRENT_CODE)] and "code" not in errors
    assert "This code is not right. Enter the code your current app shows now" in html(wrong)
    # a recovery code not of theirs, then the right one at once: django-otp's throttle
    wrong_recovery = client.post(SETUP, {"current_code": "zzzz-zzzz", "code": _next_new_code(new)})
    assert wrong_recovery.status_code == 400
    throttled = client.post(SETUP, {"current_code": code_for(old), "code": _next_new_code(new)})
    assert throttled.status_code == 400
    assert throttled.context["form"].errors["current_code"] == [
        "Too many wrong codes: wait 1 second, then try again."
    ]
    assert [(e.actor, e.target, e.detail) for e in events(AuditKind.MFA_FAILED)] == [
        (person, person, "replace: wrong code"),
        (person, person, "replace: wrong code"),
        (person, person, "replace: too many wrong codes"),
    ]
    _unchanged(person, old, new)


def test_a_wrong_new_phone_code_does_not_use_up_the_recovery_code(client):
    """The new phone's code is checked first: a typing mistake in it costs no recovery code
    of someone who lost the phone."""
    person, old, new = _moving(client)

    response = client.post(SETUP, {"current_code": RECOVERY[0], "code": wrong_code_for(new)})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["code"] == [str(services.WRONG_NEW_PHONE_CODE)] and "current_code" not in errors
    [failed] = events(AuditKind.MFA_FAILED)
    assert failed.detail == "set-up: wrong code"
    assert not events(AuditKind.RECOVERY_CODE_USED)
    _unchanged(person, old, new)  # RECOVERY[0] among them, unused


def test_the_current_apps_code_and_the_new_phones_replace_it(client):
    person, old, new = _moving(client, roles=[OSM_STAFF])

    done = client.post(SETUP, {"current_code": code_for(old), "code": code_for(new)})

    assert done.status_code == 200 and "Your recovery codes" in html(done)
    assert list(TOTPDevice.objects.filter(user=person)) == [new]
    new.refresh_from_db()
    assert new.confirmed
    assert not _tokens(person) & set(RECOVERY) and len(_tokens(person)) == 10
    [enrolment] = events(AuditKind.MFA_ENROLLED)
    assert enrolment.detail == "replaced the authenticator app"
    assert not events(AuditKind.MFA_FAILED) and not events(AuditKind.RECOVERY_CODE_USED)
    # the old secret's codes no longer open the account, the new phone's do
    later = Client()
    sign_in(later, person)
    assert later.get(PAGE)["Location"].startswith(VERIFY)
    refused = later.post(VERIFY, {"code": code_for(old, steps_ahead=1), "next": PAGE})
    assert refused.status_code == 400
    _unthrottled(new)
    went_on = later.post(VERIFY, {"code": code_for(new, steps_ahead=1), "next": PAGE})
    assert went_on.status_code == 302 and went_on["Location"] == PAGE


def test_a_recovery_code_and_the_new_phones_replace_a_lost_phone(client):
    person = f.UserFactory(roles=[OSM_STAFF])  # required: cannot remove it, may move it
    old, _ = enrolled(person)
    sign_in(client, person)
    assert client.post(VERIFY, {"code": RECOVERY[0]}).status_code == 302  # the phone is lost
    assert client.get(SETUP).status_code == 200
    new = TOTPDevice.objects.get(user=person, confirmed=False)

    done = client.post(SETUP, {"current_code": "IIII-JJJJ", "code": code_for(new)})  # as printed

    assert done.status_code == 200 and "Your recovery codes" in html(done)
    assert list(TOTPDevice.objects.filter(user=person)) == [new]
    assert [e.detail for e in events(AuditKind.RECOVERY_CODE_USED)] == [
        "sign-in: 9 left",
        "replace: 8 left",  # used up
    ]
    assert [e.detail for e in events(AuditKind.MFA_ENROLLED)] == ["replaced the authenticator app"]
    for code in ("iiiijjjj", RECOVERY[1], code_for(old, steps_ahead=1)):
        _unthrottled(new)
        with pytest.raises(ValidationError):
            services.mfa_verify(request=_request(person), user=person, code=code, login=False)


def test_the_service_replaces_only_with_a_current_code():
    person = f.UserFactory(roles=[EMPLOYEE])
    old, _ = enrolled(person)
    new = services.mfa_enrolment_start(user=person, replace=True)
    request = _request(person)

    with pytest.raises(ValidationError) as already:  # not meant as a replacement
        services.mfa_enrolment_confirm(request=request, user=person, code=code_for(new))
    assert str(services.ALREADY) in already.value.messages
    for current in ("", wrong_code_for(old)):
        with pytest.raises(ValidationError) as refused:
            services.mfa_enrolment_confirm(
                request=request,
                user=person,
                code=_next_new_code(new),
                current_code=current,
                replace=True,
            )
        assert refused.value.message_dict == {"current_code": [str(services.WRONG_CURRENT_CODE)]}
        _unthrottled(old)
    assert [e.detail for e in events(AuditKind.MFA_FAILED)] == ["replace: wrong code"] * 2
    _unchanged(person, old, new)

    codes = services.mfa_enrolment_confirm(
        request=request,
        user=person,
        code=_next_new_code(new),
        current_code=code_for(old, steps_ahead=1),  # mfa_verify just used this step's
        replace=True,
    )
    assert len(codes) == 10 and list(TOTPDevice.objects.filter(user=person)) == [new]
