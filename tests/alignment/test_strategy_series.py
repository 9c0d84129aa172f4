"""The series a strategy test run reads (alignment/strategy_series.py): entered measures'
actuals as floats straight from the database, calculated and rollup measures computed
exactly from their inputs before they become floats, what the run knows of each measure,
and a fixed number of queries; and the run's pause of the cycle collector
(alignment/strategy_tests.py), which must leave the collector as it found it."""

import datetime as dt
import gc
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alignment import strategy_tests
from alignment.strategy_series import MeasureRef, strategy_series
from alignment.strategy_tests import strategy_test_run
from alignment.testing import MeasureSeries
from scorecards.choices import Aggregation, Frequency, Polarity, Rollup
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 20)
NOV, DEC, JAN, FEB = (dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1),
                      dt.date(2026, 2, 1))  # fmt: skip


def value(measure, period, actual, target=None):
    return f.MeasureValueFactory(
        measure=measure,
        period=period,
        actual=None if actual is None else Decimal(actual),
        target=target,
        red_flag=None,
    )


def test_entered_measures_give_their_actuals_up_to_today_as_floats():
    ent = f.EnterpriseFactory()
    objective = f.ObjectiveFactory(unit=ent, code="GROW")
    sales = f.MeasureFactory(objective=objective, code="SALES", aggregation=Aggregation.SUM)
    value(sales, NOV, "0.1")
    value(sales, DEC, "2.5000")
    value(sales, JAN, None, target=Decimal("3"))  # a target without an actual
    value(sales, FEB, "9")  # after today
    cost = f.MeasureFactory(
        objective=objective,
        code="COST",
        polarity=Polarity.DECREASE,
        frequency=Frequency.QUARTERLY,
        aggregation=Aggregation.AVERAGE,
    )
    value(cost, dt.date(2025, 10, 1), "-7.25")
    blank = f.MeasureFactory(objective=objective, code="BLANK", formula="")  # entered
    value(blank, DEC, "1e-3")
    survey = f.MeasureFactory(objective=objective, code="SURVEY", frequency=Frequency.ANNUAL)
    value(survey, dt.date(2025, 1, 1), "4")

    series, refs = strategy_series(TODAY)

    assert series == {
        sales.pk: MeasureSeries("increase", "monthly", {NOV: 0.1, DEC: 2.5}, "sum"),
        cost.pk: MeasureSeries("decrease", "quarterly", {dt.date(2025, 10, 1): -7.25}, "average"),
        blank.pk: MeasureSeries("increase", "monthly", {DEC: 0.001}, "last"),
    }  # the annual measure is never tested
    assert refs == {
        sales.pk: MeasureRef(sales.pk, objective.pk, ent.pk, "SALES", "increase", "monthly", "sum"),
        cost.pk: MeasureRef(
            cost.pk, objective.pk, ent.pk, "COST", "decrease", "quarterly", "average"
        ),
        blank.pk: MeasureRef(
            blank.pk, objective.pk, ent.pk, "BLANK", "increase", "monthly", "last"
        ),
    }


@pytest.fixture
def computed():
    """ENT's SALES rolls up B1's and B2's (a sum); ENT's THIRD is SALES / 3."""
    ent = f.EnterpriseFactory()
    b1, b2 = f.OrgUnitFactory(code="B1", parent=ent), f.OrgUnitFactory(code="B2", parent=ent)
    grow = f.ObjectiveFactory(unit=ent, code="GROW")
    parts = {}
    for unit, nov, dec in ((b1, "0.1", "1"), (b2, "0.2", None)):
        part = f.MeasureFactory(objective=f.ObjectiveFactory(unit=unit), code="SALES")
        value(part, NOV, nov)
        value(part, DEC, dec)
        parts[unit.code] = part
    sales = f.MeasureFactory(
        objective=grow, code="SALES", rollup=Rollup.SUM, sources=list(parts.values())
    )
    value(sales, NOV, None, target=Decimal("1"))  # its own row gives a target, not the actual
    third = f.MeasureFactory(objective=grow, code="THIRD", formula="SALES / 3")
    return {"parts": parts, "sales": sales, "third": third}


def test_calculated_and_rollup_measures_are_computed_exactly_then_made_floats(computed):
    series, refs = strategy_series(TODAY)
    sales, third = computed["sales"].pk, computed["third"].pk
    # 0.1 + 0.2 is exactly 0.3 (in floats it would be 0.30000000000000004); December sums
    # the one source that reported.
    assert series[sales].values == {NOV: 0.3, DEC: 1.0}
    # 0.3 / 3 is exactly 0.1 (in floats 0.09999999999999999), and 1 / 3 the float nearest.
    assert series[third].values == {NOV: 0.1, DEC: 1 / 3}
    b1, b2 = computed["parts"]["B1"].pk, computed["parts"]["B2"].pk
    assert series[b1].values == {NOV: 0.1, DEC: 1.0} and series[b2].values == {NOV: 0.2}
    depends_on = {measure_id: ref.depends_on for measure_id, ref in refs.items()}
    assert depends_on == {
        b1: frozenset(),
        b2: frozenset(),
        sales: frozenset({b1, b2}),
        third: frozenset({sales}),
    }


def queries_for(more: int, *, computed: bool) -> int:
    """The queries `strategy_series` takes with `more` units of three measures each (a
    rollup at ENT over the units' first measures when `computed`)."""
    ent = f.EnterpriseFactory()
    firsts = []
    for k in range(more):
        objective = f.ObjectiveFactory(unit=f.OrgUnitFactory(parent=ent))
        for code in ("A", "B", "C"):
            measure = f.MeasureFactory(objective=objective, code=code)
            value(measure, NOV, str(k))
        firsts.append(measure)
    if computed:
        grow = f.ObjectiveFactory(unit=ent)
        f.MeasureFactory(objective=grow, code=f"ALL{more}", rollup=Rollup.SUM, sources=firsts)
        f.MeasureFactory(objective=grow, code=f"HALF{more}", formula=f"ALL{more} / 2")
    with CaptureQueriesContext(connection) as queries:
        strategy_series(TODAY)
    return len(queries)


@pytest.mark.parametrize("computed", [False, True])
def test_the_series_take_the_same_queries_whatever_the_size(computed):
    small = queries_for(1, computed=computed)
    assert queries_for(6, computed=computed) == small
    if not computed:  # formula inputs, rollup sources, measures, values
        assert small == 4


# The run's pause of the cycle collector -------------------------------------------------------


def test_a_run_computes_with_the_collector_off_and_leaves_it_as_it_found_it(monkeypatch):
    seen = []
    results = strategy_tests.strategy_test_results

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return results(*args, **kwargs)

    monkeypatch.setattr(strategy_tests, "strategy_test_results", watched)
    assert gc.isenabled()
    strategy_test_run(today=TODAY)
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        strategy_test_run(today=TODAY)
        assert not gc.isenabled()  # off before: still off
    finally:
        gc.enable()


def test_a_failed_run_turns_the_collector_back_on(monkeypatch):
    def failing(*args, **kwargs):
        raise RuntimeError("statistics broke")

    monkeypatch.setattr(strategy_tests, "strategy_test_results", failing)
    with pytest.raises(RuntimeError):
        strategy_test_run(today=TODAY)
    assert gc.isenabled()
