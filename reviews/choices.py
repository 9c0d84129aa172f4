"""Choices of the reviews app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingKind(models.TextChoices):
    OPERATIONAL = "operational", _("Operational review")
    STRATEGY = "strategy", _("Strategy review")
    TEST_ADAPT = "test_adapt", _("Test and adapt")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("meeting", "Scheduled")
    HELD = "held", pgettext_lazy("meeting", "Held")
    CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action item", "Open")
    DONE = "done", pgettext_lazy("action item", "Done")
    CANCELLED = "cancelled", pgettext_lazy("action item", "Cancelled")


class EventKind(models.TextChoices):
    """The steps of the year's integrated strategy and budget cycle."""

    STRATEGY_REFRESH = "strategy_refresh", _("Strategy refresh")
    TARGET_SETTING = "target_setting", _("Target setting")
    BUDGET_DEADLINE = "budget_deadline", _("Budget deadline")
    STRATEX_DEADLINE = "stratex_deadline", _("STRATEX deadline")
    GOAL_SETTING = "goal_setting", _("Goal setting")
    OTHER = "other", _("Other")
