"""Celery tasks of the initiatives app: the daily notice of late initiatives."""

import datetime as dt

from celery import shared_task
from django.db import DatabaseError, transaction
from django.utils import timezone

from .alerts import late_initiatives_notify


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=60,
    max_retries=10,
    time_limit=1800,
)
def notify_late_initiatives(day: str | None = None) -> int:
    """Notify the initiatives late on `day` (ISO date; default today). Safe to run twice:
    each lateness is notified once."""
    date = dt.date.fromisoformat(day) if day else timezone.localdate()
    with transaction.atomic():
        return late_initiatives_notify(day=date)
