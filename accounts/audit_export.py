"""The audit log as CSV, one file for the page and the API (`?format=csv`, same filters):
`id, at, kind, what, actor, address, target, detail`, newest first, streamed in batches so
a year of entries never sits in memory. Every text cell goes through core/csv_safe.py: a
username or reason typed as `=HYPERLINK(...)` is shown, never run, by a spreadsheet."""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from core import csv_safe
from core.audit import AuditKind

from .models import AuditEvent
from .selectors.audit import audit_batches

# The header names the API's fields (plus `what`, the kind in the reader's language):
# scripts read the file by them, so they stay as they are in every language.
HEADER = ("id", "at", "kind", "what", "actor", "address", "target", "detail")


def audit_csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The CSV's text, a batch of rows at a time, behind a byte-order mark (Excel then
    reads the accents). Kinds are labelled in the language active when this is called,
    times given in the current time zone: both are read now, as the rows are written after
    the view has returned."""
    labels = {kind: str(label) for kind, label in AuditKind.choices}
    return _lines(events, labels, timezone.get_current_timezone())


def _lines(events, labels: dict, zone) -> Iterator[str]:
    out = io.StringIO()
    writer = csv_safe.writer(out)
    writer.writerow(HEADER)
    yield "\ufeff" + out.getvalue()
    for batch in audit_batches(events):
        out.seek(0)
        out.truncate()
        for e in batch:
            writer.writerow(
                [
                    e.pk,
                    timezone.localtime(e.at, zone).isoformat(timespec="seconds"),
                    e.kind,
                    labels.get(e.kind, e.kind),
                    e.actor_name,
                    e.address or "",
                    e.target_name,
                    e.detail,
                ]
            )
        yield out.getvalue()


def audit_csv_response(events: QuerySet[AuditEvent]) -> StreamingHttpResponse:
    """The entries as a CSV download named after today's date."""
    response = StreamingHttpResponse(
        audit_csv_lines(events), content_type="text/csv; charset=utf-8"
    )
    name = f"audit-log-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
