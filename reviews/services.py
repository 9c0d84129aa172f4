"""Writes with rules for review meetings, their action items and the strategy calendar, in
the shape every app's services share: `thing_create(*, actor, data)`,
`thing_update(*, actor, instance, data)`, `thing_delete(*, actor, instance)`; holding and
cancelling a meeting are named for what they do."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.services import apply_changes, delete_or_explain, save_validated
from scorecards.models import OrgUnit

from .models import ActionItem, CalendarEvent, ReviewMeeting

ACTION_FIELDS = {"objective", "owner", "title", "due", "status"}
MEETING_FIELDS = {
    "kind",
    "unit",
    "title",
    "scheduled_for",
    "chair",
    "status",
    "minutes",
    "decisions",
    "approved_version",
}
# A new meeting is scheduled: its status, minutes and decisions come later.
MEETING_CREATE_FIELDS = {"kind", "unit", "title", "scheduled_for", "chair"}
KEEP = object()  # meeting_hold: the approved version not given (an operational review's form)
EVENT_FIELDS = {"unit", "kind", "title", "starts_on", "ends_on", "notes"}


@transaction.atomic
def meeting_create(*, actor, data: dict) -> ReviewMeeting:
    """Schedule a review meeting of a unit: `data` holds its unit, kind, title,
    scheduled_for, chair and `attendees` (a list of users)."""
    data = dict(data)
    attendees = list(data.pop("attendees", ()))
    meeting = apply_changes(ReviewMeeting(), data, allowed=MEETING_CREATE_FIELDS)
    save_validated(meeting, actor=actor)
    meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def meeting_update(*, actor, instance: ReviewMeeting, data: dict) -> ReviewMeeting:
    """Change a meeting and, if `data` has `attendees`, the full list of its attendees.
    Moving it to another unit is refused while its action items name objectives outside
    that unit's subtree."""
    data = dict(data)
    attendees = data.pop("attendees", None)
    instance._prefetched_objects_cache = {}  # its attendees are read afresh
    old_unit_id = instance.unit_id
    apply_changes(instance, data, allowed=MEETING_FIELDS)
    save_validated(instance, actor=actor)
    if instance.unit_id != old_unit_id:
        _refuse_stranded_items(instance)
    if attendees is not None:
        instance.attendees.set(list(attendees))
    return instance


def _refuse_stranded_items(meeting: ReviewMeeting) -> None:
    """Refuse a meeting's move while its action items name objectives outside the subtree
    of its new unit."""
    reach = OrgUnit.objects.subtree_of(meeting.unit_id).values_list("id", flat=True)
    stranded = (
        meeting.action_items.exclude(objective__isnull=True)
        .exclude(objective__unit__in=reach)
        .select_related("objective__unit")
    )
    if stranded:
        items = "; ".join(
            sorted(
                _("action item '%(item)s' is about %(objective)s")
                % {"item": item, "objective": f"{item.objective.unit.code}.{item.objective.code}"}
                for item in stranded
            )
        )
        raise ValidationError(
            {
                "unit": _("The meeting cannot move to %(unit)s: %(items)s.")
                % {"unit": meeting.unit.code, "items": items}
            }
        )


@transaction.atomic
def meeting_delete(*, actor, instance: ReviewMeeting) -> None:
    """Delete a meeting with its action items."""
    delete_or_explain(instance, actor=actor)


@transaction.atomic
def action_item_create(*, actor, data: dict) -> ActionItem:
    """Record a decision of a meeting as an action item (`data`: its meeting, title, due
    date, objective, owner, status); its objective must be of the meeting's unit or a unit
    below it (`ActionItem.clean`)."""
    item = apply_changes(ActionItem(), data, allowed=ACTION_FIELDS | {"meeting"})
    return save_validated(item, actor=actor)


@transaction.atomic
def action_item_update(*, actor, instance: ActionItem, data: dict) -> ActionItem:
    """Change an action item (status, owner, due date...) or move it to another meeting; its
    objective must stay of the meeting's unit or a unit below it."""
    apply_changes(instance, data, allowed=ACTION_FIELDS | {"meeting"})
    return save_validated(instance, actor=actor)


@transaction.atomic
def action_item_delete(*, actor, instance: ActionItem) -> None:
    """Delete an action item."""
    delete_or_explain(instance, actor=actor)


def broken_links_after_unit_move(subtree: set[int], above: set[int]) -> list[str]:
    """Action items of meetings outside a moved subtree about its objectives, where the
    meeting's unit would no longer be above them (registered in apps.py)."""
    items = (
        ActionItem.objects.filter(objective__unit__in=subtree)
        .exclude(meeting__unit__in=subtree | above)
        .select_related("meeting__unit", "objective__unit")
    )
    return [
        _("action item '%(item)s' of a %(unit)s meeting is about %(objective)s")
        % {
            "item": item,
            "unit": item.meeting.unit.code,
            "objective": f"{item.objective.unit.code}.{item.objective.code}",
        }
        for item in items
    ]


# The strategy calendar -----------------------------------------------------------------------


@transaction.atomic
def calendar_event_create(*, actor, data: dict) -> CalendarEvent:
    """Add a step of a unit's strategy calendar (`data`: its unit, kind, title, starts_on,
    ends_on, notes)."""
    event = apply_changes(CalendarEvent(), data, allowed=EVENT_FIELDS)
    return save_validated(event, actor=actor)


@transaction.atomic
def calendar_event_update(*, actor, instance: CalendarEvent, data: dict) -> CalendarEvent:
    """Change a step of the calendar (its unit, kind, title, dates or notes)."""
    apply_changes(instance, data, allowed=EVENT_FIELDS)
    return save_validated(instance, actor=actor)


@transaction.atomic
def calendar_event_delete(*, actor, instance: CalendarEvent) -> None:
    """Remove a step of the calendar."""
    delete_or_explain(instance, actor=actor)


# Holding and cancelling meetings -------------------------------------------------------------


def _locked(meeting: ReviewMeeting) -> ReviewMeeting:
    """The meeting's row read afresh under a lock, so two people holding or cancelling it at
    once cannot both succeed."""
    return ReviewMeeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)


@transaction.atomic
def meeting_hold(
    *,
    actor,
    meeting: ReviewMeeting,
    minutes: str,
    decisions: str,
    approved_version=KEEP,
    today: dt.date | None = None,
) -> ReviewMeeting:
    """Mark a scheduled meeting held, with its minutes and decisions, and freeze its agenda
    as it stands now (the briefing book of a past meeting keeps the figures it discussed).
    Refuses a cancelled meeting, one already held, and one whose day has not come."""
    from django.core.exceptions import NON_FIELD_ERRORS
    from django.utils import timezone

    from .choices import MeetingStatus
    from .selectors import agenda_to_json, meeting_agenda

    current = _locked(meeting)
    today = today or timezone.localdate()
    if current.status == MeetingStatus.CANCELLED:
        raise ValidationError({NON_FIELD_ERRORS: _("A cancelled meeting cannot be held.")})
    if current.status == MeetingStatus.HELD:
        raise ValidationError({NON_FIELD_ERRORS: _("This meeting has already been held.")})
    day = timezone.localdate(current.scheduled_for)
    if day > today:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "This meeting is scheduled for %(day)s: it can be held from that day on "
                    "(change its date if it met earlier)."
                )
                % {"day": date_format(day)}
            }
        )
    current.agenda = None  # generate it afresh, never from a stale copy
    agenda = meeting_agenda(current, today=today)
    agenda.frozen = True
    current.agenda = agenda_to_json(agenda)
    current.status = MeetingStatus.HELD
    current.minutes = minutes
    current.decisions = decisions
    if approved_version is not KEEP:  # as saving does: given, even empty, it is set
        current.approved_version = approved_version
    save_validated(current, actor=actor)
    meeting.refresh_from_db()
    return current


@transaction.atomic
def meeting_cancel(*, actor, meeting: ReviewMeeting) -> ReviewMeeting:
    """Cancel a scheduled meeting (its action items stay, and stay open until dealt with).
    Refuses a meeting already held or already cancelled."""
    from django.core.exceptions import NON_FIELD_ERRORS

    from .choices import MeetingStatus

    current = _locked(meeting)
    if current.status == MeetingStatus.HELD:
        raise ValidationError({NON_FIELD_ERRORS: _("A meeting that was held cannot be cancelled.")})
    if current.status == MeetingStatus.CANCELLED:
        raise ValidationError({NON_FIELD_ERRORS: _("This meeting is already cancelled.")})
    current.status = MeetingStatus.CANCELLED
    save_validated(current, actor=actor)
    meeting.refresh_from_db()
    return current
