"""Celery tasks of the reports app: the daily hand-out of the report packs due (07:00), and
the composing of one pack per task, so a slow PDF holds back no other pack and no web
request ever waits for one (reports/subscriptions.py)."""

import datetime as dt

from celery import shared_task
from django.db import DatabaseError, transaction
from django.utils import timezone

from core.jobs import enqueue

from .subscriptions import report_pack_compose, subscriptions_due

RETRY = {
    "acks_late": True,
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": 60,
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": 10,
}


def _day(day: str | None) -> dt.date:
    return dt.date.fromisoformat(day) if day else timezone.localdate()


@shared_task(**RETRY, time_limit=300, soft_time_limit=270)
def send_report_packs(day: str | None = None) -> int:
    """Hand each subscription due on `day` (ISO date; default today) to a task of its own;
    returns how many. Safe to run twice: each pack is composed once per due date."""
    date = _day(day)
    with transaction.atomic():
        ids = list(subscriptions_due(date).values_list("pk", flat=True))
        for subscription_id in ids:
            # Recorded with this transaction, handed to the broker when Redis answers.
            enqueue("reports.tasks.send_report_pack", subscription_id, date.isoformat())
    return len(ids)


# A document of a large unit takes a while: a longer limit than the default five minutes.
@shared_task(**RETRY, time_limit=900, soft_time_limit=840)
def send_report_pack(subscription_id: int, day: str) -> str:
    """Compose the pack of one subscription due on `day` into the outbox and queue its
    delivery; returns what became of it (`composed`, `already`, `busy`, `skipped`, `gone`).
    Safe to run twice or alongside another worker: the ledger keeps one message."""
    with transaction.atomic():
        outcome = report_pack_compose(subscription_id=subscription_id, day=_day(day))
        if outcome.status == "composed":
            enqueue("osm.tasks.deliver_outbox", [outcome.message_id])
    return outcome.status
