"""Report subscriptions: a person receives a pack of a unit by e-mail, weekly or monthly."""

from django.conf import settings
from django.db import models
from django.db.models import Q
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
                fields=["user", "unit", "kind", "cadence"], name="reports_one_subscription"
            ),
            models.CheckConstraint(
                condition=(Q(cadence=Cadence.WEEKLY) & Q(day__gte=1, day__lte=7))
                | (Q(cadence=Cadence.MONTHLY) & Q(day__gte=1, day__lte=28)),
                name="reports_day_in_cadence",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.unit_id} · {self.get_cadence_display()}"
