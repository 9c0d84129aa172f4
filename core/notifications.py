"""Notifications: the inbox of each person, and the e-mails that go with it.

**Notify.** Apps call `notify(recipients, kind, message, url, key=...)`: one row per active
recipient, its text written in his or her language (`message` is called once per
language). A `key` makes it once per (recipient, kind, key), whatever writes it again: a
turned-red alert is keyed by its subject and period, a submitted value by the value and
its submission. Nothing is notified to the person whose action it reports.

**E-mail.** Each person chooses per kind (`NotificationPreference`, no row: the app only):
in the app only, also by e-mail at once, or also in a daily digest. E-mails go through the
outbox ledger (core/outbox.py): composed once (keyed by the notification, or by the person
and day for a digest) and delivered once, whatever worker or retry runs the delivery.
They are composed in the transaction that notifies, so a rolled-back write mails nobody.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .i18n import languages_of, speaking_to
from .jobs import enqueue
from .models import Notification, NotificationChannel, NotificationKind, NotificationPreference
from .outbox import Draft, messages_compose

NOTIFICATION_MAIL = "notification"
DIGEST_MAIL = "notification_digest"


def channels_of(user_ids: Iterable[int], kind: str) -> dict[int, str]:
    """The channel each of these users chose for `kind` (those who chose none: absent, the
    app only). One query."""
    rows = NotificationPreference.objects.filter(user_id__in=set(user_ids), kind=kind)
    return dict(rows.values_list("user_id", "channel"))


@transaction.atomic
def notify(
    recipients: Iterable,
    kind: str,
    message: Callable[[], str],
    url: str = "",
    *,
    key: str = "",
    actor=None,
) -> list[Notification]:
    """Notify each active recipient (users; repeats and None are dropped; `actor`, whose
    action it reports, is not told) of `kind`, with `message()` in his or her language and
    a link to `url` (a path of the site). With a `key`, a recipient already notified of that
    kind and key is not notified again. Returns the notifications made; e-mails those who
    chose e-mail at once."""
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    people = {
        user.pk: user
        for user in recipients
        if user is not None and user.is_active and (actor is None or user.pk != actor.pk)
    }
    if not people:
        return []
    if key:
        told = Notification.objects.filter(recipient_id__in=people, kind=kind, key=key)
        for user_id in told.values_list("recipient_id", flat=True):
            people.pop(user_id)
    languages = languages_of(people)
    texts: dict[str | None, str] = {}
    made = []
    for user_id, user in people.items():
        language = languages.get(user_id)
        if language not in texts:
            with speaking_to(language):
                texts[language] = str(message())[:500]
        made.append(Notification(recipient=user, kind=kind, text=texts[language], url=url, key=key))
    # A concurrent writer of the same key loses to the unique constraint quietly; its rows
    # are read back below rather than trusted from bulk_create.
    Notification.objects.bulk_create(made, ignore_conflicts=bool(key))
    if key:
        made = list(
            Notification.objects.filter(recipient_id__in=people, kind=kind, key=key).select_related(
                "recipient"
            )
        )
    _mail_at_once(made, kind, languages)
    return made


def _mail_at_once(notifications: list[Notification], kind: str, languages) -> None:
    """Compose the e-mail of each notification whose recipient chose e-mail at once."""
    channels = channels_of((n.recipient_id for n in notifications), kind)
    wanted = [
        n
        for n in notifications
        if channels.get(n.recipient_id) == NotificationChannel.EMAIL and n.recipient.email
    ]
    if not wanted:
        return
    text = get_template("email/notification.txt")
    drafts = []
    for notification in wanted:
        with speaking_to(languages.get(notification.recipient_id)):
            context = {"notification": notification, "site": settings.SITE_URL}
            drafts.append(
                Draft(
                    kind=NOTIFICATION_MAIL,
                    recipient=notification.recipient.email,
                    subject_key=f"notification:{notification.pk}",
                    period=timezone.localdate(),
                    subject=_("OSM: %(text)s") % {"text": notification.text[:120]},
                    body=text.render(context),
                    user_id=notification.recipient_id,
                )
            )
    if messages_compose(drafts):
        enqueue("osm.tasks.deliver_outbox")


def digests_compose(*, day: dt.date) -> int:
    """Compose the daily digest of `day`: to each person who chose the digest for a kind,
    one e-mail with his or her notifications of those kinds made the day before and still
    unread. Returns how many are new; running it again for the day composes nothing more."""
    since = dt.datetime.combine(day - dt.timedelta(days=1), dt.time.min)
    until = dt.datetime.combine(day, dt.time.min)
    zone = timezone.get_current_timezone()
    wants = defaultdict(set)
    for user_id, kind in NotificationPreference.objects.filter(
        channel=NotificationChannel.DIGEST
    ).values_list("user_id", "kind"):
        wants[user_id].add(kind)
    if not wants:
        return 0
    rows = Notification.objects.filter(
        recipient_id__in=wants,
        read_at__isnull=True,
        created_at__gte=timezone.make_aware(since, zone),
        created_at__lt=timezone.make_aware(until, zone),
    ).order_by("recipient_id", "created_at", "id")
    by_user = defaultdict(list)
    for notification in rows:
        if notification.kind in wants[notification.recipient_id]:
            by_user[notification.recipient_id].append(notification)
    people = get_user_model().objects.in_bulk(list(by_user))
    languages = languages_of(people)
    text = get_template("email/notification_digest.txt")
    drafts = []
    for user_id, items in by_user.items():
        person = people[user_id]
        if not person.email or not person.is_active:
            continue
        with speaking_to(languages.get(user_id)):
            subject = ngettext(
                "OSM: %(count)s notification", "OSM: %(count)s notifications", len(items)
            ) % {"count": len(items)}
            context = {"items": items, "site": settings.SITE_URL}
            drafts.append(
                Draft(
                    kind=DIGEST_MAIL,
                    recipient=person.email,
                    subject_key=f"user:{user_id}",
                    period=day,
                    subject=subject,
                    body=text.render(context),
                    user_id=user_id,
                )
            )
    return messages_compose(drafts)


# The inbox ------------------------------------------------------------------------------------


def inbox(user, *, unread: bool = False) -> QuerySet[Notification]:
    """`user`'s notifications, latest first (only the unread ones if asked)."""
    rows = Notification.objects.filter(recipient=user)
    return rows.filter(read_at__isnull=True) if unread else rows


def unread_count(user) -> int:
    """How many of `user`'s notifications are unread (the header's count; one query on the
    unread index)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_read(*, actor, ids: Iterable[int] | None = None) -> int:
    """Mark `actor`'s notifications read: those of `ids`, or all. Others' are never
    touched. Returns how many were unread."""
    rows = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


@transaction.atomic
def notification_preference_set(*, actor, kind: str, channel: str) -> NotificationPreference:
    """Set how `actor` hears of `kind`; an unknown kind or channel is refused by field."""
    errors = {}
    if kind not in NotificationKind.values:
        errors["kind"] = _("Choose one of: %(kinds)s.") % {
            "kinds": ", ".join(NotificationKind.values)
        }
    if channel not in NotificationChannel.values:
        errors["channel"] = _("Choose one of: %(channels)s.") % {
            "channels": ", ".join(NotificationChannel.values)
        }
    if errors:
        raise ValidationError(errors)
    preference, _created = NotificationPreference.objects.update_or_create(
        user=actor, kind=kind, defaults={"channel": channel}
    )
    return preference


def preferences_of(user) -> list[tuple[str, str, str]]:
    """Each kind with its label and `user`'s channel for it (the app when not chosen)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "channel"))
    return [
        (kind, label, chosen.get(kind, NotificationChannel.APP))
        for kind, label in NotificationKind.choices
    ]
