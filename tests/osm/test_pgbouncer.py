"""PgBouncer (Debian's package) in transaction pooling mode in front of PostgreSQL, with the
settings `DATABASE_POOLER=pgbouncer` switches on: the API answers right, writes included,
and a load run through it has no error.

The test starts its own PgBouncer on a free loopback port (`pool_mode = transaction`, one
server connection for the whole pool, so the gunicorn workers' connections are multiplexed
on it), in front of a database of its own on the PostgreSQL server `DATABASE_URL` names: a
copy of the suite's migrated test database (tests/core/test_replica.py's `migrated_dump`),
emptied and given a small company. gunicorn serves it with the production settings through
PgBouncer; wrk loads it as `manage.py loadtest` does (its `run_wrk`).
"""

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from devtools.management.commands.loadtest import run_wrk
from tests.conftest import REQUIRE_SERVICES
from tests.core.test_replica import load_dump, migrated_dump, pg_bin, settings_of  # noqa: F401
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
POOL_SIZE = 1  # server connections for the whole pool: every client shares the one
WORKERS = 2  # gunicorn's, each with its own (persistent) client connection to PgBouncer
ANSWER = "PGBOUNCER-TEST "


def pgbouncer_binary() -> str | None:
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if os.path.exists("/usr/sbin/pgbouncer") else None
    )


def need(what: str, found) -> None:
    if not found:
        reason = f"{what} is not installed (apt-get install {what})"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason}, and OSM_REQUIRE_SERVICES=1 requires it.", pytrace=False)
        pytest.skip(reason)


def test_the_pooler_variable_switches_the_settings_for_transaction_pooling():
    url = "postgres://osm@pgbouncer.example:6432/osm"
    made = settings_of(DATABASE_URL=url, DATABASE_POOLER="pgbouncer", DATABASE_REPLICA_URL="")
    default = made["databases"]["default"]
    assert default["DISABLE_SERVER_SIDE_CURSORS"] is True
    # Persistent connections to PgBouncer are kept (see osm/settings/base.py for why).
    assert (default["CONN_MAX_AGE"], default["CONN_HEALTH_CHECKS"]) == (60, True)
    made = settings_of(
        DATABASE_URL=url,
        DATABASE_POOLER="pgbouncer",
        DATABASE_REPLICA_URL="postgres://osm@pgbouncer.example:6432/osm_replica",
    )
    assert made["databases"]["replica"]["DISABLE_SERVER_SIDE_CURSORS"] is True
    made = settings_of(DATABASE_URL=url, DATABASE_POOLER="", DATABASE_REPLICA_URL="")
    assert "DISABLE_SERVER_SIDE_CURSORS" not in made["databases"]["default"]
    made = settings_of(DATABASE_URL=url, DATABASE_POOLER="pgpool", DATABASE_REPLICA_URL="")
    assert "DATABASE_POOLER must be empty or 'pgbouncer'" in made["error"]


def test_the_load_test_serves_a_database_through_pgbouncer_when_asked():
    from devtools.management.commands.loadtest import LoadServer

    url = "postgres://osm@127.0.0.1:6432/osm_bench_scale"
    server = LoadServer(url, 3, None, pooler="pgbouncer")
    assert (server.env["DATABASE_URL"], server.env["DATABASE_POOLER"]) == (url, "pgbouncer")
    assert server.engine == "PostgreSQL through PgBouncer (transaction pooling)"
    assert LoadServer(url, 3, None).env["DATABASE_POOLER"] == ""


class Bouncer:
    """PgBouncer on a free loopback port in front of `database` on the server of `url`."""

    def __init__(self, url, database: str, folder: Path):
        self.server, self.database, self.folder = url, database, folder
        self.port = free_port()
        self.user = url.username or "postgres"
        self.process = None

    def start(self) -> None:
        target = (f"host={self.server.hostname or '127.0.0.1'} port={self.server.port or 5432} "
                  f"dbname={self.database} user={self.user}")  # fmt: skip
        if self.server.password:
            target += f" password={self.server.password}"
        (self.folder / "users.txt").write_text(f'"{self.user}" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"osm = {target}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.folder / 'users.txt'}\n"
            f"admin_users = {self.user}\n"
            f"pool_mode = transaction\ndefault_pool_size = {POOL_SIZE}\nmax_client_conn = 200\n"
        )
        command = [pgbouncer_binary(), str(self.folder / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root: it becomes postgres
            shutil.chown(self.folder, "postgres", "postgres")
            command[1:1] = ["-u", "postgres"]
        self.process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.1)
        raise AssertionError("PgBouncer did not start listening within 10 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def admin(self, command: str) -> list[dict]:
        """The rows of an admin console command (SHOW POOLS, ...)."""
        done = subprocess.run(
            [str(pg_bin() / "psql"), "-X", "-h", "127.0.0.1", "-p", str(self.port), "-U",
             self.user, "-d", "pgbouncer", "--csv", "-c", command],
            check=True, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        header, *rows = done.stdout.strip().splitlines()
        names = header.split(",")
        return [dict(zip(names, row.split(","), strict=True)) for row in rows]


def call(base, path, *, method="GET", body=None, token=None):
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode() if body is not None else None, method=method
    )
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def site(migrated_dump):  # noqa: F811 - the session fixture imported above
    """gunicorn (production settings) through PgBouncer on a seeded copy of the test database:
    (the server's base URL, the bouncer, what the seeding made)."""
    need("pgbouncer", pgbouncer_binary())
    server = urlparse(os.environ["DATABASE_URL"])
    database = f"osm_pgbouncer_{os.getpid()}_{secrets.token_hex(3)}"
    folder = Path(tempfile.mkdtemp(prefix="osm-pgbouncer-"))
    bouncer = Bouncer(server, database, folder)
    gunicorn = None
    try:
        load_dump(migrated_dump, host=server.hostname or "127.0.0.1", port=server.port or 5432,
                  name=database, user=bouncer.user, password=server.password or "")  # fmt: skip
        bouncer.start()
        password = secrets.token_urlsafe(16)
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{bouncer.user}@127.0.0.1:{bouncer.port}/osm",
            "DATABASE_POOLER": "pgbouncer",
            "DATABASE_REPLICA_URL": "",
            "DJANGO_SETTINGS_MODULE": "osm.settings.production",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "False",
            "STATIC_ROOT": str(ROOT / "var"),  # the API serves no static files
            "REDIS_URL": "",  # this server's own cache, not the suite's Redis
            "OTP_REQUIRED_FOR": "none",  # the pooler is the point here, not the second factor
            "OSM_TEST_PASSWORD": password,
        }
        # Seeded through PgBouncer too, as a management command in production would be.
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "shell", "-v0", "-c",
             "from tests.osm.test_pgbouncer import seed; seed()"],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        line = next(ln for ln in done.stdout.splitlines() if ln.startswith(ANSWER))
        facts = json.loads(line[len(ANSWER) :])
        port = free_port()
        gunicorn = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "osm.wsgi", "--bind",
             f"127.0.0.1:{port}", "--workers", str(WORKERS), "--log-level", "warning"],
            env=env, cwd=ROOT,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            with contextlib.suppress(OSError):
                if call(base, "/healthz/")[0] == 200:
                    break
            time.sleep(0.2)
        status, body = call(
            base, "/api/v1/auth/token/", method="POST",
            body={"username": "ops", "password": password},
        )  # fmt: skip
        assert status == 200, body
        facts["token"] = body["token"]
        yield base, bouncer, facts
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        bouncer.stop()
        drop = f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
        subprocess.run(
            [str(pg_bin() / "psql"), "-X", "-q", "-h", server.hostname or "127.0.0.1", "-p",
             str(server.port or 5432), "-U", bouncer.user, "-d", "postgres", "-c", drop],
            env={**os.environ, "PGPASSWORD": server.password or ""}, check=False,
            capture_output=True, timeout=60,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def seed() -> None:
    """The company of these tests (run by `site` in a Django process): one measure of the
    enterprise with January 2026's value (actual 95, target 100, red flag 90)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from tests import factories as f

    call_command("flush", interactive=False, verbosity=0)  # whatever the copy held
    get_user_model().objects.create_superuser(
        "ops", "ops@example.com", os.environ["OSM_TEST_PASSWORD"]
    )
    ent = f.EnterpriseFactory()
    f.OrgUnitFactory(code="SALES", name="Sales", parent=ent)
    grow = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow recurring revenue")
    revenue = f.MeasureFactory(objective=grow, code="REV", name="Revenue")
    f.MeasureValueFactory(measure=revenue)  # January 2026
    print(ANSWER + json.dumps({"root": ent.pk, "measure": revenue.pk}), flush=True)


def measure_row(base, token, root, month):
    status, body = call(base, f"/api/v1/units/{root}/scorecard/?as_of={month}", token=token)
    assert status == 200, body
    (objective,) = body["perspectives"][0]["objectives"]
    (measure,) = objective["measures"]
    return measure


@pytest.mark.django_db  # so that the suite's test database is made: it is copied
def test_the_api_reads_and_writes_through_pgbouncer_in_transaction_pooling(site):
    base, bouncer, facts = site
    token, root, measure = facts["token"], facts["root"], facts["measure"]
    status, body = call(base, "/api/v1/units/?ordering=code", token=token)
    assert status == 200, body
    assert [unit["code"] for unit in body["results"]] == ["ENT", "SALES"]
    # 10/3 + (95 - 90) / (100 - 90) * 10/3 = 5.0, between the red flag and the target.
    row = measure_row(base, token, root, "2026-01")
    assert (row["code"], row["score"], row["status"]) == ("REV", 5.0, "yellow")

    value = {"measure": measure, "period": "2026-02-01", "actual": "80", "target": "100",
             "red_flag": "90", "note": "Two large renewals slipped to March."}  # fmt: skip
    status, body = call(base, "/api/v1/measure-values/", method="POST", body=value, token=token)
    assert status == 201, body
    # 10/3 + (80 - 90) / (100 - 90) * 10/3 = 0: red, and down from January's 5.0.
    row = measure_row(base, token, root, "2026-02")
    assert (row["period"], row["score"], row["status"], row["trend"]) == (
        "2026-02-01",
        0.0,
        "red",
        "down",
    )
    status, body = call(base, f"/api/v1/measure-values/?measure={measure}", token=token)
    assert status == 200 and body["count"] == 2
    status, body = call(base, "/api/v1/measure-values/", method="POST", body=value, token=token)
    assert status == 400  # the same (measure, period) again: refused, not a 500

    (pool,) = [row for row in bouncer.admin("SHOW POOLS") if row["database"] == "osm"]
    assert pool["pool_mode"] == "transaction"


@pytest.mark.django_db  # so that the suite's test database is made: it is copied
def test_a_load_run_through_pgbouncer_has_no_error(site):
    base, bouncer, facts = site
    wrk = shutil.which("wrk")
    need("wrk", wrk)
    path = f"/api/v1/units/{facts['root']}/scorecard/?as_of=2026-01"
    raw, result = run_wrk(
        wrk, base + path, [f"Authorization: Token {facts['token']}"],
        threads=2, connections=8, duration=4, timeout=30,
    )  # fmt: skip
    assert result["requests"] > 0, raw
    errors = {key: result[key] for key in ("connect", "read", "write", "timeout", "not_2xx")}
    assert errors == dict.fromkeys(errors, 0), raw
    # Both workers' connections to PgBouncer were served by one server connection.
    clients = [row for row in bouncer.admin("SHOW CLIENTS") if row["database"] == "osm"]
    servers = [row for row in bouncer.admin("SHOW SERVERS") if row["database"] == "osm"]
    assert len(clients) == WORKERS and len(servers) <= POOL_SIZE
    (stats,) = [row for row in bouncer.admin("SHOW STATS") if row["database"] == "osm"]
    assert int(stats["total_xact_count"]) >= result["requests"]


@pytest.mark.django_db  # so that the suite's test database is made: it is copied
def test_pgbouncer_keeps_each_clients_time_zone_on_the_shared_server_connection(site):
    """Why Django's connections may stay persistent: the one session setting Django makes
    (SET TIME ZONE, when the server's differs from UTC) is kept by PgBouncer for each client,
    and applied to whichever server connection serves it (here the pool's only one)."""
    import psycopg2

    _, bouncer, _ = site

    def client():
        connection = psycopg2.connect(
            host="127.0.0.1", port=bouncer.port, user=bouncer.user, dbname="osm"
        )
        connection.autocommit = True
        return connection

    def zone(connection):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('TimeZone')")
            return cursor.fetchone()[0]

    first, second = client(), client()
    try:
        with first.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'America/New_York'")
        with second.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'Asia/Tokyo'")
        assert [zone(first), zone(second), zone(first)] == [
            "America/New_York",
            "Asia/Tokyo",
            "America/New_York",
        ]
    finally:
        first.close()
        second.close()
