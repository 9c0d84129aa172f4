"""The reporting cycle's months (DESIGN.md "Reporting cycle"): OSM staff close a month so
that its figures stop moving, and reopen it with a reason to correct one."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import policies
from core.models import TimeStampedModel
from core.scoping import Access

from ..choices import PeriodAction, PeriodStatus


class ReportingPeriod(TimeStampedModel):
    """A month of the reporting cycle that has been closed at least once; a month without
    a row is open. While `closed`, no value whose period ends in the month (a March value, a
    first quarter's, a fiscal year ending in March) may be written, by anyone, through any
    door (`scorecards.services.reporting`)."""

    access = Access(policies.REPORTING)

    month = models.DateField(_("month"), unique=True, help_text=_("Its first day."))
    status = models.CharField(
        _("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("reporting month")
        verbose_name_plural = _("reporting months")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__day=1),
                name="reporting_month_is_a_first_day",
                violation_error_message=_("A reporting month is named by its first day."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status=PeriodStatus.CLOSED) | models.Q(closed_at__isnull=False),
                name="reporting_month_closed_when",
            ),
        ]

    def __str__(self):
        return self.month.strftime("%Y-%m")


class ReportingPeriodEvent(models.Model):
    """One closing or reopening of a month: who, when and (for a reopening) why."""

    access = Access(policies.REPORTING)

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="events", verbose_name=_("month")
    )
    action = models.CharField(_("action"), max_length=10, choices=PeriodAction.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("closing or reopening")
        verbose_name_plural = _("closings and reopenings")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(action=PeriodAction.REOPEN) | ~models.Q(reason=""),
                name="reporting_reopen_has_a_reason",
                violation_error_message=_("Say why the month is reopened."),
            )
        ]

    def __str__(self):
        return f"{self.period} {self.action}"
