"""Writes of announcements (issue 17, item 3):

- the OSM staff, and a unit head for a unit of his or her subtree, publish an announcement
  (a title, a Markdown body, optionally the objectives it is about) to a unit and everything
  below it; its audience is told in the inbox, in the same transaction (all or nothing);
- the same people change and delete it; a change of unit tells the new audience (those
  already told are not told again); a deletion takes its notifications out of the inboxes;
- a reader's read mark is made when he or she opens it, once, and the inbox's notification
  of it is marked read with it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Notification, NotificationKind
from core.notifications import notify
from core.scoping import restrict
from core.services import apply_changes, delete_or_explain, save_validated
from scorecards.models import Objective, OrgUnit

from ..models import Announcement, AnnouncementRead
from ..selectors.announcements import audience_of

TEXT_FIELDS = ("title", "body")
REFUSED = {
    "add": gettext_lazy("You may publish announcements only to the units of your subtree."),
    "change": gettext_lazy("You may change announcements only of the units of your subtree."),
    "delete": gettext_lazy("You may delete announcements only of the units of your subtree."),
}


def notification_key(announcement: Announcement) -> str:
    """The key of the inbox notifications of `announcement` (one per person)."""
    return f"announcement:{announcement.pk}"


def _ensure_may(actor, action: str, unit: OrgUnit) -> None:
    """Refuse (403) an actor who may not `action` announcements of `unit` (the pages and the
    API ask first; this guards every other caller). Code writing with no actor may."""
    if actor is not None and not actor.has_perm(f"communication.{action}_announcement", unit):
        raise PermissionDenied(str(REFUSED[action]))


def _texts(data: dict) -> dict:
    """The title and body given, trimmed; a blank one is refused by field."""
    texts, errors = {}, {}
    messages = {"title": _("Give the announcement a title."), "body": _("Write the announcement.")}
    for name in TEXT_FIELDS:
        if name not in data:
            continue
        texts[name] = (data[name] or "").strip()
        if not texts[name]:
            errors[name] = messages[name]
    if errors:
        raise ValidationError(errors)
    return texts


def _objectives(actor, given) -> list[Objective]:
    """The objectives named (rows or ids), each one `actor` may see; any other is refused."""
    ids = {getattr(o, "pk", o) for o in given or []}
    if not ids:
        return []
    rows = Objective.objects.filter(pk__in=[i for i in ids if isinstance(i, int)])
    if actor is not None:
        rows = restrict(rows, actor)
    found = list(rows)
    if len(found) != len(ids):
        raise ValidationError({"objectives": _("No such objective, or not one you may see.")})
    return found


def _unit(given) -> OrgUnit:
    if isinstance(given, OrgUnit):
        return given
    unit = OrgUnit.objects.filter(pk=given).first() if isinstance(given, int) else None
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit the announcement is addressed to.")})
    return unit


def _tell_audience(announcement: Announcement, actor) -> None:
    """Notify the people the announcement reaches (not its author, not the actor), with a
    link to it; keyed, so nobody is told twice."""
    people = audience_of(announcement.unit_id)
    if announcement.author_id is not None:
        people = people.exclude(pk=announcement.author_id)
    author = announcement.author
    who = (author.get_full_name() or author.username) if author is not None else "OSM"
    title, unit = announcement.title, announcement.unit.name
    notify(
        people,
        NotificationKind.ANNOUNCEMENT,
        lambda: (
            _("%(who)s published an announcement to %(unit)s: %(title)s")
            % {"who": who, "unit": unit, "title": title}
        ),
        reverse("announcement", args=[announcement.pk]),
        key=notification_key(announcement),
        actor=actor,
    )


@transaction.atomic
def announcement_publish(*, actor, data: dict) -> Announcement:
    """Publish an announcement (`unit`, `title`, `body`, optional `objectives`) by `actor`
    and tell its audience in the inbox. Refused (400 by field) with a blank title or body,
    no unit, or an objective `actor` may not see; 403 outside his or her subtree."""
    unit = _unit(data.get("unit"))
    _ensure_may(actor, "add", unit)
    texts = _texts({name: data.get(name, "") for name in TEXT_FIELDS})
    objectives = _objectives(actor, data.get("objectives"))
    announcement = Announcement(unit=unit, author=actor, **texts)
    save_validated(announcement, actor=actor)
    announcement.objectives.set(objectives)
    _tell_audience(announcement, actor)
    return announcement


@transaction.atomic
def announcement_update(*, actor, instance: Announcement, data: dict) -> Announcement:
    """Change an announcement's title, body, objectives or unit (who may change it, in both
    the unit it leaves and the one it goes to). Moved to another unit, it tells the people
    it newly reaches; its publication time stays."""
    _ensure_may(actor, "change", instance.unit)
    changes = _texts(data)
    if "unit" in data:
        unit = _unit(data["unit"])
        if unit.pk != instance.unit_id:
            _ensure_may(actor, "change", unit)
        changes["unit"] = unit
    moved = "unit" in changes and changes["unit"].pk != instance.unit_id
    objectives = _objectives(actor, data["objectives"]) if "objectives" in data else None
    apply_changes(instance, changes, allowed={"unit", *TEXT_FIELDS})
    save_validated(instance, actor=actor)
    if objectives is not None:
        instance.objectives.set(objectives)
    if moved:
        _tell_audience(instance, actor)
    return instance


@transaction.atomic
def announcement_delete(*, actor, instance: Announcement) -> None:
    """Withdraw an announcement: its read marks go with it, and so do the inbox
    notifications pointing to it (they would lead nowhere)."""
    _ensure_may(actor, "delete", instance.unit)
    Notification.objects.filter(
        kind=NotificationKind.ANNOUNCEMENT, key=notification_key(instance)
    ).delete()
    delete_or_explain(instance, actor=actor)


@transaction.atomic
def announcement_read(*, actor, announcement: Announcement) -> None:
    """Mark `announcement` read by `actor` (opening it does): once, however often (a second
    mark is ignored, also when two requests race); its inbox notification is marked read."""
    AnnouncementRead.objects.bulk_create(
        [AnnouncementRead(announcement=announcement, user=actor)], ignore_conflicts=True
    )
    Notification.objects.filter(
        recipient=actor,
        kind=NotificationKind.ANNOUNCEMENT,
        key=notification_key(announcement),
        read_at__isnull=True,
    ).update(read_at=timezone.now())
