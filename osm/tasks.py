"""Celery tasks of the project: the outbox's delivery (defined beside the outbox in
osm/mail.py, so every app's jobs may queue it; imported here for Celery to find)."""

from .mail import deliver_outbox

__all__ = ["deliver_outbox"]
