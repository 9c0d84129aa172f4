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


class EventKind(models.TextChoices):
    """The steps of the year's integrated strategy and budget cycle."""

    STRATEGY_REFRESH = "strategy_refresh", "Strategy refresh"
    TARGET_SETTING = "target_setting", "Target setting"
    BUDGET_DEADLINE = "budget_deadline", "Budget deadline"
    STRATEX_DEADLINE = "stratex_deadline", "STRATEX deadline"
    GOAL_SETTING = "goal_setting", "Goal setting"
    OTHER = "other", "Other"
