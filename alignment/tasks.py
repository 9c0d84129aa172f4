"""Celery tasks of the alignment app: the weekly reports by email, the nightly snapshot, the
nightly strategy test run and the nightly pruning of old runs."""

import datetime as dt

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.utils import timezone

from core.jobs import enqueue

from .reports import alignment_reports_compose
from .services import alignment_snapshot_take
from .strategy_tests import strategy_test_run, strategy_test_runs_prune

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
        enqueue("osm.tasks.deliver_outbox")
    return composed


@shared_task(**RETRY)
def take_alignment_snapshot(day: str | None = None) -> int:
    """Tonight's alignment snapshot of every unit (idempotent per day)."""
    return len(alignment_snapshot_take(today=_day(day)))


@shared_task(**{**RETRY, "time_limit": 1800, "soft_time_limit": 1740})
def run_strategy_tests(day: str | None = None, by: int | None = None) -> int:
    """Test every arrow of every unit's strategy map against the data up to `day` (default
    today) and store the verdicts as a new run (nightly, and on demand from the Strategy
    test page, `by` naming the user who asked); returns the run's id. Running it twice
    makes two runs; the pages serve the latest that finished. A retried attempt leaves
    its failed run behind, marked with the error."""
    user = get_user_model().objects.filter(pk=by).first() if by else None
    return strategy_test_run(today=_day(day), actor=user).pk


@shared_task(**{**RETRY, "time_limit": 900, "soft_time_limit": 840})
def prune_strategy_test_runs(day: str | None = None, days: int | None = None) -> int:
    """Delete the strategy test runs started more than `days` (default
    STRATEGY_TEST_RETENTION_DAYS) days before `day` (default today), keeping those the pages
    still show and any run in progress; returns how many were deleted (nightly). Safe to
    run twice: the second finds nothing more to delete."""
    return strategy_test_runs_prune(today=_day(day), days=days)
