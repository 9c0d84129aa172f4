"""What the second factor's tests share: the set-up they run under (the middleware in place,
`OTP_REQUIRED_FOR="staff"` as in production), a person with an authenticator app set up, a
session signed in with or without it, and RFC 6238 codes computed here from the secret."""

import hashlib
import hmac
import struct
import time
from base64 import b32decode, b32encode

import pytest
from django.core.cache import cache
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import connect

OTP_MIDDLEWARE = "django_otp.middleware.OTPMiddleware"
SECOND_FACTOR_MIDDLEWARE = "accounts.middleware.SecondFactorMiddleware"
PASSWORD = "pw-long-enough-1"


@pytest.fixture
def second_factor(settings):
    """The second factor as production has it: required for the OSM staff, checked by the
    middleware right after django-otp's (added here if the settings lack it), the checker
    registered with core (AccountsConfig.ready() does it; calling again changes nothing)."""
    settings.OTP_REQUIRED_FOR = "staff"
    settings.OIDC_TRUST_PROVIDER_MFA = True
    if SECOND_FACTOR_MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        middleware.insert(middleware.index(OTP_MIDDLEWARE) + 1, SECOND_FACTOR_MIDDLEWARE)
        settings.MIDDLEWARE = middleware
    connect()
    cache.clear()  # the cached "has a device" answers, the login throttles
    yield settings
    cache.clear()


def totp_code(secret: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 (TOTP over RFC 4226's HOTP, HMAC-SHA1), written out: the code an
    authenticator app shows at `at` (now) for a base32 `secret` (spaces allowed)."""
    key = b32decode(secret.replace(" ", "").upper())
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def secret_of(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The device's code now (or `steps_ahead` 30-second steps later: a code not used yet
    when the current one was, which the device's tolerance of one step accepts)."""
    return totp_code(secret_of(device), at=time.time() + 30 * steps_ahead)


def wrong_code_for(device: TOTPDevice) -> str:
    """Six digits that are none of the codes the device accepts now."""
    accepted = {code_for(device, steps_ahead=n) for n in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in accepted)


RECOVERY = ["aaaabbbb", "ccccdddd", "eeeeffff", "gggghhhh", "iiiijjjj",
            "kkkkllll", "mmmmnnnn", "oooopppp", "qqqqrrrr", "sssstttt"]  # fmt: skip


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """`user` with an authenticator app set up and ten known recovery codes."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="Recovery codes")
    StaticToken.objects.bulk_create(StaticToken(device=static, token=t) for t in RECOVERY)
    return device, list(RECOVERY)


def sign_in(client, user, *, device=None):
    """A signed-in session; with `device`, one that has passed the second factor with it."""
    client.force_login(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
