"""The reminder jobs: what to send on a given day, composed into the outbox (core/outbox.py).

Each function takes the day, writes its messages to the ledger and returns how many are
new; running one twice for the same day composes nothing more (the ledger's key), so the
Celery tasks, their retries and `manage.py send_reminders --date` may all run it freely.

- Data reminders: a measure owner hears `REMINDER_LEAD_DAYS` before a value is due and
  again 1 and 7 days after it fell overdue: one message listing everything he or she owes.
  At 7 days overdue the head of the measure's unit (or of the nearest unit above with a
  head) is told too.
- Review reminders: the chair and attendees of a meeting `REVIEW_LEAD_DAYS` before it,
  with its agenda and a link.
- Overdue action items: once a week (the ledger's period is the week's Monday), one
  message to each owner of open items past their due date.

Each message is written in its recipient's language (`core.i18n.speaking_to`: his or her
choice, else English), whoever or whatever ran the job.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import get_template
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from core.clock import week_of
from core.i18n import languages_of, speaking_to
from core.outbox import Draft, messages_compose
from scorecards.models import OrgUnit
from scorecards.selectors.updates import OwedValue, owed_values

from .choices import ActionStatus, MeetingStatus
from .models import ActionItem, ReviewMeeting
from .selectors import meeting_agenda

DATA_REMINDER = "data_reminder"
DATA_ESCALATION = "data_escalation"
ACTION_ITEMS = "action_items_overdue"
REVIEW_REMINDER = "review_reminder"
OVERDUE_STEPS = (1, 7)  # days after the due date an owner is reminded again
ESCALATION_DAYS = 7


def _name(user) -> str:
    return user.get_full_name() or user.username


@dataclass(frozen=True)
class Escalated:
    """An overdue value as its unit head reads it: with the owner's name."""

    value: OwedValue
    owner_name: str

    def __getattr__(self, name):  # the template reads the value's fields directly
        return getattr(self.value, name)


def data_reminders_compose(*, day: dt.date) -> int:
    """Compose the day's data reminders and escalations (see the module's docstring)."""
    lead = settings.REMINDER_LEAD_DAYS
    owed = owed_values(Q(owner__isnull=False, owner__is_active=True), today=day)
    by_owner: dict[int, list[OwedValue]] = defaultdict(list)
    for item in owed:
        by_owner[item.owner_id].append(item)
    triggered = {
        owner_id
        for owner_id, items in by_owner.items()
        if any(
            (not i.overdue and i.days == lead) or (i.overdue and i.days in OVERDUE_STEPS)
            for i in items
        )
    }
    escalate = [i for i in owed if i.overdue and i.days == ESCALATION_DAYS]
    heads = _heads_of({i.unit_code for i in escalate})
    people = get_user_model().objects.in_bulk(
        triggered | {i.owner_id for i in escalate} | set(heads.values())
    )
    text, html = get_template("email/data_reminder.txt"), get_template("email/data_reminder.html")
    site = settings.SITE_URL
    languages = languages_of(people)
    drafts = []
    for owner_id in sorted(triggered):
        owner = people[owner_id]
        if not owner.email:
            continue  # no address to remind; the dashboards still show the values overdue
        items = by_owner[owner_id]
        overdue = [i for i in items if i.overdue]
        upcoming = [i for i in items if not i.overdue]
        with speaking_to(languages.get(owner_id)):
            context = {
                "name": _name(owner),
                "overdue": overdue,
                "upcoming": upcoming,
                "sections": [(_("Overdue"), overdue, True), (_("Due next"), upcoming, False)],
                "site": site,
            }
            drafts.append(
                Draft(
                    kind=DATA_REMINDER,
                    recipient=owner.email,
                    subject_key=f"user:{owner_id}",
                    period=day,
                    subject=_reminder_subject(len(items), len(overdue)),
                    body=text.render(context),
                    html=html.render(context),
                    user_id=owner_id,
                )
            )
    drafts += _escalations(escalate, heads, people, day)
    return messages_compose(drafts)


def _reminder_subject(owed: int, overdue: int) -> str:
    """'OSM: 3 values to enter, 1 overdue' in the active language."""
    subject = ngettext("OSM: %(count)s value to enter", "OSM: %(count)s values to enter", owed)
    subject %= {"count": owed}
    if overdue:
        subject = _("%(subject)s, %(count)s overdue") % {"subject": subject, "count": overdue}
    return subject


def _heads_of(unit_codes: set[str]) -> dict[str, int]:
    """Each unit's head, or the head of the nearest unit above it that has one (one query:
    the whole tree, which is small next to its measures)."""
    if not unit_codes:
        return {}
    units = {u.code: u for u in OrgUnit.objects.only("id", "code", "parent_id", "head_id")}
    by_id = {u.pk: u for u in units.values()}
    heads = {}
    for code in unit_codes:
        unit = units.get(code)
        while unit is not None and unit.head_id is None:
            unit = by_id.get(unit.parent_id)
        if unit is not None:
            heads[code] = unit.head_id
    return heads


def _escalations(items, heads, people, day) -> list[Draft]:
    by_head: dict[int, list[Escalated]] = defaultdict(list)
    for item in items:
        head_id = heads.get(item.unit_code)
        if head_id is None:
            continue
        by_head[head_id].append(Escalated(item, _name(people[item.owner_id])))
    text = get_template("email/data_escalation.txt")
    html = get_template("email/data_escalation.html")
    languages = languages_of(by_head)
    drafts = []
    for head_id, escalated in sorted(by_head.items()):
        head = people[head_id]
        if not head.email:
            continue
        context = {
            "name": _name(head),
            "items": escalated,
            "days": ESCALATION_DAYS,
            "site": settings.SITE_URL,
        }
        with speaking_to(languages.get(head_id)):
            subject = ngettext(
                "OSM: %(count)s value of your units %(days)s days overdue",
                "OSM: %(count)s values of your units %(days)s days overdue",
                len(escalated),
            ) % {"count": len(escalated), "days": ESCALATION_DAYS}
            drafts.append(
                Draft(
                    kind=DATA_ESCALATION,
                    recipient=head.email,
                    subject_key=f"user:{head_id}",
                    period=day,
                    subject=subject,
                    body=text.render(context),
                    html=html.render(context),
                    user_id=head_id,
                )
            )
    return drafts


def action_item_reminders_compose(*, day: dt.date) -> int:
    """Once a week, each owner of open action items past their due date gets one message
    listing them."""
    items = list(
        ActionItem.objects.filter(
            status=ActionStatus.OPEN, due__lt=day, owner__isnull=False, owner__is_active=True
        )
        .exclude(owner__email="")
        .select_related("owner", "meeting__unit")
        .order_by("owner_id", "due", "id")
    )
    by_owner = defaultdict(list)
    for item in items:
        item.days = (day - item.due).days
        by_owner[item.owner_id].append(item)
    text, html = get_template("email/action_items.txt"), get_template("email/action_items.html")
    languages = languages_of(by_owner)
    drafts = []
    for owner_id, owned in by_owner.items():
        owner = owned[0].owner
        context = {"name": _name(owner), "items": owned, "site": settings.SITE_URL}
        with speaking_to(languages.get(owner_id)):
            subject = ngettext(
                "OSM: %(count)s overdue action item",
                "OSM: %(count)s overdue action items",
                len(owned),
            ) % {"count": len(owned)}
            drafts.append(
                Draft(
                    kind=ACTION_ITEMS,
                    recipient=owner.email,
                    subject_key=f"user:{owner_id}",
                    period=week_of(day),
                    subject=subject,
                    body=text.render(context),
                    html=html.render(context),
                    user_id=owner_id,
                )
            )
    return messages_compose(drafts)


def review_reminders_compose(*, day: dt.date) -> int:
    """The chair and attendees of each meeting held `REVIEW_LEAD_DAYS` after `day` (in
    TIME_ZONE) get its agenda and a link; once per meeting and date (a meeting moved to
    another day is announced again)."""
    target = day + dt.timedelta(days=settings.REVIEW_LEAD_DAYS)
    start = timezone.make_aware(dt.datetime.combine(target, dt.time.min))
    meetings = (
        ReviewMeeting.objects.filter(
            status=MeetingStatus.SCHEDULED,
            scheduled_for__gte=start,
            scheduled_for__lt=start + dt.timedelta(days=1),
        )
        .select_related("unit", "chair")
        .prefetch_related("attendees")
        .order_by("scheduled_for", "pk")
    )
    text = get_template("email/review_reminder.txt")
    html = get_template("email/review_reminder.html")
    meetings = list(meetings)
    languages = languages_of(
        user.pk
        for meeting in meetings
        for user in [*meeting.attendees.all(), meeting.chair]
        if user
    )
    drafts = []
    for meeting in meetings:
        people = {u.pk: u for u in meeting.attendees.all()}
        if meeting.chair:
            people[meeting.chair.pk] = meeting.chair
        people = {k: u for k, u in people.items() if u.is_active and u.email}
        if not people:
            continue
        when = timezone.localtime(meeting.scheduled_for)
        context = {
            "meeting": meeting,
            "when": when,
            "chair": _name(meeting.chair) if meeting.chair else "",
            "agenda": meeting_agenda(meeting, today=day),
            "link": f"{settings.SITE_URL}/reviews/{meeting.pk}/",
        }
        for user in sorted(people.values(), key=lambda u: u.pk):
            context["name"] = _name(user)
            with speaking_to(languages.get(user.pk)):
                # Django's date format letters, in each language's own order.
                day_and_time = pgettext("e-mail subject: a meeting's day and time", "D j M H:i")
                drafts.append(
                    Draft(
                        kind=REVIEW_REMINDER,
                        recipient=user.email,
                        subject_key=f"meeting:{meeting.pk}",
                        period=target,
                        subject=_("OSM: %(meeting)s, %(when)s")
                        % {"meeting": meeting.title, "when": dateformat.format(when, day_and_time)},
                        body=text.render(context),
                        html=html.render(context),
                        user_id=user.pk,
                    )
                )
    return messages_compose(drafts)


def reminders_compose(*, day: dt.date) -> dict[str, int]:
    """Every reminder of the day (`send_reminders`): how many new messages of each kind."""
    return {
        DATA_REMINDER: data_reminders_compose(day=day),
        REVIEW_REMINDER: review_reminders_compose(day=day),
        ACTION_ITEMS: action_item_reminders_compose(day=day),
    }
