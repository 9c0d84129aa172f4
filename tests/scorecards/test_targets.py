"""Spreading an annual target over the year's periods (scorecards/targets.py), every
expectation worked by hand in the comments: the year's targets combined by the measure's
aggregation equal the annual target, before and after rounding."""

import datetime as dt
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecards import scoring
from scorecards.targets import SpreadError, spread, year_periods


def ds(*values) -> list[D]:
    return [D(str(v)) for v in values]


# Even ---------------------------------------------------------------------------------------


def test_even_sum_divides_the_year():
    # 1200 / 12 = 100 a month
    assert spread(D(1200), 12, aggregation="sum", method="even", places=0) == [D(100)] * 12


def test_even_sum_rounding_keeps_the_total_and_gives_the_cents_to_the_last_periods():
    # 100 / 12 = 8.3333...: each rounded down to 8.33 (12 x 8.33 = 99.96); the 4 cents left
    # go to the periods that lost most - all lost 1/3 of a cent, so ties go to the last 4.
    got = spread(D(100), 12, aggregation="sum", method="even", places=2)
    assert got == [D("8.33")] * 8 + [D("8.34")] * 4
    assert sum(got) == D("100.00")  # 8 x 8.33 + 4 x 8.34 = 66.64 + 33.36


def test_even_average_and_last_repeat_the_annual_target():
    assert spread(D(85), 4, aggregation="average", method="even", places=1) == ds(85, 85, 85, 85)
    assert spread(D(50), 4, aggregation="last", method="even", places=0) == ds(50, 50, 50, 50)


def test_even_sum_of_a_negative_target():
    # -100 / 3 = -33.33...: rounded down (towards minus infinity) -34 each = -102; the 2
    # units left go to the last two periods (equal remainders): -34, -33, -33 = -100.
    got = spread(D(-100), 3, aggregation="sum", method="even", places=0)
    assert got == ds(-34, -33, -33)


# Linear from the baseline ---------------------------------------------------------------------


def test_linear_sum_climbs_from_the_baseline_and_adds_up():
    # b = 240, n = 4, A = 1200: d = 2 (1200 - 4 x 240) / (4 x 5) = 480 / 20 = 24
    # targets 240 + 24 i: 264, 288, 312, 336; 264 + 288 + 312 + 336 = 1200
    got = spread(D(1200), 4, aggregation="sum", method="linear", places=0, baseline=D(240))
    assert got == ds(264, 288, 312, 336)


def test_linear_sum_rounding_by_largest_remainder():
    # b = 0, n = 3, A = 100: d = 2 x 100 / (3 x 4) = 50/3: 16.67, 33.33, 50 exactly.
    # Rounded down 16, 33, 50 = 99; the unit left goes to the largest remainder (0.67 of the
    # first period): 17, 33, 50 = 100.
    got = spread(D(100), 3, aggregation="sum", method="linear", places=0, baseline=D(0))
    assert got == ds(17, 33, 50)


def test_linear_average_has_the_annual_target_as_its_mean():
    # b = 80, n = 4, A = 90: d = 2 (90 - 80) / 5 = 4: 84, 88, 92, 96; mean 360 / 4 = 90
    got = spread(D(90), 4, aggregation="average", method="linear", places=0, baseline=D(80))
    assert got == ds(84, 88, 92, 96)


def test_linear_average_rounding_keeps_the_mean():
    # b = 0, n = 3, A = 10: d = 2 x 10 / 4 = 5: 5, 10, 15 exactly (mean 10).
    got = spread(D(10), 3, aggregation="average", method="linear", places=0, baseline=D(0))
    assert got == ds(5, 10, 15)
    # b = 0, n = 2, A = 1, 0 places: d = 2/3: 0.67, 1.33 -> down 0, 1 = 1, total 2 x 1 = 2:
    # the unit left goes to the larger remainder (0.67, the first): 1, 1 (mean 1).
    got = spread(D(1), 2, aggregation="average", method="linear", places=0, baseline=D(0))
    assert got == ds(1, 1)


def test_linear_last_ends_on_the_annual_target():
    # b = 80, n = 4, A = 100: d = 20 / 4 = 5: 85, 90, 95, 100
    got = spread(D(100), 4, aggregation="last", method="linear", places=0, baseline=D(80))
    assert got == ds(85, 90, 95, 100)


def test_linear_last_rounds_half_up_and_keeps_the_last_exact():
    # b = 0, n = 3, A = 10, 1 place: d = 10/3: 3.333 -> 3.3, 6.667 -> 6.7, 10 exactly
    got = spread(D(10), 3, aggregation="last", method="linear", places=1, baseline=D(0))
    assert got == ds("3.3", "6.7", "10.0")


def test_linear_going_down():
    # A cost coming down: b = 100, n = 4, A = 60 (last): d = (60 - 100) / 4 = -10
    got = spread(D(60), 4, aggregation="last", method="linear", places=0, baseline=D(100))
    assert got == ds(90, 80, 70, 60)


# Last year's shape ----------------------------------------------------------------------------


def test_shape_sum_scales_last_year_to_the_annual_target():
    # last year 100, 200, 300, 400 (sum 1000); A = 1100: x 1.1 -> 110, 220, 330, 440
    got = spread(
        D(1100), 4, aggregation="sum", method="shape", places=0, last_year=ds(100, 200, 300, 400)
    )
    assert got == ds(110, 220, 330, 440)


def test_shape_average_scales_by_last_years_mean():
    # last year 40, 60, 50, 50 (mean 50); A = 60: x 60/50 = 1.2 -> 48, 72, 60, 60 (mean 60)
    got = spread(
        D(60), 4, aggregation="average", method="shape", places=0, last_year=ds(40, 60, 50, 50)
    )
    assert got == ds(48, 72, 60, 60)


def test_shape_last_scales_by_last_years_last_period():
    # last year 50, 80, 90, 100 (ends on 100); A = 200: x 2 -> 100, 160, 180, 200
    got = spread(
        D(200), 4, aggregation="last", method="shape", places=0, last_year=ds(50, 80, 90, 100)
    )
    assert got == ds(100, 160, 180, 200)


def test_shape_sum_rounding_keeps_the_total():
    # last year 1, 1, 1 (sum 3); A = 10, 1 place: 3.333 each -> 3.3 x 3 = 9.9; the 0.1
    # left goes to the last period (equal remainders): 3.3, 3.3, 3.4 = 10.0
    got = spread(D(10), 3, aggregation="sum", method="shape", places=1, last_year=ds(1, 1, 1))
    assert got == ds("3.3", "3.3", "3.4")


# Refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "linear"}, "starts from the baseline"),
        ({"method": "shape"}, "actual of every period"),
        ({"method": "shape", "last_year": ds(1, 2)}, "actual of every period"),
        ({"method": "shape", "last_year": [D(1), None, D(2)]}, "actual of every period"),
        ({"method": "shape", "last_year": ds(1, -1, 0)}, "add up to zero"),
        ({"method": "shape", "last_year": ds(1, 0, 0), "aggregation": "last"}, "end on zero"),
        ({"method": "shape", "last_year": ds(2, -2, 0), "aggregation": "average"}, "average"),
        ({"method": "guess"}, "Unknown method"),
        ({"method": "even", "aggregation": "median"}, "Unknown aggregation"),
    ],
)
def test_refusals_say_why(kwargs, message):
    arguments = {"aggregation": "sum", "places": 0, **kwargs}
    with pytest.raises(SpreadError, match=message):
        spread(D(10), 3, **arguments)


def test_an_annual_target_finer_than_the_places_is_refused():
    with pytest.raises(SpreadError, match="more than 0 decimal places"):
        spread(D("10.5"), 3, aggregation="sum", method="even", places=0)


def test_a_year_without_periods_is_refused():
    with pytest.raises(SpreadError, match="no periods"):
        spread(D(10), 0, aggregation="sum", method="even", places=0)


# The rule holds whatever the figures ----------------------------------------------------------


@given(
    annual=st.integers(-(10**9), 10**9),
    places=st.integers(0, 6),
    periods=st.sampled_from([1, 4, 12]),
    aggregation=st.sampled_from(["sum", "average", "last"]),
    method=st.sampled_from(["even", "linear", "shape"]),
    baseline=st.integers(-(10**6), 10**6),
    shape=st.lists(st.integers(1, 10**6), min_size=12, max_size=12),
)
def test_the_year_combined_by_its_aggregation_is_the_annual_target(
    annual, places, periods, aggregation, method, baseline, shape
):
    target = D(annual).scaleb(-places)
    got = spread(
        target,
        periods,
        aggregation=aggregation,
        method=method,
        places=places,
        baseline=D(baseline),
        last_year=[D(a) for a in shape[:periods]],
    )
    assert len(got) == periods
    assert all(t.as_tuple().exponent == -places for t in got)
    combined = scoring.combine([Fraction(t) for t in got], aggregation)
    assert combined == Fraction(target)


# The year's periods ---------------------------------------------------------------------------


def test_year_periods_follow_the_fiscal_year():
    # Fiscal year 2026 starting in April: quarters begin April, July, October and January.
    assert year_periods(2026, "quarterly", 4) == [
        dt.date(2026, 4, 1),
        dt.date(2026, 7, 1),
        dt.date(2026, 10, 1),
        dt.date(2027, 1, 1),
    ]
    monthly = year_periods(2026, "monthly", 1)
    assert monthly[0] == dt.date(2026, 1, 1) and monthly[-1] == dt.date(2026, 12, 1)
    assert len(monthly) == 12
    assert year_periods(2026, "annual", 7) == [dt.date(2026, 7, 1)]
