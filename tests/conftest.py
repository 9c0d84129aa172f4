"""Shared test set-up: real services when the environment names them.

`DATABASE_URL` (PostgreSQL) and `REDIS_URL` select the real services; tests that need one
skip with a message when it is missing, unless `OSM_REQUIRE_SERVICES=1` (CI), where a
missing service fails the run instead.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest

REQUIRE_SERVICES = os.environ.get("OSM_REQUIRE_SERVICES") == "1"


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def service_missing(name: str) -> str | None:
    """Why a real service cannot be used, or None when it can."""
    if name == "postgres":
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            return "PostgreSQL: DATABASE_URL does not name a PostgreSQL database"
        if not _answers(url, 5432):
            return f"PostgreSQL: nothing answers at {urlparse(url).netloc}"
    elif name == "redis":
        url = os.environ.get("REDIS_URL", "")
        if not url:
            return "Redis: REDIS_URL is not set"
        if not _answers(url, 6379):
            return f"Redis: nothing answers at {urlparse(url).netloc}"
    elif name == "chromium" and not (
        shutil.which("chromium") or os.path.exists("/usr/bin/chromium")
    ):
        return "Chromium: /usr/bin/chromium is not installed (apt-get install chromium)"
    return None


def need_service(name: str) -> None:
    """Skip (or, under OSM_REQUIRE_SERVICES=1, fail) when a real service is missing."""
    reason = service_missing(name)
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason}, and OSM_REQUIRE_SERVICES=1 requires it.", pytrace=False)
        pytest.skip(reason)


def pytest_report_header(config):
    lines = []
    for name in ("postgres", "redis", "chromium"):
        lines.append(f"{name}: {service_missing(name) or 'available'}")
    return ["services: " + "; ".join(lines)]


def pytest_sessionstart(session):
    if REQUIRE_SERVICES:
        missing = [r for r in (service_missing("postgres"), service_missing("redis")) if r]
        if missing:
            raise pytest.UsageError("OSM_REQUIRE_SERVICES=1 but: " + "; ".join(missing))


@pytest.fixture
def postgres():
    """Use in a test that must run on PostgreSQL."""
    need_service("postgres")


@pytest.fixture
def redis_url():
    """The real Redis's URL (skips or fails when none answers)."""
    need_service("redis")
    return os.environ["REDIS_URL"]


@pytest.fixture(autouse=True)
def english_between_tests():
    """Every test starts in the settings' language (English): a page asked for in French
    leaves French active in the test's thread, as each request's language stays active until
    the next request chooses one (core/i18n.py)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True, scope="session")
def media_in_a_temporary_folder(tmp_path_factory):
    """Uploaded documents (practices' attachments, the demo's included) go to a folder of
    the test run, never to the checkout's var/media."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield
