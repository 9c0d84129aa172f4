"""The scorecards' notifications (core/notifications.py): a value submitted for approval (to
the head of its unit, else the nearest head above), approved or returned (to who submitted
it), a month closed (to the measure owners and unit heads), and turned-red alerts.

**Turned red** (DESIGN.md "Reporting cycle"): a write of approved figures is watched
(`watch_red`): the objectives of the measures it writes are scored before and after it
(`chosen_objective_scores`, a fixed number of queries for any number of them), and each
measure or objective that is red for its latest period after and was not red before is
told to its owner and the heads of its unit and of the unit above, once per (subject,
period): the notification's key, so saving the value again notifies nobody again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.models import NotificationKind
from core.notifications import notify
from core.roles import ROLES

from ..display import month_text
from ..models import Measure, MeasureValue, Objective, OrgUnit
from ..scoring import RED
from ..selectors.scorecard import chosen_objective_scores


def _heads(unit_ids: Iterable[int]) -> dict[int, tuple[int | None, int | None]]:
    """For each unit: (its head's id, its parent's head's id). One query."""
    units = OrgUnit.objects.filter(pk__in=set(unit_ids)).values_list(
        "pk", "head_id", "parent__head_id"
    )
    return {pk: (head, above) for pk, head, above in units}


def _reviewer_of(unit: OrgUnit):
    """Who hears of a value submitted in `unit`: its head, else the nearest head above."""
    chain = OrgUnit.objects.ancestors_of(unit.pk, include_self=True).values_list(
        "pk", "parent_id", "head_id"
    )
    by_id = {pk: (parent, head) for pk, parent, head in chain}
    pk = unit.pk
    while pk is not None:
        parent, head = by_id[pk]
        if head is not None:
            return get_user_model().objects.filter(pk=head).first()
        pk = parent
    return None


def _where(value: MeasureValue) -> dict:
    return {"measure": f"{value.measure.unit.code}.{value.measure.code}",
            "period": month_text(value.period)}  # fmt: skip


def _value_url(value: MeasureValue) -> str:
    return f"{reverse('measure', args=[value.measure_id])}?period={value.period:%Y-%m}"


def notify_submitted(values: list[MeasureValue], actor) -> None:
    """Tell the reviewer of each unit that `actor` submitted these values for approval: one
    notification per reviewer, however many values a batch submitted."""
    by_unit: dict[int, list[MeasureValue]] = {}
    for value in values:
        by_unit.setdefault(value.measure.unit_id, []).append(value)
    by_reviewer: dict[int, tuple[object, list[MeasureValue]]] = {}
    for submitted in by_unit.values():
        reviewer = _reviewer_of(submitted[0].measure.unit)
        if reviewer is not None:
            by_reviewer.setdefault(reviewer.pk, (reviewer, []))[1].extend(submitted)
    who = actor.get_full_name() or actor.username
    for reviewer, submitted in by_reviewer.values():
        if len(submitted) == 1:
            where = {**_where(submitted[0]), "who": who}

            def message(where=where):
                return _("%(who)s submitted %(measure)s for %(period)s for your approval.") % where
        else:
            count = len(submitted)

            def message(count=count):
                return ngettext(
                    "%(who)s submitted %(count)s value for your approval.",
                    "%(who)s submitted %(count)s values for your approval.",
                    count,
                ) % {"who": who, "count": count}

        notify(
            [reviewer], NotificationKind.VALUE_SUBMITTED, message, reverse("approvals"), actor=actor
        )


def notify_reviewed(value: MeasureValue, actor, *, approved: bool) -> None:
    """Tell who submitted the value that it was approved, or returned (with why)."""
    where = _where(value)
    if approved:
        kind = NotificationKind.VALUE_APPROVED

        def message():
            return _("%(measure)s for %(period)s was approved.") % where
    else:
        kind = NotificationKind.VALUE_RETURNED

        def message():
            return _("%(measure)s for %(period)s was returned: %(comment)s") % {
                **where,
                "comment": value.review_comment,
            }

    notify([value.submitted_by], kind, message, _value_url(value), actor=actor)


def notify_month_closed(month: dt.date, event_id: int, actor) -> int:
    """Tell everyone with a role that `month` is closed: the figures the review meetings
    discuss are fixed (once per closing)."""
    people = get_user_model().objects.filter(is_active=True, groups__name__in=ROLES).distinct()
    made = notify(
        people,
        NotificationKind.PERIOD_CLOSED,
        lambda: (
            _("%(month)s is closed: its values can no longer be changed.")
            % {"month": month_text(month)}
        ),
        reverse("reporting-months"),
        key=f"closing:{event_id}",
        actor=actor,
    )
    return len(made)


# Turned red ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Red:
    kind: str  # "measure" or "objective"
    id: int
    period: dt.date | None


def reds_among(objective_ids: set[int]) -> dict[tuple[str, int], _Red]:
    """The measures and objectives among these objectives' that are red now."""
    if not objective_ids:
        return {}
    reds = {}
    for reading in chosen_objective_scores(objective_ids).values():
        periods = [m.period for m in reading.measures if m.period is not None]
        if reading.status == RED:
            reds["objective", reading.id] = _Red(
                "objective", reading.id, max(periods, default=None)
            )
        for measure in reading.measures:
            if measure.status == RED:
                reds["measure", measure.id] = _Red("measure", measure.id, measure.period)
    return reds


@contextmanager
def watch_red(objective_ids: Iterable[int], actor=None):
    """Around a write of approved figures of measures of these objectives: after it, tell
    whom it concerns of each measure or objective it turned red."""
    ids = set(objective_ids)
    before = reds_among(ids)
    yield
    turned = [red for subject, red in reds_among(ids).items() if subject not in before]
    if turned:
        notify_turned_red(turned, actor)


def notify_turned_red(turned: list[_Red], actor=None) -> None:
    """Tell the owner of each subject that turned red, and the heads of its unit and of the
    unit above, once per (subject, period)."""
    measures = {
        m.pk: m
        for m in Measure.objects.filter(
            pk__in=[r.id for r in turned if r.kind == "measure"]
        ).select_related("unit")
    }
    objectives = {
        o.pk: o
        for o in Objective.objects.filter(
            pk__in=[r.id for r in turned if r.kind == "objective"]
        ).select_related("unit")
    }
    subjects = [(red, measures.get(red.id) if red.kind == "measure" else objectives.get(red.id))
                for red in turned]  # fmt: skip
    heads = _heads(subject.unit_id for _red, subject in subjects if subject is not None)
    people = get_user_model().objects.in_bulk(
        {
            pk
            for _red, subject in subjects
            if subject is not None
            for pk in (subject.owner_id, *heads.get(subject.unit_id, (None, None)))
            if pk is not None
        }
    )
    for red, subject in subjects:
        if subject is None:
            continue
        recipients = [
            people.get(pk) for pk in (subject.owner_id, *heads.get(subject.unit_id, (None, None)))
        ]
        where = {
            "subject": f"{subject.unit.code}.{subject.code}",
            "name": subject.name,
            "period": month_text(red.period) if red.period else "",
        }
        if red.kind == "measure":
            url = reverse("measure", args=[subject.pk])

            def message(where=where):
                return _("%(subject)s %(name)s went off target for %(period)s.") % where
        else:
            url = reverse("objective", args=[subject.pk])

            def message(where=where):
                return _("Objective %(subject)s %(name)s went off target.") % where

        notify(
            recipients,
            NotificationKind.TURNED_RED,
            message,
            url,
            key=f"{red.kind}:{subject.pk}:{red.period or ''}",
            actor=actor,
        )
