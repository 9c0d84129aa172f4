"""Choices of the scorecards app (DESIGN.md "Model")."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    BUSINESS = "business", _("Business unit")
    SUPPORT = "support", _("Support unit")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")


class Polarity(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    ANNUAL = "annual", _("Annual")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    LAST = "last", pgettext_lazy("aggregation", "Last")


class Rollup(models.TextChoices):
    NONE = "none", pgettext_lazy("rollup", "None")
    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    MIN = "min", _("Minimum")
    MAX = "max", _("Maximum")


# The choices as a sentence names them, in lower case where the language writes them so
# ("quarterly", "(increase)", "Rollup (sum) of").
FREQUENCY_WORDS = {
    Frequency.MONTHLY: pgettext_lazy("frequency, in a sentence", "monthly"),
    Frequency.QUARTERLY: pgettext_lazy("frequency, in a sentence", "quarterly"),
    Frequency.ANNUAL: pgettext_lazy("frequency, in a sentence", "annual"),
}
POLARITY_WORDS = {
    Polarity.INCREASE: pgettext_lazy("polarity, in a sentence", "increase"),
    Polarity.DECREASE: pgettext_lazy("polarity, in a sentence", "decrease"),
}
ROLLUP_WORDS = {
    Rollup.SUM: pgettext_lazy("rollup, in a sentence", "sum"),
    Rollup.AVERAGE: pgettext_lazy("rollup, in a sentence", "average"),
    Rollup.MIN: pgettext_lazy("rollup, in a sentence", "minimum"),
    Rollup.MAX: pgettext_lazy("rollup, in a sentence", "maximum"),
}


class PeriodStatus(models.TextChoices):
    """A month of the reporting cycle: open to writes, or closed (DESIGN.md "Reporting
    cycle")."""

    OPEN = "open", pgettext_lazy("reporting month", "Open")
    CLOSED = "closed", pgettext_lazy("reporting month", "Closed")


class PeriodAction(models.TextChoices):
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")


class ValueState(models.TextChoices):
    """Where a value stands in its unit's approval (DESIGN.md "Reporting cycle"): its
    actual and note are approved, or a measure owner's new ones are submitted for review,
    or were returned with a comment."""

    APPROVED = "approved", pgettext_lazy("value state", "Approved")
    SUBMITTED = "submitted", pgettext_lazy("value state", "Submitted")
    RETURNED = "returned", pgettext_lazy("value state", "Returned")
