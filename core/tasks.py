"""Celery tasks of the kernel: the outbox's delivery (defined beside the outbox in
core/outbox.py, so every app's jobs may queue it) and the relay of the jobs that waited in
the database while the broker was down (core/jobs.py). Their names keep the `osm.tasks.`
prefix the job schedules in existing databases use."""

from celery import shared_task
from celery.signals import worker_ready

from .jobs import relay
from .outbox import deliver_outbox

__all__ = ["deliver_outbox", "relay_queued_tasks"]


@shared_task(name="osm.tasks.relay_queued_tasks", acks_late=True, time_limit=300)
def relay_queued_tasks() -> int:
    """Hand the waiting jobs to the broker (every minute, from the beat)."""
    return relay()


@worker_ready.connect
def relay_when_a_worker_starts(**kwargs):
    """A worker coming up is a sign the broker is back: hand over what waited."""
    relay()
