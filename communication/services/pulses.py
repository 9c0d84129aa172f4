"""Writes of awareness pulses: opening, changing and deleting one (OSM staff: the caller's
check), answering one, and composing the reminders of those who have not answered.

**Answering** (`pulse_answer`) writes two rows in one transaction that nothing links: that
the person answered (`PulseRespondent`, so not twice) and the answer (`PulseAnswer`: the
unit answered from, the objective named, whether it is of the person's own unit chain, the
understanding), never with the person. Nothing here logs who answered what.

**Reminders** (`pulse_reminders_compose`): while a pulse is open and at most
`REMIND_DAYS_LEFT` days remain (its last day included: with 2, on the day before it closes
and on its last day), each person it asks who has not answered gets one e-mail with the
link to the question, through the outbox ledger keyed by (`pulse_reminder`, address,
`pulse:ID`, the closing day): once per person and pulse, whatever the number of runs; a
pulse whose closing day is moved later reminds once more before the new day.
"""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import get_template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.i18n import languages_of, speaking_to
from core.outbox import Draft, messages_compose
from core.services import apply_changes, delete_or_explain, save_validated

from ..awareness import UNDERSTANDING
from ..choices import PulseStatus
from ..models import Pulse, PulseAnswer, PulseRespondent
from ..selectors.pulses import (
    audience_of,
    pulse_question,
    respondent_unit,
    status_filter,
)

PULSE_FIELDS = {"unit", "title", "opens_on", "closes_on"}
PULSE_REMINDER = "pulse_reminder"  # the ledger's kind
REMIND_DAYS_LEFT = 2


# Opening, changing, deleting ------------------------------------------------------------------


def _answered(pulse: Pulse) -> int:
    return PulseAnswer.objects.filter(pulse=pulse).count() if pulse.pk else 0


@transaction.atomic
def pulse_create(*, actor, data: dict, today: dt.date | None = None) -> Pulse:
    """Open a pulse of `data["unit"]`'s subtree from `opens_on` to `closes_on` (both days
    included). A new pulse closes today or later: one closed already would ask no one."""
    today = today or timezone.localdate()
    pulse = apply_changes(Pulse(), data, allowed=PULSE_FIELDS)
    pulse.created_by = actor if getattr(actor, "is_authenticated", False) else None
    if pulse.closes_on is not None and pulse.closes_on < today:
        raise ValidationError({"closes_on": _("A new pulse closes today or later.")})
    return save_validated(pulse, actor=actor)


@transaction.atomic
def pulse_update(*, actor, instance: Pulse, data: dict, today: dt.date | None = None) -> Pulse:
    """Change a pulse's title or days. Once it has answers its unit stays (the answers are
    of that subtree) and it cannot open later than today (it has been open)."""
    today = today or timezone.localdate()
    answered = _answered(instance)
    if answered and "unit" in data:
        # Asked of the database: a form may hand over a copy already carrying the new unit.
        stored = Pulse.objects.values_list("unit_id", flat=True).get(pk=instance.pk)
        if getattr(data["unit"], "pk", data["unit"]) != stored:
            raise ValidationError({"unit": _("It has answers: its unit can no longer change.")})
        data = {k: v for k, v in data.items() if k != "unit"}
    if (
        answered
        and instance.closes_on < today
        and any(
            key in data and data[key] != getattr(instance, key) for key in ("opens_on", "closes_on")
        )
    ):
        # Opened again, its results read before and after would give the late answers away.
        raise ValidationError({"closes_on": _("It has closed with answers: its days can no "
                                              "longer change.")})  # fmt: skip
    apply_changes(instance, data, allowed=PULSE_FIELDS)
    if answered and instance.opens_on > today:
        raise ValidationError({"opens_on": _("It has answers: it cannot open later than today.")})
    return save_validated(instance, actor=actor)


@transaction.atomic
def pulse_delete(*, actor, instance: Pulse) -> None:
    """Delete a pulse that has no answers. One with answers stays: its results are part of
    the awareness trend and of the alignment report."""
    answered = _answered(instance)
    if answered:
        message = ngettext(
            "Awareness pulse '%(pulse)s' cannot be deleted: %(count)s person has answered it, "
            "and its results are part of the awareness trend and the alignment report.",
            "Awareness pulse '%(pulse)s' cannot be deleted: %(count)s people have answered it, "
            "and its results are part of the awareness trend and the alignment report.",
            answered,
        )
        raise ValidationError({NON_FIELD_ERRORS: message % {"pulse": instance, "count": answered}})
    delete_or_explain(instance, actor=actor)


# Answering ------------------------------------------------------------------------------------


def _refuse_unless_open(pulse: Pulse, today: dt.date) -> None:
    status = pulse.status_on(today)
    if status == PulseStatus.SCHEDULED:
        day = formats.date_format(pulse.opens_on)
        raise ValidationError({NON_FIELD_ERRORS: _("This pulse opens on %(day)s.") % {"day": day}})
    if status == PulseStatus.CLOSED:
        day = formats.date_format(pulse.closes_on)
        raise ValidationError({NON_FIELD_ERRORS: _("This pulse closed on %(day)s.") % {"day": day}})


def already_answered_error() -> ValidationError:
    return ValidationError({NON_FIELD_ERRORS: _("You have already answered this pulse.")})


@transaction.atomic
def pulse_answer(
    *, actor, pulse: Pulse, objective, understanding, today: dt.date | None = None
) -> None:
    """Record `actor`'s answer to `pulse`: the objective his or her work serves most (an
    Objective or its id among those the question offers him or her; None: "I don't know")
    and how well he or she understands the strategy (1 to 5).

    Refused with PermissionDenied when the pulse does not ask `actor`, and with a
    ValidationError (nothing written) when it is not open today, when `actor` has answered
    it already, or for an objective not offered or an understanding out of range."""
    today = today or timezone.localdate()
    unit_id = respondent_unit(pulse, actor)
    if unit_id is None:
        raise PermissionDenied(_("This pulse does not ask you: it is for %(unit)s and the "
                                 "units below it.") % {"unit": pulse.unit})  # fmt: skip
    _refuse_unless_open(pulse, today)
    if PulseRespondent.objects.filter(pulse=pulse, user=actor).exists():
        raise already_answered_error()
    objective_id = getattr(objective, "pk", objective)
    question = pulse_question(pulse, actor, unit_id)
    errors = {}
    if objective_id is not None and (
        isinstance(objective_id, bool) or not question.offers(objective_id)
    ):
        errors["objective"] = _("Choose one of the objectives offered, or “I don't know”.")
    if isinstance(understanding, bool) or understanding not in UNDERSTANDING:
        errors["understanding"] = _("Choose from 1 (not at all) to 5 (very well).")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():  # a second answer racing this one: refused, not a 500
            PulseRespondent.objects.create(pulse=pulse, user=actor)
    except IntegrityError:
        raise already_answered_error() from None
    # No history, no time, no user: see communication/models/pulses.py. An objective from
    # outside the person's chain is not kept (only that it was not of the chain): which
    # outsiders a person was offered is his or hers alone, so it could tell who answered.
    aware = objective_id in question.chain
    PulseAnswer.objects.create(
        pulse=pulse,
        unit_id=unit_id,
        objective_id=objective_id if aware else None,
        aware=aware,
        understanding=understanding,
    )


@transaction.atomic
def pulse_answers_shuffle(pulse: Pulse) -> int:
    """Write the pulse's answers again, in a random order under new random keys, in one
    transaction: the order and the transaction each answer was written in (which the
    database keeps, and which matched the record of who answered then) say nothing any
    more. The figures are the same. Returns the number of answers."""
    rows = list(PulseAnswer.objects.filter(pulse=pulse).values_list(
        "unit_id", "objective_id", "aware", "understanding"))  # fmt: skip
    random.SystemRandom().shuffle(rows)
    PulseAnswer.objects.filter(pulse=pulse).delete()
    PulseAnswer.objects.bulk_create(
        PulseAnswer(pulse=pulse, unit_id=unit_id, objective_id=objective_id, aware=aware,
                    understanding=understanding)
        for unit_id, objective_id, aware, understanding in rows
    )  # fmt: skip
    return len(rows)


def pulse_answers_shuffle_recent(*, day: dt.date) -> int:
    """Shuffle the answers of every pulse open on `day` or closed in the two days before
    (the daily job, before anyone reads a closed pulse's results for long); the pulses
    shuffled."""
    pulses = list(
        Pulse.objects.filter(opens_on__lte=day, closes_on__gte=day - dt.timedelta(days=2))
    )
    for pulse in pulses:
        pulse_answers_shuffle(pulse)
    return len(pulses)


# Reminders ------------------------------------------------------------------------------------


def _name(user) -> str:
    return user.get_full_name() or user.username


def pulse_reminders_compose(*, day: dt.date) -> int:
    """Compose the reminders of `day` (see the module's docstring); how many are new."""
    pulses = list(
        Pulse.objects.filter(status_filter(PulseStatus.OPEN, day))
        .filter(closes_on__lte=day + dt.timedelta(days=REMIND_DAYS_LEFT - 1))
        .select_related("unit")
        .order_by("closes_on", "id")
    )
    text = get_template("communication/pulses/reminder.txt")
    html = get_template("communication/pulses/reminder.html")
    drafts = []
    for pulse in pulses:
        people = list(
            audience_of(pulse)
            .exclude(pk__in=PulseRespondent.objects.filter(pulse=pulse).values("user_id"))
            .select_related("employee")
            .order_by("pk")
        )
        languages = languages_of(user.pk for user in people)
        link = settings.SITE_URL + reverse("pulse-answer", args=[pulse.pk])
        for user in people:
            address = user.email or user.employee.email
            if not address:
                continue
            with speaking_to(languages.get(user.pk)):
                context = {"name": _name(user), "pulse": pulse, "link": link}
                drafts.append(
                    Draft(
                        kind=PULSE_REMINDER,
                        recipient=address,
                        subject_key=f"pulse:{pulse.pk}",
                        period=pulse.closes_on,
                        subject=_("OSM: “%(title)s” closes on %(day)s: two questions")
                        % {"title": pulse.title, "day": formats.date_format(pulse.closes_on)},
                        body=text.render(context),
                        html=html.render(context),
                        user_id=user.pk,
                    )
                )
    return messages_compose(drafts)
