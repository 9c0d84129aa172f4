"""`X-Forwarded-Proto` is believed from the proxy alone.

gunicorn decides whether a request came over HTTPS: it sets `wsgi.url_scheme` from the header
only for a connection from an address in `FORWARDED_ALLOW_IPS` (docker-compose.yml names the
proxy there), and the production settings have no SECURE_PROXY_SSL_HEADER, so Django does
not read the header itself. The tests start gunicorn with the production settings on
loopback twice: once trusting 127.0.0.1 (the connection comes from the proxy) and once
trusting only 192.0.2.10 (the connection comes from someone else, as a client reaching
gunicorn directly would). gunicorn passes the header on to Django in both cases; only the
first may make the request secure.
"""

import contextlib
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
HTTPS = {"X-Forwarded-Proto": "https"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 301 itself is what we look at


OPENER = urllib.request.build_opener(NoRedirect)


def get(base, path, headers=None):
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with OPENER.open(request, timeout=30) as answer:
            return answer.status, answer.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def production_env(tmp_path, **extra) -> dict:
    """Production settings on a SQLite file of the test's own (the health check's SELECT 1
    needs a database, nothing more), with no Redis and the default SECURE_SSL_REDIRECT."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_POOLER", "SECURE_SSL_REDIRECT", "FORWARDED_ALLOW_IPS")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="osm.settings.production",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'osm.sqlite3'}",
        REDIS_URL="",
        STATIC_ROOT=str(tmp_path / "static"),
        **extra,
    )
    return env


@contextlib.contextmanager
def gunicorn(tmp_path, forwarded_allow_ips: str):
    """gunicorn with the production settings on a free loopback port; FORWARDED_ALLOW_IPS in
    its environment, as docker-compose.yml and the Dockerfile set it."""
    port = free_port()
    env = production_env(tmp_path, FORWARDED_ALLOW_IPS=forwarded_allow_ips)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "osm.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if get(base, "/healthz/")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited with {process.returncode}")
            time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer /healthz/ within 60 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def servers(tmp_path):
    """(trusted, untrusted): the same app, gunicorn trusting this connection's address or
    another one."""
    (tmp_path / "trusted").mkdir()
    (tmp_path / "untrusted").mkdir()
    with (
        gunicorn(tmp_path / "trusted", "127.0.0.1") as trusted,
        gunicorn(tmp_path / "untrusted", "192.0.2.10") as untrusted,
    ):
        yield trusted, untrusted


def test_the_header_counts_only_from_the_trusted_address(servers):
    trusted, untrusted = servers

    # From the proxy: the request is secure, so no redirect to HTTPS and HSTS is sent.
    status, headers = get(trusted, "/api/v1/", HTTPS)
    assert status != 301, headers.get("Location")
    status, headers = get(trusted, "/healthz/", HTTPS)
    assert status == 200
    hsts = "max-age=31536000; includeSubDomains; preload"  # production.py's HSTS settings
    assert headers["Strict-Transport-Security"] == hsts

    # From anyone else, the same header changes nothing: plain HTTP, sent to HTTPS
    # (SECURE_SSL_REDIRECT), and no HSTS (Django sends it on secure requests only).
    status, headers = get(untrusted, "/api/v1/", HTTPS)
    assert status == 301
    assert headers["Location"] == f"https://127.0.0.1:{untrusted.rsplit(':', 1)[1]}/api/v1/"
    status, headers = get(untrusted, "/healthz/", HTTPS)
    assert status == 200  # exempt from the redirect (SECURE_REDIRECT_EXEMPT)
    assert "Strict-Transport-Security" not in headers

    # Without the header, the trusted address gets plain HTTP too: the proxy says which.
    status, headers = get(trusted, "/api/v1/")
    assert status == 301 and headers["Location"].startswith("https://")


def test_django_alone_does_not_read_the_header(tmp_path):
    """With the production settings, a request carrying the header is secure only when the
    server (gunicorn) says the scheme is https."""
    script = (
        "from django.conf import settings\n"
        "from django.test import RequestFactory\n"
        "factory = RequestFactory()\n"
        "print(settings.SECURE_PROXY_SSL_HEADER)\n"
        "print(factory.get('/', HTTP_X_FORWARDED_PROTO='https').is_secure())\n"
        "print(factory.get('/', secure=True).is_secure())\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", script],
        cwd=ROOT, env=production_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "False", "True"]
