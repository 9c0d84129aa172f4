"""Celery tasks of accounts: the nightly prune of the security audit log."""

from celery import shared_task
from django.db import DatabaseError

from . import security_tasks  # noqa: F401  (the password reset mail, for the worker)
from .services.audit import audit_prune


@shared_task(
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=60,
    max_retries=5,
    time_limit=1800,
    soft_time_limit=1700,
)
def prune_audit_log() -> int:
    """Delete the audit entries older than AUDIT_RETENTION_DAYS; safe to run twice."""
    return audit_prune()
