"""The real thing: a Celery worker process consumes the real Redis queue and delivers to a
real SMTP server on loopback (aiosmtpd, started here); killed in the middle of a delivery
and restarted, it ends with every message delivered exactly once.

Needs PostgreSQL (the worker is another process: it must see the test's committed rows)
and Redis; skips without them (fails under OSM_REQUIRE_SERVICES=1).
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections import Counter
from email import message_from_bytes
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from core.models import OutgoingMessage
from scorecards.models import Measure
from tests import factories as f
from tests.conftest import need_service
from tests.helpers import free_port

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
DAY = "2026-11-11"  # October's values (due 10 Nov) are one day overdue: reminders go out
OWNERS = 24


class Recorder:
    """The SMTP server's handler: keeps each message it accepted. With a delay it answers
    slowly, and a message whose client is gone by the time it would answer is dropped
    unanswered, as a server does when the connection breaks before its "250 OK"."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.accepted: list[tuple[str, str]] = []  # (Message-ID, recipient)
        self.receiving = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        if self.delay:
            self.receiving.set()
            await asyncio.sleep(self.delay)
            self.receiving.clear()
            if server.transport is None or server.transport.is_closing():
                return "451 client gone"
        message = message_from_bytes(envelope.original_content)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.accepted.append((message["Message-ID"], recipient))
        return "250 OK"


@pytest.fixture
def services():
    need_service("postgres")
    need_service("redis")
    if connection.vendor != "postgresql":
        pytest.skip("The worker test needs the PostgreSQL test database (DATABASE_URL).")


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield recorder, controller.port
    controller.stop()


class Worker:
    """`celery -A osm worker` on its own queue, against the test database."""

    def __init__(self, smtp_port: int):
        db = connection.settings_dict
        user = quote(db["USER"] or "postgres")
        password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
        self.queue = f"osm-test-{uuid.uuid4().hex[:8]}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "osm.settings.dev",
            "DEBUG": "1",
            "DATABASE_URL": (
                f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            ),
            "REDIS_URL": os.environ["REDIS_URL"],
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_QUEUE": self.queue,
            "CELERY_VISIBILITY_TIMEOUT": "8",
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "2",
            "MAIL_LEASE_SECONDS": "14",
            "MAIL_BATCH": "5",
        }
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "osm", "worker", "-Q", self.queue,
             "--pool", "solo", "--concurrency", "1", "--without-heartbeat",
             "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def send(self, task: str, *args):
        from celery.exceptions import AlwaysEagerIgnored

        from osm.celery import app

        # The test process runs tasks inline; this one is meant for the real queue.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AlwaysEagerIgnored)
            app.send_task(task, args=list(args), queue=self.queue)


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@pytest.fixture
def owners():
    """OWNERS measure owners, each owing October's value of one measure."""
    assert settings.MEASURE_DUE_DAYS == 10, "the test's dates assume MEASURE_DUE_DAYS = 10"
    unit = f.OrgUnitFactory(parent=f.EnterpriseFactory(code="ACME"))
    objective = f.ObjectiveFactory(unit=unit)
    for k in range(OWNERS):
        owner = f.UserFactory(email=f"owner{k}@example.com")
        measure = f.MeasureFactory(objective=objective, code=f"M{k}", owner=owner)
        Measure.objects.filter(pk=measure.pk).update(
            created_at=dt.datetime(2026, 10, 20, tzinfo=dt.UTC)
        )
    return [f"owner{k}@example.com" for k in range(OWNERS)]


def delivered(recorder) -> Counter:
    with recorder.lock:
        return Counter(recipient for _, recipient in recorder.accepted)


def test_a_worker_delivers_each_reminder_once_through_smtp(services, smtp, owners):
    recorder, port = smtp
    worker = Worker(port)
    worker.start()
    try:
        worker.send("reviews.tasks.send_reminders", DAY)
        wait_for(lambda: len(delivered(recorder)) == OWNERS, 90, "every reminder")
        worker.send("reviews.tasks.send_reminders", DAY)  # the same day again
        worker.send("osm.tasks.deliver_outbox")
        wait_for(
            lambda: not OutgoingMessage.objects.exclude(status="sent").exists(), 30, "the sweep"
        )
        time.sleep(1)
    finally:
        worker.stop()
    assert delivered(recorder) == Counter(dict.fromkeys(owners, 1))
    ids = {message_id for message_id, _ in recorder.accepted}
    assert len(ids) == OWNERS  # one Message-ID per ledger row
    assert OutgoingMessage.objects.filter(status="sent").count() == OWNERS


def test_a_worker_killed_mid_delivery_then_restarted_sends_each_once(services, smtp, owners):
    recorder, port = smtp
    recorder.delay = 0.25  # a slow server: the kill lands while one is being sent
    worker = Worker(port)
    worker.start()
    try:
        worker.send("reviews.tasks.send_reminders", DAY)
        wait_for(lambda: len(delivered(recorder)) >= OWNERS // 3, 90, "a third delivered")
        # Kill while a message is on the wire, before the server's answer: the worker
        # dies holding a claimed batch, some of it sent and marked, the rest not.
        recorder.receiving.wait(10)
        worker.kill()
        before = sum(delivered(recorder).values())
        assert 0 < before < OWNERS
        assert OutgoingMessage.objects.filter(status="sending").exists()
        worker.start()
        # The claims of the dead worker are retaken when their lease (14 s) runs out: the
        # redelivered task, or the beat's sweep (sent here as the beat would).
        time.sleep(15)
        worker.send("osm.tasks.deliver_outbox")
        wait_for(lambda: len(delivered(recorder)) == OWNERS, 120, "every reminder")
        wait_for(
            lambda: not OutgoingMessage.objects.exclude(status="sent").exists(), 30, "the marks"
        )
        time.sleep(1)
    finally:
        worker.stop()
    counts = delivered(recorder)
    assert counts == Counter(dict.fromkeys(owners, 1)), counts


def test_two_workers_and_a_retry_deliver_each_notification_email_once(services, smtp, monkeypatch):
    """OWNERS people chose e-mail for mentions; each is mentioned twice (two mentions, two
    e-mails). Two workers on the same queue are both told to deliver, three times each (a
    retry, the sweep), while the server answers slowly: each ledger row is sent once."""
    from core import notifications
    from core.models import NotificationPreference
    from core.notifications import notify

    # The test process runs tasks inline: here only the workers deliver.
    monkeypatch.setattr(notifications, "enqueue", lambda *args: None)
    recorder, port = smtp
    recorder.delay = 0.05
    people = [f.UserFactory(email=f"reader{k}@example.com") for k in range(OWNERS)]
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=person, kind="mention", channel="email") for person in people
    )
    notify(people, "mention", lambda: "Ana mentioned you on IND.OTD", "/measures/1/")
    notify(people, "mention", lambda: "Ana mentioned you on IND.OEE", "/measures/2/")
    first, second = Worker(port), Worker(port)
    second.queue, second.env["CELERY_QUEUE"] = first.queue, first.queue
    first.start()
    second.start()
    try:
        for _ in range(3):
            first.send("osm.tasks.deliver_outbox")
            second.send("osm.tasks.deliver_outbox")
        wait_for(lambda: len(recorder.accepted) >= 2 * OWNERS, 90, "every e-mail")
        wait_for(
            lambda: not OutgoingMessage.objects.exclude(status="sent").exists(), 30, "the sweep"
        )
        time.sleep(1)
    finally:
        first.stop()
        second.stop()
    assert delivered(recorder) == Counter({person.email: 2 for person in people})
    ids = [message_id for message_id, _ in recorder.accepted]
    assert len(ids) == len(set(ids)) == 2 * OWNERS  # no ledger row sent twice
