"""Celery tasks of the communication app: the daily reminders of the awareness pulses about
to close, composed into the outbox, then delivered (osm.tasks.deliver_outbox)."""

import datetime as dt

from celery import shared_task
from django.db import DatabaseError, transaction
from django.utils import timezone

from core.jobs import enqueue

from .services.pulses import pulse_answers_shuffle_recent, pulse_reminders_compose


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError, OSError),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
    time_limit=1800,
    soft_time_limit=1700,
)
def send_pulse_reminders(day: str | None = None) -> int:
    """Compose the pulse reminders of `day` (ISO date; default today) and queue their
    delivery, then write the answers of the pulses open or just closed again in a random
    order (`pulse_answers_shuffle`); returns how many messages are new. Safe to run twice:
    the ledger composes each message once."""
    date = dt.date.fromisoformat(day) if day else timezone.localdate()
    with transaction.atomic():
        composed = pulse_reminders_compose(day=date)
        enqueue("osm.tasks.deliver_outbox")
    pulse_answers_shuffle_recent(day=date)
    return composed
