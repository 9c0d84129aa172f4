"""Writes with rules for review meetings and action items."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from osm.utils import apply_changes, save_validated
from scorecards.models import OrgUnit

from .models import ActionItem, ReviewMeeting

ACTION_FIELDS = {"objective", "owner", "title", "due", "status"}


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
def action_item_create(
    *, meeting: ReviewMeeting, title: str, due: dt.date, by=None, **fields
) -> ActionItem:
    """Record a decision of a meeting as an action item; its objective must be of the
    meeting's unit or a unit below it (`ActionItem.clean`)."""
    item = apply_changes(
        ActionItem(meeting=meeting, title=title, due=due), fields, allowed=ACTION_FIELDS
    )
    return save_validated(item, by=by)


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
