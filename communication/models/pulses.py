"""Awareness pulses: a short anonymous survey of a subtree. Who answered and what was
answered are two tables with nothing linking them (DESIGN.md): `PulseRespondent` (pulse,
user) stops a second answer; `PulseAnswer` (pulse, unit, objective, understanding) is the
answer, with a random key, no time and no history, so neither its order nor its moment can
be matched against the respondents."""

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core import policies
from core.models import TimeStampedModel
from core.scoping import Access

from ..choices import PulseStatus

UNDERSTANDING = (1, 5)  # "how well do you understand the strategy", 1 (not at all) to 5


class Pulse(TimeStampedModel):
    """An awareness pulse of `unit` and every unit below it, open from `opens_on` to
    `closes_on` (both included). Everyone of the subtree with a login answers once: which
    objective his or her work serves most, and how well he or she understands the
    strategy."""

    access = Access(policies.PULSES, unit="unit")

    unit = models.ForeignKey(
        "scorecards.OrgUnit",
        on_delete=models.PROTECT,
        related_name="pulses",
        verbose_name=_("unit"),
        help_text=_("Everyone of this unit and of every unit below it is asked."),
    )
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), help_text=_("The last day answers are taken."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("opened by"),
    )

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("awareness pulse")
        verbose_name_plural = _("awareness pulses")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="pulse_closes_after_it_opens",
                violation_error_message=_("A pulse closes on or after the day it opens."),
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("A pulse closes on or after the day it opens.")})

    def status_on(self, day: dt.date) -> str:
        """`scheduled` before it opens, `open` from its first to its last day, then `closed`."""
        if day < self.opens_on:
            return PulseStatus.SCHEDULED
        return PulseStatus.OPEN if day <= self.closes_on else PulseStatus.CLOSED


class PulseRespondent(models.Model):
    """That a person has answered a pulse (so not twice). Deliberately without the answer,
    and without a time."""

    access = Access(policies.INTERNAL)

    pulse = models.ForeignKey(
        Pulse, on_delete=models.CASCADE, related_name="respondents", verbose_name=_("pulse")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )

    class Meta:
        verbose_name = _("pulse respondent")
        verbose_name_plural = _("pulse respondents")
        constraints = [
            models.UniqueConstraint(fields=["pulse", "user"], name="pulse_answered_once_per_user")
        ]

    def __str__(self):
        return f"{self.pulse_id}: {self.user_id}"


class PulseAnswer(models.Model):
    """One anonymous answer: the respondent's unit when answering, the objective named (none:
    "I don't know"), whether that objective was of the respondent's own unit chain then
    (`aware`, so later edits of the map do not rewrite a closed pulse), and the
    understanding (1 to 5). A random primary key and no time: nothing orders or dates it."""

    access = Access(policies.INTERNAL)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pulse = models.ForeignKey(
        Pulse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("pulse")
    )
    unit = models.ForeignKey(
        "scorecards.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
    )
    objective = models.ForeignKey(
        "scorecards.Objective",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("objective"),
    )
    aware = models.BooleanField(
        _("aware"), help_text=_("The objective named is of the respondent's own unit chain.")
    )
    understanding = models.PositiveSmallIntegerField(_("understanding"))

    class Meta:
        verbose_name = _("pulse answer")
        verbose_name_plural = _("pulse answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    understanding__gte=UNDERSTANDING[0], understanding__lte=UNDERSTANDING[1]
                ),
                name="pulse_understanding_1_to_5",
            )
        ]
        indexes = [models.Index(fields=["pulse", "unit"], name="pulse_answer_unit_idx")]

    def __str__(self):
        return f"{self.pulse_id}: {self.unit_id}"
