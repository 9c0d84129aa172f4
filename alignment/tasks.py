"""Celery tasks of the alignment app: the weekly reports by email and the nightly
snapshot."""

import datetime as dt

from celery import shared_task
from django.db import DatabaseError, transaction
from django.utils import timezone

from osm.mail import deliver_outbox

from .reports import alignment_reports_compose
from .services import alignment_snapshot_take

RETRY = {
    "acks_late": True,
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": 60,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 10,
    "time_limit": 3600,
    "soft_time_limit": 3500,
}


def _day(day: str | None) -> dt.date:
    return dt.date.fromisoformat(day) if day else timezone.localdate()


@shared_task(**RETRY)
def send_alignment_reports(day: str | None = None) -> int:
    """Compose the week's alignment reports of `day` (default today) and queue their
    delivery; safe to run twice in a week."""
    with transaction.atomic():
        composed = alignment_reports_compose(day=_day(day))
        transaction.on_commit(deliver_outbox.delay)
    return composed


@shared_task(**RETRY)
def take_alignment_snapshot(day: str | None = None) -> int:
    """Tonight's alignment snapshot of every unit (idempotent per day)."""
    return len(alignment_snapshot_take(today=_day(day)))
