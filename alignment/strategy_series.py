"""The series a strategy test run reads (`strategy_series`): the actuals of every monthly
or quarterly measure up to a day, as floats, with what the run needs to know of each
measure (`MeasureRef`).

A run reads every value of the company, so it reads them narrowly: for an entered measure
the rows (measure, period, actual) straight from the database, each actual made a float:
the same float as the scorecard's exact fraction of it would give, both being the decimal
rounded once to the nearest float. Only calculated and rollup measures go through
`load_series`, which computes them exactly, period by period, from their inputs. The
scorecard's machinery (exact fractions, targets, red flags, the measures' names, weights
and dates) is what made the run slow at scale: most of its time went on building 288,000
fractions only to turn them into floats.

A fixed number of queries whatever the size: the formula inputs, the rollup sources, the
measures and the entered measures' values; with calculated or rollup measures,
`load_series`'s own as well (three for each round of dependencies, and the values).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from scorecards.models import FormulaInput, Measure, MeasureValue, RollupSource
from scorecards.selectors.series import load_series

from .testing import MONTHS, MeasureSeries


@dataclass
class MeasureRef:
    """What the run needs of a measure besides its series."""

    id: int
    objective_id: int
    unit_id: int
    code: str
    polarity: str
    frequency: str
    aggregation: str
    depends_on: frozenset[int] = frozenset()  # formula inputs and rollup sources


TESTED = Q(frequency__in=list(MONTHS))  # the measures a run tests: monthly and quarterly
# Calculated (a formula) or rolled up (`series.MeasureInfo.kind`): computed from inputs.
COMPUTED = (Q(formula__isnull=False) & ~Q(formula="")) | ~Q(rollup="none")


def strategy_series(today: dt.date) -> tuple[dict[int, MeasureSeries], dict[int, MeasureRef]]:
    """Actuals up to `today` of every monthly or quarterly measure (calculated and rollup
    ones computed from their inputs), by measure id, and the measures' refs."""
    depends_on: dict[int, set[int]] = defaultdict(set)
    inputs = FormulaInput.objects.filter(measure__in=Measure.objects.filter(TESTED)).order_by()
    sources = RollupSource.objects.filter(rollup_measure__in=Measure.objects.filter(TESTED))
    for measure_id, other in (
        *inputs.values_list("measure_id", "input_id"),
        *sources.order_by().values_list("rollup_measure_id", "source_id"),
    ):
        depends_on[measure_id].add(other)
    refs, computed = {}, set()
    columns = ("id", "objective_id", "unit_id", "code", "polarity", "frequency", "aggregation")
    rows = Measure.objects.filter(TESTED).order_by("id").values_list(*columns, "formula", "rollup")
    for *fields, formula, rollup in rows:
        ref = MeasureRef(*fields, depends_on=frozenset(depends_on.get(fields[0], ())))
        refs[ref.id] = ref
        if formula or rollup != "none":
            computed.add(ref.id)
    values: dict[int, dict[dt.date, float]] = {measure_id: {} for measure_id in refs}
    entered = MeasureValue.objects.filter(
        measure__in=Measure.objects.filter(TESTED).exclude(COMPUTED),
        period__lte=today,
        actual__isnull=False,
    )
    for measure_id, period, actual in entered.values_list("measure_id", "period", "actual"):
        values[measure_id][period] = float(actual)
    if computed:
        for measure_id, one in load_series(TESTED & COMPUTED, upto=today).items():
            if measure_id in computed:  # not one of their inputs
                values[measure_id] = {
                    period: float(value.actual)
                    for period, value in one.values.items()
                    if value.actual is not None
                }
    series = {
        measure_id: MeasureSeries(ref.polarity, ref.frequency, values[measure_id], ref.aggregation)
        for measure_id, ref in refs.items()
    }
    return series, refs
