"""Celery tasks of the kernel: the outbox's delivery (defined beside the outbox in
core/outbox.py, so every app's jobs may queue it) and the relay of the jobs that waited in
the database while the broker was down (core/jobs.py). Their names keep the `osm.tasks.`
prefix the job schedules in existing databases use."""

import datetime as dt

from celery import shared_task
from celery.signals import worker_ready
from django.db import DatabaseError, transaction
from django.utils import timezone

from .jobs import enqueue, relay
from .notifications import digests_compose
from .outbox import deliver_outbox

__all__ = ["deliver_outbox", "relay_queued_tasks", "send_notification_digests"]


@shared_task(
    name="osm.tasks.send_notification_digests",
    acks_late=True,
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=60,
    max_retries=10,
    time_limit=1800,
)
def send_notification_digests(day: str | None = None) -> int:
    """Compose the daily digests of `day` (ISO date; default today) and queue their
    delivery. Safe to run twice: the ledger composes each digest once."""
    date = dt.date.fromisoformat(day) if day else timezone.localdate()
    with transaction.atomic():
        composed = digests_compose(day=date)
        enqueue("osm.tasks.deliver_outbox")
    return composed


@shared_task(name="osm.tasks.relay_queued_tasks", acks_late=True, time_limit=300)
def relay_queued_tasks() -> int:
    """Hand the waiting jobs to the broker (every minute, from the beat)."""
    return relay()


@worker_ready.connect
def relay_when_a_worker_starts(**kwargs):
    """A worker coming up is a sign the broker is back: hand over what waited."""
    relay()
