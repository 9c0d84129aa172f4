"""A unit's scorecard as of a month (or year to date), and every unit's score at once.

The numbers follow DESIGN.md "Scoring" through `scorecards.scoring`; this module only
loads the data in a bounded number of queries and assembles the answer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .. import scoring, trends
from ..models import CascadeLink, Objective, OrgUnit, Perspective
from ..periods import period_start
from .series import MeasureInfo, Series, load_latest, load_series


@dataclass
class MeasureReading:
    """One measure's figures as of the month (or year to date)."""

    id: int
    code: str
    name: str
    unit_label: str
    kind: str  # entered, calculated, rollup
    polarity: str
    frequency: str
    weight: Fraction
    period: dt.date | None
    actual: Fraction | None
    target: Fraction | None
    red_flag: Fraction | None  # the one scored against: entered, or the default
    red_flag_is_default: bool
    score: Fraction | None
    status: str
    trend: str | None
    overdue: bool
    reported: int | None = None  # rollups: sources that reported for `period`
    sources: int | None = None  # rollups: sources in all
    # Which way the actual moved since the previous period with data (scorecards.trends):
    # up, down, flat or None; `verdict` says whether that is better by the polarity.
    movement: str | None = None

    @property
    def verdict(self) -> str | None:
        """better, worse or steady (scorecards.trends.verdict); None without a movement."""
        return trends.verdict(self.movement, self.polarity)

    decimal_places: int | None = None  # how its figures are shown (None: as entered)


@dataclass
class ObjectiveReading:
    """An objective's score: from its measures, or else from the objectives supporting it."""

    id: int
    code: str
    name: str
    weight: Fraction
    perspective_id: int
    theme_id: int | None
    unit_id: int
    score: Fraction | None
    status: str
    from_cascade: bool
    measures: list[MeasureReading] = field(default_factory=list)


@dataclass
class PerspectiveReading:
    id: int
    name: str
    order: int
    score: Fraction | None
    status: str
    objectives: list[ObjectiveReading] = field(default_factory=list)


@dataclass
class ScorecardReading:
    """The whole scorecard of a unit."""

    unit: OrgUnit
    as_of: dt.date
    ytd: bool
    score: Fraction | None
    status: str
    perspectives: list[PerspectiveReading]

    def objectives(self) -> list[ObjectiveReading]:
        return [o for p in self.perspectives for o in p.objectives]


@dataclass(frozen=True)
class Clock:
    """The month asked about, today, and the settings that date values."""

    as_of: dt.date
    today: dt.date
    due_days: int
    fiscal_start: int

    @classmethod
    def make(cls, as_of: dt.date | None = None, today: dt.date | None = None) -> Clock:
        today = today or timezone.localdate()
        month = (as_of or today).replace(day=1)
        return cls(month, today, settings.MEASURE_DUE_DAYS, settings.FISCAL_YEAR_START_MONTH)


# Measures ----------------------------------------------------------------------------------


def read_measure(
    series: Series, clock: Clock, *, ytd: bool = False, light: bool = False
) -> MeasureReading:
    """Score one measure as of `clock.as_of` (the latest complete period on or before it),
    or year to date; with its trend against the previous period with data. `light` skips
    the trend and the overdue flag (for series holding only the latest value)."""
    info: MeasureInfo = series.measure
    values = series.ordered()
    period = actual = target = red_flag = previous_score = None
    moved = None
    if ytd:
        combined = scoring.year_to_date(values, clock.as_of, info.aggregation, clock.fiscal_start)
        if combined:
            period, actual, target = combined.periods[-1], combined.actual, combined.target
            red_flag = combined.red_flag
            if len(combined.periods) > 1:
                before = scoring.year_to_date(
                    [v for v in values if v.period < period],
                    clock.as_of,
                    info.aggregation,
                    clock.fiscal_start,
                )
                if before:
                    previous_score = _score(info, before.actual, before.target, before.red_flag)
                    moved = trends.movement(
                        trends.comparable(actual, len(combined.periods), info.aggregation),
                        trends.comparable(before.actual, len(before.periods), info.aggregation),
                    )
    else:
        chosen = scoring.as_of_value(values, clock.as_of)
        if chosen:
            period, actual, target, red_flag = (
                chosen.period,
                chosen.actual,
                chosen.target,
                chosen.red_flag,
            )
            previous = None if light else scoring.previous_complete(values, chosen.period)
            if previous:
                previous_score = _score(info, previous.actual, previous.target, previous.red_flag)
                moved = trends.movement(actual, previous.actual)
    is_default = red_flag is None and target is not None
    if is_default:
        red_flag = scoring.default_red_flag(target, info.polarity, info.tolerance)
    score = _score(info, actual, target, red_flag)
    reported = series.reported.get(period) if info.kind == "rollup" else None
    return MeasureReading(
        id=info.id,
        code=info.code,
        name=info.name,
        unit_label=info.unit_label,
        kind=info.kind,
        polarity=info.polarity,
        frequency=info.frequency,
        weight=info.weight,
        period=period,
        actual=actual,
        target=target,
        red_flag=red_flag,
        red_flag_is_default=is_default,
        score=score,
        status=scoring.measure_status(actual, target, red_flag, info.polarity, info.tolerance),
        trend=scoring.trend(score, previous_score),
        overdue=False
        if light
        else scoring.is_overdue(
            values,
            info.frequency,
            clock.fiscal_start,
            clock.as_of,
            clock.today,
            clock.due_days,
            created=info.created,
        ),
        reported=reported[0] if reported else (0 if info.kind == "rollup" else None),
        sources=len(info.sources) if info.kind == "rollup" else None,
        movement=moved,
        decimal_places=info.decimal_places,
    )


def _score(info: MeasureInfo, actual, target, red_flag) -> Fraction | None:
    return scoring.measure_score(actual, target, red_flag, info.polarity, info.tolerance)


# Objectives and the cascade ----------------------------------------------------------------

OBJECTIVE_COLUMNS = ("id", "code", "name", "weight", "perspective_id", "theme_id", "unit_id")


class _CascadeScorer:
    """Objective scores from loaded measures, falling back to the objectives that support
    each one (loaded a level at a time: queries grow with the tree's depth only)."""

    def __init__(self, clock: Clock, ytd: bool, light: bool = False):
        self.clock = clock
        self.ytd = ytd
        self.light = light
        self.objectives: dict[int, dict] = {}
        self.readings: dict[int, list[MeasureReading]] = defaultdict(list)
        self.supporters: dict[int, list[int]] = defaultdict(list)
        self.scores: dict[int, Fraction | None] = {}
        self.read_measures: set[int] = set()

    def add(self, objectives: list[dict], series: dict[int, Series]) -> None:
        """Take in objectives and the series of their measures (plus dependencies)."""
        batch = set()
        for row in objectives:
            row["weight"] = scoring.exact(row["weight"])
            self.objectives[row["id"]] = row
            batch.add(row["id"])
        for item in series.values():
            info = item.measure
            if info.objective_id in batch and info.id not in self.read_measures:
                self.read_measures.add(info.id)
                self.readings[info.objective_id].append(
                    read_measure(item, self.clock, ytd=self.ytd, light=self.light)
                )
        for objective_id in batch:
            self.readings[objective_id].sort(key=lambda r: r.code)

    def own_score(self, objective_id: int) -> Fraction | None:
        return scoring.weighted_mean((r.score, r.weight) for r in self.readings[objective_id])

    def load_cascade(self, objective_ids: list[int]) -> None:
        """Load, level by level, the objectives supporting those without own data."""
        frontier = [o for o in objective_ids if self.own_score(o) is None]
        while frontier:
            links = list(
                CascadeLink.objects.filter(supported_id__in=frontier).values_list(
                    "supported_id", "supporting_id"
                )
            )
            for supported, supporting in links:
                self.supporters[supported].append(supporting)
            new = sorted({s for _, s in links} - self.objectives.keys())
            if not new:
                break
            rows = list(Objective.objects.filter(id__in=new).values(*OBJECTIVE_COLUMNS))
            self.add(rows, load_series(Q(objective_id__in=new), upto=self.clock.as_of))
            frontier = [o for o in new if self.own_score(o) is None]

    def score(self, objective_id: int) -> Fraction | None:
        """The objective's own score, else the weighted mean of its supporters' scores (the
        cascade below it). An explicit stack, not recursion: a cascade may run down a unit
        tree a thousand deep. An objective met again on its own path scores nothing there."""
        stack = [(objective_id, frozenset(), False)]
        while stack:
            current, path, ready = stack.pop()
            below = [s for s in self.supporters.get(current, []) if s in self.objectives]
            if ready:
                self.scores[current] = scoring.weighted_mean(
                    (self.scores[s], self.objectives[s]["weight"]) for s in below
                )
                continue
            if current in self.scores:
                continue
            own = self.own_score(current)
            if own is not None or current in path:
                self.scores[current] = own
                continue
            stack.append((current, path, True))
            stack.extend((s, path | {current}, False) for s in reversed(below))
        return self.scores[objective_id]

    def reading(self, objective_id: int) -> ObjectiveReading:
        row = self.objectives[objective_id]
        score = self.score(objective_id)
        return ObjectiveReading(
            id=row["id"],
            code=row["code"],
            name=row["name"],
            weight=row["weight"],
            perspective_id=row["perspective_id"],
            theme_id=row["theme_id"],
            unit_id=row["unit_id"],
            score=score,
            status=scoring.aggregate_status(score),
            from_cascade=score is not None and self.own_score(objective_id) is None,
            measures=self.readings[objective_id],
        )


def _assemble(perspectives: list[Perspective], objectives: list[ObjectiveReading]):
    by_perspective = defaultdict(list)
    for objective in objectives:
        by_perspective[objective.perspective_id].append(objective)
    result = []
    for perspective in perspectives:
        members = sorted(by_perspective.get(perspective.id, []), key=lambda o: o.code)
        score = scoring.weighted_mean((o.score, o.weight) for o in members)
        result.append(
            PerspectiveReading(
                id=perspective.id,
                name=perspective.name,
                order=perspective.order,
                score=score,
                status=scoring.aggregate_status(score),
                objectives=members,
            )
        )
    score = scoring.plain_mean(p.score for p in result if p.objectives)
    return result, score


def unit_scorecard(
    unit: OrgUnit,
    *,
    as_of: dt.date | None = None,
    ytd: bool = False,
    today: dt.date | None = None,
) -> ScorecardReading:
    """The unit's scorecard: perspectives in order, their objectives and measures, scored
    as of the month of `as_of` (default: this month), or year to date."""
    clock = Clock.make(as_of, today)
    scorer = _CascadeScorer(clock, ytd)
    own = list(Objective.objects.filter(unit=unit).values(*OBJECTIVE_COLUMNS))
    scorer.add(own, load_series(Q(objective__unit=unit), upto=clock.as_of))
    scorer.load_cascade([o["id"] for o in own])
    perspectives = list(Perspective.objects.order_by("order"))
    readings = [scorer.reading(o["id"]) for o in own]
    perspective_readings, score = _assemble(perspectives, readings)
    return ScorecardReading(
        unit=unit,
        as_of=clock.as_of,
        ytd=ytd,
        score=score,
        status=scoring.aggregate_status(score),
        perspectives=perspective_readings,
    )


@dataclass(frozen=True)
class UnitScore:
    unit_id: int
    score: Fraction | None
    status: str


def objective_scores(
    units: Q | None = None,
    *,
    as_of: dt.date | None = None,
    today: dt.date | None = None,
    ytd: bool = False,
) -> dict[int, ObjectiveReading]:
    """The score and status of every objective of the units matching `units` (a Q on
    OrgUnit; all units by default) in a fixed number of queries. A unit selection closed
    under "below" (a subtree) holds every objective its cascade fallback needs. The database
    picks each entered measure's latest complete value, so the work does not grow with the
    months kept; readings carry no trend or overdue flag. Year to date (`ytd`), the values
    of the fiscal year up to the month are read instead (at most a year's per measure)."""
    clock = Clock.make(as_of, today)
    scorer = _CascadeScorer(clock, ytd=ytd, light=True)
    objectives = Objective.objects.all()
    links = CascadeLink.objects.all()
    measures = Q()
    if units is not None:
        chosen = OrgUnit.objects.filter(units)
        objectives = objectives.filter(unit__in=chosen)
        links = links.filter(supported__unit__in=chosen)
        measures = Q(unit__in=chosen)
    rows = list(objectives.values(*OBJECTIVE_COLUMNS))
    if ytd:
        year_start = period_start(clock.as_of, "annual", clock.fiscal_start)
        series = load_series(measures, upto=clock.as_of, since=year_start)
    else:
        series = load_latest(measures, upto=clock.as_of)
    scorer.add(rows, series)
    for supported, supporting in links.values_list("supported_id", "supporting_id"):
        scorer.supporters[supported].append(supporting)
    return {row["id"]: scorer.reading(row["id"]) for row in rows}


def chosen_objective_scores(
    objective_ids, *, as_of: dt.date | None = None, today: dt.date | None = None
) -> dict[int, ObjectiveReading]:
    """The score and status of the objectives with these ids, wherever they are in the tree,
    as of a month. Those without data of their own are scored from the cascade below them,
    read a level at a time as for a unit's scorecard: the queries grow with the cascade's
    depth only, never with the number of objectives. Readings carry no trend or overdue."""
    clock = Clock.make(as_of, today)
    scorer = _CascadeScorer(clock, ytd=False, light=True)
    ids = list(objective_ids)
    rows = list(Objective.objects.filter(id__in=ids).values(*OBJECTIVE_COLUMNS))
    scorer.add(rows, load_latest(Q(objective_id__in=ids), upto=clock.as_of))
    scorer.load_cascade([row["id"] for row in rows])
    return {row["id"]: scorer.reading(row["id"]) for row in rows}


def enterprise_scores(
    *, as_of: dt.date | None = None, today: dt.date | None = None
) -> dict[int, UnitScore]:
    """Every unit's scorecard score and status as of a month, from one pass over the
    whole company's data in a fixed number of queries (see `objective_scores`)."""
    readings = objective_scores(as_of=as_of, today=today)
    perspectives = list(Perspective.objects.order_by("order"))
    by_unit = defaultdict(list)
    for reading in readings.values():
        by_unit[reading.unit_id].append(reading)
    result = {}
    for unit_id in OrgUnit.objects.values_list("id", flat=True):
        _, score = _assemble(perspectives, by_unit.get(unit_id, []))
        result[unit_id] = UnitScore(unit_id, score, scoring.aggregate_status(score))
    return result
