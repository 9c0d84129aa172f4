"""Alignment snapshots: the metrics of each unit's subtree as they stood on a day."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core import policies
from core.scoping import Access
from scorecards.models import OrgUnit

PERCENT = {"max_digits": 5, "decimal_places": 2, "null": True, "blank": True}


class AlignmentSnapshot(models.Model):
    """The alignment metrics of a unit's subtree for a fiscal year, taken on a day (one per
    unit, fiscal year and day: taking another the same day replaces it), so their trend can
    be plotted. Percentages 0-100; empty where the denominator was empty."""

    access = Access(policies.INTERNAL, unit="unit")

    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="alignment_snapshots",
        verbose_name=_("unit"),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    taken_on = models.DateField(_("taken on"))
    objective_linkage = models.DecimalField(_("objective linkage"), **PERCENT)
    cascade_coverage = models.DecimalField(_("cascade coverage"), **PERCENT)
    budget_linkage = models.DecimalField(_("budget linkage"), **PERCENT)
    stratex_share = models.DecimalField(_("STRATEX share"), **PERCENT)
    initiative_linkage = models.DecimalField(_("initiative linkage"), **PERCENT)
    goal_alignment = models.DecimalField(_("goal alignment"), **PERCENT)
    incentive_linkage = models.DecimalField(_("incentive linkage"), **PERCENT)
    data_timeliness = models.DecimalField(_("data timeliness"), **PERCENT)
    alignment_index = models.DecimalField(_("alignment index"), **PERCENT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("alignment snapshot")
        verbose_name_plural = _("alignment snapshots")
        ordering = ["unit_id", "fiscal_year", "taken_on"]
        get_latest_by = "taken_on"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "fiscal_year", "taken_on"],
                name="alignment_snapshot_once_a_day",
                violation_error_message=_("This unit already has a snapshot for that day."),
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
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    run_on = models.DateField(_("run on"), help_text="The day the data were read (the run's date).")
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    max_lag = models.PositiveSmallIntegerField(_("longest lag"))
    alpha = models.FloatField(_("significance level"), default=0.05)
    tests = models.PositiveIntegerField(
        _("tests"), default=0, help_text="p-values adjusted together."
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("strategy test run")
        verbose_name_plural = _("strategy test runs")
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
        SUPPORTED = "supported", _("Supported")
        CONTRADICTED = "contradicted", _("Contradicted")
        NOT_SUPPORTED = "not_supported", _("Not supported")
        INSUFFICIENT_DATA = "insufficient_data", _("Insufficient data")

    run = models.ForeignKey(
        StrategyTestRun,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("run"),
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="strategy_tests", verbose_name=_("unit")
    )
    link = models.ForeignKey(
        "scorecards.CauseEffect",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="strategy_tests",
        verbose_name=_("arrow"),
        help_text="The arrow tested; empty for an exploratory candidate.",
    )
    cause = models.ForeignKey(
        "scorecards.Objective",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("cause"),
    )
    effect = models.ForeignKey(
        "scorecards.Objective",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("effect"),
    )
    exploratory = models.BooleanField(_("exploratory"), default=False)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices)
    cause_measure = models.ForeignKey(
        "scorecards.Measure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cause's measure"),
    )
    effect_measure = models.ForeignKey(
        "scorecards.Measure",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("effect's measure"),
    )
    frequency = models.CharField(_("frequency"), max_length=10, blank=True)
    lag = models.PositiveSmallIntegerField(
        _("best lag"), null=True, blank=True, help_text="Best lag, periods."
    )
    effect_size = models.FloatField(
        _("effect size r"), null=True, blank=True, help_text="Pearson r at the lag."
    )
    ci_low = models.FloatField(_("interval low"), null=True, blank=True)
    ci_high = models.FloatField(_("interval high"), null=True, blank=True)
    p_value = models.FloatField(_("p-value"), null=True, blank=True)
    p_adjusted = models.FloatField(_("adjusted p"), null=True, blank=True)
    periods = models.PositiveIntegerField(
        _("periods"), default=0, help_text="Paired periods at the lag."
    )
    units = models.PositiveIntegerField(_("units"), default=0, help_text="Units pooled.")
    pairs_tested = models.PositiveSmallIntegerField(
        _("pairs tested"), default=0, help_text="Measure pairs."
    )
    lags = models.JSONField(
        _("lags tested"),
        default=list,
        blank=True,
        help_text="Every lag tested: lag, n, r, p, p_adjusted, CI.",
    )

    class Meta:
        verbose_name = _("strategy test result")
        verbose_name_plural = _("strategy test results")
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
