"""The second factor's writes (django-otp): setting up an authenticator app (TOTP) and its
ten one-time recovery codes, checking a code at sign-in or at API token login, new recovery
codes, and taking the second factor away. The rules that read are in accounts/mfa.py.

A code is checked against one device only, chosen by its shape (the app's 6 digits, else a
recovery code), so a wrong code counts against one device's throttle: django-otp then
refuses every code to that device for 1, 2, 4, 8... seconds after each failure in a row.
Every refusal is recorded in the audit log (MFA_FAILED) before the refusal is raised, and
outside any transaction that the refusal could roll back.
"""

from __future__ import annotations

import math

import django_otp
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import AuditKind, audit
from core.roles import OSM_STAFF, has_role

from ..mfa import forget_device_answer, mfa_required_for, recovery_codes_left, totp_device

RECOVERY_CODES = 10
CODE_MAX_LENGTH = 32

WRONG_CODE = gettext_lazy(
    "This code is not right. Enter the code your authenticator app shows now, or one of "
    "your recovery codes."
)
# Where only the app's code is accepted (new recovery codes, a first set-up): no mention of
# recovery codes.
WRONG_APP_CODE = gettext_lazy(
    "This code is not right. Enter the code your authenticator app shows now."
)
# Moving to a new phone: the current second factor's code (the app's, or a recovery code for
# a lost phone) and the new phone's first code, each refused in its own words.
WRONG_CURRENT_CODE = gettext_lazy(
    "This code is not right. Enter the code your current app shows now, or one of your "
    "recovery codes."
)
WRONG_NEW_PHONE_CODE = gettext_lazy(
    "This code is not right. Enter the code the app on your new phone shows now."
)
NO_CODE = gettext_lazy(
    "Your account has a second factor: send the code your authenticator app shows (or a "
    "recovery code) as “otp” with your username and password."
)
MUST_ENROL = gettext_lazy(
    "Your account must have a second factor before it may have an API token: sign in to "
    "OSM in a browser and set up an authenticator app first."
)
REQUIRED = gettext_lazy(
    "Your role requires a second factor, so you cannot remove it. If you lost your phone, "
    "ask the OSM staff to remove it: you then set up a new one at your next sign-in."
)
ONLY_STAFF = gettext_lazy("Only the OSM staff may remove someone else's second factor.")
ONLY_SUPERUSERS = gettext_lazy("Only a superuser may remove a superuser's second factor.")


def _normalised(code) -> str:
    """A code as typed, without spaces or dashes ("abcd-efgh", "123 456"), in lower case."""
    return "".join(str(code or "").split()).replace("-", "").lower()[:CODE_MAX_LENGTH]


def _throttled(info: dict | None) -> str:
    until = (info or {}).get("locked_until")
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1
    return ngettext(
        "Too many wrong codes: wait %(seconds)s second, then try again.",
        "Too many wrong codes: wait %(seconds)s seconds, then try again.",
        seconds,
    ) % {"seconds": seconds}


def _device_for(user, code: str, totp: TOTPDevice, *, recovery: bool = True) -> Device | None:
    """The device a code is meant for: the app's codes are all digits of its length; any
    other code is a recovery code (None where `recovery` codes are not accepted)."""
    if code.isdigit() and len(code) == totp.digits:
        return totp
    if not recovery:
        return None
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def _check(
    *, user, device: Device | None, code: str, wrong=WRONG_CODE
) -> tuple[Device | None, str, str]:
    """(the device that accepted `code`, or None; the refusal; the audit detail)."""
    if device is None or not code:
        return None, str(wrong), "wrong code"
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return None, _throttled(info), "too many wrong codes"
    # django-otp's check locks the device row (select_for_update), so a code is used once.
    verified = django_otp.verify_token(user, device.persistent_id, code)
    if verified is None:
        return None, str(wrong), "wrong code"
    return verified, "", ""


def _refuse(*, request, user, message: str, detail: str, where: str, field: str = "code"):
    audit(
        AuditKind.MFA_FAILED, request=request, actor=user, target=user, detail=f"{where}: {detail}"
    )
    raise ValidationError({field: message})


def mfa_verify(
    *,
    request,
    user,
    code: str,
    where: str = "sign-in",
    login: bool = True,
    recovery: bool = True,
    field: str = "code",
    wrong=None,
) -> Device:
    """Check a code of `user`'s: the authenticator app's current code or (with `recovery`)
    an unused recovery code (which is then used up, RECOVERY_CODE_USED). With `login`, the
    session counts as verified from now on (`django_otp.login`). Refused: ValidationError on
    `field` (`wrong` says what to do, else the usual words), recorded as MFA_FAILED (`where`
    says at which step)."""
    code = _normalised(code)
    totp = totp_device(user)
    if totp is None:
        raise ValidationError({NON_FIELD_ERRORS: _("You have no second factor set up.")})
    device, refusal, detail = _check(
        user=user,
        device=_device_for(user, code, totp, recovery=recovery),
        code=code,
        wrong=wrong or (WRONG_CODE if recovery else WRONG_APP_CODE),
    )
    if device is None:
        _refuse(
            request=request, user=user, message=refusal, detail=detail, where=where, field=field
        )
    if isinstance(device, StaticDevice):
        left = recovery_codes_left(user)
        audit(
            AuditKind.RECOVERY_CODE_USED,
            request=request,
            actor=user,
            target=user,
            detail=f"{where}: {left} left",
        )
    if login:
        django_otp.login(request, device)
    return device


ALREADY = gettext_lazy("Your second factor is set up already: remove it first.")


@transaction.atomic
def mfa_enrolment_start(*, user, replace: bool = False) -> TOTPDevice:
    """Begin setting up an authenticator app: `user`'s unconfirmed TOTP device, made now or
    the one an earlier start left (so a reloaded page keeps its QR code). Refused when one is
    set up already, unless it is to `replace` it (a new phone; the caller checked that the
    session passed the second factor with the old one)."""
    if totp_device(user) is not None and not replace:
        raise ValidationError({NON_FIELD_ERRORS: str(ALREADY)})
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if pending is not None:
        return pending
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def _new_recovery_codes(user) -> list[str]:
    """Replace `user`'s recovery codes by ten new ones (returned, shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes")
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODES:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return sorted(codes)


def _check_current(*, request, user, code: str) -> None:
    """Moving to a new phone: refused unless `code` is the current second factor's (the
    app's code, or a recovery code, then used up)."""
    mfa_verify(
        request=request,
        user=user,
        code=code,
        where="replace",
        login=False,
        field="current_code",
        wrong=WRONG_CURRENT_CODE,
    )


def mfa_enrolment_confirm(
    *, request, user, code: str, current_code: str = "", replace: bool = False
) -> list[str]:
    """Finish setting up the authenticator app with its first code: the device is confirmed,
    ten recovery codes are made (returned: shown once, never again), the session counts as
    verified, and MFA_ENROLLED is recorded. A wrong code is refused (ValidationError on
    `code`, MFA_FAILED "set-up: ...") and the set-up waits for the right one.

    With `replace` (a new phone in place of the one set up before, which then stops
    working), only with `current_code` as well: the current app's code, or an unused
    recovery code for a lost phone (used up), so that a session alone (a stolen one) cannot
    swap the owner's app for another. Refused: ValidationError on `current_code`,
    MFA_FAILED "replace: ...", throttled as at sign-in; nothing changes."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if pending is None:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("Nothing is being set up: start the set-up again.")}
        )
    if not replace and totp_device(user) is not None:
        raise ValidationError({NON_FIELD_ERRORS: str(ALREADY)})
    # Checked outside the transaction: the MFA_FAILED entries and throttles stay when the
    # refusal is raised. A missing current code is refused before the new phone's code is
    # used; otherwise the new phone's code first, so that a mistyped one never uses up the
    # recovery code of someone who lost the phone.
    if replace and not _normalised(current_code):
        _check_current(request=request, user=user, code="")
    code = _normalised(code)
    wrong = WRONG_NEW_PHONE_CODE if replace else WRONG_APP_CODE
    device, refusal, detail = _check(user=user, device=pending, code=code, wrong=wrong)
    if device is None:
        _refuse(request=request, user=user, message=refusal, detail=detail, where="set-up")
    if replace:
        _check_current(request=request, user=user, code=current_code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=pending.pk)
        before = TOTPDevice.objects.filter(user=user, confirmed=True)
        if before.exists() and not replace:
            raise ValidationError({NON_FIELD_ERRORS: str(ALREADY)})
        replaced, _count = before.delete()
        device.confirmed = True
        device.save()
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _new_recovery_codes(user)
        detail = "replaced the authenticator app" if replaced else ""
        audit(AuditKind.MFA_ENROLLED, request=request, actor=user, target=user, detail=detail)
    forget_device_answer(user)
    django_otp.login(request, device)
    return codes


def mfa_recovery_codes_regenerate(*, request, user, code: str) -> list[str]:
    """Ten new recovery codes for `user` (returned, shown once); the old ones stop working.
    Only with `code`, the authenticator app's current code: a session alone (a stolen one,
    or one verified by the single sign-on provider) cannot replace the owner's codes, and
    a recovery code does not renew them. Refused: ValidationError on `code`, MFA_FAILED
    ("recovery codes: ...", throttled as at sign-in). Recorded as MFA_ENROLLED with the
    detail "recovery codes renewed"."""
    # Checked outside the transaction: the MFA_FAILED entry stays when the refusal is raised.
    mfa_verify(
        request=request, user=user, code=code, where="recovery codes", login=False, recovery=False
    )
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit(
            AuditKind.MFA_ENROLLED,
            request=request,
            actor=user,
            target=user,
            detail="recovery codes renewed",
        )
    return codes


def mfa_remove(*, request, actor, user, code: str = "") -> None:
    """Take `user`'s second factor away (the app and the recovery codes), MFA_REMOVED.

    - Their own: only where it is not required for them, and with a code of theirs (a
      stolen session alone cannot remove it).
    - Someone else's: the OSM staff, for a person who lost the phone (a superuser's only a
      superuser). Where it is required, that person sets up a new one at the next request
      of any session, the sessions verified with the old one included."""
    own = actor.pk == user.pk
    if own:
        if mfa_required_for(user):
            raise PermissionDenied(str(REQUIRED))
        mfa_verify(request=request, user=user, code=code, where="removal", login=False)
    elif not has_role(actor, OSM_STAFF):
        raise PermissionDenied(str(ONLY_STAFF))
    elif user.is_superuser and not actor.is_superuser:
        raise PermissionDenied(str(ONLY_SUPERUSERS))
    with transaction.atomic():
        removed, _count = TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        if not removed:
            raise ValidationError({NON_FIELD_ERRORS: _("There is no second factor to remove.")})
        audit(
            AuditKind.MFA_REMOVED,
            request=request,
            actor=actor,
            target=user,
            detail="" if own else "removed by the OSM staff",
        )
    forget_device_answer(user)


def mfa_token_check(*, request, user, code: str) -> str | None:
    """Whether `user` may have an API token with `code` (the "otp" sent beside username and
    password): None when yes (no second factor and none required, or the right code; a
    recovery code is used up), else why not. A person who must have one but has none sets
    it up in the browser first."""
    if totp_device(user) is None:
        return str(MUST_ENROL) if mfa_required_for(user) else None
    if not _normalised(code):
        return str(NO_CODE)
    try:
        mfa_verify(request=request, user=user, code=code, where="API token", login=False)
    except ValidationError as refusal:
        return refusal.messages[0]
    return None
