"""Measure series: the values of a set of measures up to a month, with calculated and
rollup measures computed period by period from their inputs.

Loading follows the dependencies (formula inputs, rollup sources) round by round: each round
is four queries, and the number of rounds is the depth of the dependency chain, never the
number of measures or months.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from .. import formulas
from ..models import FormulaInput, Measure, MeasureValue, RollupSource
from ..scoring import PeriodValue, exact, rollup

MEASURE_COLUMNS = (
    "id",
    "objective_id",
    "unit_id",
    "unit__code",
    "code",
    "name",
    "unit_label",
    "polarity",
    "frequency",
    "aggregation",
    "weight",
    "tolerance",
    "formula",
    "rollup",
    "decimal_places",
    "created_at",
)


@dataclass
class MeasureInfo:
    """What the engine needs of a measure, read once."""

    id: int
    objective_id: int
    unit_id: int
    unit_code: str
    code: str
    name: str
    unit_label: str
    polarity: str
    frequency: str
    aggregation: str
    weight: Fraction
    tolerance: Fraction
    formula: str | None
    rollup: str
    inputs: list[int] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)
    decimal_places: int | None = None  # how its figures are shown (None: as entered)
    created: dt.date | None = None  # the day it was created: it owes no earlier period

    @property
    def kind(self) -> str:
        if self.formula:
            return "calculated"
        return "rollup" if self.rollup != "none" else "entered"


@dataclass
class Series:
    """A measure and its values by period; rollups also say how many sources reported."""

    measure: MeasureInfo
    values: dict[dt.date, PeriodValue] = field(default_factory=dict)
    reported: dict[dt.date, tuple[int, int]] = field(default_factory=dict)

    def ordered(self) -> list[PeriodValue]:
        return [self.values[p] for p in sorted(self.values)]

    def actual(self, period: dt.date) -> Fraction | None:
        value = self.values.get(period)
        return value.actual if value else None

    def target(self, period: dt.date) -> Fraction | None:
        value = self.values.get(period)
        return value.target if value else None


@lru_cache(maxsize=4096)
def parsed(formula: str) -> formulas.Node:
    """Parse once per distinct formula text (formulas were validated when saved)."""
    return formulas.parse(formula)


def _info(row: dict, zone: dt.tzinfo) -> MeasureInfo:
    return MeasureInfo(
        id=row["id"],
        objective_id=row["objective_id"],
        unit_id=row["unit_id"],
        unit_code=row["unit__code"],
        code=row["code"],
        name=row["name"],
        unit_label=row["unit_label"],
        polarity=row["polarity"],
        frequency=row["frequency"],
        aggregation=row["aggregation"],
        weight=exact(row["weight"]),
        tolerance=exact(row["tolerance"]),
        formula=row["formula"] or None,
        rollup=row["rollup"],
        decimal_places=row["decimal_places"],
        created=row["created_at"].astimezone(zone).date() if row["created_at"] else None,
    )


def _load_infos(selection: Q | None) -> tuple[dict[int, MeasureInfo], set[int]]:
    """The measures matching `selection` and, round by round, those they depend on; also
    the ids of the latter (the dependencies outside the selection)."""
    infos: dict[int, MeasureInfo] = {}
    first_round = True
    dependencies: set[int] = set()
    zone = timezone.get_current_timezone()  # once, not per measure (timezone.localdate)
    while selection is not None:
        rows = [_info(r, zone) for r in Measure.objects.filter(selection).values(*MEASURE_COLUMNS)]
        batch = {info.id for info in rows if info.id not in infos}
        if not first_round:
            dependencies |= batch
        first_round = False
        if not batch:
            break
        for info in rows:
            infos.setdefault(info.id, info)
        # Filtered by the same condition as the batch, not by a long list of ids.
        for measure_id, input_id in FormulaInput.objects.filter(
            measure__in=Measure.objects.filter(selection)
        ).values_list("measure_id", "input_id"):
            if measure_id in batch:
                infos[measure_id].inputs.append(input_id)
        for measure_id, source_id in RollupSource.objects.filter(
            rollup_measure__in=Measure.objects.filter(selection)
        ).values_list("rollup_measure_id", "source_id"):
            if measure_id in batch:
                infos[measure_id].sources.append(source_id)
        wanted = {
            dep
            for measure_id in batch
            for dep in (*infos[measure_id].inputs, *infos[measure_id].sources)
            if dep not in infos
        }
        selection = Q(id__in=wanted) if wanted else None
    return infos, dependencies


def _rows(values, raw: dict[int, dict[dt.date, PeriodValue]]) -> None:
    for measure_id, period, actual, target, red_flag in values.values_list(
        "measure_id", "period", "actual", "target", "red_flag"
    ):
        raw[measure_id][period] = PeriodValue(period, exact(actual), exact(target), exact(red_flag))


def load_series(
    measures: Q, *, upto: dt.date | None = None, since: dt.date | None = None
) -> dict[int, Series]:
    """Series of the measures matching `measures` (a Q on Measure) and of every measure
    they depend on, with values of periods from `since` to `upto` (inclusive, if given)."""
    infos, dependencies = _load_infos(measures)
    raw: dict[int, dict[dt.date, PeriodValue]] = defaultdict(dict)
    values = MeasureValue.objects.filter(
        Q(measure__in=Measure.objects.filter(measures)) | Q(measure_id__in=dependencies)
    )
    if upto is not None:
        values = values.filter(period__lte=upto)
    if since is not None:
        values = values.filter(period__gte=since)
    _rows(values, raw)
    return _compute(infos, raw)


def load_latest(measures: Q, *, upto: dt.date) -> dict[int, Series]:
    """Like `load_series`, but an entered measure gets only its latest value on or before
    `upto` that has both actual and target (one row per measure, chosen by the database);
    calculated and rollup measures and their inputs still get their whole series, since
    their values are computed period by period. Enough for scores, not for trends."""
    infos, _ = _load_infos(measures)
    full: set[int] = set()
    stack = [i for i, info in infos.items() if info.kind != "entered"]
    while stack:
        measure_id = stack.pop()
        if measure_id in full or measure_id not in infos:
            continue
        full.add(measure_id)
        stack += infos[measure_id].inputs + infos[measure_id].sources
    raw: dict[int, dict[dt.date, PeriodValue]] = defaultdict(dict)
    if full:
        _rows(MeasureValue.objects.filter(measure_id__in=full, period__lte=upto), raw)
    latest = (
        MeasureValue.objects.filter(
            measure__in=Measure.objects.filter(measures),
            period__lte=upto,
            actual__isnull=False,
            target__isnull=False,
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("measure_id")], order_by=F("period").desc())
        )
        .filter(rank=1)
    )
    _rows(latest, raw)
    return _compute(infos, raw)


def _compute(
    infos: dict[int, MeasureInfo], raw: dict[int, dict[dt.date, PeriodValue]]
) -> dict[int, Series]:
    """Each measure's series, its inputs and sources first. An explicit stack, not
    recursion: a chain of rollups down a deep unit tree may be thousands long. A measure met
    again on its own path (a cycle saved behind our back) reads as missing there."""
    done: dict[int, Series] = {}
    for top in infos:
        on_path: set[int] = set()
        stack = [(top, False)]
        while stack:
            measure_id, ready = stack.pop()
            info = infos.get(measure_id)
            if measure_id in done or info is None:
                continue
            if not ready:
                if measure_id in on_path:
                    continue
                on_path.add(measure_id)
                stack.append((measure_id, True))
                stack.extend((d, False) for d in reversed(info.inputs + info.sources))
                continue
            on_path.discard(measure_id)
            own = raw.get(measure_id, {})
            if info.kind == "calculated":
                series = _calculated(info, own, [done.get(i) for i in info.inputs])
            elif info.kind == "rollup":
                series = _rolled_up(info, own, [done.get(s) for s in info.sources])
            else:
                series = Series(info, dict(own))
            done[measure_id] = series
    return done


def _calculated(
    info: MeasureInfo, own: dict[dt.date, PeriodValue], inputs: list[Series | None]
) -> Series:
    """Evaluate the formula per period on the inputs' actuals; targets and red flags are
    the measure's own entries."""
    by_reference = {}
    for series in inputs:
        if series is None:
            continue
        by_reference[(series.measure.unit_code, series.measure.code)] = series
    try:
        tree = parsed(info.formula)
    except formulas.FormulaError:
        tree = None  # saved behind the services' back: no value rather than an error page
    periods = set(own)
    for series in inputs:
        if series is not None:
            periods.update(p for p, v in series.values.items() if v.actual is not None)
    values = {}
    for period in periods:

        def value_of(ref: formulas.Reference, period=period) -> Fraction | None:
            series = by_reference.get((ref.unit_code or info.unit_code, ref.code))
            return series.actual(period) if series else None

        actual = formulas.evaluate(tree, value_of) if tree is not None else None
        mine = own.get(period)
        target = mine.target if mine else None
        red_flag = mine.red_flag if mine else None
        if actual is not None or target is not None:
            values[period] = PeriodValue(period, actual, target, red_flag)
    return Series(info, values)


def _rolled_up(
    info: MeasureInfo, own: dict[dt.date, PeriodValue], sources: list[Series | None]
) -> Series:
    """Combine the sources that reported, per period: their actuals, and their targets
    where the measure has none of its own for that period."""
    present = [s for s in sources if s is not None]
    total = len(info.sources)
    periods = set(own)
    for series in present:
        periods.update(series.values)
    values, reported = {}, {}
    for period in periods:
        actuals = [s.actual(period) for s in present] + [None] * (total - len(present))
        combined = rollup(info.rollup, actuals)
        mine = own.get(period)
        target = mine.target if mine else None
        red_flag = mine.red_flag if mine else None
        if target is None:
            # Like with like: the targets of the sources that reported. A red flag entered
            # without the rollup's own target gives way to the default from the tolerance.
            target = rollup(
                info.rollup,
                [s.target(period) for s in present if s.actual(period) is not None],
            ).value
            red_flag = None
        if combined.value is not None or target is not None:
            values[period] = PeriodValue(period, combined.value, target, red_flag)
            reported[period] = (combined.reported, combined.total)
    return Series(info, values, reported)
