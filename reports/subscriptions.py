"""Report subscriptions: who receives which pack of which unit, when, and the composing of
each due pack into the outbox (issue 16, item 6).

**When.** A weekly subscription is due on the ISO weekday `day` (Monday = 1), a monthly one
on the day of the month `day` (1-28, so every month has it). The daily job
(`reports.tasks.send_report_packs`, 07:00) finds the subscriptions due that day and hands
each to a worker task of its own (`send_report_pack`), so one slow PDF does not hold the
others back; no web request ever builds a scheduled pack.

**Which figures.** A pack holds the figures as of the last complete month before its due
date (due on 3 December: November), the month its readers discuss; the alignment workbook
covers the fiscal year of that month. The pack is built as its subscriber may read it
(`build_pack` leaves out, say, budget lines he or she may not see) and in his or her
language, as are the subject and the text of the e-mail.

**Exactly once.** The message goes through the outbox ledger keyed by (`report_pack`, the
subscriber's address, `subscription:ID`, the due date): the ledger's uniqueness has the
last word, so a job run twice, retried after a crash, or run by two workers at once
composes one message. Before the (expensive) build, the subscription's row is locked
(`SKIP LOCKED`: a second worker on the same pack gives way at once) and the ledger is
asked: a pack composed before for that subscription and day is not built again.
`last_sent_on` is then set to the due date (never moved back by a replay of an older day).

**Skipped**, with a log line: an inactive subscription, one no longer due that day (its
day was changed since), a subscriber who is inactive, has no e-mail address, or may no
longer see the unit (lost his or her role).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from core.i18n import language_of, speaking_to
from core.models import OutgoingMessage
from core.outbox import Draft, attachment, messages_compose
from core.replica import heavy_reads
from core.services import apply_changes, delete_or_explain, save_validated
from scorecards.display import month_text
from scorecards.periods import add_months

from .choices import Cadence
from .models import ReportSubscription
from .packs import build_pack

logger = logging.getLogger(__name__)

REPORT_PACK = "report_pack"  # the ledger's kind
FIELDS = {"user", "unit", "kind", "cadence", "day", "active"}


# Reads ---------------------------------------------------------------------------------------


def due_filter(day: dt.date) -> Q:
    """The subscriptions due on `day`: weekly on its ISO weekday, monthly on its day."""
    return Q(cadence=Cadence.WEEKLY, day=day.isoweekday()) | Q(cadence=Cadence.MONTHLY, day=day.day)


def is_due(subscription: ReportSubscription, day: dt.date) -> bool:
    """Whether `subscription` is due on `day` (its activity aside)."""
    if subscription.cadence == Cadence.WEEKLY:
        return subscription.day == day.isoweekday()
    return subscription.day == day.day


def subscriptions_due(day: dt.date) -> QuerySet:
    """The active subscriptions due on `day`, by id; those already marked sent for that day
    are left out (the ledger would skip them anyway, this saves the worker a task)."""
    return (
        ReportSubscription.objects.filter(due_filter(day), active=True)
        .exclude(last_sent_on=day)
        .order_by("id")
    )


def figures_month(day: dt.date) -> dt.date:
    """The month a pack due on `day` reports: the last complete one (the month before)."""
    return add_months(day.replace(day=1), -1)


def subject_key(subscription_id: int) -> str:
    """The ledger's subject of a subscription's packs."""
    return f"subscription:{subscription_id}"


# Composing a due pack ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What became of one subscription on one due date: `composed` (a new message,
    `message_id`), `already` (the ledger had it), `busy` (another worker is on it),
    `skipped` (with the `reason`) or `gone` (deleted since)."""

    status: str
    reason: str = ""
    message_id: int | None = None


def skip_reason(subscription: ReportSubscription, day: dt.date) -> str:
    """Why `subscription` gets nothing on `day`, or "" when it gets its pack."""
    user = subscription.user
    if not subscription.active:
        return "the subscription is inactive"
    if not is_due(subscription, day):
        return f"not due on {day:%Y-%m-%d}"
    if not user.is_active:
        return "the subscriber is inactive"
    if not user.email:
        return "the subscriber has no e-mail address"
    if not user.has_perm("scorecards.view_orgunit", subscription.unit):
        return "the subscriber may no longer see the unit"
    return ""


def _composed_before(subscription_id: int, day: dt.date) -> int | None:
    """The ledger's message of this subscription and due date, if any (whatever the address
    it went to: a changed address gets no second copy)."""
    return (
        OutgoingMessage.objects.filter(
            kind=REPORT_PACK, subject_key=subject_key(subscription_id), period=day
        )
        .values_list("pk", flat=True)
        .first()
    )


def _mark_sent(subscription_id: int, day: dt.date) -> None:
    ReportSubscription.objects.filter(
        Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=day)
    ).filter(pk=subscription_id).update(last_sent_on=day)


def _draft(subscription: ReportSubscription, day: dt.date) -> Draft:
    """The message of a due pack, built and worded in its subscriber's language."""
    user, unit = subscription.user, subscription.unit
    month = figures_month(day)
    with speaking_to(language_of(user)):
        # On the read replica if any: so far the transaction holds the subscription's lock
        # and has written nothing the pack reads.
        with heavy_reads(despite_transaction=True):
            pack = build_pack(subscription.kind, unit, user, as_of=month)
        words = {
            "pack": subscription.get_kind_display(),
            "unit": unit.name,
            "month": month_text(month),
            "name": user.get_full_name() or user.username,
            "file": pack.name,
            "link": f"{settings.SITE_URL.rstrip('/')}{reverse('reports:subscriptions')}",
        }
        subject = _("OSM: %(pack)s of %(unit)s, %(month)s") % words
        if subscription.cadence == Cadence.WEEKLY:
            why = _("You receive it every week. To change or stop it: %(link)s") % words
        else:
            why = _("You receive it every month. To change or stop it: %(link)s") % words
        body = [
            _("Hello %(name)s,") % words,
            _("Attached: %(pack)s of %(unit)s, with the figures of %(month)s (%(file)s).") % words,
            why,
        ]
    return Draft(
        kind=REPORT_PACK,
        recipient=user.email,
        subject_key=subject_key(subscription.pk),
        period=day,
        subject=subject,
        body="\n\n".join(body) + "\n",
        attachments=(attachment(pack.name, pack.content, pack.media_type),),
        user_id=user.pk,
    )


@transaction.atomic
def report_pack_compose(*, subscription_id: int, day: dt.date) -> Outcome:
    """Compose the pack of one subscription due on `day` into the outbox (see the module's
    docstring): once per subscription and due date, whoever runs it and how often."""
    subscription = (
        ReportSubscription.objects.select_related("user", "unit")
        .select_for_update(skip_locked=True, of=("self",))
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None:
        if ReportSubscription.objects.filter(pk=subscription_id).exists():
            logger.info("Report subscription %s: another worker is composing it.", subscription_id)
            return Outcome("busy")
        logger.info("Report subscription %s: deleted, nothing to send.", subscription_id)
        return Outcome("gone")
    reason = skip_reason(subscription, day)
    if reason:
        logger.info("Report subscription %s skipped on %s: %s.", subscription_id, day, reason)
        return Outcome("skipped", reason)
    message_id = _composed_before(subscription_id, day)
    if message_id is None:
        if messages_compose([_draft(subscription, day)]) == 1:
            _mark_sent(subscription_id, day)
            return Outcome("composed", message_id=_composed_before(subscription_id, day))
        message_id = _composed_before(subscription_id, day)  # composed meanwhile by another
    _mark_sent(subscription_id, day)
    return Outcome("already", message_id=message_id)


# Writes --------------------------------------------------------------------------------------


def manages_all(user) -> bool:
    """Whether `user` sees and manages everyone's subscriptions (the OSM staff): asked of the
    rules (core.policies.SUBSCRIPTIONS) about a subscription of no one, which no owner has."""
    return user.has_perm("reports.change_reportsubscription", ReportSubscription())


def may_subscribe(actor, subscriber) -> bool:
    """Whether `actor` may subscribe `subscriber`: himself or herself, or anyone for those
    who manage everyone's subscriptions (None: a program, trusted)."""
    if actor is None or subscriber is None or subscriber.pk == actor.pk:
        return True
    return manages_all(actor)


def _check(actor, subscription: ReportSubscription, *, placed: bool = True) -> None:
    """Who is subscribed, by whom, and (when the subscriber or the unit is new: `placed`) to
    what he or she may see; a subscription of someone who lost his or her role can still be
    paused or changed otherwise (the job skips it meanwhile)."""
    if not may_subscribe(actor, subscription.user):
        raise PermissionDenied(_("Only the OSM staff subscribe other people to report packs."))
    user = subscription.user
    if (
        placed
        and subscription.unit_id is not None
        and not user.has_perm("scorecards.view_orgunit", subscription.unit)
    ):
        raise ValidationError(
            {"user": _("%(name)s may not see this unit, so would receive nothing.")
             % {"name": user.get_full_name() or user.username}}
        )  # fmt: skip


@transaction.atomic
def subscription_create(*, actor, data: dict) -> ReportSubscription:
    """Subscribe `data["user"]` (default: the actor) to a unit's pack. People subscribe
    themselves; the OSM staff anyone (PermissionDenied otherwise); the subscriber must be
    able to see the unit; the day must exist in the cadence (on the field `day`); one
    subscription per person, unit, pack and cadence."""
    data = dict(data)
    if data.get("user") is None:
        data["user"] = actor
    subscription = apply_changes(ReportSubscription(), data, allowed=FIELDS)
    if subscription.user_id is None:
        raise ValidationError({"user": _("Name the person to subscribe.")})
    _check(actor, subscription)
    return save_validated(subscription, actor=actor)


@transaction.atomic
def subscription_update(*, actor, instance: ReportSubscription, data: dict) -> ReportSubscription:
    """Change a subscription (its pack, unit, cadence, day, whether it is active; its
    subscriber, for the OSM staff). `last_sent_on` is the job's."""
    data = {k: v for k, v in data.items() if not (k == "user" and v is None)}
    stored = (
        ReportSubscription.objects.filter(pk=instance.pk).values_list("user_id", "unit_id").first()
    )
    apply_changes(instance, data, allowed=FIELDS)
    _check(actor, instance, placed=stored != (instance.user_id, instance.unit_id))
    return save_validated(instance, actor=actor)


@transaction.atomic
def subscription_delete(*, actor, instance: ReportSubscription) -> None:
    """Stop a subscription (the messages already composed stay in the ledger)."""
    delete_or_explain(instance, actor=actor)
