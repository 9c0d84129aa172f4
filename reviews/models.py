"""Review meetings and the action items they decide."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core import policies
from core.models import TimeStampedModel
from core.scoping import Access
from scorecards.models import Objective, OrgUnit, StrategyVersion

from .choices import ActionStatus, EventKind, MeetingKind, MeetingStatus


class ReviewMeeting(TimeStampedModel):
    """A management meeting about a unit's strategy: monthly operational review, strategy
    review, or the annual test-and-adapt session."""

    access = Access(policies.STRATEGY, unit="unit")

    kind = models.CharField(_("kind"), max_length=12, choices=MeetingKind.choices)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="review_meetings", verbose_name=_("unit")
    )
    title = models.CharField(_("title"), max_length=200)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_meetings",
        verbose_name=_("chair"),
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="review_meetings",
        blank=True,
        verbose_name=_("attendees"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(pgettext_lazy("meeting record", "minutes"), blank=True)
    decisions = models.TextField(
        _("decisions"), blank=True, help_text=_("What the meeting decided.")
    )
    approved_version = models.ForeignKey(
        StrategyVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="approving_meetings",
        verbose_name=_("approved version"),
        help_text=_("A strategy review: the version of the unit's strategy it approved."),
    )
    agenda = models.JSONField(
        _("agenda"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "The agenda as it stood when the meeting was held (frozen then, so the "
            "briefing book of a past meeting still shows the figures it discussed)."
        ),
    )

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ["-scheduled_for"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=MeetingKind.values)
                & models.Q(status__in=MeetingStatus.values),
                name="review_meeting_choices_valid",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.scheduled_for:%Y-%m-%d})"

    def clean(self):
        # Only a strategy review approves a strategy, and only a version of its own unit's.
        if self.approved_version_id is None:
            return
        if self.kind != MeetingKind.STRATEGY:
            raise ValidationError(
                {"approved_version": gettext("Only a strategy review approves a version.")}
            )
        if self.approved_version.unit_id != self.unit_id:
            raise ValidationError(
                {"approved_version": gettext("Choose a version of this meeting's unit.")}
            )


class ActionItem(TimeStampedModel):
    """A decision of a meeting turned into work: owner, due date, status."""

    access = Access(policies.ACTION_ITEMS, unit="meeting__unit", owner="owner")

    meeting = models.ForeignKey(
        ReviewMeeting,
        on_delete=models.CASCADE,
        related_name="action_items",
        verbose_name=_("meeting"),
    )
    objective = models.ForeignKey(
        Objective,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="action_items",
        verbose_name=_("objective"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
        verbose_name=_("owner"),
    )
    title = models.CharField(_("title"), max_length=300)
    due = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ActionStatus.values),
                name="action_item_status_valid",
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        """The objective must be of the meeting's unit or a unit below it."""
        try:
            meeting = self.meeting  # may be a meeting not saved yet (admin inline)
        except ObjectDoesNotExist:
            return
        objective = self.objective if self.objective_id else None
        if objective is None or not meeting.unit_id:
            return
        if not OrgUnit.objects.subtree_of(meeting.unit_id).filter(pk=objective.unit_id).exists():
            raise ValidationError(
                {
                    "objective": gettext(
                        "%(objective)s is not an objective of %(unit)s or a unit below it."
                    )
                    % {
                        "objective": f"{objective.unit.code}.{objective.code}",
                        "unit": meeting.unit.code,
                    }
                }
            )


class CalendarEvent(TimeStampedModel):
    """A dated step of a unit's strategy calendar: strategy refresh, target setting, budget
    and STRATEX deadlines, goal setting. It applies to the unit and the units below it."""

    access = Access(policies.STRATEGY, unit="unit")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="calendar_events", verbose_name=_("unit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Empty for a one-day event.")
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("calendar event")
        verbose_name_plural = _("calendar events")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=EventKind.values), name="calendar_event_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="calendar_event_ends_after_start",
                violation_error_message=_("The event cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.starts_on:%Y-%m-%d})"

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The event cannot end before it starts.")})
