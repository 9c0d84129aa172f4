"""Choices of the budgets app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BudgetCategory(models.TextChoices):
    OPEX = "opex", _("OPEX (operating)")
    CAPEX = "capex", _("CAPEX (capital)")
    STRATEX = "stratex", _("STRATEX (strategic)")
