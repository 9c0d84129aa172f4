"""Alignment snapshots: the metrics of each unit's subtree as they stood on a day."""

from django.db import models

from scorecards.models import OrgUnit

PERCENT = {"max_digits": 5, "decimal_places": 2, "null": True, "blank": True}


class AlignmentSnapshot(models.Model):
    """The alignment metrics of a unit's subtree for a fiscal year, taken on a day (one per
    unit, fiscal year and day: taking another the same day replaces it), so their trend can
    be plotted. Percentages 0-100; empty where the denominator was empty."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="alignment_snapshots")
    fiscal_year = models.PositiveSmallIntegerField()
    taken_on = models.DateField()
    objective_linkage = models.DecimalField(**PERCENT)
    cascade_coverage = models.DecimalField(**PERCENT)
    budget_linkage = models.DecimalField(**PERCENT)
    stratex_share = models.DecimalField(**PERCENT)
    initiative_linkage = models.DecimalField(**PERCENT)
    goal_alignment = models.DecimalField(**PERCENT)
    incentive_linkage = models.DecimalField(**PERCENT)
    data_timeliness = models.DecimalField(**PERCENT)
    alignment_index = models.DecimalField(**PERCENT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit_id", "fiscal_year", "taken_on"]
        get_latest_by = "taken_on"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "fiscal_year", "taken_on"],
                name="alignment_snapshot_once_a_day",
                violation_error_message="This unit already has a snapshot for that day.",
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_year__gte=1900, fiscal_year__lte=2999),
                name="alignment_snapshot_fiscal_year_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.unit.code} FY{self.fiscal_year} on {self.taken_on}"
