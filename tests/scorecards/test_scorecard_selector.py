"""A unit's scorecard and every unit's scores, read through the selectors.

Expected figures are worked by hand: score = 10/3 + (a - r) / (g - r) * 10/3, clamped to
[0, 10]. As of November 2026, with today 2026-11-27 and values due 10 days after their
period ends.
"""

import datetime as dt
from decimal import Decimal
from fractions import Fraction as F

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.formatting import to_decimal
from scorecards import services
from scorecards.choices import Aggregation, Frequency, Polarity, Rollup
from scorecards.selectors.scorecard import enterprise_scores, unit_scorecard
from tests import factories as f

pytestmark = pytest.mark.django_db

NOV, TODAY = dt.date(2026, 11, 1), dt.date(2026, 11, 27)
JUL, SEP, OCT = dt.date(2026, 7, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)
T = F(10, 3)


def value(measure, period, actual=None, target=None, red_flag=None):
    services.measure_value_record(
        measure=measure,
        period=period,
        actual=None if actual is None else Decimal(actual),
        target=None if target is None else Decimal(target),
        red_flag=None if red_flag is None else Decimal(red_flag),
        actor=None,
    )


def perspective(name):
    return f.PerspectiveFactory(name=name)


@pytest.fixture
def company():
    ent = f.EnterpriseFactory()
    bu = f.OrgUnitFactory(code="BU", parent=ent)
    financial, customer = perspective("Financial"), perspective("Customer")
    process = perspective("Internal Process")
    f1 = f.ObjectiveFactory(unit=ent, code="F1", perspective=financial, weight=Decimal(2))
    rev = f.MeasureFactory(objective=f1, code="REV", weight=Decimal(1))
    value(rev, SEP, 95, 100, 90)  # (95-90)/(100-90) = .5 -> 10/3 + 5/3 = 5
    value(rev, OCT, 100, 100, 90)  # at target: 20/3
    cost = f.MeasureFactory(
        objective=f1, code="COST", polarity=Polarity.DECREASE, weight=Decimal(3)
    )
    value(cost, SEP, 50, 50)  # at target: 20/3
    value(cost, OCT, 55, 50)  # default red flag 50 + 10% * 50 = 55: at it, 10/3
    c1 = f.ObjectiveFactory(unit=ent, code="C1", perspective=customer)
    nps = f.MeasureFactory(objective=c1, code="NPS", frequency=Frequency.QUARTERLY)
    value(nps, JUL, 40, 50, 30)  # (40-30)/(50-30) = .5 -> 5
    c2 = f.ObjectiveFactory(unit=ent, code="C2", perspective=customer)  # no measures
    b1 = f.ObjectiveFactory(unit=bu, code="B1", perspective=customer, supports=[c2])
    value(f.MeasureFactory(objective=b1, code="SAT"), OCT, 8, 8, 6)  # 20/3
    b2 = f.ObjectiveFactory(
        unit=bu, code="B2", perspective=customer, weight=Decimal(3), supports=[c2]
    )
    value(f.MeasureFactory(objective=b2, code="X"), OCT, 6, 8, 6)  # at red flag: 10/3
    f.ObjectiveFactory(unit=ent, code="P1", perspective=process)  # no data anywhere
    return ent, bu


def by_code(card):
    objectives = {o.code: o for o in card.objectives()}
    measures = {m.code: m for o in card.objectives() for m in o.measures}
    return objectives, measures


def test_measures_as_of_a_month(company):
    ent, _ = company
    card = unit_scorecard(ent, as_of=NOV, today=TODAY)
    _, m = by_code(card)
    rev = m["REV"]
    assert (rev.period, rev.actual, rev.target, rev.red_flag) == (OCT, 100, 100, 90)
    assert (rev.score, rev.status, rev.trend, rev.overdue) == (2 * T, "green", "up", False)
    cost = m["COST"]
    # red flag defaulted to 55 and said so; 20/3 in September -> 10/3 in October: down
    assert (cost.red_flag, cost.red_flag_is_default) == (55, True)
    assert (cost.score, cost.status, cost.trend) == (T, "yellow", "down")
    nps = m["NPS"]
    # quarterly, viewed in November: Q3 (July) is the latest; Q3 was due Oct 10, reported
    assert (nps.period, nps.score, nps.status, nps.trend, nps.overdue) == (
        JUL,
        T + F(1, 2) * T,
        "yellow",
        None,
        False,
    )


def test_objectives_perspectives_and_scorecard(company):
    ent, _ = company
    card = unit_scorecard(ent, as_of=NOV, today=TODAY)
    o, _ = by_code(card)
    # F1: (20/3 * 1 + 10/3 * 3) / (1 + 3) = (50/3) / 4 = 25/6 = 4.17
    assert (o["F1"].score, o["F1"].status, o["F1"].from_cascade) == (F(25, 6), "yellow", False)
    assert o["C1"].score == 5
    # C2 has no measures: B1 (20/3, weight 1) and B2 (10/3, weight 3) support it -> 25/6
    assert (o["C2"].score, o["C2"].from_cascade) == (F(25, 6), True)
    assert (o["P1"].score, o["P1"].status) == (None, "no_data")
    p = {x.name: x for x in card.perspectives}
    assert [x.name for x in card.perspectives] == [
        "Financial",
        "Customer",
        "Internal Process",
        "Learning & Growth",
    ]
    assert p["Financial"].score == F(25, 6)  # F1 alone
    # Customer: (5 * 1 + 25/6 * 1) / 2 = (55/6) / 2 = 55/12 = 4.58
    assert p["Customer"].score == F(55, 12)
    assert p["Internal Process"].status == "no_data"
    assert p["Learning & Growth"].objectives == []
    # scorecard: plain mean of the perspectives with data: (25/6 + 55/12) / 2 = 105/24
    assert card.score == F(105, 24)
    assert (to_decimal(card.score), card.status) == (Decimal("4.38"), "yellow")


def test_the_cascade_fallback_goes_down_more_than_one_level(company):
    ent, bu = company
    team = f.DepartmentFactory(code="TEAM", parent=bu)
    p3 = f.ObjectiveFactory(unit=ent, code="P3", perspective=perspective("Internal Process"))
    middle = f.ObjectiveFactory(
        unit=bu, code="MID", perspective=perspective("Internal Process"), supports=[p3]
    )
    low = f.ObjectiveFactory(unit=team, code="LOW", supports=[middle])
    value(f.MeasureFactory(objective=low, code="L"), OCT, 10, 10, 5)  # 20/3
    card = unit_scorecard(ent, as_of=NOV, today=TODAY)
    o, _ = by_code(card)
    assert (o["P3"].score, o["P3"].from_cascade) == (2 * T, True)


def test_overdue_when_the_due_period_has_no_actual(company):
    ent, _ = company
    late = f.MeasureFactory(objective=f.ObjectiveFactory(unit=ent, code="L1"), code="LATE")
    value(late, SEP, 95, 100, 90)
    value(late, OCT, None, 100, 90)  # October was due Nov 10: overdue on Nov 27
    _, m = by_code(unit_scorecard(ent, as_of=NOV, today=TODAY))
    assert (m["LATE"].period, m["LATE"].overdue) == (SEP, True)
    # as of October, with today Nov 5, October is not due yet (Nov 10) and September was
    _, m = by_code(unit_scorecard(ent, as_of=OCT, today=dt.date(2026, 11, 5)))
    assert m["LATE"].overdue is False


def test_year_to_date(company):
    ent, _ = company
    services.measure_update(
        actor=None,
        instance=f.MeasureFactory._meta.model.objects.get(code="REV"),
        data={"aggregation": Aggregation.SUM},
    )
    _, m = by_code(unit_scorecard(ent, as_of=NOV, ytd=True, today=TODAY))
    rev = m["REV"]
    # Sep + Oct: actual 195, target 200, red flag 180 -> (15 / 20) = .75 -> 10/3 + 2.5
    assert (rev.actual, rev.target, rev.red_flag, rev.period) == (195, 200, 180, OCT)
    assert rev.score == T + F(3, 4) * T
    # YTD trend: up to September alone it scored 5; 5.83 > 5
    assert rev.trend == "up"


def test_a_calculated_measure_scored_from_its_inputs():
    ent = f.EnterpriseFactory()
    objective = f.ObjectiveFactory(unit=ent, code="M1")
    revenue = f.MeasureFactory(objective=objective, code="R", weight=Decimal(1))
    cost = f.MeasureFactory(objective=objective, code="K", polarity=Polarity.DECREASE)
    value(revenue, OCT, 200, 200)
    value(cost, OCT, 150, 150)
    value(revenue, SEP, 100, 200)
    value(cost, SEP, 100, 150)
    margin = services.measure_create(
        actor=None,
        data={
            "objective": objective,
            "code": "MARGIN",
            "name": "Margin",
            "formula": "(R - K) / R * 100",
        },
    )
    value(margin, OCT, None, 20, 10)
    value(margin, SEP, None, 20, 10)
    _, m = by_code(unit_scorecard(ent, as_of=NOV, today=TODAY))
    # October: (200 - 150) / 200 * 100 = 25 vs target 20, red flag 10:
    # (25 - 10) / (20 - 10) = 1.5 -> 10/3 + 5 = 8.33; September: (100-100)/100*100 = 0 -> 0
    assert (m["MARGIN"].actual, m["MARGIN"].kind, m["MARGIN"].period) == (25, "calculated", OCT)
    assert m["MARGIN"].score == T + F(3, 2) * T
    assert m["MARGIN"].trend == "up"


def test_a_rollup_says_how_many_sources_reported():
    ent = f.EnterpriseFactory()
    a, b = f.OrgUnitFactory(code="A", parent=ent), f.OrgUnitFactory(code="B", parent=ent)
    s1 = f.MeasureFactory(objective=f.ObjectiveFactory(unit=a), code="S1")
    s2 = f.MeasureFactory(objective=f.ObjectiveFactory(unit=b), code="S2")
    value(s1, OCT, 10, 12)
    value(s2, OCT, None, 8)  # no actual: does not report
    total = services.measure_create(
        actor=None,
        data={
            "objective": f.ObjectiveFactory(unit=ent, code="TOT"),
            "code": "TOTAL",
            "name": "Total",
            "rollup": Rollup.SUM,
            "sources": [s1, s2],
        },
    )
    _, m = by_code(unit_scorecard(ent, as_of=NOV, today=TODAY))
    reading = m["TOTAL"]
    # actual: S1 alone = 10; no own target, so the targets of the sources that reported:
    # S1's 12 (S2's 8 is left out with its missing actual: like with like);
    # default red flag 12 - 10% * 12 = 10.8; (10 - 10.8) / (12 - 10.8) = -2/3
    # -> 10/3 - 2/3 * 10/3 = 30/9 - 20/9 = 10/9 = 1.11: red
    assert (reading.actual, reading.target, reading.red_flag) == (10, 12, F(108, 10))
    assert (reading.reported, reading.sources, reading.score, reading.status) == (
        1,
        2,
        F(10, 9),
        "red",
    )
    # a red flag entered without the rollup's own target is not set against the sources'
    # target (it could sit on the wrong side of it): the default still applies
    value(total, OCT, None, None, 5)
    _, m = by_code(unit_scorecard(ent, as_of=NOV, today=TODAY))
    assert (m["TOTAL"].red_flag, m["TOTAL"].red_flag_is_default) == (F(108, 10), True)
    value(total, OCT, None, 10)  # its own target wins over the sources'
    _, m = by_code(unit_scorecard(ent, as_of=NOV, today=TODAY))
    assert m["TOTAL"].target == 10
    assert total.pk == m["TOTAL"].id


def grow(ent, bu, objectives, measures_each, months):
    """Add objectives with measures and monthly values up to October 2026."""
    customer = perspective("Customer")
    top = f.ObjectiveFactory(unit=ent, perspective=customer)
    for i in range(objectives):
        objective = f.ObjectiveFactory(unit=ent, perspective=customer)
        # a cascade to fall back on, as deep as the small company's (queries follow depth)
        supporter = f.ObjectiveFactory(unit=bu, supports=[top])
        value(f.MeasureFactory(objective=supporter), dt.date(2026, 10, 1), 5, 10, 0)
        for _ in range(measures_each):
            measure = f.MeasureFactory(objective=objective)
            for k in range(months):
                period = dt.date(2026, 10 - k, 1)
                value(measure, period, 90 + i, 100, 80)


def count_queries(fn):
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_objectives_measures_or_months(company):
    ent, bu = company
    small = count_queries(lambda: unit_scorecard(ent, as_of=NOV, today=TODAY))
    small_all = count_queries(lambda: enterprise_scores(as_of=NOV, today=TODAY))
    grow(ent, bu, objectives=6, measures_each=3, months=8)
    large = count_queries(lambda: unit_scorecard(ent, as_of=NOV, today=TODAY))
    large_all = count_queries(lambda: enterprise_scores(as_of=NOV, today=TODAY))
    assert large == small
    assert large_all == small_all
    # own objectives; measures, formula inputs, rollup sources, values; one cascade level:
    # links, objectives, measures, inputs, sources, values; perspectives: 12 in all
    assert small == 12
    # objectives; measures, inputs, sources, latest values; cascade links; perspectives;
    # units: 8
    assert small_all == 8


def test_enterprise_scores_agree_with_each_units_scorecard(company):
    ent, bu = company
    scores = enterprise_scores(as_of=NOV, today=TODAY)
    for unit in (ent, bu):
        card = unit_scorecard(unit, as_of=NOV, today=TODAY)
        assert (scores[unit.pk].score, scores[unit.pk].status) == (card.score, card.status)
    assert scores[ent.pk].score == F(105, 24)


def test_a_cross_unit_formula_reads_the_other_units_actuals():
    ent = f.EnterpriseFactory()
    sales = f.OrgUnitFactory(code="SALES", parent=ent)
    heads = f.MeasureFactory(objective=f.ObjectiveFactory(unit=sales), code="HEADS")
    value(heads, OCT, 40, 40)
    objective = f.ObjectiveFactory(unit=ent, code="PROD")
    revenue = f.MeasureFactory(objective=objective, code="REV")
    value(revenue, OCT, 2000, 2000)
    per_head = services.measure_create(
        actor=None,
        data={
            "objective": objective,
            "code": "PERHEAD",
            "name": "Revenue per head",
            "formula": "REV / SALES.HEADS",
        },
    )
    value(per_head, OCT, None, 40, 30)
    _, m = by_code(unit_scorecard(ent, as_of=NOV, today=TODAY))
    # 2000 / 40 = 50 vs target 40, red flag 30: (50 - 30) / (40 - 30) = 2 -> 10/3 * 3 = 10
    assert (m["PERHEAD"].actual, m["PERHEAD"].score, m["PERHEAD"].status) == (50, 10, "green")
