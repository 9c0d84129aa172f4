"""Report subscriptions: a person receives a pack of a unit by e-mail, weekly or monthly."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import policies
from core.models import TimeStampedModel
from core.scoping import Access

from .choices import Cadence, PackKind


class ReportSubscription(TimeStampedModel):
    """A person's standing order for a pack (`kind`) of a unit, sent weekly on a weekday
    (`day` 1-7, Monday = 1) or monthly on a day of the month (1-28). `last_sent_on` is the
    last due date a pack was composed for; the outbox ledger (keyed by the subscription and
    the due date) makes a retried or doubled job send it once."""

    access = Access(policies.SUBSCRIPTIONS, owner="user")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        "scorecards.OrgUnit",
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
        verbose_name=_("unit"),
    )
    kind = models.CharField(_("pack"), max_length=20, choices=PackKind.choices)
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices)
    day = models.PositiveSmallIntegerField(
        _("day"), help_text=_("1-7 for weekly (Monday = 1); 1-28 for monthly.")
    )
    active = models.BooleanField(_("active"), default=True)
    last_sent_on = models.DateField(_("last sent on"), null=True, blank=True)

    class Meta:
        ordering = ["user_id", "unit_id", "kind", "id"]
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "kind", "cadence"],
                name="reports_one_subscription",
                violation_error_message=_(
                    "This person already receives this pack of this unit at this cadence: "
                    "change that subscription instead."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(cadence=Cadence.WEEKLY) & Q(day__gte=1, day__lte=7))
                | (Q(cadence=Cadence.MONTHLY) & Q(day__gte=1, day__lte=28)),
                name="reports_day_in_cadence",
                violation_error_message=_(
                    "The day is 1 (Monday) to 7 (Sunday) for a weekly pack, 1 to 28 for a "
                    "monthly one."
                ),
            ),
        ]

    def clean(self):
        """The day must exist in the cadence: said on the field `day` (the check constraint
        says it again for writes that skip this)."""
        if self.day is None:
            return
        if self.cadence == Cadence.WEEKLY and not 1 <= self.day <= 7:
            raise ValidationError(
                {"day": _("For a weekly pack, the day is 1 (Monday) to 7 (Sunday).")}
            )
        if self.cadence == Cadence.MONTHLY and not 1 <= self.day <= 28:
            raise ValidationError(
                {"day": _("For a monthly pack, the day is 1 to 28 (a day every month has).")}
            )

    @property
    def schedule(self) -> str:
        """When it comes, in words: "Weekly on Monday", "Monthly on day 3"."""
        if self.cadence == Cadence.WEEKLY and 1 <= self.day <= 7:
            return gettext("Weekly on %(weekday)s") % {"weekday": WEEKDAYS[self.day - 1]}
        return gettext("Monthly on day %(day)s") % {"day": self.day}

    def __str__(self):
        return f"{self.get_kind_display()} · {self.unit.code} · {self.schedule}"
