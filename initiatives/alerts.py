"""Late initiatives (issue 15, notifications): each day, the owner of an initiative and the
head of its unit hear once of each milestone past its due date and not done, and once of
an end date that has passed while the initiative is not done or cancelled. Keyed by the
milestone or the end date, so the daily run tells nobody twice."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import NotificationKind
from core.notifications import notify

from .choices import InitiativeStatus
from .models import Initiative, Milestone

CLOSED = (InitiativeStatus.DONE, InitiativeStatus.CANCELLED)


def late_initiatives_notify(*, day: dt.date) -> int:
    """Notify the initiatives late on `day` (see the module's docstring); returns how many
    notifications were made."""
    milestones = list(
        Milestone.objects.filter(due__lt=day, done_on__isnull=True)
        .exclude(initiative__status__in=CLOSED)
        .select_related("initiative__unit")
    )
    overrun = list(
        Initiative.objects.filter(end__lt=day).exclude(status__in=CLOSED).select_related("unit")
    )
    initiatives = [m.initiative for m in milestones] + overrun
    people = get_user_model().objects.in_bulk(
        {pk for i in initiatives for pk in (i.owner_id, i.unit.head_id) if pk is not None}
    )
    made = 0

    def tell(initiative, message, key):
        recipients = [people.get(initiative.owner_id), people.get(initiative.unit.head_id)]
        url = reverse("initiatives:detail", args=[initiative.pk])
        return len(notify(recipients, NotificationKind.INITIATIVE_LATE, message, url, key=key))

    for milestone in milestones:
        where = {"initiative": milestone.initiative.code, "milestone": milestone.name,
                 "due": milestone.due.isoformat()}  # fmt: skip
        made += tell(
            milestone.initiative,
            lambda where=where: (
                _(
                    "Initiative %(initiative)s is late: milestone “%(milestone)s” was due on "
                    "%(due)s and is not done."
                )
                % where
            ),
            f"milestone:{milestone.pk}:{milestone.due}",
        )
    for initiative in overrun:
        where = {"initiative": initiative.code, "end": initiative.end.isoformat()}
        made += tell(
            initiative,
            lambda where=where: (
                _("Initiative %(initiative)s is late: it was to end on %(end)s and is not done.")
                % where
            ),
            f"end:{initiative.pk}:{initiative.end}",
        )
    return made
