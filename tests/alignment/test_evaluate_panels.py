"""alignment.testing.evaluate_panels: the statistics of `evaluate_pairs` computed with arrays
for many pairs at once. On synthetic data (fixed seeds) it must give what `evaluate_pairs`
(the reference, proven property by property in test_testing.py) gives for the same pairs:
the same verdicts, lags, periods, units and figures, and the same family of p-values."""

import datetime as dt

import numpy as np
import pytest

from alignment.testing import (
    CONTRADICTED,
    INSUFFICIENT,
    NOT_SUPPORTED,
    SUPPORTED,
    MeasureSeries,
    PairInput,
    PanelPair,
    Replicate,
    evaluate_pairs,
    evaluate_panels,
)
from scorecards.periods import add_months

START = dt.date(2021, 1, 1)


def monthly(values, start=START, gaps=()):
    skip = set(gaps)
    return {add_months(start, k): float(v) for k, v in enumerate(values) if k not in skip}


def quarterly(values, start=START):
    return {add_months(start, 3 * k): float(v) for k, v in enumerate(values)}


def synthetic_measures(seed=3, units=1):
    """Per unit: random walks, effects that follow a walk at lags 1 to 4 (some with the
    sign flipped), series with gaps, quarterly ones, a constant one, a short one, and a
    quarterly effect of a monthly cause. Keys are (unit, name)."""
    rng = np.random.default_rng(seed)
    measures = {}
    for unit in range(units):
        start = add_months(START, unit)  # units need not share their periods
        for k in range(8):
            walk = np.cumsum(rng.normal(size=40)) + 50
            gaps = (5, 6, 20) if k % 5 == 0 else ()
            polarity = "decrease" if k % 4 == 3 else "increase"
            measures[unit, f"walk{k}"] = MeasureSeries(
                polarity, "monthly", monthly(walk, start, gaps), "sum"
            )
            lag, sign = 1 + k % 4, (-1 if k % 3 == 2 else 1)
            follower = np.concatenate([rng.normal(size=lag), sign * walk[:-lag]])
            follower += rng.normal(scale=1.5, size=40) + 100
            measures[unit, f"follow{k}"] = MeasureSeries(
                "increase", "monthly", monthly(follower, start)
            )
        for k in range(2):
            walk = np.cumsum(rng.normal(size=16))
            measures[unit, f"q{k}"] = MeasureSeries("increase", "quarterly", quarterly(walk))
        measures[unit, "flat"] = MeasureSeries("increase", "monthly", monthly([7.0] * 40))
        measures[unit, "short"] = MeasureSeries("increase", "monthly", monthly(rng.normal(size=9)))
        walk = measures[unit, "walk1"].values
        sums = [sum(walk.get(add_months(START, 3 * q + m), 0) for m in range(3)) for q in range(13)]
        measures[unit, "qfollow"] = MeasureSeries(
            "increase", "quarterly", quarterly(np.array(sums) + rng.normal(scale=2, size=13))
        )
    return measures


def reference(measures, pairs, **options):
    """evaluate_pairs on the same pairs: a PairInput with a Replicate per member."""
    inputs = []
    for pair in pairs:
        cause, effect = (measures[k] for k in pair.members[0])
        inputs.append(
            PairInput(
                key=pair.key,
                cause_polarity=cause.polarity,
                effect_polarity=effect.polarity,
                cause_frequency=cause.frequency,
                effect_frequency=effect.frequency,
                cause_aggregation=cause.aggregation,
                effect_aggregation=effect.aggregation,
                replicates=[
                    Replicate(str(c[0]), measures[c].values, measures[e].values)
                    for c, e in pair.members
                ],
            )
        )
    return evaluate_pairs(inputs, **options)


def assert_same(got, want):
    assert got.key == want.key
    assert (got.verdict, got.frequency, got.units_used, got.expected_sign) == (
        want.verdict,
        want.frequency,
        want.units_used,
        want.expected_sign,
    ), got.key
    assert [lag.lag for lag in got.lags] == [lag.lag for lag in want.lags], got.key
    mine = [got.best, *got.lags] if got.best else got.lags
    theirs = [want.best, *want.lags] if want.best else want.lags
    for a, b in zip(mine, theirs, strict=True):
        assert a.lag == b.lag and a.n == b.n, got.key
        for name in ("r", "p", "p_adjusted", "ci_low", "ci_high"):
            assert getattr(a, name) == pytest.approx(getattr(b, name), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("max_lag", [6, 2])
def test_one_unit_pairs_agree_with_evaluate_pairs(max_lag):
    measures = synthetic_measures()
    names = sorted(name for _, name in measures)
    pairs = [
        PanelPair(key=(a, b), members=[((0, a), (0, b))]) for a in names for b in names if a != b
    ]
    expected = reference(measures, pairs, max_lag=max_lag)
    found, family = evaluate_panels(measures, pairs, max_lag=max_lag, chunk=97)
    assert family == sum(len(r.lags) for r in expected)
    for got, want in zip(found, expected, strict=True):
        assert_same(got, want)
    verdicts = {r.verdict for r in found}
    assert verdicts == {SUPPORTED, CONTRADICTED, NOT_SUPPORTED, INSUFFICIENT}
    assert any(r.frequency == "quarterly" and r.best for r in found)


def test_panels_agree_with_evaluate_pairs():
    measures = synthetic_measures(seed=11, units=4)
    names = sorted({name for _, name in measures})
    pairs = [
        PanelPair(key=(a, b), members=[((u, a), (u, b)) for u in range(4)])
        for a in names
        for b in names
        if a != b
    ]
    # And panels of different sizes in the same family.
    pairs += [
        PanelPair(key=("two", name), members=[((u, "walk0"), (u, name)) for u in (1, 3)])
        for name in names
        if name != "walk0"
    ]
    expected = reference(measures, pairs)
    found, family = evaluate_panels(measures, pairs, chunk=50)
    assert family == sum(len(r.lags) for r in expected)
    for got, want in zip(found, expected, strict=True):
        assert_same(got, want)
    assert max(r.units_used for r in found) == 4


def test_significant_only_keeps_the_family():
    measures = synthetic_measures()
    names = sorted(name for _, name in measures)
    pairs = [
        PanelPair(key=(a, b), members=[((0, a), (0, b))]) for a in names for b in names if a != b
    ]
    every, family = evaluate_panels(measures, pairs)
    significant, same_family = evaluate_panels(measures, pairs, significant_only=True)
    assert same_family == family
    kept = [r for r in every if r.verdict in (SUPPORTED, CONTRADICTED)]
    assert [r.key for r in significant] == [r.key for r in kept] and len(kept) >= 5
    for got, want in zip(significant, kept, strict=True):
        assert_same(got, want)


def test_a_planted_relation_is_found_at_its_lag():
    measures = synthetic_measures()
    # follow2 follows walk2 three months later with the sign flipped (k % 3 == 2).
    (result,), family = evaluate_panels(
        measures, [PanelPair("x", [((0, "walk2"), (0, "follow2"))])]
    )
    assert result.best.lag == 3 and result.verdict == CONTRADICTED and family == 7


def test_nothing_to_test():
    measures = synthetic_measures()
    assert evaluate_panels(measures, []) == ([], 0)
    (result,), family = evaluate_panels(measures, [PanelPair("x", [((0, "short"), (0, "flat"))])])
    assert (result.verdict, result.units_used, result.best, family) == (INSUFFICIENT, 0, None, 0)


def test_a_lag_whose_values_tie_is_not_tested():
    # Each unit's effect is a kink, 1, 2, 3, 4, 6 scaled: changes 1, 1, 1, 2, prewhitened
    # a, a, b, standardised -1/√3, -1/√3, 2/√3 in every unit. At lag 3 a cause meets only
    # the last of these: 2/√3 eight times, equal but for the last bits, which
    # evaluate_pairs finds constant (std < 1e-12), so it does not test that lag; nor may
    # the sums here, whose round-off once made a spread of it (and a p in the family).
    # The same with a kink as the cause (scaled by 1 + unit / 7, for ties in the last bits).
    rng = np.random.default_rng(7)
    measures = {}
    for unit in range(8):
        trend = np.arange(5) + rng.normal(scale=0.5, size=5)
        kink = np.array([1, 2, 3, 4, 6])
        measures[unit, "cause"] = MeasureSeries("increase", "monthly", monthly(trend))
        measures[unit, "kink"] = MeasureSeries("increase", "monthly", monthly(kink * (unit + 1)))
        measures[unit, "kink7"] = MeasureSeries(
            "increase", "monthly", monthly(kink * (1 + unit / 7))
        )
    pairs = [
        PanelPair("k", [((u, "cause"), (u, "kink")) for u in range(8)]),
        PanelPair("k as cause", [((u, "kink7"), (u, "cause")) for u in range(8)]),
    ]
    options = {"min_periods": 3, "max_lag": 3}
    want = reference(measures, pairs, **options)
    got, family = evaluate_panels(measures, pairs, **options)
    assert [lag.lag for lag in want[0].lags] == [0, 1, 2]
    assert family == sum(len(r.lags) for r in want)
    for mine, theirs in zip(got, want, strict=True):
        assert_same(mine, theirs)


def edge_measures(units=3, seed=5):
    """Per unit, series at the edges of the statistics: five and six months (the fewest
    that give three prewhitened changes), a monthly measure combined into quarters by its
    last month beside a quarterly one, a smooth and a zigzag series (their autocorrelation
    clamped to ±0.95), a walk's twin and mirror (r = ±1), a kink (changes 1, 1, 1, 2: no
    autocorrelation where one side of the neighbours does not vary) and an empty one."""
    rng = np.random.default_rng(seed)
    measures = {}
    t = np.arange(30)
    for unit in range(units):
        walk = np.cumsum(rng.normal(size=30))
        measures[unit, "walk"] = MeasureSeries("increase", "monthly", monthly(walk))
        measures[unit, "twin"] = MeasureSeries("increase", "monthly", monthly(2 * walk + 1))
        measures[unit, "mirror"] = MeasureSeries("decrease", "monthly", monthly(-walk))
        for k in (5, 6):
            measures[unit, f"short{k}"] = MeasureSeries(
                "increase", "monthly", monthly(rng.normal(size=k))
            )
        size, phase = rng.uniform(2, 10, size=2)
        smooth = size * np.sin(t / 6 + phase) + rng.normal(scale=0.01, size=30)
        measures[unit, "smooth"] = MeasureSeries("increase", "monthly", monthly(smooth))
        zigzag = (-1.0) ** t * (size + phase * t) + rng.normal(scale=0.01, size=30)
        measures[unit, "zigzag"] = MeasureSeries("increase", "monthly", monthly(zigzag))
        kink = np.array([1, 2, 3, 4, 6]) * (unit + 1)
        measures[unit, "kink"] = MeasureSeries("increase", "monthly", monthly(kink))
        measures[unit, "empty"] = MeasureSeries("increase", "monthly", {})
        measures[unit, "bylast"] = MeasureSeries("increase", "monthly", monthly(walk), "last")
        sums = [walk[3 * q + 2] for q in range(10)]
        measures[unit, "q"] = MeasureSeries(
            "increase", "quarterly", quarterly(np.array(sums) + rng.normal(scale=0.5, size=10))
        )
    return measures


def test_series_at_the_edges_agree_with_evaluate_pairs():
    measures = edge_measures()
    names = sorted({name for _, name in measures})
    pairs = [
        PanelPair(key=(a, b), members=[((u, a), (u, b)) for u in range(3)])
        for a in names
        for b in names
        if a != b
    ]
    pairs += [PanelPair(key=("one", name), members=[((0, "walk"), (0, name))]) for name in names]
    options = {"min_periods": 3, "max_lag": 3}
    expected = reference(measures, pairs, **options)
    found, family = evaluate_panels(measures, pairs, chunk=64, **options)
    assert family == sum(len(r.lags) for r in expected)
    for got, want in zip(found, expected, strict=True):
        assert_same(got, want)
    counts = {lag.n for r in found for lag in r.lags}
    assert {3, 4} <= counts  # no interval with three pairs, a finite one with four
    twins = [("walk", "twin"), ("walk", "mirror"), ("twin", "mirror"), ("one", "mirror")]
    assert {abs(r.best.r) for r in found if r.key in twins} == {0.999999}


def test_quarterly_pairs_alone_agree_with_evaluate_pairs():
    # No monthly pair with any value: the quarterly ones are still tested; "walk" is only
    # ever an effect, after "q" was already seen as a cause.
    measures = edge_measures()
    pairs = [
        PanelPair(key="empty", members=[((u, "empty"), (u, "empty")) for u in range(3)]),
        PanelPair(key="q-bylast", members=[((u, "q"), (u, "bylast")) for u in range(3)]),
        PanelPair(key="q-walk", members=[((u, "q"), (u, "walk")) for u in range(3)]),
    ]
    options = {"min_periods": 3, "max_lag": 2}
    expected = reference(measures, pairs, **options)
    found, family = evaluate_panels(measures, pairs, **options)
    assert family == sum(len(r.lags) for r in expected) > 0
    for got, want in zip(found, expected, strict=True):
        assert_same(got, want)
    assert [r.frequency for r in found] == ["monthly", "quarterly", "quarterly"]
