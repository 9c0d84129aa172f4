"""Test and adapt with the database (alignment/strategy_tests.py): the inputs gathered for
the statistics (the arrows, their measure pairs and their replicates down the cascade, the
exploratory candidates), the run that stores the verdicts, and the latest results served
for a unit's map. The statistics themselves are proven in test_testing.py; here the data
are synthetic series (fixed seeds) whose truth we know."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alignment import strategy_tests
from alignment.models import StrategyTestResult, StrategyTestRun
from alignment.strategy_tests import (
    latest_strategy_tests,
    strategy_test_inputs,
    strategy_test_run,
)
from scorecards.choices import Frequency, Polarity, UnitKind
from scorecards.periods import add_months, months_in
from tests import factories as f

pytestmark = pytest.mark.django_db

START = dt.date(2023, 1, 1)
TODAY = dt.date(2026, 1, 20)  # 36 months of history: January 2023 to December 2025


def history(measure, numbers, start=START):
    """Actuals for consecutive periods of the measure from `start` (no targets)."""
    step = months_in(measure.frequency)
    for k, value in enumerate(numbers):
        f.MeasureValueFactory(
            measure=measure,
            period=add_months(start, k * step),
            actual=Decimal(f"{value:.4f}"),
            target=None,
            red_flag=None,
        )


def objective(unit, code, perspective, supports=()):
    return f.ObjectiveFactory(
        unit=unit, code=code, perspective=f.PerspectiveFactory(name=perspective), supports=supports
    )


L, P, C, F = "Learning & Growth", "Internal Process", "Customer", "Financial"


# The inputs ---------------------------------------------------------------------------------


@pytest.fixture
def cascade():
    """ENT's arrow SKILLS → DELIVER, cascaded: B1 and its department D1 below have both
    sides (D1 through B1's objectives), B2 only the cause side, S1 both sides but its
    cause measure has a code of its own."""
    ent = f.EnterpriseFactory()
    b1 = f.OrgUnitFactory(code="B1", parent=ent)
    d1 = f.OrgUnitFactory(code="D1", parent=b1, kind=UnitKind.DEPARTMENT)
    b2 = f.OrgUnitFactory(code="B2", parent=ent)
    s1 = f.OrgUnitFactory(code="S1", parent=ent, kind=UnitKind.SUPPORT)
    skills, deliver = objective(ent, "SKILLS", L), objective(ent, "DELIVER", C)
    arrow = f.CauseEffectFactory(cause=skills, effect=deliver)
    b1_skills = objective(b1, "SKILLS", L, [skills])
    b1_deliver = objective(b1, "DELIVER", C, [deliver])
    d1_skills = objective(d1, "CREW", L, [b1_skills])
    d1_deliver = objective(d1, "SHIP", C, [b1_deliver])
    b2_skills = objective(b2, "SKILLS", L, [skills])
    s1_skills = objective(s1, "SKILLS", L, [skills])
    s1_deliver = objective(s1, "DELIVER", C, [deliver])
    m = {}
    for unit, cause, effect in (
        (ent, skills, deliver),
        (b1, b1_skills, b1_deliver),
        (d1, d1_skills, d1_deliver),
        (s1, s1_skills, s1_deliver),
    ):
        cause_code = "TRAIN" if unit == s1 else "CERT"
        m[unit.code, cause_code] = f.MeasureFactory(objective=cause, code=cause_code)
        m[unit.code, "OTD"] = f.MeasureFactory(objective=effect, code="OTD")
    m["B2", "CERT"] = f.MeasureFactory(objective=b2_skills, code="CERT")
    # ENT also has a quarterly effect measure and an annual one (never tested).
    m["ENT", "NPS"] = f.MeasureFactory(objective=deliver, code="NPS", frequency=Frequency.QUARTERLY)
    m["ENT", "SURVEY"] = f.MeasureFactory(
        objective=deliver, code="SURVEY", frequency=Frequency.ANNUAL
    )
    return {"ent": ent, "b1": b1, "d1": d1, "s1": s1, "arrow": arrow, "m": m}


def members(pair):
    return [(c, e) for c, e in pair.members]


def test_an_arrow_is_pooled_over_the_units_that_cascade_both_of_its_objectives(cascade):
    m = cascade["m"]
    inputs = strategy_test_inputs(today=TODAY)
    (arrow,) = [a for a in inputs.arrows if a.link_id == cascade["arrow"].pk]
    assert (arrow.unit_id, arrow.exploratory) == (cascade["ent"].pk, False)
    pairs = {(p.key[2], p.key[3]): members(p) for p in arrow.pairs}
    cert, otd = m["ENT", "CERT"].pk, m["ENT", "OTD"].pk
    assert pairs == {
        # CERT → OTD: ENT's own, then B1 (depth 1), then D1 (depth 2, through B1's
        # objectives); not B2 (no effect side). D1's codes match, so it pools.
        (cert, otd): [
            (cert, otd),
            (m["B1", "CERT"].pk, m["B1", "OTD"].pk),
            (m["D1", "CERT"].pk, m["D1", "OTD"].pk),
        ],
        # CERT → NPS (monthly beside quarterly): only ENT has NPS.
        (cert, m["ENT", "NPS"].pk): [(cert, m["ENT", "NPS"].pk)],
        # S1's TRAIN → OTD: a panel of its own, named by S1's measures.
        (m["S1", "TRAIN"].pk, m["S1", "OTD"].pk): [(m["S1", "TRAIN"].pk, m["S1", "OTD"].pk)],
    }
    # The annual measure is in no pair and has no series.
    assert m["ENT", "SURVEY"].pk not in inputs.series


def test_a_lower_units_own_arrow_pools_its_own_subtree_only(cascade):
    b1 = cascade["b1"]
    arrow = f.CauseEffectFactory(
        cause=b1.objectives.get(code="SKILLS"), effect=b1.objectives.get(code="DELIVER")
    )
    inputs = strategy_test_inputs(today=TODAY)
    (tested,) = [a for a in inputs.arrows if a.link_id == arrow.pk]
    m = cascade["m"]
    assert [members(p) for p in tested.pairs] == [
        [(m["B1", "CERT"].pk, m["B1", "OTD"].pk), (m["D1", "CERT"].pk, m["D1", "OTD"].pk)]
    ]


def test_series_hold_actuals_up_to_today_and_computed_ones(cascade):
    m = cascade["m"]
    history(m["ENT", "CERT"], [1, 2, 3], start=dt.date(2025, 11, 1))  # Nov, Dec, Jan 2026
    f.MeasureValueFactory(measure=m["ENT", "CERT"], period=dt.date(2026, 2, 1), actual=9)
    f.MeasureValueFactory(measure=m["ENT", "OTD"], period=dt.date(2025, 12, 1), actual=None)
    ratio = f.MeasureFactory(objective=m["ENT", "CERT"].objective, code="RATIO", formula="CERT * 2")
    inputs = strategy_test_inputs(today=TODAY)
    assert inputs.series[m["ENT", "CERT"].pk].values == {
        dt.date(2025, 11, 1): 1.0,
        dt.date(2025, 12, 1): 2.0,
        dt.date(2026, 1, 1): 3.0,  # February starts after today
    }
    assert inputs.series[m["ENT", "OTD"].pk].values == {}  # a value without an actual
    # A calculated measure gets its computed actuals (2 x CERT).
    assert inputs.series[ratio.pk].values == {
        dt.date(2025, 11, 1): 2.0,
        dt.date(2025, 12, 1): 4.0,
        dt.date(2026, 1, 1): 6.0,
    }


def test_exploratory_candidates_go_up_the_perspectives_and_skip_the_arrows():
    ent = f.EnterpriseFactory()
    learn, process = objective(ent, "LEARN", L), objective(ent, "PROC", P)
    customer, money = objective(ent, "CUST", C), objective(ent, "MONEY", F)
    f.CauseEffectFactory(cause=learn, effect=process)
    f.CauseEffectFactory(cause=money, effect=customer)  # drawn downwards: still an arrow
    measures = {
        o.code: f.MeasureFactory(objective=o, code=f"M_{o.code}")
        for o in (learn, process, customer, money)
    }
    # A measure computed from another is never a candidate of it.
    double = f.MeasureFactory(objective=money, code="DOUBLE", formula="M_PROC * 2")
    inputs = strategy_test_inputs(today=TODAY)
    found = {(o.cause_id, o.effect_id): [p.key[1:] for p in o.pairs] for o in inputs.candidates}
    pk = {code: m.pk for code, m in measures.items()}
    assert all(o.exploratory and o.link_id is None for o in inputs.candidates)
    assert found == {
        # LEARN → PROC is an arrow, CUST ↔ MONEY too (whichever way it points).
        (learn.pk, customer.pk): [(pk["LEARN"], pk["CUST"])],
        # By measure code: DOUBLE before M_MONEY.
        (learn.pk, money.pk): [(pk["LEARN"], double.pk), (pk["LEARN"], pk["MONEY"])],
        (process.pk, customer.pk): [(pk["PROC"], pk["CUST"])],
        # DOUBLE is computed from M_PROC: only M_MONEY pairs with it.
        (process.pk, money.pk): [(pk["PROC"], pk["MONEY"])],
    }


def test_inputs_take_the_same_queries_whatever_the_size():
    def measured(n):
        ent = f.EnterpriseFactory()
        top_cause, top_effect = objective(ent, f"TC{n}", L), objective(ent, f"TE{n}", C)
        f.CauseEffectFactory(cause=top_cause, effect=top_effect)
        for k in range(n):
            unit = f.OrgUnitFactory(parent=ent)
            cause = objective(unit, "CAUSE", L, [top_cause])
            effect = objective(unit, "EFFECT", C, [top_effect])
            f.CauseEffectFactory(cause=cause, effect=effect)
            extra = objective(unit, "EXTRA", F)
            for o in (cause, effect, extra):
                history(f.MeasureFactory(objective=o, code=f"M{o.code}"), range(k, k + 4))
        strategy_test_inputs(today=TODAY)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            strategy_test_inputs(today=TODAY)
        return len(queries)

    small = measured(1)
    assert measured(5) == small
    assert small <= 10  # units, objectives, arrows, cascade links, measures and values


# The run ------------------------------------------------------------------------------------


def lagged_pair(rng, lag, sign=1.0, months=36, noise=0.3):
    """A random-walk cause and an effect that repeats its moves `lag` months later."""
    walk = np.cumsum(rng.normal(size=months + lag)) + 50
    effect = sign * walk[:months] + rng.normal(scale=noise, size=months) + 100
    return walk[lag:], effect  # effect[t] follows cause[t - lag]


@pytest.fixture
def company():
    """ENT and two business units cascading ENT's arrow TRAIN → CYCLE (the effect follows
    the cause two months later in each unit); ENT's CYCLE → SAT contradicted (SAT falls a
    month after CYCLE rises, both higher-is-better); SAT → REV with 8 months of REV only."""
    rng = np.random.default_rng(2026)
    ent = f.EnterpriseFactory()
    learn, process = objective(ent, "LEARN", L), objective(ent, "PROC", P)
    customer, money = objective(ent, "CUST", C), objective(ent, "MONEY", F)
    arrows = {
        "supported": f.CauseEffectFactory(cause=learn, effect=process),
        "contradicted": f.CauseEffectFactory(cause=process, effect=customer),
        "insufficient": f.CauseEffectFactory(cause=customer, effect=money),
    }
    cycles = {}
    for unit, cause_obj, effect_obj in [(ent, learn, process)] + [
        (unit, objective(unit, "LEARN", L, [learn]), objective(unit, "PROC", P, [process]))
        for unit in (f.OrgUnitFactory(code="B1", parent=ent), f.OrgUnitFactory(code="B2"))
    ]:
        train, cycle = lagged_pair(rng, lag=2)
        history(f.MeasureFactory(objective=cause_obj, code="TRAIN"), train)
        history(f.MeasureFactory(objective=effect_obj, code="CYCLE"), cycle)
        cycles[unit.code] = cycle
    cycle = cycles["ENT"]
    sat = -np.concatenate([[cycle[0]], cycle[:-1]]) + rng.normal(scale=0.3, size=36) + 300
    history(f.MeasureFactory(objective=customer, code="SAT"), sat)
    history(
        f.MeasureFactory(objective=money, code="REV", polarity=Polarity.INCREASE),
        rng.normal(size=8) + 10,
        start=dt.date(2025, 5, 1),
    )
    return {"ent": ent, "arrows": arrows}


def test_a_run_stores_a_verdict_for_every_arrow(company):
    run = strategy_test_run(today=TODAY)
    assert run.status == StrategyTestRun.Status.DONE and run.finished_at and not run.error
    assert run.run_on == TODAY and run.max_lag == 6
    results = {r.link_id: r for r in run.results.filter(exploratory=False)}
    supported = results[company["arrows"]["supported"].pk]
    # Pooled over ENT, B1 and B2: 36 months, 35 changes, 34 after prewhitening in each
    # unit; at lag 2 the cause's first 32 meet the effect's last 32: 3 x 32 = 96 periods.
    assert (supported.verdict, supported.lag, supported.units, supported.periods) == (
        "supported",
        2,
        3,
        96,
    )
    assert (
        supported.cause_measure.code == "TRAIN" and supported.cause_measure.unit == company["ent"]
    )
    assert supported.effect_size > 0.5 and supported.ci_low > 0
    assert supported.p_adjusted < 0.05 and supported.p_value <= supported.p_adjusted
    assert supported.pairs_tested == 1 and supported.frequency == "monthly"
    assert [lag["lag"] for lag in supported.lags] == [0, 1, 2, 3, 4, 5, 6]
    contradicted = results[company["arrows"]["contradicted"].pk]
    assert (contradicted.verdict, contradicted.lag, contradicted.units) == ("contradicted", 1, 1)
    assert contradicted.effect_size < -0.5
    short = results[company["arrows"]["insufficient"].pk]
    # REV has 8 months: 7 changes at most, never 12 paired periods.
    assert (short.verdict, short.lag, short.periods, short.p_value) == (
        "insufficient_data",
        None,
        0,
        None,
    )
    # The family: every lag of every pair of the map's arrows.
    assert run.tests == sum(len(r.lags) for r in results.values()) == 14


def test_an_arrow_without_measures_is_insufficient_data():
    arrow = f.CauseEffectFactory()
    run = strategy_test_run(today=TODAY)
    (result,) = run.results.all()
    assert (result.link, result.verdict, result.pairs_tested, result.cause_measure) == (
        arrow,
        "insufficient_data",
        0,
        None,
    )


def test_exploratory_candidates_are_marked_and_adjusted_on_their_own(company):
    first = strategy_test_run(today=TODAY)
    candidates = {
        (r.unit.code, r.cause.code, r.effect.code): r
        for r in first.results.filter(exploratory=True)
    }
    # B1 and B2 have no arrow of their own: the data suggest LEARN → PROC there.
    assert ("B1", "LEARN", "PROC") in candidates and ("B2", "LEARN", "PROC") in candidates
    # ENT's LEARN → CUST: SAT falls three months after TRAIN rises (through CYCLE).
    assert ("ENT", "LEARN", "CUST") in candidates
    for result in candidates.values():
        assert result.link is None and result.verdict in ("supported", "contradicted")
        assert result.p_adjusted < 0.05
    # Lots of noise to explore changes nothing of the map's verdicts or their figures.
    rng = np.random.default_rng(5)
    for k in range(6):
        extra = objective(company["ent"], f"NOISE{k}", L)
        history(f.MeasureFactory(objective=extra, code=f"NOISE{k}"), rng.normal(size=36))
    second = strategy_test_run(today=TODAY)
    assert second.tests == first.tests

    def arrows(run):
        return {
            r.link_id: (r.verdict, r.lag, r.p_value, r.p_adjusted)
            for r in run.results.filter(exploratory=False)
        }

    assert arrows(second) == arrows(first)


def test_a_failed_run_is_marked_and_the_error_raised(company, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("the statistics broke")

    monkeypatch.setattr(strategy_tests, "strategy_test_results", broken)
    with pytest.raises(ValueError, match="the statistics broke"):
        strategy_test_run(today=TODAY)
    run = StrategyTestRun.objects.get()
    assert run.status == StrategyTestRun.Status.FAILED
    assert run.error == "ValueError: the statistics broke" and run.finished_at
    assert latest_strategy_tests(company["ent"]) == (None, [])


def test_a_run_writes_all_of_its_results_or_none(company, monkeypatch):
    """The results and the `done` mark are one transaction: a failure after the insert
    leaves no result behind."""
    insert = StrategyTestResult.objects.bulk_create

    def insert_then_fail(rows, **kwargs):
        insert(rows, **kwargs)
        assert StrategyTestResult.objects.count() == len(rows) > 0
        raise RuntimeError("the database went away")

    monkeypatch.setattr(StrategyTestResult.objects, "bulk_create", insert_then_fail)
    with pytest.raises(RuntimeError):
        strategy_test_run(today=TODAY)
    assert StrategyTestResult.objects.count() == 0
    assert StrategyTestRun.objects.get().status == StrategyTestRun.Status.FAILED


def test_a_run_is_served_once_done(company):
    run = strategy_test_run(today=TODAY)
    served, results = latest_strategy_tests(company["ent"])
    assert served == run
    # The arrows by cause code (CUST, LEARN, PROC), then ENT's exploratory candidates.
    arrows = company["arrows"]
    assert [r.link for r in results[:3]] == [
        arrows["insufficient"],
        arrows["supported"],
        arrows["contradicted"],
    ]
    assert [r.exploratory for r in results] == [False] * 3 + [True] * (len(results) - 3)
    assert all(r.unit == company["ent"] for r in results)


def test_a_run_takes_the_same_queries_whatever_the_size():
    def measured(n):
        StrategyTestRun.objects.all().delete()
        ent = f.EnterpriseFactory()
        for _ in range(n):
            unit = f.OrgUnitFactory(parent=ent)
            arrow = f.CauseEffectFactory(
                cause=objective(unit, "CAUSE", L), effect=objective(unit, "EFFECT", C)
            )
            for o in (arrow.cause, arrow.effect):
                history(f.MeasureFactory(objective=o, code=f"M{o.code}"), range(14))
        with CaptureQueriesContext(connection) as queries:
            strategy_test_run(today=TODAY)
        return len(queries)

    assert measured(1) == measured(4)


# The latest results of a unit's map ----------------------------------------------------------


def test_latest_results_come_from_the_latest_done_run_and_the_unit_only():
    arrow = f.CauseEffectFactory()
    other = f.CauseEffectFactory()  # another unit's map
    old = f.StrategyTestRunFactory(run_on=dt.date(2026, 10, 1))
    f.StrategyTestResultFactory(run=old, link=arrow)
    done = f.StrategyTestRunFactory(run_on=dt.date(2026, 11, 1))
    mine = f.StrategyTestResultFactory(run=done, link=arrow, verdict="contradicted")
    f.StrategyTestResultFactory(run=done, link=other)
    # Later runs that did not finish are never served.
    f.StrategyTestRunFactory(run_on=dt.date(2026, 11, 2), status=StrategyTestRun.Status.RUNNING)
    f.StrategyTestRunFactory(run_on=dt.date(2026, 11, 3), status=StrategyTestRun.Status.FAILED)
    run, results = latest_strategy_tests(arrow.cause.unit)
    assert run == done
    assert results == [mine]


def test_arrows_come_before_exploratory_candidates():
    arrow = f.CauseEffectFactory(cause__code="B", effect__code="C")
    unit = arrow.cause.unit
    run = f.StrategyTestRunFactory()
    a = f.ObjectiveFactory(unit=unit, code="A")
    candidate = f.StrategyTestResultFactory(
        run=run, link=None, unit=unit, cause=a, effect=arrow.effect, exploratory=True
    )
    tested = f.StrategyTestResultFactory(run=run, link=arrow)
    assert latest_strategy_tests(unit)[1] == [tested, candidate]


def test_no_run_yet():
    assert latest_strategy_tests(f.OrgUnitFactory()) == (None, [])


def test_latest_results_take_two_queries_whatever_the_size():
    def measured(n):
        unit = f.OrgUnitFactory()
        run = f.StrategyTestRunFactory()
        for _ in range(n):
            arrow = f.CauseEffectFactory(cause__unit=unit)
            f.StrategyTestResultFactory(
                run=run,
                link=arrow,
                cause_measure=f.MeasureFactory(objective=arrow.cause),
                effect_measure=f.MeasureFactory(objective=arrow.effect),
            )
        with CaptureQueriesContext(connection) as queries:
            _, results = latest_strategy_tests(unit)
            names = [
                (r.cause.name, r.effect.name, r.cause_measure.name, r.effect_measure.name, r.link)
                for r in results
            ]
        assert len(names) == n
        return len(queries)

    assert measured(1) == measured(6) == 2
