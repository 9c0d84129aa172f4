"""The second factor's rules that read (the writes are in accounts/services/mfa.py): whom it
is required for, whether a person has one, whether a session has passed it, the QR code of
an enrolment, and the checker the admin site and the API's token login ask through
`core.second_factor` (registered by `connect()`, from `AccountsConfig.ready()`).

Required (`OTP_REQUIRED_FOR`): "staff" (the OSM staff and superusers; the default), "all"
(every signed-in user) or "none"; anything else counts as "staff", the safe reading. A
person who set one up must pass it even where it is not required. A session signed in
through single sign-on whose provider asserted a second factor (`amr`, see
`MFA_BY_PROVIDER_SESSION_KEY`) counts as verified while `OIDC_TRUST_PROVIDER_MFA` is on.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.roles import OSM_STAFF, has_role
from core.second_factor import SecondFactor, register_second_factor

from .constants import MFA_BY_PROVIDER_SESSION_KEY

# What a session still has to do before it may go on.
VERIFY = "verify"
ENROL = "enrol"

# Whether a user has a confirmed device is asked on every request of an unverified session.
# The sign-in backends load the session's user with the answer (`HAS_DEVICE`, an EXISTS in
# the one query that loads the user: accounts/backends.py), so it costs no query and is
# never stale; a user loaded otherwise is asked the database.
HAS_DEVICE = "osm_has_totp_device"


def mfa_required_for(user) -> bool:
    """Whether `user` must have a second factor (`OTP_REQUIRED_FOR`)."""
    if not user.is_authenticated:
        return False
    required_for = getattr(settings, "OTP_REQUIRED_FOR", "staff")
    if required_for == "none":
        return False
    if required_for == "all":
        return True
    return has_role(user, OSM_STAFF)  # "staff", and any value not understood


def totp_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator (one at most), fresh from the database."""
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_totp_device(user) -> bool:
    """Whether `user` has a confirmed authenticator."""
    if not user.is_authenticated:
        return False
    known = getattr(user, HAS_DEVICE, None)
    if known is not None:
        return bool(known)
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def forget_device_answer(user) -> None:
    """After a device was set up or removed in this request: the loaded user's answer is
    asked again."""
    user.__dict__.pop(HAS_DEVICE, None)


def recovery_codes_left(user) -> int:
    """How many unused recovery codes `user` has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verified_by_provider(request) -> bool:
    """The session signed in through single sign-on and the provider asserted a second
    factor, which OSM is configured to trust."""
    session = getattr(request, "session", None)
    return (
        session is not None
        and session.get(MFA_BY_PROVIDER_SESSION_KEY) is True
        and getattr(settings, "OIDC_TRUST_PROVIDER_MFA", True)
    )


def verified_with_device(user) -> bool:
    """Whether this session passed the second factor with one of the user's devices (not
    through the provider). OTPMiddleware installs is_verified(); without it, not."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def mfa_pending(request) -> str | None:
    """What the request's signed-in session must do before it may go on: `VERIFY` (enter a
    code), `ENROL` (set up the required second factor), or None (nothing: not signed in,
    verified, exempt through its provider, or needing none)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if verified_with_device(user) or verified_by_provider(request):
        return None
    if has_totp_device(user):
        return VERIFY
    if mfa_required_for(user):
        return ENROL
    return None


def qr_svg_data_uri(url: str) -> str:
    """The QR code of `url` (an otpauth:// link) as an SVG data URI for an <img>: drawn here
    by segno, no outside service sees the secret."""
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)


def _session_passed(request) -> bool:
    return mfa_pending(request) is None


def _token_refusal(*, request, user, code: str) -> str | None:
    from .services.mfa import mfa_token_check  # the writes import this module

    return mfa_token_check(request=request, user=user, code=code)


CHECKER = SecondFactor(session_passed=_session_passed, token_refusal=_token_refusal)


def connect() -> None:
    """Register the checker with the kernel (called from `AccountsConfig.ready()`; a second
    call changes nothing)."""
    register_second_factor(CHECKER)
