"""Celery tasks of the outbox: deliver what the jobs composed (osm/mail.py)."""

from celery import shared_task
from django.db import DatabaseError

from .mail import messages_deliver


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=None,
)
def deliver_outbox(message_ids: list[int] | None = None) -> dict:
    """Send the due messages (those of `message_ids`, or all): queued by the jobs after
    they compose, and every few minutes by the beat as a sweep. Safe to run twice or at
    the same time as another: rows are claimed with SKIP LOCKED."""
    result = messages_deliver(only=message_ids)
    return {"sent": len(result.sent), "failed": len(result.failed)}
