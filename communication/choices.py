"""The communication app's choices."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PulseStatus(models.TextChoices):
    """Where a pulse stands, by its dates and today: answers are taken while it is open."""

    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
