"""Test and adapt: is each arrow of a strategy map borne out by the data? Pure functions: plain
data in, plain data out, no ORM (the selectors feed them, `alignment/strategy_tests.py`).

For an arrow cause → effect and a pair of measures (one of each objective) with monthly or
quarterly history, in one unit or several (the unit and the units that cascade the same
map, pooled as a panel with the units as replicates):

1. Each unit's two series are put on one frequency (beside a quarterly measure, a monthly
   one is combined into quarters by its aggregation), then made stationary: first
   differences or residuals from a straight line, whichever is closer to white noise, so a
   trend the two merely share never counts as evidence. Both are then prewhitened by the
   cause's AR(1) filter (Box-Jenkins) and standardised, so units of different sizes pool.
2. At each lag k = 0…max_lag the cause's change in period t is paired with the effect's
   change in period t + k, over all units: Pearson's r with its two-sided p-value (scipy)
   and a 95% confidence interval from Fisher's z. A lag with fewer than `min_periods`
   pairs is not tested.
3. Every p-value of the run (all lags of all pairs of all arrows) is adjusted together by
   Benjamini-Hochberg (statsmodels): a pair's best lag is the one with the smallest
   adjusted p, and it is significant below `alpha`.
4. The map claims that an improvement of the cause goes with an improvement of the effect;
   improving means rising for an `increase` measure and falling for a `decrease` one, so
   the sign the map expects for r is the product of the two polarities' signs.

Verdicts: `supported` (significant, the expected sign), `contradicted` (significant, the
opposite sign), `not_supported`, `insufficient_data` (no lag with `min_periods` pairs).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

SUPPORTED = "supported"
CONTRADICTED = "contradicted"
NOT_SUPPORTED = "not_supported"
INSUFFICIENT = "insufficient_data"
VERDICTS = (SUPPORTED, CONTRADICTED, NOT_SUPPORTED, INSUFFICIENT)

MONTHS = {"monthly": 1, "quarterly": 3}


@dataclass(frozen=True)
class Replicate:
    """One unit's two series: {period start: value}."""

    unit: str
    cause: Mapping[dt.date, float]
    effect: Mapping[dt.date, float]


@dataclass(frozen=True)
class PairInput:
    """A cause measure and an effect measure, with their series in each replicate unit."""

    key: Hashable
    cause_polarity: str  # increase | decrease
    effect_polarity: str
    cause_frequency: str  # monthly | quarterly
    effect_frequency: str
    replicates: Sequence[Replicate]
    cause_aggregation: str = "average"  # sum | average | last: monthly to quarterly
    effect_aggregation: str = "average"


@dataclass
class LagResult:
    """The pooled correlation of the changes at one lag."""

    lag: int
    n: int  # paired periods, over all units
    r: float
    p: float
    ci_low: float
    ci_high: float
    p_adjusted: float | None = None


@dataclass
class PairResult:
    """The verdict on one pair of measures and the figures behind it."""

    key: Hashable
    verdict: str
    expected_sign: int  # +1: both move the same way when both improve; -1: opposite
    frequency: str
    units_used: int
    best: LagResult | None = None
    lags: list[LagResult] = field(default_factory=list)

    @property
    def periods_used(self) -> int:
        return self.best.n if self.best else 0


def polarity_sign(polarity: str) -> int:
    return 1 if polarity == "increase" else -1


def _index(period: dt.date, months: int) -> int:
    return (period.year * 12 + period.month - 1) // months


def _quarters(series: Mapping[dt.date, float], aggregation: str, fiscal_start: int):
    """A monthly series combined into quarters (of the fiscal year), complete ones only."""
    groups: dict[int, list[tuple[dt.date, float]]] = {}
    for period, value in series.items():
        shifted = (period.year * 12 + period.month - fiscal_start) // 3
        groups.setdefault(shifted, []).append((period, value))
    out = {}
    for items in groups.values():
        if len(items) != 3:
            continue
        items.sort()
        values = [v for _, v in items]
        combined = {"sum": sum(values), "last": values[-1]}.get(aggregation)
        if combined is None:
            combined = sum(values) / 3
        out[items[0][0]] = combined
    return out


def common_frequency(pair: PairInput, fiscal_start: int = 1):
    """The pair's series on one frequency: (frequency, [(unit, cause, effect)])."""
    if pair.cause_frequency == pair.effect_frequency:
        return pair.cause_frequency, [(r.unit, r.cause, r.effect) for r in pair.replicates]
    out = []
    for r in pair.replicates:
        cause, effect = r.cause, r.effect
        if pair.cause_frequency == "monthly":
            cause = _quarters(cause, pair.cause_aggregation, fiscal_start)
        if pair.effect_frequency == "monthly":
            effect = _quarters(effect, pair.effect_aggregation, fiscal_start)
        out.append((r.unit, cause, effect))
    return "quarterly", out


def _lag1(values: Mapping[int, float]) -> float:
    """The lag-1 autocorrelation of a series indexed by period (pairs of neighbours)."""
    pairs = [(v, values[i + 1]) for i, v in values.items() if i + 1 in values]
    if len(pairs) < 3:
        return 0.0
    a, b = np.asarray(pairs).T
    if a.std() < 1e-12 or b.std() < 1e-12:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def stationary(series: Mapping[dt.date, float], months: int) -> dict[int, float]:
    """The series made stationary, by period index: its first differences (a gap breaks
    the chain) or its residuals from a straight line, whichever is closer to white noise
    (the smaller lag-1 autocorrelation). Differencing a trend with noise, or detrending a
    random walk, would leave an autocorrelation that inflates cross-correlations."""
    by_index = {_index(p, months): float(v) for p, v in series.items() if v is not None}
    if len(by_index) < 4:
        return {}
    changes = {i: by_index[i] - by_index[i - 1] for i in by_index if i - 1 in by_index}
    index = np.fromiter(by_index, dtype=float)
    level = np.fromiter(by_index.values(), dtype=float)
    slope, intercept = np.polyfit(index, level, 1)
    residuals = {i: v - (slope * i + intercept) for i, v in by_index.items()}
    if len(changes) >= 3 and abs(_lag1(changes)) <= abs(_lag1(residuals)):
        return changes
    return residuals


def prewhitened(cause: dict[int, float], effect: dict[int, float]):
    """Both series filtered by the cause's AR(1) (x_t - phi * x_(t-1)), the Box-Jenkins way:
    what is left of the cause is close to white noise, so the cross-correlations' p-values
    hold, and a lagged relation between the two survives the filter unchanged."""
    phi = max(min(_lag1(cause), 0.95), -0.95)

    def apply(values):
        return {i: v - phi * values[i - 1] for i, v in values.items() if i - 1 in values}

    return apply(cause), apply(effect)


def standardised(values: Mapping[int, float]) -> dict[int, float]:
    """z-scores, so units of different sizes pool; empty when fewer than three values or
    no variation."""
    if len(values) < 3:
        return {}
    array = np.fromiter(values.values(), dtype=float)
    spread = array.std(ddof=1)
    if not spread > 1e-12:
        return {}
    mean = array.mean()
    return {i: (v - mean) / spread for i, v in values.items()}


def lag_correlations(
    panel: Iterable[tuple[dict[int, float], dict[int, float]]], max_lag: int, min_periods: int
) -> list[LagResult]:
    """Pooled Pearson r of the cause's change at t and the effect's at t + k, k = 0…max_lag,
    for the lags with at least `min_periods` pairs."""
    panel = list(panel)
    results = []
    for lag in range(max_lag + 1):
        xs, ys = [], []
        for cause, effect in panel:
            for i, x in cause.items():
                y = effect.get(i + lag)
                if y is not None:
                    xs.append(x)
                    ys.append(y)
        n = len(xs)
        if n < min_periods:
            continue
        x, y = np.asarray(xs), np.asarray(ys)
        if x.std() < 1e-12 or y.std() < 1e-12:
            continue
        r, p = stats.pearsonr(x, y)
        r = float(np.clip(r, -0.999999, 0.999999))
        half = 1.959963984540054 / math.sqrt(n - 3) if n > 3 else math.inf
        z = math.atanh(r)
        results.append(
            LagResult(
                lag=lag,
                n=n,
                r=r,
                p=float(p),
                ci_low=math.tanh(z - half),
                ci_high=math.tanh(z + half),
            )
        )
    return results


def evaluate_pairs(
    pairs: Sequence[PairInput],
    *,
    max_lag: int = 6,
    alpha: float = 0.05,
    min_periods: int = 12,
    fiscal_start: int = 1,
) -> list[PairResult]:
    """Every pair's verdict, its p-values adjusted together over all lags of all pairs."""
    results: list[PairResult] = []
    for pair in pairs:
        frequency, replicates = common_frequency(pair, fiscal_start)
        months = MONTHS[frequency]
        panel, units = [], 0
        for _, cause, effect in replicates:
            c, e = prewhitened(stationary(cause, months), stationary(effect, months))
            c, e = standardised(c), standardised(e)
            if c and e:
                panel.append((c, e))
                units += 1
        lags = lag_correlations(panel, max_lag, min_periods) if panel else []
        results.append(
            PairResult(
                key=pair.key,
                verdict=INSUFFICIENT,
                expected_sign=polarity_sign(pair.cause_polarity)
                * polarity_sign(pair.effect_polarity),
                frequency=frequency,
                units_used=units,
                lags=lags,
            )
        )
    tested = [lag for result in results for lag in result.lags]
    if tested:
        adjusted = multipletests([lag.p for lag in tested], method="fdr_bh")[1]
        for lag, p in zip(tested, adjusted, strict=True):
            lag.p_adjusted = float(p)
    for result in results:
        if not result.lags:
            continue
        result.best = min(result.lags, key=lambda lag: (lag.p_adjusted, lag.p, lag.lag))
        if result.best.p_adjusted >= alpha:
            result.verdict = NOT_SUPPORTED
        elif result.best.r * result.expected_sign > 0:
            result.verdict = SUPPORTED
        else:
            result.verdict = CONTRADICTED
    return results


def strongest(results: Iterable[PairResult]) -> PairResult | None:
    """An arrow's verdict is its strongest pair's: the smallest adjusted p among the pairs
    with enough data, else (all short) any of them."""
    results = list(results)
    if not results:
        return None
    tested = [r for r in results if r.best is not None]
    if not tested:
        return results[0]
    return min(tested, key=lambda r: (r.best.p_adjusted, r.best.p))


def aligned(
    cause: Mapping[dt.date, float], effect: Mapping[dt.date, float], lag: int, frequency: str
) -> list[tuple[dt.date, float, float]]:
    """(period of the cause, cause value, effect value `lag` periods later), for the chart
    of a pair's two series aligned at its best lag."""
    months = MONTHS[frequency]
    by_index = {_index(p, months): p for p in effect}
    rows = []
    for period, value in sorted(cause.items()):
        later = by_index.get(_index(period, months) + lag)
        if later is not None:
            rows.append((period, float(value), float(effect[later])))
    return rows
