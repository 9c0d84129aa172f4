"""The read replica (core/replica.py): heavy reads go to a streaming replica that has caught
up with the primary, never a write, and a replica that lags or is down leaves them to the
primary without an error.

The rules are tested first without any server (the probes of the two servers replaced). Then
for real: the test starts a throwaway primary cluster (Debian's binaries, as the outage test
does), loads the schema of the suite's migrated test database into it (pg_dump: migrating
afresh would take most of a minute), makes a second cluster from it with
`pg_basebackup -R` on another port, and drives a Django process configured with
`DATABASE_URL` and `DATABASE_REPLICA_URL` through the cases step by step (`serve` below),
pausing the replica's replay and stopping it between steps.
"""

import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import OperationalError, connections

import core.replica as replica
from core.replica import DEFAULT, REPLICA, ReplicaRouter, heavy_reads
from scorecards.models import OrgUnit
from tests.conftest import REQUIRE_SERVICES, need_service
from tests.core.test_database_outage import Server, pg_bin

ROOT = Path(__file__).resolve().parents[2]
ANSWER = "REPLICA-TEST "
WRITES = {"INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "CREATE", "ALTER", "DROP", "COPY"}


# The rules, without servers -----------------------------------------------------------------


class Clock:
    """time.monotonic and time.sleep for core.replica: sleeping moves the clock on."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def probes(monkeypatch, settings):
    """A replica configured, whose answers the test sets: `probes.answers` is a list of
    (standby, caught up) pairs or exceptions, the last one repeated; `probes.calls` counts
    the looks at the replica."""

    class Probes:
        answers: list = [(True, True)]
        calls = 0

    def position(target):
        assert target == "0/3000060"
        Probes.calls += 1
        answer = Probes.answers[min(Probes.calls, len(Probes.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    clock = Clock()
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    monkeypatch.setattr(replica, "_primary_lsn", lambda: "0/3000060")
    monkeypatch.setattr(replica, "_replica_position", position)
    monkeypatch.setattr(replica, "_replica_usable", lambda: False)
    monkeypatch.setattr(replica, "_close_replica", lambda: None)
    monkeypatch.setattr(replica, "_down_until", 0.0)
    monkeypatch.setattr(
        replica, "time", SimpleNamespace(monotonic=clock.monotonic, sleep=clock.sleep)
    )
    monkeypatch.setattr(connections[DEFAULT], "atomic_blocks", [])
    monkeypatch.setattr(connections[DEFAULT], "in_atomic_block", False)
    settings.DATABASE_REPLICA_MAX_WAIT_MS = 1000
    settings.DATABASE_REPLICA_RETRY_SECONDS = 30
    monkeypatch.setattr(replica, "POLL_SECONDS", 0.5)
    Probes.clock = clock
    return Probes


def in_transaction(monkeypatch):
    """The primary's connection as inside one `transaction.atomic()`."""
    monkeypatch.setattr(connections[DEFAULT], "atomic_blocks", [object()])
    monkeypatch.setattr(connections[DEFAULT], "in_atomic_block", True)


def test_without_a_replica_heavy_reads_read_the_primary_and_ask_nothing(monkeypatch):
    def no_probe(*args):
        raise AssertionError("no replica is configured: nothing may be asked")

    monkeypatch.setattr(replica, "_primary_lsn", no_probe)
    monkeypatch.setattr(replica, "_replica_position", no_probe)
    assert not replica.replica_configured()  # the test settings name none
    with heavy_reads() as alias:
        assert alias == DEFAULT
        assert ReplicaRouter().db_for_read(OrgUnit) == DEFAULT


def test_writes_and_migrations_go_to_the_primary_and_rows_relate_across(probes):
    router = ReplicaRouter()
    with heavy_reads() as alias:
        assert alias == REPLICA
        assert router.db_for_read(OrgUnit) == REPLICA
        assert router.db_for_write(OrgUnit) == DEFAULT
    assert router.db_for_read(OrgUnit) == DEFAULT
    assert router.db_for_write(OrgUnit) == DEFAULT
    assert router.allow_migrate(DEFAULT, "scorecards") is True
    assert router.allow_migrate(REPLICA, "scorecards") is False
    assert router.allow_relation(OrgUnit(), OrgUnit()) is True


def test_objects_read_on_the_replica_read_their_relations_on_the_primary_after(probes):
    unit = OrgUnit(code="X")
    unit._state.db = REPLICA
    assert ReplicaRouter().db_for_read(OrgUnit, instance=unit) == DEFAULT


def test_inside_a_transaction_on_the_primary_the_block_reads_the_primary(probes, monkeypatch):
    in_transaction(monkeypatch)
    with heavy_reads() as alias:
        assert alias == DEFAULT
        assert ReplicaRouter().db_for_read(OrgUnit) == DEFAULT
    assert probes.calls == 0
    # A caller holding only row locks says so: its reads may go to the replica.
    with heavy_reads(despite_transaction=True) as alias:
        assert alias == REPLICA
        assert ReplicaRouter().db_for_read(OrgUnit) == REPLICA


def test_a_transaction_opened_on_the_primary_inside_the_block_reads_the_primary(
    probes, monkeypatch
):
    router = ReplicaRouter()
    with heavy_reads() as alias:
        assert alias == REPLICA
        in_transaction(monkeypatch)
        assert router.db_for_read(OrgUnit) == DEFAULT
        with heavy_reads() as inner:
            assert inner == DEFAULT
        monkeypatch.setattr(connections[DEFAULT], "atomic_blocks", [])
        assert router.db_for_read(OrgUnit) == REPLICA


def test_an_inner_block_keeps_the_outer_choice(probes):
    with heavy_reads() as outer:
        with heavy_reads() as inner:
            assert (outer, inner) == (REPLICA, REPLICA)
        assert ReplicaRouter().db_for_read(OrgUnit) == REPLICA
    assert probes.calls == 1
    assert ReplicaRouter().db_for_read(OrgUnit) == DEFAULT


def test_a_lagging_replica_is_waited_for_a_little(probes):
    # Behind twice, then caught up: looked at 0, 0.5 and 1.0 s after entering (the limit).
    probes.answers = [(True, False), (True, False), (True, True)]
    with heavy_reads() as alias:
        assert alias == REPLICA
    assert probes.calls == 3


def test_a_replica_still_behind_after_the_wait_leaves_the_block_to_the_primary(probes):
    probes.answers = [(True, False)]
    with heavy_reads() as alias:
        assert alias == DEFAULT
    assert probes.calls == 3  # at 0, 0.5 and 1.0 s
    assert not replica.replica_resting()  # lagging is no failure: asked again next time
    with heavy_reads():
        pass
    assert probes.calls == 6


def test_a_replica_that_does_not_answer_is_left_alone_for_a_while(probes, caplog):
    probes.answers = [OperationalError("connection refused")]
    with heavy_reads() as alias:
        assert alias == DEFAULT
    assert probes.calls == 1
    assert "The read replica does not answer (connection refused)" in caplog.text
    probes.clock.now += 29
    with heavy_reads() as alias:
        assert alias == DEFAULT
    assert probes.calls == 1  # not asked again within DATABASE_REPLICA_RETRY_SECONDS
    probes.clock.now += 1
    probes.answers = [OperationalError("refused"), (True, True)]
    with heavy_reads() as alias:
        assert alias == REPLICA
    assert probes.calls == 2


def test_a_server_that_is_no_standby_is_not_used(probes, caplog):
    probes.answers = [(False, False)]
    with heavy_reads() as alias:
        assert alias == DEFAULT
    assert replica.replica_resting()
    assert "is not a standby" in caplog.text


def test_a_decorated_read_whose_replica_fails_runs_again_on_the_primary(probes, caplog):
    where = []

    @heavy_reads()
    def report():
        where.append(ReplicaRouter().db_for_read(OrgUnit))
        if where[-1] == REPLICA:
            raise OperationalError("canceling statement due to conflict with recovery")
        return "figures"

    assert report() == "figures"
    assert where == [REPLICA, DEFAULT]
    assert replica.replica_resting()  # its connection was gone (_replica_usable)
    assert "report failed on the read replica" in caplog.text


def test_a_with_block_whose_replica_fails_raises_and_rests_the_replica(probes):
    with pytest.raises(OperationalError), heavy_reads():
        raise OperationalError("server closed the connection unexpectedly")
    assert replica.replica_resting()
    assert ReplicaRouter().db_for_read(OrgUnit) == DEFAULT


def settings_of(**environ) -> dict:
    """The database settings the production settings make of `environ`."""
    code = (
        "import json; from osm.settings import production as s;"
        "print(json.dumps({'databases': s.DATABASES, 'routers': s.DATABASE_ROUTERS}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "SECRET_KEY": "x" * 40, **environ},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1]}
    return json.loads(done.stdout)


def test_the_settings_add_the_replica_and_its_router_only_when_asked():
    primary = "postgres://osm@db.example:5432/osm"
    made = settings_of(DATABASE_URL=primary, DATABASE_REPLICA_URL="", DATABASE_POOLER="")
    assert list(made["databases"]) == ["default"] and made["routers"] == []
    made = settings_of(
        DATABASE_URL=primary,
        DATABASE_REPLICA_URL="postgres://osm@replica.example:5432/osm",
        DATABASE_POOLER="",
    )
    assert made["routers"] == ["core.replica.ReplicaRouter"]
    copy = made["databases"]["replica"]
    assert (copy["HOST"], copy["OPTIONS"]["connect_timeout"]) == ("replica.example", 2)
    assert copy["TEST"]["MIRROR"] == "default"
    assert (copy["CONN_MAX_AGE"], copy["CONN_HEALTH_CHECKS"]) == (60, True)
    made = settings_of(
        DATABASE_URL="sqlite:////tmp/osm.sqlite3",
        DATABASE_REPLICA_URL="postgres://osm@replica.example:5432/osm",
    )
    assert "DATABASE_REPLICA_URL needs" in made["error"]


# A real primary and its streaming replica ---------------------------------------------------


def dump_database(params: dict, target: Path) -> None:
    """pg_dump of the database `params` (Django's settings_dict) into `target`."""
    env = {**os.environ, "PGPASSWORD": str(params.get("PASSWORD") or "")}
    subprocess.run(
        [str(pg_bin() / "pg_dump"), "--no-owner", "--no-privileges", "-h",
         str(params["HOST"] or "127.0.0.1"), "-p", str(params["PORT"] or 5432), "-U",
         str(params["USER"] or "postgres"), "-d", str(params["NAME"]), "-f", str(target)],
        env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def load_dump(
    dump: Path, *, port: int, name: str, host="127.0.0.1", user="postgres", password=""
) -> None:
    """A new database `name` on the server at `host`:`port`, holding the dump."""
    psql = [str(pg_bin() / "psql"), "-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", host,
            "-p", str(port), "-U", user]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": password}
    subprocess.run([*psql, "-d", "postgres", "-c", f'CREATE DATABASE "{name}"'],
                   env=env, check=True, capture_output=True, timeout=60)  # fmt: skip
    subprocess.run([*psql, "-d", name, "-f", str(dump)],
                   env=env, check=True, capture_output=True, timeout=120)  # fmt: skip


def need_postgresql_binaries() -> None:
    if pg_bin() is None or shutil.which("runuser") is None:
        reason = "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason}, and OSM_REQUIRE_SERVICES=1 requires them.", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def migrated_dump(request, tmp_path_factory) -> Path:
    """The suite's migrated PostgreSQL test database as an SQL file (schema and data)."""
    need_service("postgres")
    need_postgresql_binaries()
    request.getfixturevalue("django_db_setup")
    with request.getfixturevalue("django_db_blocker").unblock():
        params = dict(connections[DEFAULT].settings_dict)
    target = tmp_path_factory.mktemp("dump") / "migrated.sql"
    dump_database(params, target)
    return target


class Child:
    """A Django process (`serve`) answering one step at a time, as JSON lines."""

    def __init__(self, env: dict):
        code = "from tests.core.test_replica import serve; serve()"
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "shell", "-v0", "-c", code],
            env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip
        self.read = b""

    def ask(self, step: str, limit: float = 120) -> dict:
        self.process.stdin.write(step.encode() + b"\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + limit
        while True:
            while b"\n" not in self.read:
                ready, _, _ = select.select([self.process.stdout], [], [], limit)
                if not ready or time.monotonic() > deadline:
                    raise AssertionError(f"no answer to {step!r} within {limit:.0f} s")
                chunk = os.read(self.process.stdout.fileno(), 65536)
                if not chunk:
                    raise AssertionError(f"the Django process ended before answering {step!r}")
                self.read += chunk
            line, self.read = self.read.split(b"\n", 1)
            if line.startswith(ANSWER.encode()):
                answer = json.loads(line[len(ANSWER) :])
                assert "error" not in answer, answer["error"]
                return answer

    def close(self):
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def sql(port: int, query: str) -> str:
    done = subprocess.run(
        [str(pg_bin() / "psql"), "-X", "-At", "-h", "127.0.0.1", "-p", str(port), "-U",
         "postgres", "-d", "osm", "-c", query],
        check=True, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    return done.stdout.strip()


def wait_until_replayed(primary: Server, standby: Server) -> None:
    """Until the replica has replayed everything the primary has written (10 s at most)."""
    target = sql(primary.port, "SELECT pg_current_wal_lsn()")
    for _ in range(200):
        if sql(standby.port, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t":
            return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up with the primary within 10 s")


@pytest.fixture
def servers(migrated_dump):
    """(primary, replica): the primary holds the migrated schema, the replica streams it."""
    folders = [Path(tempfile.mkdtemp(prefix="osm-pg-")) for _ in range(2)]
    primary, standby = Server(folders[0]), Server(folders[1])
    started = []
    try:
        primary.init()
        primary.start()
        started.append(primary)
        load_dump(migrated_dump, port=primary.port, name="osm")
        # The replication entry for 127.0.0.1 is initdb's own (trust, as -A asked).
        standby.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port),
                    "-U", "postgres", "-D", str(standby.data), "-R", "-X", "stream",
                    "-c", "fast")  # fmt: skip
        standby.start()
        started.append(standby)
        yield primary, standby
    finally:
        for server in reversed(started):
            with contextlib.suppress(subprocess.CalledProcessError):  # stopped by the test
                server.stop()
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.django_db  # so that the suite's test database is made: it is copied
def test_heavy_reads_use_a_caught_up_replica_and_the_primary_when_it_lags_or_is_down(servers):
    primary, standby = servers
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "osm.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{primary.port}/osm",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{standby.port}/osm",
        # A second for a replica to catch up: a just-started one on a busy machine may take
        # more than the default 100 ms, which would read the primary and fail the first step.
        "DATABASE_REPLICA_MAX_WAIT_MS": "1000",
        "REDIS_URL": "",  # the cache of this process alone
    }
    child = Child(env)
    try:
        child.ask("seed")
        wait_until_replayed(primary, standby)

        # (1) Heavy reads go to the caught-up replica; (2) writes never do.
        got = child.ask("routing")
        assert got["alias"] == REPLICA and got["in_recovery"] is True
        assert got["units"] == 2  # ENT and SALES, read on the replica
        assert got["alignment"]["primary"] == ["SELECT pg_current_wal_lsn()"]
        assert got["alignment"]["replica"] > 0 and got["alignment"]["writes_on_replica"] == 0
        assert got["alignment"]["figures"] == [2, 100, 100]  # units, linkage, cascade
        assert got["search"]["replica"] > 0 and got["search"]["writes_on_replica"] == 0
        assert got["search"]["titles"] == ["ENT.GROW Grow recurring revenue", "ENT.REV Revenue"]
        assert got["unit_report"]["replica"] > 0
        assert got["strategy_tests"]["replica"] > 0
        assert got["strategy_tests"]["writes_on_replica"] == 0
        assert got["strategy_tests"]["done_on_primary"] is True
        assert got["pack"]["outcome"] == "composed" and got["pack"]["replica"] > 0
        assert got["pack"]["writes_on_replica"] == 0
        assert got["write"] == {"alias": REPLICA, "inserts_on_primary": 1, "on_replica": 0,
                                "saved": True}  # fmt: skip

        # (3) A replica that lags: the just-written unit is read on the primary.
        sql(standby.port, "SELECT pg_wal_replay_pause()")
        got = child.ask("lag")
        assert got["replica_has_it"] == 0  # the replica really is behind
        assert got["alias"] == DEFAULT and got["seen"] is True
        assert got["units_in_report"] == 4  # ENT, SALES, WRITTEN and LAGGED
        sql(standby.port, "SELECT pg_wal_replay_resume()")
        wait_until_replayed(primary, standby)
        got = child.ask("caught_up")
        assert got == {"alias": REPLICA, "seen": True}

        # (4) A replica that is down: the primary, no error, and not asked on every block.
        standby.stop()
        got = child.ask("down")
        assert (got["first"], got["second"]) == (DEFAULT, DEFAULT)
        assert got["probes"] == 1 and got["warnings"] == 1 and got["resting"] is True
        assert got["units_in_report"] == 4
        assert got["titles"] == ["ENT.GROW Grow recurring revenue", "ENT.REV Revenue"]
    finally:
        child.close()


# The Django process of the test above ------------------------------------------------------


def serve() -> None:
    """Answer the steps named on standard input, one JSON line each (run by `Child`)."""
    for line in sys.stdin:
        step = line.strip()
        try:
            answer = STEPS[step]()
        except Exception as error:  # the test shows it
            answer = {"error": f"{step}: {type(error).__name__}: {error}"}
        print(ANSWER + json.dumps(answer, default=str), flush=True)


def _seed() -> dict:
    from django.core.management import call_command

    from tests import factories as f

    call_command("flush", interactive=False, verbosity=0)  # whatever the dump held
    f.UserFactory(username="boss", is_superuser=True)
    ent = f.EnterpriseFactory()
    sales = f.OrgUnitFactory(code="SALES", name="Sales", parent=ent)
    grow = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow recurring revenue")
    f.ObjectiveFactory(unit=sales, code="SELL", name="Sell subscriptions", supports=[grow])
    revenue = f.MeasureFactory(objective=grow, code="REV", name="Revenue")
    for _ in range(3):
        f.MeasureValueFactory(measure=revenue)
    return {}


def _captured(function) -> dict:
    """What `function` returned and the queries it made on each server."""
    from django.test.utils import CaptureQueriesContext

    with (
        CaptureQueriesContext(connections[DEFAULT]) as on_primary,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        result = function()
    writes = [q for q in on_replica.captured_queries if q["sql"].split()[0].upper() in WRITES]
    return {
        "result": result,
        "primary": [q["sql"] for q in on_primary.captured_queries],
        "replica": len(on_replica.captured_queries),
        "writes_on_replica": len(writes),
    }


def _routing() -> dict:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.test.utils import CaptureQueriesContext

    from alignment.models import StrategyTestRun
    from alignment.selectors import alignment_report
    from alignment.strategy_tests import strategy_test_run
    from core.search import search
    from reports.models import ReportSubscription
    from reports.subscriptions import report_pack_compose
    from reports.unit_report import unit_report

    ent, boss = OrgUnit.objects.get(code="ENT"), get_user_model().objects.get(username="boss")
    answer = {}
    with heavy_reads() as alias:
        answer["alias"] = alias
        with connections[OrgUnit.objects.all().db].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            answer["in_recovery"] = cursor.fetchone()[0]
        answer["units"] = OrgUnit.objects.count()
    report = _captured(lambda: alignment_report(ent))
    metrics = report.pop("result").metrics
    units = len(alignment_report(ent).units)
    report["figures"] = [units, float(metrics.objective_linkage), float(metrics.cascade_coverage)]
    answer["alignment"] = report
    found = _captured(lambda: search(boss, "revenue"))
    found["titles"] = sorted(hit.title for hit in found.pop("result").hits)
    answer["search"] = found
    answer["unit_report"] = _captured(lambda: unit_report(ent, boss))
    answer["unit_report"].pop("result")
    tests = _captured(lambda: strategy_test_run())
    run = tests.pop("result")
    tests["done_on_primary"] = StrategyTestRun.objects.filter(pk=run.pk, status="done").exists()
    answer["strategy_tests"] = tests
    day = dt.date(2026, 5, 1)
    pack = ReportSubscription.objects.create(
        user=boss, unit=ent, kind="scorecard_xlsx", cadence="monthly", day=day.day
    )
    composed = _captured(lambda: report_pack_compose(subscription_id=pack.pk, day=day))
    composed["outcome"] = composed.pop("result").status
    answer["pack"] = composed
    with (
        heavy_reads() as alias,
        CaptureQueriesContext(connections[DEFAULT]) as on_primary,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        OrgUnit.objects.create(code="WRITTEN", name="Written", kind="business", parent=ent)
    answer["write"] = {
        "alias": alias,
        "inserts_on_primary": sum(q["sql"].startswith("INSERT") for q in on_primary),
        "on_replica": len(on_replica.captured_queries),
        "saved": OrgUnit.objects.filter(code="WRITTEN").exists(),
    }
    return answer


def _lag() -> dict:
    from alignment.selectors import alignment_report

    ent = OrgUnit.objects.get(code="ENT")
    OrgUnit.objects.create(code="LAGGED", name="Lagged", kind="business", parent=ent)
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM scorecards_orgunit WHERE code = 'LAGGED'")
        on_replica = cursor.fetchone()[0]
    with heavy_reads() as alias:
        seen = OrgUnit.objects.filter(code="LAGGED").exists()
    report = alignment_report(ent)
    return {"replica_has_it": on_replica, "alias": alias, "seen": seen,
            "units_in_report": len(report.units)}  # fmt: skip


def _caught_up() -> dict:
    with heavy_reads() as alias:
        return {"alias": alias, "seen": OrgUnit.objects.filter(code="LAGGED").exists()}


def _down() -> dict:
    import logging

    from django.contrib.auth import get_user_model

    from alignment.selectors import alignment_report
    from core.search import search

    looks, warnings = [], []
    position = replica._replica_position

    def counted(target):
        looks.append(target)
        return position(target)

    class Warnings(logging.Handler):
        def emit(self, record):
            warnings.append(record.getMessage())

    replica._replica_position = counted
    logging.getLogger("core.replica").addHandler(Warnings(logging.WARNING))
    with heavy_reads() as first:
        pass
    ent, boss = OrgUnit.objects.get(code="ENT"), get_user_model().objects.get(username="boss")
    report = alignment_report(ent)
    titles = sorted(hit.title for hit in search(boss, "revenue").hits)
    with heavy_reads() as second:
        pass
    return {"first": first, "second": second, "probes": len(looks), "warnings": len(warnings),
            "resting": replica.replica_resting(), "units_in_report": len(report.units),
            "titles": titles}  # fmt: skip


STEPS = {"seed": _seed, "routing": _routing, "lag": _lag, "caught_up": _caught_up, "down": _down}
