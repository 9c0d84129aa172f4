"""Choices of the reviews app."""

from django.db import models


class MeetingKind(models.TextChoices):
    OPERATIONAL = "operational", "Operational review"
    STRATEGY = "strategy", "Strategy review"
    TEST_ADAPT = "test_adapt", "Test and adapt"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
