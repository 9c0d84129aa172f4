"""Objective statuses for the alignment report's unfunded gaps: the statuses
`scorecards.selectors.scorecard.objective_scores` gives a subtree's objectives (the same
rule, the same answer), in a fixed number of queries and a fraction of its time.

`objective_scores` builds a reading of every measure with exact fractions; at scale (8,000
measures) that takes most of a second. The report needs only each objective's status, so:

- An objective whose measures are all entered (the usual case) gets its own score in
  floating point from each measure's latest complete value as of the month: in PostgreSQL,
  which returns one number per objective, elsewhere here. Each measure's red flag and the
  two differences in its score are taken exactly (numeric, or Decimal) before one division,
  so each score is within 1e-14 of the exact one and, weights being positive (a check
  constraint), their weighted mean within 1e-12. A status is read from that only when the
  score lies more than `MARGIN` from both thresholds; otherwise (an actual exactly on target
  scores exactly 20/3, for one) the objective is scored exactly with `scorecards.scoring`,
  as the engine scores it, from its values read again.
- An objective with a calculated or rollup measure is scored by the engine itself
  (`load_latest`, `read_measure`): those values are computed from their inputs.
- An objective without a score of its own takes its supporters' exact scores (the cascade
  below it) by the engine's own rule (`_CascadeScorer.score`), walked in the order
  `objective_scores` walks the objectives, since that order decides what a cycle saved
  behind the services' back scores.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from django.db import connections, router
from django.db.models import F, OuterRef, Q, Subquery

from scorecards import scoring
from scorecards.choices import Polarity, Rollup
from scorecards.models import CascadeLink, Measure, MeasureValue
from scorecards.selectors.scorecard import Clock, _CascadeScorer, read_measure
from scorecards.selectors.series import load_latest

# Entered measures: no formula and no rollup (MeasureInfo.kind).
ENTERED = Q(rollup=Rollup.NONE) & (Q(formula__isnull=True) | Q(formula=""))
MARGIN = 1e-9
_GREEN_AT, _YELLOW_AT = float(scoring.TWO_THIRDS), float(scoring.THIRD)
_THIRD = float(scoring.THIRD)
_DEFAULT_TOLERANCE = Decimal("0.1")  # scoring.DEFAULT_TOLERANCE


class ObjectiveRow(NamedTuple):
    """What the statuses need of an objective: its weight (in the cascade above it),
    whether it has a calculated or rollup measure, and its place in `objective_scores`'
    order (Objective.Meta.ordering)."""

    weight: Decimal
    computed: bool
    order: int


def objective_statuses(
    objectives: dict[int, ObjectiveRow],
    unit_ids: list[int],
    wanted: list[int],
    *,
    as_of: dt.date,
    today: dt.date,
) -> dict[int, str]:
    """The status of each objective in `wanted` as of the month `as_of`; `objectives` are
    every objective of the units `unit_ids` (a subtree: it holds the whole cascade)."""
    alias = router.db_for_read(Measure)  # the replica inside heavy_reads, if any
    postgresql = connections[alias].vendor == "postgresql"
    scorer = _Scorer(objectives, as_of)
    if postgresql:
        scorer.quick = _quick_scores(alias, unit_ids, as_of)
    else:
        scorer.entered = _entered_values(alias, as_of, unit_ids=unit_ids)
        scorer.quick = {o: _quick_score(rows) for o, rows in scorer.entered.items()}
    computed = [o for o, row in objectives.items() if row.computed]
    if computed:
        scorer.engine_scores(unit_ids, computed, today)
    links = CascadeLink.objects.filter(supported__unit_id__in=unit_ids).order_by("pk")
    for supported, supporting in links.values_list("supported_id", "supporting_id"):
        scorer.supporters[supported].append(supporting)
    # Every objective without a score of its own is scored from the cascade below it, in
    # the engine's order (its memo makes a cycle's answer depend on it).
    order = {o: row.order for o, row in objectives.items()}
    cascading = sorted((o for o in objectives if not scorer.has_own(o)), key=order.get)
    if postgresql:  # elsewhere every value was read above
        exactly = scorer.to_score_exactly(wanted, cascading)
        scorer.entered = _entered_values(alias, as_of, objective_ids=exactly)
    for objective_id in cascading:
        scorer.score(objective_id)
    return {o: scorer.status(o) for o in wanted}


class _Scorer(_CascadeScorer):
    """The engine's cascade walk (`score`) over the own scores worked out here."""

    def __init__(self, objectives: dict[int, ObjectiveRow], as_of: dt.date):
        super().__init__(clock=None, ytd=False, light=True)
        self.as_of = as_of
        self.objectives = {o: {"weight": row.weight} for o, row in objectives.items()}
        self.computed = {o for o, row in objectives.items() if row.computed}
        self.quick: dict[int, float] = {}  # entered: own score in floating point
        self.entered: dict[int, list[tuple]] = {}  # entered: the values, where read
        self.engine: dict[int, Fraction | None] = {}  # computed: own score
        self.exact: dict[int, Fraction | None] = {}

    def engine_scores(self, unit_ids, computed, today) -> None:
        """Own scores of the objectives with a calculated or rollup measure, by the engine
        (their measures' values are computed period by period from their inputs)."""
        chosen = set(computed)
        with_computed = Measure.objects.filter(unit_id__in=unit_ids).exclude(ENTERED)
        series = load_latest(
            Q(unit_id__in=unit_ids, objective_id__in=with_computed.values("objective_id")),
            upto=self.as_of,
        )
        clock = Clock.make(self.as_of, today)
        pairs = defaultdict(list)
        for item in series.values():
            if item.measure.objective_id in chosen:
                reading = read_measure(item, clock, light=True)
                pairs[item.measure.objective_id].append((reading.score, reading.weight))
        self.engine = {o: scoring.weighted_mean(pairs[o]) for o in chosen}

    def has_own(self, objective_id: int) -> bool:
        """Whether the objective has a score of its own, from its measures (any measure
        with a complete value gives one: weights are positive)."""
        if objective_id in self.computed:
            return self.engine[objective_id] is not None
        return objective_id in self.quick

    def to_score_exactly(self, wanted: list[int], cascading: list[int]) -> set[int]:
        """The entered objectives to score exactly: those wanted whose floating-point score
        is too close to a threshold, and those the cascade below an objective without a
        score of its own reaches."""
        needed = {
            o
            for o in wanted
            if o in self.quick and o not in self.computed and _near_threshold(self.quick[o])
        }
        seen, stack = set(cascading), list(cascading)
        while stack:
            for supporter in self.supporters.get(stack.pop(), ()):
                if supporter in seen or supporter not in self.objectives:
                    continue
                seen.add(supporter)
                if not self.has_own(supporter):
                    stack.append(supporter)  # scored from the cascade in turn
                elif supporter not in self.computed:
                    needed.add(supporter)
        return needed

    def own_score(self, objective_id: int) -> Fraction | None:
        """The exact own score, as `_CascadeScorer.own_score` has it."""
        if objective_id in self.computed:
            return self.engine[objective_id]
        if objective_id not in self.exact:
            self.exact[objective_id] = scoring.weighted_mean(
                (scoring.measure_score(actual, target, red_flag, polarity, tolerance), weight)
                for actual, target, red_flag, polarity, tolerance, weight in self.entered.get(
                    objective_id, ()
                )
            )
        return self.exact[objective_id]

    def status(self, objective_id: int) -> str:
        if objective_id in self.scores:  # scored from the cascade
            return scoring.aggregate_status(self.scores[objective_id])
        quick = self.quick.get(objective_id)
        if objective_id in self.computed or quick is None or _near_threshold(quick):
            return scoring.aggregate_status(self.own_score(objective_id))
        if quick >= _GREEN_AT:
            return scoring.GREEN
        return scoring.YELLOW if quick >= _YELLOW_AT else scoring.RED


def _near_threshold(score: float) -> bool:
    return abs(score - _GREEN_AT) <= MARGIN or abs(score - _YELLOW_AT) <= MARGIN


# Reading the values ------------------------------------------------------------------------

# Each entered measure's latest value on or before the month with both actual and target,
# by one index probe per measure ((measure, period) is unique) through a LATERAL join,
# whatever the planner's statistics. (A join on the latest period, the portable form below,
# is planned as a hash join over every value once the tables are analysed.)
_LATEST = """
    FROM {measure} m
    CROSS JOIN LATERAL (
        SELECT actual, target, red_flag FROM {value}
        WHERE measure_id = m.id AND period <= %(as_of)s
            AND actual IS NOT NULL AND target IS NOT NULL
        ORDER BY period DESC LIMIT 1
    ) v
    WHERE m.{column} = ANY(%(ids)s) AND m.rollup = %(none)s
        AND (m.formula IS NULL OR m.formula = '')
"""

# `scoring.measure_score` in floating point, per objective: the default red flag and both
# differences in numeric (exact), then one division; the weighted mean of the scores.
_QUICK_SCORES = """
    SELECT m.objective_id, SUM(m.weight::float8 * s.score) / SUM(m.weight::float8)
    FROM ({latest_rows}) m
    CROSS JOIN LATERAL (
        SELECT CASE
            WHEN m.target = m.red THEN
                CASE WHEN (m.increase AND m.actual >= m.target)
                    OR (NOT m.increase AND m.actual <= m.target) THEN 10.0 ELSE 0.0 END
            ELSE LEAST(10.0, GREATEST(0.0, (10::float8 / 3)
                + (m.actual - m.red)::float8 / (m.target - m.red)::float8 * (10::float8 / 3)))
        END AS score
    ) s
    GROUP BY m.objective_id
"""
_LATEST_ROWS = """
    SELECT m.objective_id, m.weight, v.actual, v.target,
        m.polarity = %(increase)s AS increase,
        COALESCE(v.red_flag, CASE WHEN m.polarity = %(increase)s
            THEN v.target - COALESCE(m.tolerance, 0.1) * ABS(v.target)
            ELSE v.target + COALESCE(m.tolerance, 0.1) * ABS(v.target) END) AS red
"""


def _quick_scores(alias: str, unit_ids: list[int], as_of: dt.date) -> dict[int, float]:
    """{objective id: own score in floating point} of the objectives of the units with an
    entered measure that has a complete value, from PostgreSQL."""
    latest = _LATEST.format(
        measure=Measure._meta.db_table, value=MeasureValue._meta.db_table, column="unit_id"
    )
    sql = _QUICK_SCORES.format(latest_rows=_LATEST_ROWS + latest)
    params = {
        "as_of": as_of,
        "ids": list(unit_ids),
        "none": Rollup.NONE,
        "increase": Polarity.INCREASE,
    }
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _entered_values(
    alias: str, as_of: dt.date, *, unit_ids=None, objective_ids=None
) -> dict[int, list[tuple]]:
    """{objective id: [(actual, target, red flag, polarity, tolerance, weight)]}: each
    entered measure's latest complete value on or before `as_of` (a measure without one
    has no score and is left out, as the engine leaves it out), for the objectives of the
    units `unit_ids` or the objectives `objective_ids`."""
    column, ids = ("unit_id", unit_ids) if unit_ids is not None else ("objective_id", objective_ids)
    if connections[alias].vendor == "postgresql":
        latest = _LATEST.format(
            measure=Measure._meta.db_table, value=MeasureValue._meta.db_table, column=column
        )
        sql = (
            "SELECT m.objective_id, v.actual, v.target, v.red_flag, m.polarity, m.tolerance,"
            " m.weight" + latest
        )
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, {"as_of": as_of, "ids": list(ids), "none": Rollup.NONE})
            rows = cursor.fetchall()
    else:
        latest = MeasureValue.objects.filter(
            measure=OuterRef("pk"), period__lte=as_of, actual__isnull=False, target__isnull=False
        ).order_by("-period")
        rows = (
            Measure.objects.filter(ENTERED, **{f"{column}__in": ids})
            .annotate(latest=Subquery(latest.values("period")[:1]))
            .filter(values__period=F("latest"))
            .order_by()
            .values_list(
                "objective_id",
                "values__actual",
                "values__target",
                "values__red_flag",
                "polarity",
                "tolerance",
                "weight",
            )
        )
    by_objective: dict[int, list[tuple]] = defaultdict(list)
    for objective_id, *row in rows:
        by_objective[objective_id].append(tuple(row))
    return by_objective


def _quick_score(rows) -> float:
    """An objective's own score in floating point from its values (as `_QUICK_SCORES`)."""
    total = weights = 0.0
    for actual, target, red_flag, polarity, tolerance, weight in rows:
        w = float(weight)
        total += _quick_measure_score(actual, target, red_flag, polarity, tolerance) * w
        weights += w
    return total / weights


def _quick_measure_score(actual, target, red_flag, polarity, tolerance) -> float:
    """`scoring.measure_score` in floating point. The red flag and both differences are
    exact (Decimal sums and products of numeric(20,6) values fit its 28 digits); only the
    division and what follows round."""
    increase = polarity == Polarity.INCREASE
    if red_flag is None:  # scoring.default_red_flag
        spread = (_DEFAULT_TOLERANCE if tolerance is None else tolerance) * abs(target)
        red_flag = target - spread if increase else target + spread
    if target == red_flag:
        meets = actual >= target if increase else actual <= target
        return 10.0 if meets else 0.0
    score = _THIRD + float(actual - red_flag) / float(target - red_flag) * _THIRD
    return min(10.0, max(0.0, score))
