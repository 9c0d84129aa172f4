"""The scoring semantics of DESIGN.md "Scoring", with every expectation worked by hand.

Score = 10/3 + (a - r) / (g - r) * 10/3, clamped to [0, 10]; the red flag scores 10/3
(3.33) and the target 20/3 (6.67). Expected scores are written as the arithmetic.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.formatting import to_decimal
from scorecards import scoring
from scorecards.scoring import PeriodValue

D = Decimal
T = F(10, 3)  # one third of the scale


def r2(value):
    return to_decimal(value)


# polarity, actual, target, red flag, tolerance, expected score (exact), expected status
MEASURE_ROWS = [
    # increase, g = 100, r = 90 entered: (g - r) = 10
    ("increase", "100", "100", "90", None, T + 1 * T, "green"),  # at target: 6.67
    ("increase", "90", "100", "90", None, T, "yellow"),  # at red flag: 3.33
    ("increase", "95", "100", "90", None, T + F(1, 2) * T, "yellow"),  # 5.00
    ("increase", "105", "100", "90", None, T + F(3, 2) * T, "green"),  # 8.33
    ("increase", "110", "100", "90", None, T + 2 * T, "green"),  # exactly 10
    ("increase", "120", "100", "90", None, F(10), "green"),  # 13.33 clamped to 10
    ("increase", "85", "100", "90", None, T - F(1, 2) * T, "red"),  # 1.67
    ("increase", "80", "100", "90", None, F(0), "red"),  # 10/3 - 10/3 = 0
    ("increase", "70", "100", "90", None, F(0), "red"),  # -3.33 clamped to 0
    # increase, default tolerance 10%: g = 200 -> r = 200 - 20 = 180, (g - r) = 20
    ("increase", "190", "200", None, None, T + F(10, 20) * T, "yellow"),  # 5.00
    ("increase", "180", "200", None, None, T, "yellow"),  # 3.33
    ("increase", "179", "200", None, None, T - F(1, 20) * T, "red"),  # 3.17
    ("increase", "200", "200", None, None, 2 * T, "green"),  # 6.67
    # increase, custom tolerance 25%: g = 40 -> r = 30, (g - r) = 10
    ("increase", "35", "40", None, "0.25", T + F(5, 10) * T, "yellow"),  # 5.00
    ("increase", "30", "40", None, "0.25", T, "yellow"),  # 3.33
    ("increase", "25", "40", None, "0.25", T - F(5, 10) * T, "red"),  # 1.67
    # increase, negative target: g = -50 -> r = -50 - 10% * |-50| = -55, (g - r) = 5
    ("increase", "-52", "-50", None, None, T + F(3, 5) * T, "yellow"),  # 5.33
    ("increase", "-50", "-50", None, None, 2 * T, "green"),
    # increase, decimals: g = 0.95, r = 0.90, a = 0.93: (0.03 / 0.05) = 0.6
    ("increase", "0.93", "0.95", "0.90", None, T + F(3, 5) * T, "yellow"),  # 5.33
    # decrease, g = 10, r = 12 entered: (g - r) = -2
    ("decrease", "10", "10", "12", None, 2 * T, "green"),  # 6.67
    ("decrease", "12", "10", "12", None, T, "yellow"),  # 3.33
    ("decrease", "11", "10", "12", None, T + F(1, 2) * T, "yellow"),  # (11-12)/(-2) = .5
    ("decrease", "9", "10", "12", None, T + F(3, 2) * T, "green"),  # (9-12)/(-2) = 1.5
    ("decrease", "8", "10", "12", None, F(10), "green"),  # (8-12)/(-2) = 2 -> 10
    ("decrease", "6", "10", "12", None, F(10), "green"),  # 3 -> 13.33 clamped
    ("decrease", "13", "10", "12", None, T - F(1, 2) * T, "red"),  # -0.5 -> 1.67
    ("decrease", "14", "10", "12", None, F(0), "red"),  # -1 -> 0
    ("decrease", "20", "10", "12", None, F(0), "red"),  # -4 -> clamped to 0
    # decrease, default tolerance: g = 50 -> r = 55, (g - r) = -5
    ("decrease", "52", "50", None, None, T + F(3, 5) * T, "yellow"),  # (52-55)/(-5) = .6
    ("decrease", "56", "50", None, None, T - F(1, 5) * T, "red"),  # 2.67
    ("decrease", "45", "50", None, None, F(10), "green"),  # 2 -> 10
    # decrease, custom tolerance 50%: g = 4 -> r = 6
    ("decrease", "5", "4", None, "0.5", T + F(1, 2) * T, "yellow"),  # 5.00
    # target equal to red flag: 10 when met, else 0
    ("increase", "100", "100", "100", None, F(10), "green"),
    ("increase", "99.99", "100", "100", None, F(0), "red"),
    ("decrease", "5", "5", "5", None, F(10), "green"),
    ("decrease", "6", "5", "5", None, F(0), "red"),
    ("increase", "101", "100", None, "0", F(10), "green"),  # tolerance 0 -> r = g
    ("increase", "0", "0", None, None, F(10), "green"),  # g = 0 -> r = 0 - 10% * 0 = 0
    ("increase", "-1", "0", None, None, F(0), "red"),
    # missing actual or target: no data
    ("increase", None, "100", "90", None, None, "no_data"),
    ("increase", "100", None, "90", None, None, "no_data"),
    ("decrease", None, None, None, None, None, "no_data"),
]


@pytest.mark.parametrize("polarity,a,g,r,tol,expected,status", MEASURE_ROWS)
def test_measure_score_and_status(polarity, a, g, r, tol, expected, status):
    args = (
        D(a) if a else None,
        D(g) if g else None,
        D(r) if r else None,
        polarity,
        D(tol) if tol else None,
    )
    assert scoring.measure_score(*args) == expected
    assert scoring.measure_status(*args) == status


def test_rounding_for_display():
    # 10/3 = 3.333.. -> 3.33; 20/3 = 6.666.. -> 6.67; 1/8 = 0.125 -> 0.13 (half up)
    assert r2(T) == D("3.33")
    assert r2(2 * T) == D("6.67")
    assert r2(F(1, 8)) == D("0.13")
    assert r2(None) is None


def test_default_red_flag():
    assert scoring.default_red_flag(D("200"), "increase") == 180  # 200 - 20
    assert scoring.default_red_flag(D("200"), "decrease") == 220  # 200 + 20
    assert scoring.default_red_flag(D("-50"), "increase") == -55  # -50 - 5
    assert scoring.default_red_flag(D("-50"), "decrease") == -45  # -50 + 5
    assert scoring.default_red_flag(D("40"), "increase", D("0.25")) == 30


def test_floats_are_refused():
    message = "Scores are exact: pass Decimal, int, str or Fraction, not float."
    with pytest.raises(TypeError) as caught:
        scoring.measure_score(0.5, D("1"), None, "increase")
    assert str(caught.value) == message


def test_a_string_is_read_as_a_decimal_numeral():
    # "0.1" is exactly 1/10 (the float 0.1 is not); "-2.50" is -250/100 = -5/2
    assert scoring.exact("0.1") == F(1, 10)
    assert scoring.exact("-2.50") == F(-5, 2)
    assert scoring.exact(" 3 ") == 3
    # through Decimal, as values are entered: a fraction's notation is no decimal numeral
    with pytest.raises(InvalidOperation):
        scoring.exact("1/3")


# Aggregates --------------------------------------------------------------------------------


def test_weighted_mean_skips_missing_scores():
    # (6 * 1 + 9 * 2) / (1 + 2) = 24 / 3 = 8
    assert scoring.weighted_mean([(F(6), D("1")), (F(9), D("2"))]) == 8
    # the None score's weight 5 is left out: 3 * 1 / 1 = 3
    assert scoring.weighted_mean([(None, D("5")), (F(3), D("1"))]) == 3
    assert scoring.weighted_mean([(None, D("1"))]) is None
    assert scoring.weighted_mean([]) is None


def test_objective_score_falls_back_to_the_cascade():
    # no own measure has data: supporting (4, weight 1) and (10, weight 3) -> 34 / 4 = 8.5
    assert scoring.objective_score([(None, 1)], [(F(4), 1), (F(10), 3)]) == F(17, 2)
    # own data wins over the cascade
    assert scoring.objective_score([(F(2), 1)], [(F(10), 1)]) == 2
    assert scoring.objective_score([(None, 1)], [(None, 1)]) is None


def test_plain_mean_of_perspectives():
    assert scoring.plain_mean([F(3), None, F(6)]) == F(9, 2)  # (3 + 6) / 2
    assert scoring.plain_mean([None]) is None


@pytest.mark.parametrize(
    "score,status",
    [
        (F(10), "green"),
        (F(20, 3), "green"),  # the target's exact score
        (F(666, 100), "yellow"),  # 6.66 < 6.666..
        (F(10, 3), "yellow"),  # the red flag's exact score
        (F(333, 100), "red"),  # 3.33 < 3.333..
        (F(0), "red"),
        (None, "no_data"),
    ],
)
def test_aggregate_status_thresholds(score, status):
    assert scoring.aggregate_status(score) == status


@pytest.mark.parametrize(
    "current,previous,expected",
    [
        (D("5.00"), D("4.99"), "up"),  # +0.01
        (D("4.99"), D("5.00"), "down"),  # -0.01
        (D("5.000"), D("4.995"), "flat"),  # +0.005
        (D("5"), D("5"), "flat"),
        (None, D("5"), None),
        (D("5"), None, None),
    ],
)
def test_trend(current, previous, expected):
    assert scoring.trend(current, previous) == expected


# Choosing the period -----------------------------------------------------------------------

JAN, FEB, MAR, APR, MAY = (dt.date(2026, m, 1) for m in range(1, 6))


def pv(period, actual=None, target=None, red_flag=None):
    return PeriodValue(
        period,
        F(actual) if actual is not None else None,
        F(target) if target is not None else None,
        F(red_flag) if red_flag is not None else None,
    )


def test_as_of_takes_the_latest_complete_period_not_after_the_month():
    values = [pv(JAN, 1, 1), pv(FEB, None, 2), pv(MAR, 3, 3), pv(APR, 4, None)]
    assert scoring.as_of_value(values, APR).period == MAR  # April has no target
    assert scoring.as_of_value(values, FEB).period == JAN  # February has no actual
    assert scoring.as_of_value(values, MAR).period == MAR  # March's own complete value
    assert scoring.as_of_value(values, JAN).period == JAN
    assert scoring.as_of_value(values, dt.date(2025, 12, 1)) is None
    assert scoring.previous_complete(values, MAR).period == JAN


def test_quarterly_and_annual_measures_viewed_in_a_month():
    quarterly = [pv(JAN, 1, 1), pv(APR, 2, 2), pv(dt.date(2026, 7, 1), None, 3)]
    assert scoring.as_of_value(quarterly, MAY).period == APR
    annual = [pv(dt.date(2025, 1, 1), 1, 1), pv(JAN, 2, 2)]
    assert scoring.as_of_value(annual, MAR).period == JAN


@pytest.mark.parametrize(
    "frequency,fiscal_start,month,today,expected",
    [
        # October ends Oct 31, due Nov 10 (10 days); by Nov 27 it has passed
        ("monthly", 1, dt.date(2026, 11, 1), dt.date(2026, 11, 27), dt.date(2026, 10, 1)),
        # on Nov 10 itself the October value is not late yet: September is the latest due
        ("monthly", 1, dt.date(2026, 11, 1), dt.date(2026, 11, 10), dt.date(2026, 9, 1)),
        # as of August (past): by the end of August, July (due Aug 10) has passed
        ("monthly", 1, dt.date(2026, 8, 1), dt.date(2026, 11, 27), dt.date(2026, 7, 1)),
        # Q3 (Jul-Sep) due Oct 10
        ("quarterly", 1, dt.date(2026, 11, 1), dt.date(2026, 11, 27), dt.date(2026, 7, 1)),
        # year 2025 due 2026-01-10
        ("annual", 1, dt.date(2026, 11, 1), dt.date(2026, 11, 27), dt.date(2025, 1, 1)),
        # fiscal year from April: quarters Apr, Jul, Oct, Jan; Oct-Dec not due yet
        ("quarterly", 4, dt.date(2026, 11, 1), dt.date(2026, 11, 27), dt.date(2026, 7, 1)),
        # FY2025 = Apr 2025 - Mar 2026, due 2026-04-10
        ("annual", 4, dt.date(2026, 11, 1), dt.date(2026, 11, 27), dt.date(2025, 4, 1)),
    ],
)
def test_latest_due_period(frequency, fiscal_start, month, today, expected):
    assert scoring.latest_due_period(frequency, fiscal_start, month, today, 10) == expected


def test_overdue_when_the_latest_due_period_has_no_actual():
    november, today = dt.date(2026, 11, 1), dt.date(2026, 11, 27)
    october = dt.date(2026, 10, 1)
    assert scoring.is_overdue([pv(october, None, 5)], "monthly", 1, november, today, 10)
    assert not scoring.is_overdue([pv(october, 4, 5)], "monthly", 1, november, today, 10)
    assert scoring.is_overdue([], "monthly", 1, november, today, 10)


# Year to date ------------------------------------------------------------------------------

YTD_VALUES = [
    pv(dt.date(2025, 12, 1), 100, 1, 1),  # previous fiscal year: never counted
    pv(JAN, 10, 8, 6),
    pv(FEB, 4, 8, 6),
    pv(MAR, None, 8, 6),  # no actual: left out
    pv(APR, 9, 8, 6),
]


def test_ytd_sum():
    combined = scoring.year_to_date(YTD_VALUES, APR, "sum", 1)
    # actual 10 + 4 + 9 = 23; target 8 * 3 = 24; red flag 6 * 3 = 18
    assert (combined.actual, combined.target, combined.red_flag) == (23, 24, 18)
    assert combined.periods == (JAN, FEB, APR)
    # (23 - 18) / (24 - 18) = 5/6 -> 10/3 + 5/6 * 10/3 = 55/9 = 6.11: yellow
    score = scoring.measure_score(combined.actual, combined.target, combined.red_flag, "increase")
    assert score == F(55, 9)
    assert r2(score) == D("6.11")


def test_ytd_average():
    combined = scoring.year_to_date(YTD_VALUES, APR, "average", 1)
    # actual 23 / 3; target 24 / 3 = 8; red flag 18 / 3 = 6
    assert (combined.actual, combined.target, combined.red_flag) == (F(23, 3), 8, 6)


def test_ytd_last():
    combined = scoring.year_to_date(YTD_VALUES, APR, "last", 1)
    assert (combined.actual, combined.target, combined.red_flag) == (9, 8, 6)
    # (9 - 6) / (8 - 6) = 1.5 -> 10/3 + 5 = 8.33
    score = scoring.measure_score(combined.actual, combined.target, combined.red_flag, "increase")
    assert r2(score) == D("8.33")


def test_ytd_red_flag_defaults_when_one_period_lacks_it():
    values = [pv(JAN, 10, 8, 6), pv(FEB, 13, 16)]  # February has no red flag
    combined = scoring.year_to_date(values, FEB, "sum", 1)
    assert combined.red_flag is None  # the caller applies the default to the target 24
    # default: 24 - 10% * 24 = 21.6; (23 - 21.6) / (24 - 21.6) = 1.4 / 2.4 = 7/12
    # 10/3 + 7/12 * 10/3 = 120/36 + 70/36 = 190/36 = 5.28
    score = scoring.measure_score(combined.actual, combined.target, None, "increase")
    assert r2(score) == D("5.28")


def test_an_unknown_aggregation_is_refused_by_name():
    with pytest.raises(ValueError) as caught:
        scoring.combine([F(1)], "median")
    assert str(caught.value) == "Unknown aggregation 'median'."


def test_ytd_fiscal_year_starting_in_april():
    values = [pv(MAR, 1, 1), pv(APR, 2, 2), pv(MAY, 3, 3)]
    combined = scoring.year_to_date(values, MAY, "sum", 4)
    # March 2026 belongs to FY2025 (Apr 2025 - Mar 2026): only April and May count
    assert combined.periods == (APR, MAY)
    assert (combined.actual, combined.target) == (5, 5)
    assert scoring.year_to_date(values, dt.date(2025, 12, 1), "sum", 4) is None


# Rollups -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "function,expected",
    [("sum", F(8)), ("average", F(4)), ("min", F(3)), ("max", F(5))],
)
def test_rollup_with_a_missing_source(function, expected):
    result = scoring.rollup(function, [D("3"), None, D("5")])  # 2 of 3 sources reported
    assert (result.value, result.reported, result.total) == (expected, 2, 3)


def test_rollup_without_any_source_value():
    assert scoring.rollup("sum", [None, None]) == scoring.RollupResult(None, 0, 2)


def test_an_unknown_rollup_function_is_refused_by_name():
    with pytest.raises(ValueError) as caught:
        scoring.rollup("median", [D("3")])
    assert str(caught.value) == "Unknown rollup function 'median'."


# Properties --------------------------------------------------------------------------------

amounts = st.decimals(min_value=-10_000, max_value=10_000, places=2, allow_nan=False)
gaps = st.decimals(min_value=0, max_value=1_000, places=2, allow_nan=False)
polarities = st.sampled_from(["increase", "decrease"])


def red_flag_for(target, gap, polarity):
    return target - gap if polarity == "increase" else target + gap


@given(amounts, amounts, gaps, polarities)
def test_score_lies_between_0_and_10(actual, target, gap, polarity):
    score = scoring.measure_score(actual, target, red_flag_for(target, gap, polarity), polarity)
    assert 0 <= score <= 10


@given(amounts, amounts, amounts, gaps, polarities)
def test_score_follows_the_polarity(a1, a2, target, gap, polarity):
    low, high = sorted([a1, a2])
    red_flag = red_flag_for(target, gap, polarity)
    s_low = scoring.measure_score(low, target, red_flag, polarity)
    s_high = scoring.measure_score(high, target, red_flag, polarity)
    if polarity == "increase":
        assert s_low <= s_high
    else:
        assert s_low >= s_high


@given(amounts, amounts, gaps, polarities)
def test_status_agrees_with_score(actual, target, gap, polarity):
    red_flag = red_flag_for(target, gap, polarity)
    score = scoring.measure_score(actual, target, red_flag, polarity)
    status = scoring.measure_status(actual, target, red_flag, polarity)
    assert status == scoring.aggregate_status(score)
