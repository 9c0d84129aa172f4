"""The statistics of test and adapt (alignment/testing.py) on synthetic data with fixed
seeds: each property the issue names, proven on data whose truth we know."""

import datetime as dt
import math

import numpy as np
import pytest

from alignment.testing import (
    CONTRADICTED,
    INSUFFICIENT,
    NOT_SUPPORTED,
    SUPPORTED,
    PairInput,
    Replicate,
    aligned,
    common_frequency,
    evaluate_pairs,
    lag_correlations,
    prewhitened,
    standardised,
    stationary,
    strongest,
)
from scorecards.periods import add_months

START = dt.date(2020, 1, 1)


def months(n, start=START):
    return [add_months(start, k) for k in range(n)]


def series(values, start=START):
    return dict(zip(months(len(values), start), (float(v) for v in values), strict=True))


def pair(cause, effect, key="p", cause_polarity="increase", effect_polarity="increase",
         frequency="monthly", units=None):  # fmt: skip
    replicates = units or [Replicate("U", series(cause), series(effect))]
    return PairInput(key=key, cause_polarity=cause_polarity, effect_polarity=effect_polarity,
                     cause_frequency=frequency, effect_frequency=frequency,
                     replicates=replicates)  # fmt: skip


def lagged(rng, n=48, lag=3, gain=1.0, noise=0.5):
    """A random-walk cause and an effect following it `lag` months later with noise."""
    cause = np.cumsum(rng.normal(size=n + lag))
    effect = gain * cause[:-lag] + rng.normal(scale=noise, size=n) + 100
    return cause[lag:], effect  # cause[t + lag] drives nothing; effect[t] follows cause[t]


def test_an_effect_three_months_after_its_cause_is_found_at_lag_3():
    rng = np.random.default_rng(1)
    raw = np.cumsum(rng.normal(size=51))
    cause = raw[:48]
    effect = np.empty(48)
    effect[:3] = rng.normal(size=3)
    effect[3:] = raw[:45] + rng.normal(scale=0.5, size=45)  # effect[t] = cause[t - 3] + noise
    (result,) = evaluate_pairs([pair(cause, effect)])
    assert result.verdict == SUPPORTED
    assert result.best.lag == 3
    assert result.best.r > 0.5 and result.best.ci_low > 0 and result.best.p_adjusted < 0.05
    # 48 months, 47 changes (months 1..47), 46 after the AR(1) prewhitening (2..47); at
    # lag 3 the cause's 2..44 meet the effect's 5..47: 43 pairs.
    assert result.best.n == 43 and result.units_used == 1


def test_the_same_with_the_sign_flipped_is_contradicted():
    rng = np.random.default_rng(1)
    raw = np.cumsum(rng.normal(size=51))
    effect = np.empty(48)
    effect[:3] = rng.normal(size=3)
    effect[3:] = -raw[:45] + rng.normal(scale=0.5, size=45)
    (result,) = evaluate_pairs([pair(raw[:48], effect)])
    assert result.verdict == CONTRADICTED and result.best.lag == 3 and result.best.r < -0.5


def test_independent_random_walks_are_rarely_supported_after_correction():
    rng = np.random.default_rng(7)
    pairs = [
        pair(np.cumsum(rng.normal(size=36)), np.cumsum(rng.normal(size=36)), key=k)
        for k in range(200)
    ]
    results = evaluate_pairs(pairs)
    supported = sum(r.verdict == SUPPORTED for r in results)
    assert supported <= 20, f"{supported} of 200 independent pairs 'supported'"  # at most 10%


def test_a_shared_linear_trend_alone_is_no_evidence():
    rng = np.random.default_rng(3)
    t = np.arange(48)
    for seed in range(20):
        rng = np.random.default_rng(seed)
        cause = 2.0 * t + rng.normal(scale=1.0, size=48)
        effect = 1.5 * t + rng.normal(scale=1.0, size=48)
        # The levels correlate almost perfectly (r > 0.99) through the trend alone...
        assert np.corrcoef(cause, effect)[0, 1] > 0.99
        # ...their changes do not: never supported.
        (result,) = evaluate_pairs([pair(cause, effect)])
        assert result.verdict != SUPPORTED, (seed, result.best)


def test_a_falling_decrease_cause_with_a_rising_effect_supports():
    # Fewer defects (decrease polarity: falling is better) then more repeat customers
    # (increase): r < 0 between the raw changes, which is the direction the map claims.
    rng = np.random.default_rng(11)
    raw = np.cumsum(rng.normal(size=50))
    defects = 50 - raw[2:]  # defects[m] = 50 - raw[m + 2]: falls when raw rises
    customers = np.empty(48)
    customers[:2] = rng.normal(size=2)
    customers[2:] = raw[2:48] + rng.normal(scale=0.5, size=46)  # 2 months after defects
    (result,) = evaluate_pairs(
        [pair(defects, customers, cause_polarity="decrease", effect_polarity="increase")]
    )
    assert result.expected_sign == -1
    assert result.best.r < 0 and result.verdict == SUPPORTED and result.best.lag == 2


def test_too_short_histories_are_insufficient_data():
    rng = np.random.default_rng(5)
    # 12 months make 11 changes: fewer than 12 pairs at every lag.
    (result,) = evaluate_pairs([pair(rng.normal(size=12), rng.normal(size=12))])
    assert result.verdict == INSUFFICIENT and result.best is None and result.lags == []


def test_a_panel_finds_what_one_units_short_history_cannot():
    rng = np.random.default_rng(21)
    units = []
    for k in range(8):
        raw = np.cumsum(rng.normal(size=13))
        cause, effect = raw[1:], np.empty(12)  # cause[m] = raw[m + 1]
        effect[0] = rng.normal()
        effect[1:] = raw[1:12] + rng.normal(scale=0.4, size=11)  # effect[m] = cause[m - 1]
        units.append(Replicate(f"U{k}", series(cause), series(effect)))
    (alone,) = evaluate_pairs([pair(None, None, units=units[:1])])
    # 12 months: 11 changes, 10 prewhitened, 9 pairs at lag 1 (or, detrended: 12, 11, 10).
    assert alone.verdict == INSUFFICIENT
    (pooled,) = evaluate_pairs([pair(None, None, units=units)])
    assert pooled.verdict == SUPPORTED and pooled.best.lag == 1
    assert pooled.units_used == 8 and 8 * 9 <= pooled.best.n <= 8 * 10


def test_a_monthly_cause_beside_a_quarterly_effect_is_compared_by_quarters():
    rng = np.random.default_rng(2)
    raw = np.cumsum(rng.normal(size=20))  # 20 quarters
    monthly = {}
    for q, value in enumerate(raw):
        for m in range(3):
            monthly[add_months(START, 3 * q + m)] = float(value)  # the same each month
    quarterly = {add_months(START, 3 * q): float(v) + rng.normal(scale=0.3)
                 for q, v in enumerate(raw)}  # fmt: skip
    result_pair = PairInput(
        key="mq", cause_polarity="increase", effect_polarity="increase",
        cause_frequency="monthly", effect_frequency="quarterly",
        replicates=[Replicate("U", monthly, quarterly)], cause_aggregation="average",
    )  # fmt: skip
    (result,) = evaluate_pairs([result_pair], min_periods=12)
    assert result.frequency == "quarterly" and result.best.lag == 0
    assert result.verdict == SUPPORTED  # 19 quarterly changes, r close to 1


def test_stationary_picks_differences_for_a_walk_and_residuals_for_a_trend():
    rng = np.random.default_rng(4)
    walk = series(np.cumsum(rng.normal(size=48)))
    trend = series(3.0 * np.arange(48) + rng.normal(size=48))
    # A random walk's changes are white noise; its residuals from a line are not.
    walk_out = stationary(walk, 1)
    assert len(walk_out) == 47  # 47 changes: the first month has none
    # A trend with noise: residuals (48 of them) rather than over-differenced noise.
    trend_out = stationary(trend, 1)
    assert len(trend_out) == 48 and abs(sum(trend_out.values())) < 1e-9  # a fit's residuals


def test_changes_break_at_gaps_and_standardising_needs_variation():
    values = {START: 1.0, add_months(START, 1): 3.0, add_months(START, 2): 6.0,
              add_months(START, 3): 6.5, add_months(START, 5): 7.0,
              add_months(START, 6): 9.5}  # fmt: skip
    # April is missing: changes +2, +3, +0.5 (Jan to Apr) and +2.5 (Jun to Jul), none
    # from April to June.
    # The changes have two neighbouring pairs only, (2, 3) and (3, 0.5): too few for an
    # autocorrelation, taken as 0, which no residuals beat: the changes are kept. Period
    # index = year * 12 + month - 1: 2020-02 is 24241.
    assert stationary(values, 1) == {24241: 2.0, 24242: 3.0, 24243: 0.5, 24246: 2.5}
    z = standardised({1: 2.0, 2: 3.0, 3: 0.5})
    mean, spread = 11 / 6, np.std([2, 3, 0.5], ddof=1)
    assert abs(z[1] - (2 - mean) / spread) < 1e-12
    assert standardised({1: 5.0, 2: 5.0, 3: 5.0}) == {}  # no variation
    assert stationary(series([1, 2, 3]), 1) == {}  # too short


def test_the_strongest_pair_decides_and_aligned_rows_for_the_chart():
    rng = np.random.default_rng(1)
    raw = np.cumsum(rng.normal(size=51))
    effect = np.empty(48)
    effect[:3] = rng.normal(size=3)
    effect[3:] = raw[:45] + rng.normal(scale=0.5, size=45)
    results = evaluate_pairs([
        pair(raw[:48], effect, key="strong"),
        pair(rng.normal(size=48), rng.normal(size=48), key="noise"),
        pair(rng.normal(size=6), rng.normal(size=6), key="short"),
    ])  # fmt: skip
    assert strongest(results).key == "strong"
    assert strongest(results[::-1]).key == "strong"  # wherever it stands
    assert strongest([results[2]]).verdict == INSUFFICIENT
    assert results[1].verdict in (NOT_SUPPORTED, SUPPORTED, CONTRADICTED)
    rows = aligned(series([1, 2, 3, 4]), series([10, 20, 30, 40]), 1, "monthly")
    assert rows == [(START, 1.0, 20.0), (add_months(START, 1), 2.0, 30.0),
                    (add_months(START, 2), 3.0, 40.0)]  # fmt: skip


# Edges ---------------------------------------------------------------------------------------

D = dt.date


def mixed_pair(cause, effect, cause_frequency, effect_frequency, aggregation):
    return PairInput(
        key="m", cause_polarity="increase", effect_polarity="increase",
        cause_frequency=cause_frequency, effect_frequency=effect_frequency,
        replicates=[Replicate("U", cause, effect)],
        cause_aggregation=aggregation, effect_aggregation=aggregation,
    )  # fmt: skip


# Fiscal year from February: quarters Feb-Apr, May-Jul, Aug-Oct, Nov-Jan. January 2020 ends
# the quarter Nov-Jan and August starts Aug-Oct: both incomplete, left out.
MONTHLY = {D(2020, m, 1): v for m, v in zip(range(1, 9), [10, 1, 2, 6, 4, 5, 9, 7], strict=True)}
QUARTERLY = {D(2020, 2, 1): 0.5, D(2020, 5, 1): 1.5}


@pytest.mark.parametrize(
    "aggregation,expected",
    [
        ("sum", {D(2020, 2, 1): 9.0, D(2020, 5, 1): 18.0}),  # 1 + 2 + 6, 4 + 5 + 9
        ("average", {D(2020, 2, 1): 3.0, D(2020, 5, 1): 6.0}),  # 9 / 3, 18 / 3
        ("last", {D(2020, 2, 1): 6.0, D(2020, 5, 1): 9.0}),  # April's, July's
    ],
)
def test_a_monthly_series_becomes_complete_fiscal_quarters(aggregation, expected):
    pair = mixed_pair(MONTHLY, QUARTERLY, "monthly", "quarterly", aggregation)
    assert common_frequency(pair, 2) == ("quarterly", [("U", expected, QUARTERLY)])
    pair = mixed_pair(QUARTERLY, MONTHLY, "quarterly", "monthly", aggregation)
    assert common_frequency(pair, 2) == ("quarterly", [("U", QUARTERLY, expected)])


def test_quarters_follow_the_calendar_by_default():
    # Jan-Mar complete (1 + 2 + 3 = 6); Apr-Jun has April only
    monthly = {D(2020, m, 1): float(m) for m in range(1, 5)}
    pair = mixed_pair(monthly, QUARTERLY, "monthly", "quarterly", "sum")
    assert common_frequency(pair) == ("quarterly", [("U", {D(2020, 1, 1): 6.0}, QUARTERLY)])


def test_evaluate_pairs_groups_months_by_the_fiscal_year_it_is_given():
    # The cause is the effect's quarterly value in each of the quarter's three months, so
    # combined by fiscal quarters from February it is the effect exactly (r = 1, clipped to
    # 0.999999); by calendar quarters it would mix neighbouring quarters.
    rng = np.random.default_rng(9)
    raw = np.cumsum(rng.normal(size=20))  # 20 quarters: 19 changes, 18 prewhitened pairs
    start = D(2020, 2, 1)
    monthly = {add_months(start, 3 * q + m): float(v) for q, v in enumerate(raw) for m in range(3)}
    quarterly = {add_months(start, 3 * q): float(v) for q, v in enumerate(raw)}
    pair = mixed_pair(monthly, quarterly, "monthly", "quarterly", "average")
    (result,) = evaluate_pairs([pair], fiscal_start=2)
    assert result.best.lag == 0 and result.best.r == 0.999999
    (calendar,) = evaluate_pairs([pair], fiscal_start=1)
    assert calendar.best.r < 0.99


def test_four_values_are_the_fewest_made_stationary():
    # 1, 3, 2, 5: three changes, too few neighbour pairs for an autocorrelation (taken as
    # 0), so the changes are kept. 2020-02 is period index 24241.
    assert stationary(series([1, 3, 2, 5]), 1) == {24241: 2.0, 24242: -1.0, 24243: 3.0}


def test_a_series_that_does_not_vary_on_one_side_has_no_autocorrelation():
    # 1, 2, 3, 4, 6: changes 1, 1, 1, 2, whose neighbours (1, 1), (1, 1), (1, 2) never vary
    # on the left: an autocorrelation of 0, which no residuals beat: the changes are kept.
    assert stationary(series([1, 2, 3, 4, 6]), 1) == {24241: 1, 24242: 1, 24243: 1, 24244: 2}


def test_prewhitening_clamps_the_causes_autocorrelation_to_0_95():
    # 1, 2, 3, 4, 5: lag-1 autocorrelation 1, clamped to 0.95: x_t - 0.95 x_(t-1)
    rising = {i: float(i + 1) for i in range(5)}
    cause, effect = prewhitened(rising, {0: 10.0, 1: 10.0, 2: 10.0})
    assert cause == pytest.approx({1: 2 - 0.95, 2: 3 - 1.9, 3: 4 - 2.85, 4: 5 - 3.8})
    assert effect == pytest.approx({1: 10 - 9.5, 2: 10 - 9.5})
    # 1, -1, 1, -1, 1: autocorrelation -1, clamped to -0.95: x_t + 0.95 x_(t-1)
    zigzag = {i: float((-1) ** i) for i in range(5)}
    cause, _ = prewhitened(zigzag, {})
    assert cause == pytest.approx({1: -0.05, 2: 0.05, 3: -0.05, 4: 0.05})


def test_a_perfect_correlation_is_clipped_so_that_its_interval_exists():
    cause = {i: float(i) for i in range(5)}
    (up,) = lag_correlations([(cause, {i: 2.0 * i for i in range(5)})], 0, 3)
    (down,) = lag_correlations([(cause, {i: -1.0 * i for i in range(5)})], 0, 3)
    assert (up.n, up.r, down.r) == (5, 0.999999, -0.999999)
    # atanh(0.999999) = 7.25; half width 1.96 / sqrt(5 - 3) = 1.39
    assert up.ci_low == pytest.approx(math.tanh(math.atanh(0.999999) - 1.959963984540054 / 2**0.5))
    assert down.ci_high == -up.ci_low


def test_a_lag_where_one_side_does_not_vary_is_not_tested():
    cause = {0: 1.0, 1: 2.0, 2: 3.0, 3: 4.0}
    effect = {0: 5.0, 1: 5.0, 2: 5.0, 3: 5.0, 4: 9.0}
    # lag 0 meets 5, 5, 5, 5: skipped; lag 1 meets 5, 5, 5, 9: tested, and four pairs
    (result,) = lag_correlations([(cause, effect)], 1, 3)
    assert (result.lag, result.n) == (1, 4)
    # deviations -1.5, -0.5, 0.5, 1.5 and -1, -1, -1, 3: r = 6 / sqrt(5 * 12)
    r = 6 / math.sqrt(60)
    assert result.r == pytest.approx(r)
    # half width 1.96 / sqrt(4 - 3) = 1.96 around atanh(r)
    half = 1.959963984540054
    assert result.ci_low == pytest.approx(math.tanh(math.atanh(r) - half))
    assert result.ci_high == pytest.approx(math.tanh(math.atanh(r) + half))


def test_three_pairs_have_no_finite_interval():
    (result,) = lag_correlations([({0: 1.0, 1: 2.0, 2: 4.0}, {0: 1.0, 1: 3.0, 2: 2.0})], 0, 3)
    assert result.n == 3 and (result.ci_low, result.ci_high) == (-1.0, 1.0)
