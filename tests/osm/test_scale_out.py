"""Scale-out on loopback (issue 19, item 4): two gunicorn instances, two Celery workers and
two beats, all with the production settings, sharing one PostgreSQL database and one Redis
database, as several machines would.

- A session made on one instance works on the other, and ends on both when it ends on one.
- A write through one instance is seen at once through the other, through a cached read.
- A reminder run and a report pack run, one worker killed (SIGKILL) while it sends, deliver
  each e-mail exactly once: the other worker finishes the job, the dead one is not restarted.
- The beats send each due task once; killed, the beat holding the lock is replaced by
  another, which sends what came due meanwhile, once (osm/beat.py).

Everything is started here: a fresh database on DATABASE_URL's PostgreSQL server (created,
migrated, dropped), a Redis database of REDIS_URL's server no other test uses (11; 12 to 15
when pytest-xdist's `--dist load` spreads these tests over several workers, each building a
cluster of its own; emptied before and after), an SMTP server on loopback (aiosmtpd) and the
processes. The tests share them (about a minute in all, half of it the migration). Skips
without PostgreSQL, Redis or gunicorn (fails under OSM_REQUIRE_SERVICES=1).
"""

import base64
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote, urlencode, urlparse

import pytest

from tests.conftest import REQUIRE_SERVICES, need_service
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# 11, or 12 to 15 for other pytest-xdist workers building a cluster of their own at once.
REDIS_DB = 11 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0) % 5
QUEUE, PROBE_QUEUE = "osm-scaleout", "osm-scaleout-probe"
LOCK_KEY = "osm:beat:lock"  # osm/beat.py
DAY = "2026-11-11"  # October's values (due 10 Nov) are a day overdue; the packs are due on the 11th
OWNERS, READERS = 24, 6  # a reminder to each measure owner, a pack to each subscriber
HOLD_AFTER = 4  # fewer than either run's messages: neither run is done when a worker dies
PROBES = 8  # one-off beat entries, one second apart
PASSWORD = secrets.token_urlsafe(16)

# Run once in the fresh database (manage.py shell): the people and the schedules.
SETUP = """
import datetime as dt, json
from django_celery_beat.models import ClockedSchedule, IntervalSchedule, PeriodicTask
from scorecards.models import Measure
from tests import factories as f

ent = f.EnterpriseFactory(code="ACME", name="Acme")
bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent)
objective = f.ObjectiveFactory(unit=bu)
for k in range({owners}):
    owner = f.UserFactory(username=f"owner{{k}}", email=f"owner{{k}}@example.com", password=None)
    measure = f.MeasureFactory(objective=objective, code=f"M{{k}}", owner=owner)
    Measure.objects.filter(pk=measure.pk).update(
        created_at=dt.datetime(2026, 10, 20, tzinfo=dt.UTC))
for k in range({readers}):
    reader = f.UserFactory(username=f"reader{{k}}", email=f"reader{{k}}@example.com",
                           password=None, roles=["Executive"])
    f.ReportSubscriptionFactory(user=reader, unit=bu, cadence="monthly", day=11)
f.UserFactory(username="exec", password="{password}", roles=["Executive"])
f.UserFactory(username="staff", password="{password}", roles=["OSM staff"])
# No job runs by the clock here; the outbox sweep runs every second.
PeriodicTask.objects.update(enabled=False)
sweep = PeriodicTask.objects.get(task="osm.tasks.deliver_outbox")
sweep.interval = IntervalSchedule.objects.get_or_create(every=1, period="seconds")[0]
sweep.enabled = True
sweep.save()
for k in range({probes}):
    PeriodicTask.objects.create(
        name=f"probe {{k}}", task="osm.tests.beat_probe", args=json.dumps([k]),
        queue="{probe_queue}", one_off=True, enabled=False,
        clocked=ClockedSchedule.objects.create(clocked_time=dt.datetime(2100, 1, 1, tzinfo=dt.UTC)))
"""


# Processes ---------------------------------------------------------------------------------


class Process:
    """A process of ours with its output in a log file; stopped by its own id (and its
    group's, for gunicorn's worker) even when the test fails."""

    def __init__(self, name: str, command: list[str], env: dict, folder: Path):
        self.name, self.command, self.env = name, command, env
        self.log = folder / f"{name}.log"
        self.process = None

    def start(self):
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self):
        """SIGKILL: no clean-up of any kind, as when a machine is lost."""
        os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if not self.alive():
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)  # a gunicorn worker left behind


def wait_for(condition, seconds: float, what: str, processes=()):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    logs = "\n".join(f"--- {p.name}\n{p.output()[-3000:]}" for p in processes)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}\n{logs}")


# SMTP --------------------------------------------------------------------------------------


class Recorder:
    """The SMTP server's handler: keeps (sender, recipient, subject) of each message it
    accepts. Armed with `hold(n)`, it leaves the message after the next n accepted
    unanswered until its sender goes away (killed), so that message is never accepted;
    `held` is its sender, the worker to kill (each worker sends from its own address)."""

    def __init__(self):
        self.accepted: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()
        self.hold_at: int | None = None
        self.held: str | None = None
        self.holding = threading.Event()

    def hold(self, after: int):
        with self.lock:
            self.hold_at, self.held = len(self.accepted) + after, None
            self.holding.clear()

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        with self.lock:
            hold = self.held is None and self.hold_at is not None
            hold = hold and len(self.accepted) >= self.hold_at
            if hold:
                self.held = envelope.mail_from
        if hold:
            self.holding.set()
            # aiosmtpd cancels this when the client's connection ends (its process killed).
            await asyncio.sleep(60)
            return "451 no answer"
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        subject = str(message["Subject"])
        with self.lock:
            self.accepted += [(envelope.mail_from, to, subject) for to in envelope.rcpt_tos]
        return "250 OK"

    def to(self, recipients: set[str]) -> list[tuple[str, str, str]]:
        with self.lock:
            return [m for m in self.accepted if m[1] in recipients]


# The database and the cluster --------------------------------------------------------------


class Database:
    """A fresh database on DATABASE_URL's server, dropped at the end."""

    def __init__(self):
        url = urlparse(os.environ["DATABASE_URL"])
        self.server = {
            "host": url.hostname or "127.0.0.1", "port": url.port or 5432,
            "user": url.username or "postgres", "password": url.password or "",
        }  # fmt: skip
        self.name = f"osm_scaleout_{secrets.token_hex(4)}"
        password = f":{quote(self.server['password'])}" if self.server["password"] else ""
        self.url = (
            f"postgres://{quote(self.server['user'])}{password}@{self.server['host']}:"
            f"{self.server['port']}/{self.name}"
        )

    def _admin(self, statement: str):
        import psycopg2

        connection = psycopg2.connect(dbname="postgres", **self.server)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    def create(self):
        self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self):
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def sql(self, statement: str, params=()) -> list[tuple]:
        import psycopg2

        connection = psycopg2.connect(dbname=self.name, **self.server)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()


@dataclass
class Cluster:
    """What the tests use: the database, Redis, the SMTP recorder and the processes."""

    db: Database
    store: object  # redis.Redis on the cluster's database
    recorder: Recorder
    env: dict
    folder: Path
    webs: list = field(default_factory=list)
    workers: list = field(default_factory=list)
    beats: list = field(default_factory=list)

    def base(self, n: int) -> str:
        return f"127.0.0.1:{self.webs[n].port}"

    def send(self, task: str, *args):
        """Queue a task as the beat or a web request would."""
        from celery import Celery

        app = Celery(broker=self.env["REDIS_URL"], set_as_current=False)
        app.send_task(task, args=list(args), queue=QUEUE)
        app.close()

    def beat(self, name: str) -> Process:
        command = [str(BIN / "celery"), "-A", "osm", "beat", "--max-interval", "1", "--scheduler",
                   "osm.beat:LockedDatabaseScheduler", "--loglevel", "INFO"]  # fmt: skip
        beat = Process(name, command, self.env, self.folder)
        self.beats.append(beat)
        return beat

    def processes(self) -> list[Process]:
        return [*self.webs, *self.workers, *self.beats]

    def stop(self):
        """Every process asked to stop at once, then waited for."""
        for process in self.processes():
            if process.alive():
                process.process.terminate()
        for process in self.processes():
            process.stop()

    def holder(self) -> Process | None:
        """The beat whose token the lock holds (host:pid:random)."""
        token = self.store.get(LOCK_KEY)
        pid = int(token.decode().split(":")[1]) if token else None
        return next((b for b in self.beats if b.alive() and b.pid == pid), None)


def environment(db: Database, redis_url: str, smtp_port: int, folder: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "osm.settings.production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(40),  # one for all: sessions are signed with it
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",  # plain HTTP on loopback (no proxy here)
        "STATIC_ROOT": str(folder),  # only the API is asked: no static files
        "DATABASE_URL": db.url,
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": QUEUE,
        # The sign-in's second factor is not what is tested here (tests/accounts/).
        "OTP_REQUIRED_FOR": "none",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "2",
        "MAIL_LEASE_SECONDS": "14",  # 2 x (2 + 5), the least allowed: a dead worker's claims
        # are free again this long after it took them
        "MAIL_BATCH": "5",
        "BEAT_LOCK_SECONDS": "3",  # three ticks of one second
        "LOG_LEVEL": "WARNING",
    }


def manage(env: dict, *args: str):
    """A manage.py command in the fresh database, tasks inline (nothing queued)."""
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, check=True,
                   env={**env, "CELERY_TASK_ALWAYS_EAGER": "1"}, timeout=600)  # fmt: skip


def start_cluster(cluster: Cluster):
    """Two gunicorns (booting while the database is migrated), two workers (each sending
    from its own address; booting while the people are created), two beats."""
    env, folder = cluster.env, cluster.folder
    for n in (1, 2):
        port = free_port()
        web = Process(f"web{n}", [str(BIN / "gunicorn"), "osm.wsgi", "--workers", "1",
                                  "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
                      env, folder)  # fmt: skip
        web.port = port
        web.start()
        cluster.webs.append(web)
    manage(env, "migrate", "-v0", "--skip-checks")
    for n in (1, 2):
        sender = {**env, "DEFAULT_FROM_EMAIL": f"worker{n}@scaleout.test"}
        worker = Process(f"worker{n}", [
            str(BIN / "celery"), "-A", "osm", "worker", "-Q", QUEUE, "-n", f"w{n}@%h",
            "--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle",
            "--loglevel", "INFO"], sender, folder)  # fmt: skip
        worker.start()
        cluster.workers.append(worker)
    manage(env, "shell", "-v0", "-c", SETUP.format(
        owners=OWNERS, readers=READERS, probes=PROBES, password=PASSWORD,
        probe_queue=PROBE_QUEUE))  # fmt: skip
    for n in (1, 2):
        cluster.beat(f"beat{n}").start()
    every = cluster.processes()
    for n in range(len(cluster.webs)):
        wait_for(lambda n=n: answers(cluster.base(n)), 60, f"web{n + 1}", every)
    for worker in cluster.workers:
        wait_for(lambda w=worker: " ready." in w.output(), 60, worker.name, every)
    for beat in cluster.beats:
        wait_for(lambda b=beat: "beat: this beat" in b.output() or "this one waits" in b.output(),
                 60, beat.name, every)  # fmt: skip


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    need_service("postgres")
    need_service("redis")
    if not (BIN / "gunicorn").exists():
        reason = f"gunicorn is not installed in {BIN}"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason}, and OSM_REQUIRE_SERVICES=1 requires it.")
        pytest.skip(reason)
    import redis
    from aiosmtpd.controller import Controller

    redis_url = urlparse(os.environ["REDIS_URL"])._replace(path=f"/{REDIS_DB}").geturl()
    folder = tmp_path_factory.mktemp("scaleout")
    with contextlib.ExitStack() as stack:
        db = Database()
        db.create()
        stack.callback(db.drop)
        store = redis.Redis.from_url(redis_url)
        store.flushdb()
        stack.callback(store.flushdb)
        recorder = Recorder()
        smtp = Controller(recorder, hostname="127.0.0.1", port=free_port())
        smtp.start()
        stack.callback(smtp.stop)
        env = environment(db, redis_url, smtp.port, folder)
        cluster = Cluster(db=db, store=store, recorder=recorder, env=env, folder=folder)
        stack.callback(cluster.stop)
        start_cluster(cluster)
        yield cluster


# HTTP --------------------------------------------------------------------------------------


def http(base: str, path: str, *, method="GET", body=None, headers=None):
    """(status, headers, body) of one request; redirects are not followed, cookies are sent
    by hand (production marks them Secure, and this is plain HTTP)."""
    host, port = base.split(":")
    connection = HTTPConnection(host, int(port), timeout=30)
    try:
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            headers = {"Content-Type": "application/json", **(headers or {})}
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        connection.close()


def answers(base: str) -> bool:
    try:
        return http(base, "/healthz/")[0] == 200
    except OSError:
        return False


def cookies(headers) -> dict[str, str]:
    found = {}
    for line in headers.get_all("Set-Cookie") or []:
        name, _, value = line.split(";")[0].partition("=")
        found[name.strip()] = value.strip()
    return found


def form(base: str, path: str, csrf: str, data: dict, cookie: str = ""):
    """A form post with Django's CSRF token (cookie and field the same secret)."""
    body = urlencode({"csrfmiddlewaretoken": csrf, **data}).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf}{'; ' + cookie if cookie else ''}",
    }
    return http(base, path, method="POST", body=body, headers=headers)


def token(base: str, username: str) -> dict:
    status, _, body = http(
        base, "/api/v1/auth/token/", method="POST",
        body={"username": username, "password": PASSWORD},
    )  # fmt: skip
    assert status == 200, body
    return {"Authorization": f"Token {json.loads(body)['token']}"}


# (a) Sessions ------------------------------------------------------------------------------


def test_a_session_made_on_one_instance_works_on_the_other_and_ends_on_both(cluster):
    one, two = cluster.base(0), cluster.base(1)
    csrf = secrets.token_hex(16)  # a CSRF secret of Django's 32 characters
    status, headers, body = form(one, "/accounts/login/", csrf,
                                 {"username": "exec", "password": PASSWORD})  # fmt: skip
    assert status == 302, body[:2000]
    jar = cookies(headers)
    session = f"sessionid={jar['sessionid']}"

    assert http(two, "/api/v1/alignment/")[0] in (401, 403)  # not signed in
    status, _, body = http(two, "/api/v1/alignment/", headers={"Cookie": session})
    assert status == 200, body
    assert {u["code"] for u in json.loads(body)["units"]} >= {"ACME", "BU"}

    # Signed out on the second instance: the first no longer knows the session either.
    status, _, _ = form(two, "/accounts/logout/", jar["csrftoken"], {}, session)
    assert status == 302
    assert http(one, "/api/v1/alignment/", headers={"Cookie": session})[0] in (401, 403)


# (b) Writes and cached reads ---------------------------------------------------------------


def cache_keys(cluster) -> set[bytes]:
    return set(cluster.store.scan_iter(":1:*"))  # Django's cache keys (version 1)


def test_a_write_through_one_instance_is_read_at_once_through_the_other(cluster):
    one, two = cluster.base(0), cluster.base(1)
    staff = token(one, "staff")
    for key in cache_keys(cluster):
        cluster.store.delete(key)  # the computed reads are cached from here on

    status, _, body = http(two, "/api/v1/alignment/", headers=staff)
    assert status == 200, body
    before = json.loads(body)
    assert {u["code"] for u in before["units"]} == {"ACME", "BU"}
    assert cache_keys(cluster), "the alignment answer was not cached in the shared Redis"
    assert json.loads(http(two, "/api/v1/alignment/", headers=staff)[2]) == before

    new = {"code": "NEW", "name": "New business", "kind": "business", "parent": before["unit"]}
    status, _, body = http(one, "/api/v1/units/", method="POST", body=new, headers=staff)
    assert status == 201, body
    created = json.loads(body)["id"]

    status, _, body = http(two, "/api/v1/alignment/", headers=staff)
    assert status == 200, body
    assert {u["code"] for u in json.loads(body)["units"]} == {"ACME", "BU", "NEW"}
    status, _, body = http(two, f"/api/v1/units/{created}/", headers=staff)
    assert status == 200 and json.loads(body)["code"] == "NEW"


# (c) Exactly once with a worker killed -----------------------------------------------------


def test_a_worker_killed_while_sending_leaves_each_email_sent_once(cluster):
    recorder, db = cluster.recorder, cluster.db
    owners = {f"owner{k}@example.com" for k in range(OWNERS)}
    readers = {f"reader{k}@example.com" for k in range(READERS)}
    recorder.hold(HOLD_AFTER)
    cluster.send("reviews.tasks.send_reminders", DAY)
    cluster.send("reports.tasks.send_report_packs", DAY)

    assert recorder.holding.wait(90), "no message reached the SMTP server"
    victim = next(w for w in cluster.workers if w.env["DEFAULT_FROM_EMAIL"] == recorder.held)
    victim.kill()  # while a message of its claimed batch is on the wire, unanswered
    survivor = next(w for w in cluster.workers if w is not victim)
    # HOLD_AFTER being fewer than either run's messages, neither run was done; the dead
    # worker had claimed messages it did not send.
    assert db.sql("SELECT count(*) FROM osm_outgoingmessage WHERE status = 'sending'")[0][0] > 0

    # The dead worker's claims come back when their lease (14 s) runs out; the beat's sweep
    # (every second here) hands them to the worker left.
    def done():
        rows = db.sql("SELECT status, count(*) FROM osm_outgoingmessage GROUP BY status")
        return dict(rows) == {"sent": OWNERS + READERS}

    wait_for(done, 90, "every message sent", [victim, survivor, *cluster.beats])
    delivered = recorder.to(owners | readers)
    by_recipient = Counter(recipient for _, recipient, _ in delivered)
    assert by_recipient == Counter(dict.fromkeys(owners | readers, 1)), by_recipient
    assert len({(recipient, subject) for _, recipient, subject in delivered}) == len(delivered)
    assert not victim.alive()
    late = db.sql("SELECT recipient FROM osm_outgoingmessage WHERE attempts > 1")
    assert late, "no message of the dead worker's claims was sent again"
    # ...by the worker left, and the message left unanswered among them.
    address = survivor.env["DEFAULT_FROM_EMAIL"]
    by_survivor = {to for sender, to, _ in delivered if sender == address}
    assert {recipient for (recipient,) in late} <= by_survivor


# (d) One beat ------------------------------------------------------------------------------


def probes_sent(cluster) -> list[int]:
    """The probe entries' numbers, one per message the beats put in the probe queue."""
    numbers = []
    for raw in cluster.store.lrange(PROBE_QUEUE, 0, -1):
        message = json.loads(raw)
        args, _, _ = json.loads(base64.b64decode(message["body"]))
        numbers.append(args[0])
    return numbers


def probes_recorded(cluster) -> int:
    """How many probe runs the beats wrote to the database: the run count written after
    the send, or (a one-off entry that ran) the entry disabled."""
    return cluster.db.sql(
        "SELECT count(*) FROM django_celery_beat_periodictask WHERE queue = %s "
        "AND (total_run_count > 0 OR NOT enabled)", [PROBE_QUEUE],
    )[0][0]  # fmt: skip


def arm_probes(cluster):
    """The probe entries, due one second apart from two seconds from now, enabled; the beats
    see the schedule changed."""
    for k in range(PROBES):
        cluster.db.sql(
            "UPDATE django_celery_beat_clockedschedule SET clocked_time = now() + %s * "
            "interval '1 second' WHERE id = (SELECT clocked_id FROM "
            "django_celery_beat_periodictask WHERE name = %s)", [2 + k, f"probe {k}"],
        )  # fmt: skip
    cluster.db.sql(
        "UPDATE django_celery_beat_periodictask SET enabled = true WHERE queue = %s",
        [PROBE_QUEUE],
    )
    cluster.db.sql(
        "INSERT INTO django_celery_beat_periodictasks (ident, last_update) VALUES (1, now()) "
        "ON CONFLICT (ident) DO UPDATE SET last_update = now()"
    )


def test_the_beats_send_each_due_task_once_and_one_takes_over_from_a_dead_one(cluster):
    assert cluster.holder() is not None, "no beat holds the lock"
    assert sum(b.alive() for b in cluster.beats) >= 2
    arm_probes(cluster)
    # Killed between two runs, once the runs sent are written (not in the milliseconds
    # between a send and its record, osm/beat.py's one window).
    wait_for(lambda: len(probes_sent(cluster)) == probes_recorded(cluster) >= 3, 60,
             "three probes sent and recorded", cluster.beats)  # fmt: skip
    holder = cluster.holder()
    holder.kill()
    sent_before = len(probes_sent(cluster))
    cluster.beat("beat3").start()  # started again, as a supervisor would: three beats in all

    wait_for(lambda: len(probes_sent(cluster)) >= PROBES and probes_recorded(cluster) == PROBES,
             60, "every probe sent", cluster.beats)  # fmt: skip
    assert Counter(probes_sent(cluster)) == Counter(range(PROBES))
    assert sent_before < PROBES
    successor = cluster.holder()
    assert successor is not None and successor is not holder

    # Stopped normally, a beat lets go of the lock at once (it does not wait for it to lapse).
    successor.process.terminate()
    successor.process.wait(timeout=20)
    left = cluster.store.get(LOCK_KEY)
    assert left is None or int(left.decode().split(":")[1]) != successor.pid
