"""Review meetings and the action items they decide."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models

from osm.models import TimeStampedModel
from scorecards.models import Objective, OrgUnit

from .choices import ActionStatus, MeetingKind, MeetingStatus


class ReviewMeeting(TimeStampedModel):
    """A management meeting about a unit's strategy: monthly operational review, strategy
    review, or the annual test-and-adapt session."""

    kind = models.CharField(max_length=12, choices=MeetingKind.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="review_meetings")
    title = models.CharField(max_length=200)
    scheduled_for = models.DateTimeField()
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_meetings",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="review_meetings", blank=True
    )
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    minutes = models.TextField(blank=True)

    class Meta:
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


class ActionItem(TimeStampedModel):
    """A decision of a meeting turned into work: owner, due date, status."""

    meeting = models.ForeignKey(
        ReviewMeeting, on_delete=models.CASCADE, related_name="action_items"
    )
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
    )
    title = models.CharField(max_length=300)
    due = models.DateField()
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )

    class Meta:
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
                    "objective": (
                        f"{objective.unit.code}.{objective.code} is not an objective of "
                        f"{meeting.unit.code} or a unit below it."
                    )
                }
            )
