"""Two steps of alignment.testing.evaluate_panels on hand-made data: the best lag of every
pair at once (ties broken by the raw p, then the shorter lag), and the grid of levels
(each series once, a column per period from the first to the last of them all, NaN where a
series has no value). Pure functions: no database."""

import datetime as dt
import math

import numpy as np

from alignment.testing import MeasureSeries, _best_lags, _level_grid

INF = math.inf


def test_the_best_lag_has_the_smallest_adjusted_p_then_p_then_lag():
    adjusted = np.array(
        [
            [0.03, 0.03, 0.03],  # all tie: the smallest p, 0.01 at lags 0 and 2: lag 0
            [INF, INF, INF],  # nothing tested: lag 0
            [0.04, 0.04, 0.05],  # lags 0 and 1 tie: p 0.03 against 0.01: lag 1
            [0.2, 0.1, 0.1],  # lags 1 and 2 tie: p 0.04 against 0.02: lag 2
            [INF, 0.5, INF],  # one lag tested: lag 1
        ]
    )
    p = np.array(
        [
            [0.01, 0.02, 0.01],
            [INF, INF, INF],
            [0.03, 0.01, 0.02],
            [0.05, 0.04, 0.02],
            [INF, 0.3, INF],
        ]
    )
    assert _best_lags(p, adjusted).tolist() == [0, 0, 1, 2, 1]
    assert _best_lags(np.empty((0, 7)), np.empty((0, 7))).tolist() == []


def month(k: int) -> dt.date:
    return dt.date(2025 + (k - 1) // 12, (k - 1) % 12 + 1, 1)


def test_the_grid_has_a_row_per_series_and_a_column_per_period():
    series = {
        "a": MeasureSeries("increase", "monthly", {month(2): 1.0, month(4): 3.0}),
        "b": MeasureSeries("increase", "monthly", {month(3): 5.0, month(14): -1.5}),
        "empty": MeasureSeries("increase", "monthly", {}),
    }
    members = [(0, "a", "b"), (1, "b", "a"), (2, "a", "empty")]  # (pair, cause, effect)
    rows, levels = _level_grid(series, members, "monthly", 1)
    assert rows == {"a": 0, "b": 1, "empty": 2}
    nan = np.nan
    expected = np.full((3, 13), nan)  # February 2025 to February 2026
    expected[0, [0, 2]] = [1.0, 3.0]
    expected[1, [1, 12]] = [5.0, -1.5]
    np.testing.assert_array_equal(levels, expected)


def test_a_monthly_series_beside_quarterly_ones_is_combined_into_quarters():
    series = {
        "sales": MeasureSeries(
            "increase", "monthly", {month(k): float(k) for k in range(1, 8)}, "sum"
        ),
        "nps": MeasureSeries("increase", "quarterly", {month(4): 10.0, month(10): 30.0}),
    }
    rows, levels = _level_grid(series, [(0, "sales", "nps")], "quarterly", 1)
    # Q1 = 1 + 2 + 3, Q2 = 4 + 5 + 6; Q3 holds only July: left out.
    nan = np.nan
    np.testing.assert_array_equal(levels, [[6.0, 15.0, nan, nan], [nan, 10.0, nan, 30.0]])
    assert rows == {"sales": 0, "nps": 1}


def test_no_value_at_all_gives_no_grid():
    series = {"empty": MeasureSeries("increase", "monthly", {})}
    assert _level_grid(series, [(0, "empty", "empty")], "monthly", 1) == ({"empty": 0}, None)
