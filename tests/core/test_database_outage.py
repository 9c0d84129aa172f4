"""PostgreSQL goes away and comes back: the app answers 503 (a page, or JSON under /api/)
while it is gone, never a traceback, and serves again when it is back without a restart
of its own (connections are health-checked before reuse).

The test starts a PostgreSQL server of its own (Debian's binaries, a data directory in a
temporary folder, a free port) and gunicorn with the production settings against it, so
it can stop and start that server without touching anyone else's database.
"""

import contextlib
import glob
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class Server:
    """A throwaway PostgreSQL cluster (run as the `postgres` user when we are root)."""

    def __init__(self, folder: Path):
        self.bin = pg_bin()
        self.data = folder / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(folder, "postgres", "postgres")

    def run(self, *args):
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self):
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self):
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                 str(self.data / "log"), "-w", "start")  # fmt: skip

    def stop(self):
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


def call(base, path, *, method="GET", body=None, headers=None):
    request = urllib.request.Request(base + path, data=body, method=method)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def server():
    if pg_bin() is None or shutil.which("runuser") is None:
        reason = "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason}, and OSM_REQUIRE_SERVICES=1 requires them.")
        pytest.skip(reason)
    # Directly under /tmp: pytest's own folders are closed to the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="osm-pg-"))
    db = Server(folder)
    try:
        db.init()
        db.start()
        yield db
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            db.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_postgresql_outage_is_a_503_and_the_app_recovers(server):
    url = f"postgres://postgres@127.0.0.1:{server.port}/postgres"
    password = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "osm.settings.production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "STATIC_ROOT": str(ROOT / "var"),
        "REDIS_URL": "",
        "CONN_MAX_AGE": "60",
        # The outage is the point here, not the superuser's second factor (tests/accounts/).
        "OTP_REQUIRED_FOR": "none",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=300)
    subprocess.run(
        [*manage, "shell", "-v0", "-c",
         "from django.contrib.auth import get_user_model as U;"
         f"U().objects.create_superuser('ops', 'ops@example.com', '{password}')"],
        env=env, check=True, timeout=120,
    )  # fmt: skip
    port = free_port()
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "osm.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if call(base, "/healthz/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        status, _, body = call(
            base, "/api/v1/auth/token/", method="POST",
            body=json.dumps({"username": "ops", "password": password}).encode(),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        assert status == 200, body
        auth = {"Authorization": f"Token {json.loads(body)['token']}"}
        assert call(base, "/api/v1/units/", headers=auth)[0] == 200

        server.stop()
        status, headers, body = call(base, "/api/v1/units/", headers=auth)
        assert status == 503 and headers["Retry-After"] == "60"
        assert "database is not answering" in json.loads(body)["detail"]
        status, _, body = call(base, "/healthz/")
        assert status == 503 and json.loads(body)["database"] == "unavailable"
        status, headers, body = call(
            base, "/accounts/login/", method="POST", body=b"username=ops&password=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        page = body.decode()
        assert status in (403, 503)  # the CSRF check may refuse first: no traceback either
        assert "Traceback" not in page
        status, headers, body = call(base, "/", headers={"Cookie": "sessionid=whatever"})
        assert status == 503 and "OSM is unavailable for a moment" in body.decode()
        assert "Traceback" not in body.decode()

        server.start()
        # The same gunicorn, not restarted: the stale connection is noticed and replaced.
        status, _, body = call(base, "/api/v1/units/", headers=auth)
        assert status == 200, body
        assert call(base, "/healthz/")[0] == 200
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
