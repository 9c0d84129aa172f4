"""Choices of the initiatives app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InitiativeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    DONE = "done", pgettext_lazy("initiative", "Done")
    CANCELLED = "cancelled", _("Cancelled")
