"""Fixtures of the accounts tests: a real OpenID Connect provider on loopback.

`oidc_provider` (one per test run) migrates and starts tests/accounts/provider/ (a small
Django project with django-oauth-toolkit's OIDC provider) on a free 127.0.0.1 port, waits
for its discovery document, registers OSM as a client and stops it at the end. When it
cannot start, the tests that need it skip saying why (under OSM_REQUIRE_SERVICES=1 they
fail instead). `sso` points OSM's settings at it for one test.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from tests.conftest import REQUIRE_SERVICES

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
CLIENT_ID = "osm-test-client"
TEST_CALLBACK = "http://testserver/accounts/sso/callback/"
PROVIDER_PASSWORD = "provider-pw-1"
SSO_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.PasswordBackend",
    "accounts.backends.SSOBackend",
]


def _unavailable(reason: str):
    reason = f"OpenID Connect test provider: {reason}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}, and OSM_REQUIRE_SERVICES=1 requires it.", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Provider:
    """The running provider: its issuer, the client OSM is, and test controls."""

    def __init__(self, base_url: str, control_token: str):
        self.base_url = base_url
        self.issuer = f"{base_url}/o"
        self.client_id = CLIENT_ID
        self.client_secret = secrets.token_urlsafe(24)
        self.redirect_uris = [TEST_CALLBACK]
        self._control = {"X-Control-Token": control_token}

    def control(self, what: str, **data):
        response = requests.post(
            f"{self.base_url}/control/{what}/", json=data, headers=self._control, timeout=10
        )
        response.raise_for_status()
        return response.json()

    def register_client(self):
        self.control(
            "client",
            client_id=self.client_id,
            client_secret=self.client_secret,
            redirect_uris=self.redirect_uris,
        )

    def allow_redirect(self, uri: str):
        """Accept another redirect URI (a live server's)."""
        if uri not in self.redirect_uris:
            self.redirect_uris.append(uri)
            self.register_client()

    def user(self, username: str, *, groups=(), amr=("pwd",), **fields):
        """Create or change a person at the provider (password PROVIDER_PASSWORD)."""
        fields.setdefault("email", f"{username}@example.com")
        self.control(
            "user",
            username=username,
            password=PROVIDER_PASSWORD,
            groups=list(groups),
            amr=list(amr),
            **fields,
        )

    def mode(self, mode: str):
        """How the token endpoint spoils the next ID tokens (provider_site/control.py)."""
        self.control("mode", mode=mode)

    def authorize(self, authorize_url: str, username: str) -> str:
        """Sign in at the provider as `username` and follow its authorization redirect:
        the callback URL (with code and state) it sends the browser back to."""
        browser = requests.Session()
        login_url = f"{self.base_url}/login/"
        browser.get(login_url, timeout=10).raise_for_status()
        answer = browser.post(
            login_url,
            data={
                "username": username,
                "password": PROVIDER_PASSWORD,
                "csrfmiddlewaretoken": browser.cookies["provider_csrf"],
                "next": "/",
            },
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302, f"provider login refused {username}"
        answer = browser.get(authorize_url, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:500]
        return urljoin(authorize_url, answer.headers["Location"])


def _start(state_dir: Path) -> tuple[subprocess.Popen, Provider]:
    try:
        import oauth2_provider  # noqa: F401
    except ImportError:
        _unavailable("django-oauth-toolkit is not installed (a dev dependency)")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    token = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        # Explicit: pytest-django has set OSM's settings module in this environment.
        "DJANGO_SETTINGS_MODULE": "provider_site.settings",
        "PROVIDER_STATE_DIR": str(state_dir),
        "PROVIDER_ISSUER": f"{base_url}/o",
        "PROVIDER_CONTROL_TOKEN": token,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage = [sys.executable, "manage.py"]
    migrated = subprocess.run(
        [*manage, "migrate", "-v0"],
        cwd=PROVIDER_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    if migrated.returncode:
        _unavailable(f"migrate failed: {migrated.stderr[-2000:]}")
    with (state_dir / "server.log").open("w") as log:  # the child keeps its own handle
        process = subprocess.Popen(
            [*manage, "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
            cwd=PROVIDER_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    provider = Provider(base_url, token)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            _unavailable(f"it stopped at start: {(state_dir / 'server.log').read_text()[-2000:]}")
        try:
            found = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=2)
            if found.ok and found.json().get("issuer") == provider.issuer:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            process.kill()
            _unavailable(f"no discovery document at {provider.issuer} after 60 s")
        time.sleep(0.2)
    provider.register_client()
    return process, provider


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The provider for the whole run (started at the first test that needs it)."""
    process, provider = _start(tmp_path_factory.mktemp("oidc-provider"))
    yield provider
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def sso_backends(settings):
    """The authentication backends of issue 18 (until osm/settings/base.py lists them)."""
    settings.AUTHENTICATION_BACKENDS = SSO_BACKENDS
    return settings


@pytest.fixture
def sso(sso_backends, oidc_provider):
    """OSM signs in through the test provider for this test; its tokens are sound again
    afterwards."""
    settings = sso_backends
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_SCOPES = "openid email profile"
    settings.OIDC_PROVIDER_NAME = "Test Provider"
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_ROLE_MAP = "osm-staff:OSM staff,execs:Executive,hr-team:HR"
    settings.OIDC_TRUST_PROVIDER_MFA = True
    settings.OIDC_MFA_AMR = ["mfa", "otp"]
    oidc_provider.mode("normal")
    yield oidc_provider
    oidc_provider.mode("normal")


def sign_in(client, provider: Provider, username: str, next_url: str = "") -> str:
    """Start single sign-on in OSM's test client and sign in at the provider: the callback
    URL (path and query) the provider sends the browser back to, not yet opened."""
    start = "/accounts/sso/login/" + (f"?next={next_url}" if next_url else "")
    response = client.get(start)
    assert response.status_code == 302, response
    callback = provider.authorize(response["Location"], username)
    parts = urlsplit(callback)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == TEST_CALLBACK
    return f"{parts.path}?{parts.query}"
