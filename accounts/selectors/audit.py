"""Reads of the security audit log: the entries newest first, and the same entries in
batches for a CSV of any length. The names, kinds and addresses are copied into each
entry when it is written, so no read joins another table: a page of entries is one query
whatever it holds."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q, QuerySet

from ..models import AuditEvent

NEWEST_FIRST = ("-at", "-id")
CSV_BATCH = 2000


def audit_events() -> QuerySet[AuditEvent]:
    """Every entry, newest first (callers filter them: accounts/filters.py)."""
    return AuditEvent.objects.order_by(*NEWEST_FIRST)


def audit_batches(events: QuerySet[AuditEvent], *, size: int = CSV_BATCH) -> Iterator[list]:
    """`events` (filtered) newest first, in lists of at most `size`: each batch is one
    query starting below the last entry of the one before (by time, then id), so a year of
    entries is read in constant memory and without a server-side cursor (which a
    transaction-pooling connection pooler does not keep between queries)."""
    events = events.order_by(*NEWEST_FIRST)
    last = None
    while True:
        batch = events
        if last is not None:
            batch = batch.filter(Q(at__lt=last.at) | Q(at=last.at, id__lt=last.id))
        rows = list(batch[:size])
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        last = rows[-1]
