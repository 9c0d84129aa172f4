"""The packs a person can subscribe to, and how often they come."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PackKind(models.TextChoices):
    """A report pack, as `report-subscriptions/` names it (API.md "Files")."""

    SCORECARD_PDF = "scorecard_pdf", _("Scorecard (PDF)")
    UNIT_REPORT_PDF = "unit_report_pdf", _("Unit report (PDF)")
    EXECUTIVE_DECK = "executive_deck", _("Executive deck (PowerPoint)")
    SCORECARD_XLSX = "scorecard_xlsx", _("Scorecard workbook (Excel)")
    ALIGNMENT_XLSX = "alignment_xlsx", _("Alignment workbook (Excel)")


class Cadence(models.TextChoices):
    """Weekly on a weekday (1 = Monday), or monthly on a day of the month (1-28, so that
    every month has it)."""

    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
