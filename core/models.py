"""Base pieces every app shares: the timestamped abstract model, the outgoing-message
ledger, queued jobs, the data version and each person's own preferences."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import policies
from .scoping import Access


class TimeStampedModel(models.Model):
    """Abstract base: when a row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OutgoingMessage(TimeStampedModel):
    """One message OSM sends (reminder, escalation, report): the outbox and the ledger.

    A job writes the message here, rendered, before anything is sent; it is unique on
    (kind, recipient, subject_key, period), so a retried or repeated job never composes
    the same message twice. Delivery then claims rows (status `sending` with a lease),
    sends them and marks each `sent` as soon as the mail server accepted it (core/outbox.py).
    """

    access = Access(policies.STAFF_ONLY)

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (will be retried)")

    kind = models.CharField(max_length=40)
    recipient = models.CharField(max_length=254, help_text=_("Email address."))
    subject_key = models.CharField(
        max_length=200, help_text=_("What the message is about, e.g. 'measure:12' or 'unit:3'.")
    )
    period = models.DateField(help_text=_("The day, period or week the message belongs to."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True, help_text=_("The plain-text part."))
    html = models.TextField(blank=True, help_text=_("The HTML part, if any."))
    attachments = models.JSONField(
        default=list, blank=True, help_text='[{"name": ..., "content": ..., "mimetype": ...}]'
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text=_("A failed message is tried again from then on.")
    )
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text=_("A message being sent is another worker's after this.")
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "subject_key", "period"],
                name="outgoing_message_once",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "failed"]),
                name="outgoing_message_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "id"], name="outgoing_message_status_idx")]

    def __str__(self):
        return f"{self.kind} to {self.recipient} ({self.subject_key}, {self.period})"


def _new_epoch() -> str:
    return uuid.uuid4().hex


class DataVersion(models.Model):
    """The data version: a number that goes up once every change to OSM's data has
    committed, so that computed reads (the alignment report, kept API answers) can be cached
    exactly: a cache entry names the version it was computed at and is never served once
    the data has moved on. This row holds the epoch; the number is a PostgreSQL sequence
    (no lock for writers to queue on; core/versioning.py), or `counter` on SQLite."""

    access = Access(policies.INTERNAL)

    counter = models.BigIntegerField(default=0)
    # A random name for this database's history: a flushed, restored or re-seeded database
    # starts a new epoch, so cache entries of another timeline never match.
    epoch = models.CharField(max_length=32, default=_new_epoch)

    class Meta:
        verbose_name = "data version"

    def __str__(self):
        return f"data version {self.counter}"


class QueuedTask(models.Model):
    """A job asked for (a report, a recomputation, a delivery), recorded in the database
    in the same transaction as whatever asked for it, then handed to the broker. While
    Redis is down it waits here, and is handed over once Redis answers again (core/outbox.py);
    `task_id` is this row's, so the worker can tell a task handed over twice."""

    access = Access(policies.STAFF_ONLY)

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the broker")
        SENT = "sent", _("Handed to the broker")

    task_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, help_text=_("The Celery task's name."))
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sent"]), name="queued_task_status_valid"
            )
        ]
        indexes = [models.Index(fields=["status", "id"], name="queued_task_status_idx")]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"


def _language_codes() -> list[str]:
    return ["", *(code for code, _name in settings.LANGUAGES)]


class Preferences(models.Model):
    """A person's own settings: the language OSM speaks to him or her in, on the pages and
    in e-mails. One row per user, made the first time he or she chooses (the language page,
    core/language.py); no row, or no language, means "as my browser asks" on the pages and
    English in e-mails."""

    # Each person sets his or her own through the language page, which only ever touches
    # the signed-in user's row; anyone else's is OSM staff's business (the backup, the shell).
    access = Access(policies.STAFF_ONLY, owner="user")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="osm_preferences",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("The language of the pages and e-mails; empty: as the browser asks."),
    )

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=_language_codes()),
                name="preferences_language_offered",
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.language or '-'})"


class NotificationKind(models.TextChoices):
    """What a notification is about (API.md "Reporting cycle")."""

    MENTION = "mention", _("Someone mentioned you")
    REPLY = "reply", _("A reply to your comment")
    VALUE_SUBMITTED = "value_submitted", _("A value waits for your approval")
    VALUE_RETURNED = "value_returned", _("A value of yours was returned")
    VALUE_APPROVED = "value_approved", _("A value of yours was approved")
    TURNED_RED = "turned_red", _("A measure or objective went off target")
    INITIATIVE_LATE = "initiative_late", _("An initiative is late")
    PERIOD_CLOSED = "period_closed", _("A month was closed")
    ANNOUNCEMENT = "announcement", _("An announcement")


class NotificationChannel(models.TextChoices):
    """How a person hears of a kind of notification: in the app only, or also by e-mail at
    once, or in a daily digest."""

    APP = "app", _("In the app only")
    EMAIL = "email", _("Also by e-mail, at once")
    DIGEST = "digest", _("Also by e-mail, in a daily digest")


class Notification(models.Model):
    """One thing a person should know of, with its text and a link, in his or her inbox.
    A notification with a `key` is made once per (recipient, kind, key): a turned-red alert
    is keyed by its subject and period, so saving the value again notifies nobody again."""

    access = Access(policies.OWN_ROWS, owner="recipient")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    text = models.CharField(_("text"), max_length=500)
    url = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("key"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"],
                condition=~models.Q(key=""),
                name="notification_once_per_key",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
        ]
        indexes = [
            # The inbox: a person's latest first; the header's count: his or her unread.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self):
        return f"{self.kind} to {self.recipient_id}: {self.text[:40]}"


class NotificationPreference(models.Model):
    """How a person hears of one kind of notification (no row: in the app only)."""

    access = Access(policies.OWN_ROWS, owner="user")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=NotificationChannel.choices,
        default=NotificationChannel.APP,
    )

    class Meta:
        ordering = ["user_id", "kind"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values)
                & models.Q(channel__in=NotificationChannel.values),
                name="notification_preference_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.channel}"
