"""Test and adapt, with the database: what the statistics of `alignment/testing.py` are fed
(`strategy_test_inputs`), the run that stores their verdicts (`strategy_test_run`, a
service), the latest results of a unit's map (`latest_strategy_tests`, the selector the
pages and the API share), and the pruning of old runs (`strategy_test_runs_prune`, a
service).

What is tested
--------------
**Arrows.** Every cause-and-effect arrow A → B of a unit U's strategy map. Its measure
pairs are (a measure of A, a measure of B) with monthly or quarterly history, and each pair
is pooled over the units that cascade the same two objectives: U itself and every unit V
below it with an objective A' supporting A and another B' supporting B (directly or down
the cascade). Measures are matched across units **by code**: the pair (cause code, effect
code) is one panel of every such unit that has a measure with each code on the right side
(and the same polarity, frequency and aggregation), so "REV → MARGIN" pools the units that
report both, and a unit whose measures have codes of their own forms panels of its own. The
pair's measures named in the result are U's own where U has them, else those of the first
unit below that has them (shallowest, then by code). All lags of all pairs of all arrows
form one Benjamini-Hochberg family; an arrow's verdict is its strongest pair's
(`testing.strongest`); an arrow with no measure pair at all is `insufficient_data`.

**Exploratory candidates.** Pairs of objectives X, Y of one unit with no arrow between them
(either way), in the Balanced Scorecard's direction only: X in a lower perspective than Y
(a higher `Perspective.order`: learning & growth → internal process → customer →
financial). Each pair of their measures is tested on the unit's own series (no panel);
pairs where one measure is computed from the other (a formula input or rollup source) are
left out, their relation being arithmetic. Their p-values are adjusted as a family of their
own, so exploring never weakens the map's tests, and only the significant candidates are
stored, marked `exploratory`, with the strongest measure pair.

Reads are a handful of queries whatever the size (units, objectives, arrows, cascade links,
and the series through `strategy_series`, which reads entered values as floats and leaves
only calculated and rollup measures to `load_series`), grouped in Python; the statistics
run with arrays (`testing.evaluate_panels`), with Python's cycle collector paused (see
`_collector_paused`).
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from core.replica import heavy_reads
from scorecards.models import CascadeLink, CauseEffect, Objective, OrgUnit

from .models import StrategyTestResult, StrategyTestRun
from .strategy_series import MeasureRef, strategy_series
from .testing import (
    INSUFFICIENT,
    MeasureSeries,
    PairResult,
    PanelPair,
    evaluate_panels,
    strongest,
)

logger = logging.getLogger(__name__)

ALPHA = 0.05  # significance of the adjusted p-values
MIN_PERIODS = 12  # paired periods a lag needs to be tested (issue 8: fewer is insufficient)
MAX_RETENTION_DAYS = 36500  # the longest retention asked of the pruning (a century)
PRUNE_BATCH = 10  # runs deleted at a time (about 600 results each at scale)


@dataclass
class ObjectivePair:
    """An arrow of a unit's map (`link_id`), or an exploratory candidate (no link): the
    measure pairs to test for it, each a panel of units."""

    unit_id: int
    cause_id: int
    effect_id: int
    link_id: int | None
    pairs: list[PanelPair] = field(default_factory=list)

    @property
    def exploratory(self) -> bool:
        return self.link_id is None


@dataclass
class StrategyTestInputs:
    """Everything a run computes from: the series by measure id, the arrows with their
    panels, and the exploratory candidates with theirs."""

    today: dt.date
    series: dict[int, MeasureSeries]
    measures: dict[int, MeasureRef]
    arrows: list[ObjectivePair]
    candidates: list[ObjectivePair]


# Inputs --------------------------------------------------------------------------------------


def _closure_below(links: list[tuple[int, int]]) -> dict[int, set[int]]:
    """For each supported objective, every objective supporting it directly or down the
    cascade (a cycle written behind the services' back cannot loop)."""
    direct: dict[int, list[int]] = defaultdict(list)
    for supporting, supported in links:
        direct[supported].append(supporting)
    below: dict[int, set[int]] = {}
    for top in direct:
        found, stack = set(), list(direct[top])
        while stack:
            objective = stack.pop()
            if objective in found or objective == top:
                continue
            found.add(objective)
            stack.extend(direct.get(objective, ()))
        below[top] = found
    return below


def _depths(parents: dict[int, int | None]) -> dict[int, int]:
    depths: dict[int, int] = {}
    for unit in parents:
        chain, node = [], unit
        while node is not None and node not in depths and node not in chain:
            chain.append(node)
            node = parents.get(node)
        base = depths.get(node, -1) if node is not None else -1
        for offset, member in enumerate(reversed(chain), start=1):
            depths[member] = base + offset
    return depths


def _kind(cause: MeasureRef, effect: MeasureRef) -> tuple:
    """Pairs of measures of different units pool when they match on this: codes,
    polarities and frequencies, and the aggregation of a monthly measure beside a quarterly
    one (it is combined into quarters by it)."""
    kind = (cause.code, cause.polarity, cause.frequency, effect.code, effect.polarity)
    kind += (effect.frequency,)
    if cause.frequency != effect.frequency:
        kind += (cause.aggregation, effect.aggregation)
    return kind


@heavy_reads()
def strategy_test_inputs(*, today: dt.date) -> StrategyTestInputs:
    """The arrows of every unit's map with their measure pairs pooled over the units that
    cascade them, and the exploratory candidates, with every series they need (values up to
    `today`). A fixed number of queries: see the module's docstring for the rules."""
    units = list(OrgUnit.objects.values_list("id", "parent_id", "code"))
    unit_codes = {unit_id: code for unit_id, _, code in units}
    depths = _depths({unit_id: parent for unit_id, parent, _ in units})
    objectives = {
        row["id"]: row
        for row in Objective.objects.values("id", "unit_id", "perspective__order", "code")
    }
    arrows = list(CauseEffect.objects.order_by("id").values_list("id", "cause_id", "effect_id"))
    below = _closure_below(list(CascadeLink.objects.values_list("supporting_id", "supported_id")))
    series, refs = strategy_series(today)
    by_objective: dict[int, list[MeasureRef]] = defaultdict(list)
    for ref in refs.values():
        by_objective[ref.objective_id].append(ref)
    for measures in by_objective.values():
        measures.sort(key=lambda m: m.code)

    def unit_order(unit_id: int) -> tuple:
        return (depths.get(unit_id, 0), unit_codes.get(unit_id, ""))

    tested = []
    for link_id, cause_id, effect_id in arrows:
        unit_id = objectives[cause_id]["unit_id"]
        # The unit's own objectives, then those of the units below that cascade both.
        sides: dict[int, tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
        sides[unit_id] = ({cause_id}, {effect_id})
        for objective in below.get(cause_id, ()):
            sides[objectives[objective]["unit_id"]][0].add(objective)
        for objective in below.get(effect_id, ()):
            sides[objectives[objective]["unit_id"]][1].add(objective)
        panels: dict[tuple, list[tuple[int, int, int]]] = defaultdict(list)
        for member_unit in sorted(sides, key=lambda u: (u != unit_id, unit_order(u))):
            causes, effects = sides[member_unit]
            for cause in sorted(causes):
                for effect in sorted(effects):
                    if cause == effect:
                        continue  # one objective serving both sides says nothing
                    for cm in by_objective.get(cause, ()):
                        for em in by_objective.get(effect, ()):
                            panels[_kind(cm, em)].append((member_unit, cm.id, em.id))
        pairs = []
        for members in panels.values():
            seen, unique = set(), []
            for member_unit, cm, em in members:
                if member_unit not in seen:  # one replicate per unit
                    seen.add(member_unit)
                    unique.append((cm, em))
            pairs.append(PanelPair(key=("arrow", link_id, *unique[0]), members=unique))
        tested.append(ObjectivePair(unit_id, cause_id, effect_id, link_id, pairs))

    linked = {(c, e) for _, c, e in arrows} | {(e, c) for _, c, e in arrows}
    by_unit: dict[int, list[dict]] = defaultdict(list)
    for row in objectives.values():
        by_unit[row["unit_id"]].append(row)
    candidates = []
    for unit_id in sorted(by_unit):
        own = sorted(by_unit[unit_id], key=lambda o: o["code"])
        for cause in own:
            for effect in own:
                if cause["perspective__order"] <= effect["perspective__order"]:
                    continue  # only upward: from a lower perspective to a higher one
                if (cause["id"], effect["id"]) in linked:
                    continue
                pairs = [
                    PanelPair(key=("explore", cm.id, em.id), members=[(cm.id, em.id)])
                    for cm in by_objective.get(cause["id"], ())
                    for em in by_objective.get(effect["id"], ())
                    if cm.id not in em.depends_on and em.id not in cm.depends_on
                ]
                if pairs:
                    candidates.append(
                        ObjectivePair(unit_id, cause["id"], effect["id"], None, pairs)
                    )
    return StrategyTestInputs(today, series, refs, tested, candidates)


# Results -------------------------------------------------------------------------------------


def _result_row(
    run: StrategyTestRun, tested: ObjectivePair, results: list[PairResult]
) -> StrategyTestResult:
    """The stored verdict of an arrow or candidate: its strongest pair's figures."""
    row = StrategyTestResult(
        run=run,
        unit_id=tested.unit_id,
        link_id=tested.link_id,
        cause_id=tested.cause_id,
        effect_id=tested.effect_id,
        exploratory=tested.exploratory,
        verdict=INSUFFICIENT,
        pairs_tested=min(len(tested.pairs), 32767),  # the column's limit
    )
    best = strongest(results)
    if best is None:
        return row
    cause_measure, effect_measure = best.key[-2:]
    row.verdict = best.verdict
    row.cause_measure_id, row.effect_measure_id = cause_measure, effect_measure
    row.frequency = best.frequency
    row.units = best.units_used
    if best.best is not None:
        lag = best.best
        row.lag, row.effect_size = lag.lag, lag.r
        row.ci_low, row.ci_high = lag.ci_low, lag.ci_high
        row.p_value, row.p_adjusted = lag.p, lag.p_adjusted
        row.periods = lag.n
    row.lags = [
        {
            "lag": lag.lag,
            "n": lag.n,
            "r": lag.r,
            "p": lag.p,
            "p_adjusted": lag.p_adjusted,
            "ci_low": lag.ci_low,
            "ci_high": lag.ci_high,
        }
        for lag in best.lags
    ]
    return row


def strategy_test_results(
    inputs: StrategyTestInputs,
    *,
    run: StrategyTestRun,
    max_lag: int,
    alpha: float = ALPHA,
    min_periods: int = MIN_PERIODS,
) -> tuple[list[StrategyTestResult], int]:
    """The result rows of a run (not saved) and the size of the map's family: every arrow,
    and the significant exploratory candidates (adjusted among themselves)."""
    options = {
        "max_lag": max_lag,
        "alpha": alpha,
        "min_periods": min_periods,
        "fiscal_start": settings.FISCAL_YEAR_START_MONTH,
    }
    map_pairs = [pair for arrow in inputs.arrows for pair in arrow.pairs]
    found, family = evaluate_panels(inputs.series, map_pairs, **options)
    by_key = {result.key: result for result in found}
    rows = [
        _result_row(run, arrow, [by_key[pair.key] for pair in arrow.pairs])
        for arrow in inputs.arrows
    ]
    explored = [pair for candidate in inputs.candidates for pair in candidate.pairs]
    significant, explored_family = evaluate_panels(
        inputs.series, explored, significant_only=True, **options
    )
    by_key = {result.key: result for result in significant}
    for candidate in inputs.candidates:
        strong = [by_key[pair.key] for pair in candidate.pairs if pair.key in by_key]
        if strong:
            rows.append(_result_row(run, candidate, strong))
    logger.info(
        "Strategy tests: %d arrows (%d p-values), %d of %d candidate pairs significant "
        "(%d p-values).",
        len(inputs.arrows),
        family,
        len(significant),
        len(explored),
        explored_family,
    )
    return rows, family


# The run -------------------------------------------------------------------------------------


@contextmanager
def _collector_paused():
    """Python's cycle collector off for the block, then back as it was. A run builds a few
    hundred thousand small objects that live until it ends (the candidates' pairs) and form
    no cycle; each full collection walks them all again for nothing, which took a fifth of
    the run's time at scale. Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def strategy_test_run(*, today: dt.date | None = None, actor=None) -> StrategyTestRun:
    """Test every arrow of every unit's strategy map against the data up to `today`
    (default: today) and store the verdicts as a new run, with the significant exploratory
    candidates; `actor` is who asked (None for the nightly job), for the log.

    The run's row is written `running` first (so the pages can say a run is under way);
    its results are then inserted, and the row marked `done` with its finishing time and
    the number of tests, in one transaction, so a reader never sees half a run (and pages
    serve only `done` runs). On any error the run is marked `failed` with the error, and
    the error raised again."""
    today = today or timezone.localdate()
    max_lag = settings.STRATEGY_TEST_MAX_LAG
    run = StrategyTestRun.objects.create(run_on=today, max_lag=max_lag, alpha=ALPHA)
    logger.info("Strategy test run %s of %s started by %s.", run.pk, today, actor or "the schedule")
    try:
        with _collector_paused():
            inputs = strategy_test_inputs(today=today)
            rows, family = strategy_test_results(inputs, run=run, max_lag=max_lag)
            del inputs  # freed now, so the collector back on never walks them
        with transaction.atomic():
            StrategyTestResult.objects.bulk_create(rows, batch_size=1000)
            run.status = StrategyTestRun.Status.DONE
            run.finished_at = timezone.now()
            run.tests = family
            run.save(update_fields=["status", "finished_at", "tests"])
    except Exception as error:
        run.status = StrategyTestRun.Status.FAILED
        run.finished_at = timezone.now()
        run.error = f"{type(error).__name__}: {error}"[:2000]
        try:
            run.save(update_fields=["status", "finished_at", "error"])
        except DatabaseError:  # the database itself is gone: the run stays `running`
            logger.exception("Strategy test run %s: could not record its failure.", run.pk)
        raise
    return run


# Reads ---------------------------------------------------------------------------------------


def latest_run() -> StrategyTestRun | None:
    """The latest run that finished (`done`); a running or failed one is never served."""
    return (
        StrategyTestRun.objects.filter(status=StrategyTestRun.Status.DONE)
        .order_by("-started_at", "-pk")
        .first()
    )


def latest_strategy_tests(unit) -> tuple[StrategyTestRun | None, list[StrategyTestResult]]:
    """The latest done run and its results for `unit`'s strategy map: the arrows first,
    then the exploratory candidates, each by cause then effect code; objectives, measures
    and the arrow read along (two queries whatever the size). `(None, [])` before any run
    has finished."""
    run = latest_run()
    if run is None:
        return None, []
    results = list(
        StrategyTestResult.objects.filter(run=run, unit=unit)
        .select_related("cause", "effect", "cause_measure", "effect_measure", "link")
        .order_by("exploratory", "cause__code", "effect__code", "pk")
    )
    return run, results


# Pruning -------------------------------------------------------------------------------------


def strategy_test_runs_kept() -> set[int]:
    """The runs pruning never deletes, whatever their age: the run the pages and the API
    serve (`latest_run`, the same for every unit), and for each unit the newest done run
    with results for that unit's map; also the newest run of all, whatever its status, of
    which the Strategy test page warns when it is newer than the run shown (a failure)."""
    newest_for_unit = (
        StrategyTestRun.objects.filter(
            status=StrategyTestRun.Status.DONE, results__unit=OuterRef("pk")
        )
        .order_by("-started_at", "-pk")
        .values("pk")[:1]
    )
    kept = set(
        OrgUnit.objects.annotate(run=Subquery(newest_for_unit))
        .filter(run__isnull=False)
        .values_list("run", flat=True)
    )
    served = latest_run()
    newest = StrategyTestRun.objects.order_by("-started_at", "-pk").first()
    kept.update(run.pk for run in (served, newest) if run is not None)
    return kept


@transaction.atomic
def strategy_test_runs_prune(*, today: dt.date, days: int | None = None) -> int:
    """Delete the strategy test runs started more than `days` (default
    `STRATEGY_TEST_RETENTION_DAYS`) days before `today`, with their results, and return how
    many runs were deleted. "More than N days before": started on a day before today - N,
    in the site's time zone; a run of exactly N days ago stays.

    Never deleted, whatever their age: a run still in progress (`running`), and the runs
    of `strategy_test_runs_kept` (the run the pages show, each unit's newest done run with
    results for it, the newest run of all). Failed runs are deleted like done ones. One
    transaction; running it twice deletes nothing more. ValueError when `days` is negative
    or above MAX_RETENTION_DAYS."""
    days = settings.STRATEGY_TEST_RETENTION_DAYS if days is None else days
    if not 0 <= days <= MAX_RETENTION_DAYS:
        raise ValueError(f"The days to keep must be 0 to {MAX_RETENTION_DAYS}, not {days}.")
    cutoff = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min))
    old = list(
        StrategyTestRun.objects.filter(started_at__lt=cutoff)
        .exclude(status=StrategyTestRun.Status.RUNNING)
        .exclude(pk__in=strategy_test_runs_kept())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    deleted = 0
    # In batches: every delete is sent as a signal (core/versioning.py), so Django reads the rows it
    # deletes; a batch bounds the memory the first pruning of a long history takes.
    for start in range(0, len(old), PRUNE_BATCH):
        _, per_model = StrategyTestRun.objects.filter(
            pk__in=old[start : start + PRUNE_BATCH]
        ).delete()
        deleted += per_model.get(StrategyTestRun._meta.label, 0)
    logger.info(
        "Strategy tests: %d runs started before %s deleted (kept for %d days).",
        deleted,
        cutoff.date(),
        days,
    )
    return deleted
