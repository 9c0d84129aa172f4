"""Redis goes away and comes back: pages still render (the cache fails open), and a job
asked for meanwhile waits in the database and is handed to the broker once Redis is back,
exactly once (core/jobs.py `enqueue` and `relay`).

The real-server test starts a Redis server of its own on a free port, so it can stop and
start it without touching anyone else's.
"""

import datetime as dt
import json
import shutil
import subprocess
import time

import pytest
import redis
from celery import Celery
from django.core.cache import caches
from kombu.exceptions import OperationalError

from core import jobs
from core.jobs import enqueue, relay
from core.models import OutgoingMessage, QueuedTask
from core.outbox import Draft, messages_compose
from core.roles import EXECUTIVE
from tests import factories as f
from tests.conftest import REQUIRE_SERVICES
from tests.helpers import free_port

pytestmark = pytest.mark.django_db


def test_without_redis_a_job_runs_inline_at_commit(django_capture_on_commit_callbacks):
    messages_compose([Draft(kind="k", recipient="a@example.com", subject_key="s",
                            period=dt.date(2026, 11, 27),
                            subject="Hi", body="Hello")])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        row = enqueue("osm.tasks.deliver_outbox")
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 1
    assert OutgoingMessage.objects.get().status == "sent"


@pytest.fixture
def broker(monkeypatch):
    """A Celery app that publishes for real (not inline); its hand-over is recorded or,
    while `down`, refused the way kombu refuses when Redis does not answer."""

    class Broker:
        down = False
        published: list[tuple[str, str]] = []

    Broker.published = []
    app = Celery("osm-test", set_as_current=False)  # the project's app stays current
    app.conf.task_always_eager = False

    def apply_async(self, *args, task_id=None, retry=None, **kwargs):
        if Broker.down:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        Broker.published.append((self.task, task_id))

    monkeypatch.setattr("celery.canvas.Signature.apply_async", apply_async)
    monkeypatch.setattr(jobs, "current_app", app)
    return Broker


def test_a_job_asked_for_while_the_broker_is_down_waits_then_goes_once(
    broker, django_capture_on_commit_callbacks
):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        row = enqueue("alignment.tasks.send_alignment_reports", "2026-11-27")
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Connection refused" in row.error
    assert relay() == 0  # still down
    broker.down = False
    assert relay() == 1
    assert relay() == 0  # nothing twice
    assert broker.published == [("alignment.tasks.send_alignment_reports", str(row.task_id))]
    row.refresh_from_db()
    assert row.status == "sent" and row.sent_at is not None


def test_the_relay_keeps_the_order_and_stops_at_the_first_refusal(broker):
    rows = [QueuedTask.objects.create(name=f"t{k}") for k in range(3)]
    broker.down = True
    assert relay() == 0
    assert QueuedTask.objects.filter(attempts=1).count() == 1  # only the first was tried
    broker.down = False
    assert relay() == 3
    assert [name for name, _ in broker.published] == ["t0", "t1", "t2"]
    assert {r.task_id for r in rows} == {QueuedTask.objects.get(pk=r.pk).task_id for r in rows}


# A real Redis server, stopped and started ---------------------------------------------------


class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        reason = "redis-server is not installed (apt-get install redis-server)"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason}, and OSM_REQUIRE_SERVICES=1 requires it.")
        pytest.skip(reason)
    server = RedisServer()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def test_a_real_redis_stopped_and_started(
    redis_server, settings, monkeypatch, client, django_capture_on_commit_callbacks
):
    url = f"redis://127.0.0.1:{redis_server.port}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailOpenRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    app = Celery("osm-test", broker=url, set_as_current=False)
    app.conf.task_always_eager = False
    app.conf.broker_connection_timeout = 1
    app.conf.broker_connection_retry = False
    monkeypatch.setattr(jobs, "current_app", app)
    queue = redis.Redis(port=redis_server.port)
    f.EnterpriseFactory(code="ACME")
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))

    # Up: the page fills the cache, the job goes straight to the queue.
    assert client.get("/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue("osm.tasks.deliver_outbox")
    first.refresh_from_db()
    assert first.status == "sent" and queue.llen("celery") == 1

    # Down: the page still renders (the cache fails open), the job waits in the database.
    redis_server.stop()
    started = time.perf_counter()
    assert client.get("/").status_code == 200
    assert caches["default"].get("anything") is None  # a miss, not an error
    caches["default"].set("anything", 1)  # skipped, not an error
    with django_capture_on_commit_callbacks(execute=True):
        second = enqueue("alignment.tasks.send_alignment_reports", "2026-11-27")
    assert time.perf_counter() - started < 10  # short timeouts: no request hangs on Redis
    second.refresh_from_db()
    assert second.status == "pending" and second.error

    # Back (an empty Redis: it kept nothing on disk): the relay hands it over, once.
    redis_server.start()
    queue = redis.Redis(port=redis_server.port)
    assert relay() == 1
    assert relay() == 0
    second.refresh_from_db()
    assert second.status == "sent"
    messages = [json.loads(m) for m in queue.lrange("celery", 0, -1)]
    assert [m["headers"]["id"] for m in messages] == [str(second.task_id)]
    assert messages[0]["headers"]["task"] == "alignment.tasks.send_alignment_reports"
