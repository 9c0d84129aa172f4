"""Reads of the approval of updates (DESIGN.md "Reporting cycle"): whether a unit requires
approval, the values waiting for a reviewer, and the values returned to their owner."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from core.scoping import restrict

from ..choices import ValueState
from ..models import Measure, MeasureValue, OrgUnit


def approval_by_unit(unit_ids: Iterable[int]) -> dict[int, bool]:
    """Whether each unit requires approval: its own true or false, else its parent's, up to
    the root (whose null means false). One query when no unit requires approval (the
    default); else one more for the chain above the units asked about."""
    unit_ids = set(unit_ids)
    if not unit_ids or not OrgUnit.objects.filter(approval_required=True).exists():
        return dict.fromkeys(unit_ids, False)
    if len(unit_ids) == 1:
        rows = OrgUnit.objects.ancestors_of(next(iter(unit_ids)), include_self=True)
    else:
        rows = OrgUnit.objects.all()  # a whole batch's chains: the tree is a few thousand rows
    tree = {
        pk: (parent, own)
        for pk, parent, own in rows.values_list("id", "parent_id", "approval_required")
    }
    answers: dict[int, bool] = {}

    def effective(pk: int) -> bool:
        chain = []
        while pk is not None and pk not in answers:
            parent, own = tree[pk]
            if own is not None:
                answers[pk] = own
                break
            chain.append(pk)
            pk = parent
        found = answers.get(pk, False) if pk is not None else False
        for below in chain:
            answers[below] = found
        return found

    return {pk: effective(pk) for pk in unit_ids}


def awaiting_review(user) -> QuerySet[MeasureValue]:
    """The submitted values `user` may approve or return (those of the measures he or she
    may change: the units he or she heads and below; all for the OSM staff), oldest
    submission first, with what a queue row shows."""
    reviewable = restrict(Measure.objects.all(), user, "change")
    return (
        MeasureValue.objects.filter(state=ValueState.SUBMITTED, measure__in=reviewable)
        .select_related("measure__unit", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def returned_to(user) -> QuerySet[MeasureValue]:
    """The values `user` submitted that were returned to him or her, latest first."""
    return (
        MeasureValue.objects.filter(state=ValueState.RETURNED, submitted_by=user)
        .select_related("measure__unit", "reviewed_by")
        .order_by("-reviewed_at", "pk")
    )


def submitted_by(user) -> QuerySet[MeasureValue]:
    """The values `user` submitted that still wait for approval, oldest first."""
    return (
        MeasureValue.objects.filter(state=ValueState.SUBMITTED, submitted_by=user)
        .select_related("measure__unit")
        .order_by("submitted_at", "pk")
    )
