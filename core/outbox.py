"""Outgoing mail through the ledger (an outbox): composed once, delivered once.

**Compose.** A job writes every message it means to send as an `OutgoingMessage` row,
rendered (subject, text, HTML, attachments), unique on (kind, recipient, subject_key,
period). Run twice for a day, or retried after a crash, it composes nothing new.

**Deliver.** Workers claim due rows in batches (`SELECT … FOR UPDATE SKIP LOCKED`; the
rows become `sending` with a lease), send each over one SMTP connection and mark it `sent`
the moment the server has accepted it. A send the server refuses, or a broken connection,
leaves the row `failed` with the error, to be tried again later (backoff doubling from a
minute up to six hours, never given up). A row whose worker died while sending is taken
again once its lease has run out; nothing sends a message whose lease is about to run out.
A periodic sweep (the task `osm.tasks.deliver_outbox`) delivers whatever is left, so a lost task
loses no message.

**The one window for a duplicate**: the server accepted a message and the worker died
before the single `UPDATE … SET status = 'sent'` that follows. Each message carries a
Message-ID made from its ledger row, the same on every attempt, so the receiving side can
recognise such a duplicate. See docs/operations.md.

**Attachments** are stored with the message (JSON): `{"name", "content", "mimetype"}` with
text content (a CSV), or, for a file of bytes (a workbook, a PDF), the content in base64
with `"encoding": "base64"`; `attachment()` writes either, and delivery decodes the latter
into the bytes sent.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutgoingMessage

Status = OutgoingMessage.Status


@dataclass(frozen=True)
class Draft:
    """A message to compose: who, about what, for which period, and its rendered parts."""

    kind: str
    recipient: str
    subject_key: str
    period: dt.date
    subject: str
    body: str
    html: str = ""
    attachments: tuple[dict, ...] = ()
    user_id: int | None = None

    @property
    def key(self) -> tuple:
        return (self.kind, self.recipient, self.subject_key, self.period)


def attachment(name: str, content: str | bytes, mimetype: str) -> dict:
    """An attachment of a `Draft`: text as it is, bytes in base64 (the ledger is JSON)."""
    if isinstance(content, bytes):
        encoded = base64.b64encode(content).decode("ascii")
        return {"name": name, "content": encoded, "mimetype": mimetype, "encoding": "base64"}
    return {"name": name, "content": content, "mimetype": mimetype}


def attachment_content(item: dict) -> str | bytes:
    """What an attachment holds: its text, or its bytes when it was stored in base64."""
    if item.get("encoding") == "base64":
        return base64.b64decode(item["content"])
    return item["content"]


def messages_compose(drafts: Iterable[Draft]) -> int:
    """Write the drafts to the ledger, skipping those composed before (the same kind,
    recipient, subject and period); returns how many are new. Idempotent and safe against
    a concurrent run: the database's uniqueness has the last word."""
    drafts = {d.key: d for d in drafts}  # one draft per key even if a job repeated one
    if not drafts:
        return 0
    kinds = {k[0] for k in drafts}
    periods = {k[3] for k in drafts}
    existing = set(
        OutgoingMessage.objects.filter(kind__in=kinds, period__in=periods).values_list(
            "kind", "recipient", "subject_key", "period"
        )
    )
    new = [
        OutgoingMessage(
            kind=d.kind,
            recipient=d.recipient,
            subject_key=d.subject_key,
            period=d.period,
            subject=d.subject[:300],
            body=d.body,
            html=d.html,
            attachments=list(d.attachments),
            user_id=d.user_id,
        )
        for key, d in drafts.items()
        if key not in existing
    ]
    OutgoingMessage.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return len(new)


@dataclass
class Delivery:
    """What one delivery run did."""

    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def _due(now: dt.datetime) -> Q:
    return (
        Q(status=Status.PENDING)
        | Q(status=Status.FAILED, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, lease_until__lt=now)
    )


def _claim(batch: int, lease: dt.timedelta, only: set[int] | None) -> list[OutgoingMessage]:
    """Take up to `batch` due messages for this worker (others skip the locked rows)."""
    now = timezone.now()
    with transaction.atomic():
        due = OutgoingMessage.objects.filter(_due(now))
        if only is not None:
            due = due.filter(pk__in=only)
        ids = list(
            due.order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:batch]
        )
        OutgoingMessage.objects.filter(pk__in=ids).update(
            status=Status.SENDING, lease_until=now + lease, attempts=F("attempts") + 1
        )
    return list(OutgoingMessage.objects.filter(pk__in=ids).order_by("id"))


def backoff(attempts: int) -> dt.timedelta:
    """How long a failed message waits: 1, 2, 4… minutes, at most six hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def message_id(message: OutgoingMessage) -> str:
    """The same Message-ID on every attempt, so a duplicate can be told apart."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "osm.localhost"
    return f"<osm-{message.pk}-{message.kind}@{domain}>"


def _email(message: OutgoingMessage, connection) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": message_id(message)},
        connection=connection,
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for item in message.attachments:
        email.attach(item["name"], attachment_content(item), item.get("mimetype"))
    return email


def messages_deliver(*, batch: int | None = None, only: Iterable[int] | None = None) -> Delivery:
    """Send every due message (or the due ones among `only`), batch after batch, over one
    connection; each is marked sent as soon as the server accepted it."""
    batch = batch or settings.MAIL_BATCH
    lease = dt.timedelta(seconds=settings.MAIL_LEASE_SECONDS)
    # A send may take up to the SMTP timeout: never start one the lease might not cover.
    margin = dt.timedelta(seconds=(settings.EMAIL_TIMEOUT or 30) + 5)
    only = set(only) if only is not None else None
    result = Delivery()
    # Opened here, the connection carries every message (a backend opened by send() itself
    # would connect and quit for each one).
    connection, is_open = get_connection(), False
    try:
        while claimed := _claim(batch, lease, only):
            for message in claimed:
                if timezone.now() + margin >= message.lease_until:
                    break  # the rest go back to the pool when the lease runs out
                try:
                    if not is_open:
                        connection.open()
                        is_open = True
                    _email(message, connection).send()
                except Exception as exc:  # any refusal or broken connection: retry later
                    _failed(message, exc)
                    result.failed.append(message.pk)
                    connection.close()  # a fresh connection for the next message
                    is_open = False
                    continue
                OutgoingMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
                    status=Status.SENT, sent_at=timezone.now(), lease_until=None, error=""
                )
                result.sent.append(message.pk)
            if only is not None:
                only -= {m.pk for m in claimed}
    finally:
        connection.close()
    return result


def _failed(message: OutgoingMessage, exc: Exception) -> None:
    OutgoingMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.FAILED,
        lease_until=None,
        error=f"{type(exc).__name__}: {exc}"[:2000],
        next_attempt_at=timezone.now() + backoff(message.attempts),
    )


@shared_task(
    name="osm.tasks.deliver_outbox",
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
