"""Alignment snapshots: the metrics of each unit's subtree as they stood on a day."""

from django.db import models

from core import policies
from core.scoping import Access
from scorecards.models import OrgUnit

PERCENT = {"max_digits": 5, "decimal_places": 2, "null": True, "blank": True}


class AlignmentSnapshot(models.Model):
    """The alignment metrics of a unit's subtree for a fiscal year, taken on a day (one per
    unit, fiscal year and day: taking another the same day replaces it), so their trend can
    be plotted. Percentages 0-100; empty where the denominator was empty."""

    access = Access(policies.INTERNAL, unit="unit")

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


class StrategyTestRun(models.Model):
    """One run of the test-and-adapt statistics over every unit's strategy map
    (alignment/testing.py): when, with which settings, how many tests entered the
    Benjamini-Hochberg family, and how it ended. Results are served from the latest run
    that is done."""

    access = Access(policies.TEST_RESULTS)

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    run_on = models.DateField(help_text="The day the data were read (the run's date).")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    max_lag = models.PositiveSmallIntegerField()
    alpha = models.FloatField(default=0.05)
    tests = models.PositiveIntegerField(default=0, help_text="p-values adjusted together.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["running", "done", "failed"]),
                name="strategy_test_run_status_valid",
            )
        ]

    def __str__(self):
        return f"Strategy test of {self.run_on} ({self.get_status_display()})"


class StrategyTestResult(models.Model):
    """The verdict of a run on one arrow of a unit's strategy map, or (`exploratory`) on a
    pair of objectives without an arrow whose measures move together: its strongest pair
    of measures and the figures behind the verdict."""

    access = Access(policies.TEST_RESULTS, unit="unit")

    class Verdict(models.TextChoices):
        SUPPORTED = "supported", "Supported"
        CONTRADICTED = "contradicted", "Contradicted"
        NOT_SUPPORTED = "not_supported", "Not supported"
        INSUFFICIENT_DATA = "insufficient_data", "Insufficient data"

    run = models.ForeignKey(StrategyTestRun, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="strategy_tests")
    link = models.ForeignKey(
        "scorecards.CauseEffect",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="strategy_tests",
        help_text="The arrow tested; empty for an exploratory candidate.",
    )
    cause = models.ForeignKey("scorecards.Objective", on_delete=models.CASCADE, related_name="+")
    effect = models.ForeignKey("scorecards.Objective", on_delete=models.CASCADE, related_name="+")
    exploratory = models.BooleanField(default=False)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    cause_measure = models.ForeignKey(
        "scorecards.Measure", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    effect_measure = models.ForeignKey(
        "scorecards.Measure", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    frequency = models.CharField(max_length=10, blank=True)
    lag = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Best lag, periods.")
    effect_size = models.FloatField(null=True, blank=True, help_text="Pearson r at the lag.")
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)
    p_value = models.FloatField(null=True, blank=True)
    p_adjusted = models.FloatField(null=True, blank=True)
    periods = models.PositiveIntegerField(default=0, help_text="Paired periods at the lag.")
    units = models.PositiveIntegerField(default=0, help_text="Units pooled.")
    pairs_tested = models.PositiveSmallIntegerField(default=0, help_text="Measure pairs.")
    lags = models.JSONField(
        default=list, blank=True, help_text="Every lag tested: lag, n, r, p, p_adjusted, CI."
    )

    class Meta:
        ordering = ["unit_id", "exploratory", "cause_id", "effect_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    verdict__in=["supported", "contradicted", "not_supported", "insufficient_data"]
                ),
                name="strategy_test_verdict_valid",
            ),
            models.UniqueConstraint(
                fields=["run", "unit", "cause", "effect"], name="strategy_test_once_per_run"
            ),
        ]
        indexes = [models.Index(fields=["unit", "run"], name="strategy_test_unit_run_idx")]

    def __str__(self):
        return f"{self.cause} → {self.effect}: {self.get_verdict_display()}"
