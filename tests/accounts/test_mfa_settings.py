"""The second factor's wiring and defaults: production requires it of the OSM staff (base
settings), a developer's machine with DEBUG on does not (the demo company stays easy to
try), the test settings leave it off for the tests that sign people in without it, the
middleware sits right after django-otp's, and `accounts` registers its checker with core at
start-up. The settings modules are read in a fresh interpreter with the variable unset and
no `.env` file read, so the defaults in the code are what is checked."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
# Reads one settings module as the process environment (and nothing else) makes it.
READ = (
    "import environ; environ.Env.read_env = lambda *a, **k: None; "
    "import importlib; print(importlib.import_module({module!r}).OTP_REQUIRED_FOR)"
)
SECRET = "x" * 40


def otp_required_for(module: str, **env: str) -> str:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OTP_REQUIRED_FOR", "DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    environment.update({"SECRET_KEY": SECRET, **env})
    done = subprocess.run(
        [sys.executable, "-c", READ.format(module=module)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("debug", ["0", "1"])
def test_production_requires_it_of_the_osm_staff_by_default(debug):
    assert otp_required_for("osm.settings.base", DEBUG=debug) == "staff"


def test_the_environment_chooses_another():
    assert otp_required_for("osm.settings.base", DEBUG="0", OTP_REQUIRED_FOR="all") == "all"


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"DEBUG": "1"}, "none"),  # a developer's machine: the demo company stays easy to try
        ({"DEBUG": "0"}, "staff"),  # the development settings with DEBUG off: as production
        ({"DEBUG": "1", "OTP_REQUIRED_FOR": "staff"}, "staff"),  # asked for explicitly
    ],
)
def test_development_settings(env, expected):
    assert otp_required_for("osm.settings.dev", **env) == expected


def test_the_test_settings_leave_it_off():
    # most tests sign people in with force_login; the second factor's own tests turn it on
    assert settings.OTP_REQUIRED_FOR == "none"


def test_the_middleware_comes_right_after_django_otps():
    middleware = list(settings.MIDDLEWARE)
    otp = middleware.index("django_otp.middleware.OTPMiddleware")
    assert middleware[otp + 1] == "accounts.middleware.SecondFactorMiddleware"


def test_accounts_registers_its_checker_at_start_up():
    code = (
        "import django; django.setup(); "
        "from core.second_factor import _checkers; from accounts.mfa import CHECKER; "
        "print(CHECKER in _checkers)"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "osm.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_the_admin_shows_no_ones_secret():
    # django-otp's admin shows each person's key, QR code and recovery codes, and adds
    # devices unaudited: the second factor is managed on its own pages (accounts/mfa_views.py)
    from django.contrib import admin
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)
