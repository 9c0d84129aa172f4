"""Figures far outside a measure's history (scorecards/unusual.py): pure, no database.

The rule, with h the history: unusual when |x| > 10 · median(|h|), or when the robust
z-score 0.6745 · (x - median(h)) / MAD is beyond ±6, MAD = median(|h - median(h)|); only with
six figures of history or more.
"""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecards.unusual import History, Unusual, history_of, unusual_figure

D = Decimal
# An OEE around 77.5 %: median 77.5; deviations 2.5, 1.5, 0.5, 0.5, 1.5, 2.5: MAD 1.5.
OEE = [D(75), D(76), D(77), D(78), D(79), D(80)]


def test_the_slip_of_release_1_is_unusual():
    # 779 for 77.9: 779 / 77.5 = 10.05 > 10, and z = 0.6745 * (779 - 77.5) / 1.5 = 315.4.
    found = unusual_figure(D(779), OEE)
    assert found == Unusual(
        median=D("77.5"), ratio=D(779) / D("77.5"), z=D("0.6745") * (D(779) - D("77.5")) / D("1.5")
    )
    assert found.ratio > 10 and round(found.z, 1) == D("315.4")


def test_a_figure_ten_times_too_small_is_unusual_by_its_z_score():
    # 7.79: ratio 0.1, but z = 0.6745 * (7.79 - 77.5) / 1.5 = -31.35.
    found = unusual_figure(D("7.79"), OEE)
    assert found is not None and round(found.z, 2) == D("-31.35")


@pytest.mark.parametrize(
    ("figure", "unusual"),
    [
        (D("86"), False),  # z = 0.6745 * 8.5 / 1.5 = 3.82
        (D("90.8"), False),  # z = 0.6745 * 13.3 / 1.5 = 5.98
        (D("91"), True),  # z = 0.6745 * 13.5 / 1.5 = 6.07
        (D("64.2"), False),  # z = 0.6745 * -13.3 / 1.5 = -5.98
        (D("64"), True),  # z = -6.07
        (D("77.5"), False),
    ],
)
def test_the_z_score_limit_is_six(figure, unusual):
    assert (unusual_figure(figure, OEE) is not None) is unusual


@pytest.mark.parametrize(
    ("figure", "unusual"),
    [
        (D("1000"), False),  # 1000 / 100 = 10: not more than ten times
        (D("1000.01"), True),
        (D("-1000.01"), True),  # the size counts, whatever the sign
        (D("150"), False),  # the MAD is 0 here: only the ratio can say
    ],
)
def test_the_ratio_limit_is_ten(figure, unusual):
    assert (unusual_figure(figure, [D(100)] * 6) is not None) is unusual


def test_negative_histories_compare_sizes():
    # median(|h|) of -9..-12 is 10.5: -200 is 19 times that.
    history = [D(-10), D(-12), D(-11), D(-9), D(-10), D(-11)]
    assert unusual_figure(D(-200), history).ratio == D(200) / D("10.5")
    assert unusual_figure(D(-11), history) is None


def test_too_short_a_history_says_nothing():
    assert unusual_figure(D(779), OEE[:5]) is None
    assert unusual_figure(D(779), []) is None
    assert unusual_figure(None, OEE) is None


def test_a_history_of_zeros_says_nothing():
    # median(|h|) = 0 and MAD = 0: neither rule can be computed.
    assert unusual_figure(D(5), [D(0)] * 8) is None


def test_one_wild_figure_in_the_history_does_not_hide_the_next():
    # The median and the MAD barely move for one outlier in the history, as a mean would.
    history = [*OEE, D(779)]  # median 78, deviations 3,2,1,0,1,2,701: MAD 2
    found = unusual_figure(D(779), history)
    assert found is not None and found.median == D(78)


@given(
    history=st.lists(st.decimals(min_value=1, max_value=1000, places=2), min_size=6, max_size=30)
)
def test_the_historys_median_is_never_unusual(history):
    """At the median the z-score is 0 and, the figures being positive, the ratio is 1."""
    from statistics import median

    assert unusual_figure(median(history), history) is None


def test_a_history_computed_once_judges_as_the_figures_do():
    stats = history_of(OEE)
    assert stats == History(median=D("77.5"), size=D("77.5"), mad=D("1.5"))
    for figure in (D(779), D("7.79"), D(91), D(86)):
        assert unusual_figure(figure, stats) == unusual_figure(figure, OEE)
    assert history_of(OEE[:5]) is None
