"""Choices of the people app."""

from django.db import models


class GoalKind(models.TextChoices):
    PERFORMANCE = "performance", "Performance"
    DEVELOPMENT = "development", "Development"
