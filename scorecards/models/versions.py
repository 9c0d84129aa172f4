"""Published versions of a unit's strategy: frozen copies of its map."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import policies
from core.scoping import Access

from .units import OrgUnit


class StrategyVersion(models.Model):
    """A named, frozen copy of a unit's strategy map at the moment it was published: its
    perspectives, themes, objectives (codes, names, weights, what they support), arrows and
    measures with the fiscal year's targets, as `content` (JSON, see
    scorecards/versions.py). The live map keeps being edited; a version never changes but
    for its name and note. Published by the OSM staff, or a unit head for his subtree."""

    access = Access(policies.STRATEGY, unit="unit")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="strategy_versions", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), help_text=_("The fiscal year whose targets the version holds.")
    )
    content = models.JSONField(_("content"), default=dict, editable=False)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["unit_id", "-published_at", "-id"]
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"],
                name="strategy_version_name_unique_in_unit",
                violation_error_message=_("This unit already has a version with this name."),
            )
        ]

    def __str__(self):
        return f"{self.unit_id} · {self.name}"
