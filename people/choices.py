"""Choices of the people app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GoalKind(models.TextChoices):
    PERFORMANCE = "performance", _("Performance")
    DEVELOPMENT = "development", _("Development")
