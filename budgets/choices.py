"""Choices of the budgets app."""

from django.db import models


class BudgetCategory(models.TextChoices):
    OPEX = "opex", "OPEX (operating)"
    CAPEX = "capex", "CAPEX (capital)"
    STRATEX = "stratex", "STRATEX (strategic)"
