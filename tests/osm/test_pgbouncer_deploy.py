"""docker-compose.yml's PgBouncer logs in to PostgreSQL as the deployment does.

The test runs deploy/pgbouncer's own entrypoint and configuration (Debian's pgbouncer, as
its Dockerfile installs) against a throwaway PostgreSQL cluster that asks for SCRAM, like
the postgres:16 image: the app's login and password go through PgBouncer to PostgreSQL, a
wrong password is refused, and a password with a double quote survives userlist.txt.
Only the paths and the port differ from the image (the run folder, a free port, loopback).
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2
import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.core.test_database_outage import Server, pg_bin
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "pgbouncer"
PASSWORD = 'osm-"quoted"-pw'  # what userlist.txt must escape


def require(reason_missing: str | None):
    if reason_missing:
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason_missing}, and OSM_REQUIRE_SERVICES=1 requires it.")
        pytest.skip(reason_missing)


@pytest.fixture
def postgres():
    """A cluster asking for SCRAM passwords, with the deployment's database and login."""
    require(None if pg_bin() else "PostgreSQL server binaries are not installed")
    require(None if shutil.which("runuser") else "runuser is not installed")
    folder = Path(tempfile.mkdtemp(prefix="osm-pgb-"))  # the postgres user can enter it
    db = Server(folder)
    superuser = "postgres-pw"
    (folder / "pwfile").write_text(superuser + "\n")
    started = False
    try:
        db.run("initdb", "-D", str(db.data), "-A", "scram-sha-256", "-U", "postgres",
               "--pwfile", str(folder / "pwfile"))  # fmt: skip
        db.start()
        started = True
        admin = psycopg2.connect(host="127.0.0.1", port=db.port, user="postgres",
                                 password=superuser, dbname="postgres")  # fmt: skip
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("CREATE ROLE osm LOGIN PASSWORD %s", [PASSWORD])
            cursor.execute("CREATE DATABASE osm OWNER osm")
        admin.close()
        yield db, folder
    finally:
        if started:
            db.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def pgbouncer(db, folder: Path):
    """deploy/pgbouncer/entrypoint.sh with a copy of pgbouncer.ini naming this folder."""
    port = free_port()
    run = folder / "run"
    run.mkdir()
    ini = (DEPLOY / "pgbouncer.ini").read_text()
    ini = ini.replace("/run/pgbouncer", str(run))
    ini = ini.replace("listen_addr = *", "listen_addr = 127.0.0.1")
    ini = ini.replace("listen_port = 6432", f"listen_port = {port}")
    (folder / "pgbouncer.ini").write_text(ini)
    command = ["sh", str(DEPLOY / "entrypoint.sh")]
    if db.as_postgres:  # PgBouncer refuses to run as root
        shutil.chown(run, "postgres", "postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    env = {
        **os.environ,
        "PGBOUNCER_RUN_DIR": str(run),
        "PGBOUNCER_CONFIG": str(folder / "pgbouncer.ini"),
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": str(db.port),
        "POSTGRES_PASSWORD": PASSWORD,
    }
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            if process.poll() is not None:
                pytest.fail(f"pgbouncer exited: {process.stderr.read()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_deployment_pgbouncer_logs_in_to_postgresql(postgres):
    require(None if shutil.which("pgbouncer") else "pgbouncer (Debian's package) is missing")
    db, folder = postgres
    with pgbouncer(db, folder) as port:
        login = {"host": "127.0.0.1", "port": port, "dbname": "osm", "user": "osm"}
        connection = psycopg2.connect(**login, password=PASSWORD)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_user, current_database()")
                assert cursor.fetchone() == ("osm", "osm")
        finally:
            connection.close()
        with pytest.raises(psycopg2.OperationalError, match="authentication failed"):
            psycopg2.connect(**login, password="not-the-password")
        # The generated login file: the password in plain text, for PgBouncer alone.
        userlist = folder / "run" / "userlist.txt"
        assert userlist.read_text() == '"osm" "osm-""quoted""-pw"\n'
        assert userlist.stat().st_mode & 0o077 == 0
