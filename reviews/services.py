"""Writes with rules for review meetings and action items."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

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
}
EVENT_FIELDS = {"unit", "kind", "title", "starts_on", "ends_on", "notes"}


@transaction.atomic
def meeting_schedule(
    *,
    unit: OrgUnit,
    kind: str,
    title: str,
    scheduled_for: dt.datetime,
    chair=None,
    attendees: Iterable = (),
) -> ReviewMeeting:
    """Schedule a review meeting of a unit with its attendees."""
    meeting = save_validated(
        ReviewMeeting(unit=unit, kind=kind, title=title, scheduled_for=scheduled_for, chair=chair)
    )
    meeting.attendees.set(list(attendees))
    return meeting


@transaction.atomic
def meeting_update(
    *, meeting: ReviewMeeting, attendees: Iterable | None = None, by=None, **changes
) -> ReviewMeeting:
    """Change a meeting and, if given, the full list of its attendees. Moving it to another
    unit is refused while its action items name objectives outside that unit's subtree."""
    old_unit_id = meeting.unit_id
    apply_changes(meeting, changes, allowed=MEETING_FIELDS)
    save_validated(meeting, actor=by)
    if meeting.unit_id != old_unit_id:
        reach = OrgUnit.objects.subtree_of(meeting.unit_id).values_list("id", flat=True)
        stranded = (
            meeting.action_items.exclude(objective__isnull=True)
            .exclude(objective__unit__in=reach)
            .select_related("objective__unit")
        )
        if stranded:
            raise ValidationError(
                {
                    "unit": (
                        f"The meeting cannot move to {meeting.unit.code}: "
                        + "; ".join(
                            sorted(
                                f"action item '{item}' is about "
                                f"{item.objective.unit.code}.{item.objective.code}"
                                for item in stranded
                            )
                        )
                        + "."
                    )
                }
            )
    if attendees is not None:
        meeting.attendees.set(list(attendees))
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: ReviewMeeting, by=None) -> None:
    """Delete a meeting with its action items."""
    delete_or_explain(meeting, actor=by)


@transaction.atomic
def action_item_create(
    *, meeting: ReviewMeeting, title: str, due: dt.date, by=None, **fields
) -> ActionItem:
    """Record a decision of a meeting as an action item; its objective must be of the
    meeting's unit or a unit below it (`ActionItem.clean`)."""
    item = apply_changes(
        ActionItem(meeting=meeting, title=title, due=due), fields, allowed=ACTION_FIELDS
    )
    return save_validated(item, actor=by)


@transaction.atomic
def action_item_update(*, item: ActionItem, by=None, **changes) -> ActionItem:
    """Change an action item (status, owner, due date...) or move it to another meeting; its
    objective must stay of the meeting's unit or a unit below it."""
    apply_changes(item, changes, allowed=ACTION_FIELDS | {"meeting"})
    return save_validated(item, actor=by)


@transaction.atomic
def action_item_delete(*, item: ActionItem, by=None) -> None:
    """Delete an action item."""
    delete_or_explain(item, actor=by)


def broken_links_after_unit_move(subtree: set[int], above: set[int]) -> list[str]:
    """Action items of meetings outside a moved subtree about its objectives, where the
    meeting's unit would no longer be above them (registered in apps.py)."""
    items = (
        ActionItem.objects.filter(objective__unit__in=subtree)
        .exclude(meeting__unit__in=subtree | above)
        .select_related("meeting__unit", "objective__unit")
    )
    return [
        f"action item '{item}' of a {item.meeting.unit.code} meeting is about "
        f"{item.objective.unit.code}.{item.objective.code}"
        for item in items
    ]


# The strategy calendar -----------------------------------------------------------------------


@transaction.atomic
def calendar_event_create(*, by=None, **fields) -> CalendarEvent:
    """Add a step of a unit's strategy calendar."""
    event = CalendarEvent()
    apply_changes(event, fields, allowed=EVENT_FIELDS)
    return save_validated(event, actor=by)


@transaction.atomic
def calendar_event_update(*, event: CalendarEvent, by=None, **changes) -> CalendarEvent:
    """Change a step of the calendar (its unit, kind, title, dates or notes)."""
    apply_changes(event, changes, allowed=EVENT_FIELDS)
    return save_validated(event, actor=by)


@transaction.atomic
def calendar_event_delete(*, event: CalendarEvent, by=None) -> None:
    """Remove a step of the calendar."""
    delete_or_explain(event, actor=by)


# Holding and cancelling meetings -------------------------------------------------------------


def _locked(meeting: ReviewMeeting) -> ReviewMeeting:
    """The meeting's row read afresh under a lock, so two people holding or cancelling it at
    once cannot both succeed."""
    return ReviewMeeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)


@transaction.atomic
def meeting_hold(
    *, meeting: ReviewMeeting, minutes: str, decisions: str, by=None, today: dt.date | None = None
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
        raise ValidationError({NON_FIELD_ERRORS: "A cancelled meeting cannot be held."})
    if current.status == MeetingStatus.HELD:
        raise ValidationError({NON_FIELD_ERRORS: "This meeting has already been held."})
    day = timezone.localdate(current.scheduled_for)
    if day > today:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: f"This meeting is scheduled for {day:%d %B %Y}: it can be "
                "held from that day on (change its date if it met earlier)."
            }
        )
    current.agenda = None  # generate it afresh, never from a stale copy
    agenda = meeting_agenda(current, today=today)
    agenda.frozen = True
    current.agenda = agenda_to_json(agenda)
    current.status = MeetingStatus.HELD
    current.minutes = minutes
    current.decisions = decisions
    save_validated(current, actor=by)
    meeting.refresh_from_db()
    return current


@transaction.atomic
def meeting_cancel(*, meeting: ReviewMeeting, by=None) -> ReviewMeeting:
    """Cancel a scheduled meeting (its action items stay, and stay open until dealt with).
    Refuses a meeting already held or already cancelled."""
    from django.core.exceptions import NON_FIELD_ERRORS

    from .choices import MeetingStatus

    current = _locked(meeting)
    if current.status == MeetingStatus.HELD:
        raise ValidationError({NON_FIELD_ERRORS: "A meeting that was held cannot be cancelled."})
    if current.status == MeetingStatus.CANCELLED:
        raise ValidationError({NON_FIELD_ERRORS: "This meeting is already cancelled."})
    current.status = MeetingStatus.CANCELLED
    save_validated(current, actor=by)
    meeting.refresh_from_db()
    return current
