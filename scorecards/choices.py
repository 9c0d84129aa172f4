"""Choices of the scorecards app (DESIGN.md "Model")."""

from django.db import models


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", "Enterprise"
    BUSINESS = "business", "Business unit"
    SUPPORT = "support", "Support unit"
    DEPARTMENT = "department", "Department"
    TEAM = "team", "Team"


class Polarity(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class Aggregation(models.TextChoices):
    SUM = "sum", "Sum"
    AVERAGE = "average", "Average"
    LAST = "last", "Last"


class Rollup(models.TextChoices):
    NONE = "none", "None"
    SUM = "sum", "Sum"
    AVERAGE = "average", "Average"
    MIN = "min", "Minimum"
    MAX = "max", "Maximum"
