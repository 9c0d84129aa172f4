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

# scipy and statsmodels are imported by the functions that use them: together they take a
# second to import, which every web worker would pay on starting (this module is imported by
# the pages' URLs) though only a strategy test run needs them.

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
        from scipy import stats

        r, p = stats.pearsonr(x, y)
        results.append(_lag_result(lag, n, r, float(p)))
    return results


def _lag_result(lag: int, n: int, r: float, p: float, p_adjusted: float | None = None) -> LagResult:
    """A lag's figures, with the 95% confidence interval of r from Fisher's z (r kept
    within ±0.999999 so that z is finite)."""
    r = float(np.clip(r, -0.999999, 0.999999))
    half = 1.959963984540054 / math.sqrt(n - 3) if n > 3 else math.inf
    z = math.atanh(r)
    return LagResult(
        lag=lag,
        n=n,
        r=r,
        p=p,
        ci_low=math.tanh(z - half),
        ci_high=math.tanh(z + half),
        p_adjusted=p_adjusted,
    )


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
        from statsmodels.stats.multitest import multipletests

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


# Many pairs at once, with arrays --------------------------------------------------------------
# The same statistics as `evaluate_pairs`, step for step, on a grid of periods (a row per
# series, NaN where a period has no value) so that thousands of pairs cost a few array
# operations instead of a Python loop each: what a run over a whole enterprise needs.


@dataclass(frozen=True)
class MeasureSeries:
    """One unit's measure: polarity, frequency, aggregation and values by period start."""

    polarity: str  # increase | decrease
    frequency: str  # monthly | quarterly
    values: Mapping[dt.date, float]
    aggregation: str = "average"  # sum | average | last: monthly to quarterly


@dataclass(frozen=True)
class PanelPair:
    """A pair of measures to test: `members` are (cause, effect) keys of the series given
    to `evaluate_panels`, one member per unit (several units pool as a panel). The first
    member's measures give the pair's polarities and frequencies; the others are alike."""

    key: Hashable
    members: Sequence[tuple[Hashable, Hashable]]


def _masked_r(a: np.ndarray, b: np.ndarray):
    """Row by row, Pearson's r over the columns where both rows have a value, with the
    number of those columns and whether both had any spread (population std >= 1e-12)."""
    both = ~np.isnan(a) & ~np.isnan(b)
    n = both.sum(axis=1)
    safe = np.maximum(n, 1)[:, None]
    a, b = np.where(both, a, 0.0), np.where(both, b, 0.0)
    a = np.where(both, a - a.sum(axis=1, keepdims=True) / safe, 0.0)
    b = np.where(both, b - b.sum(axis=1, keepdims=True) / safe, 0.0)
    saa, sbb = (a * a).sum(axis=1), (b * b).sum(axis=1)
    spread = (np.sqrt(saa / safe[:, 0]) >= 1e-12) & (np.sqrt(sbb / safe[:, 0]) >= 1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (a * b).sum(axis=1) / np.sqrt(saa * sbb)
    return r, n, spread


def _lag1_rows(values: np.ndarray) -> np.ndarray:
    """`_lag1` of every row: 0 with fewer than three neighbour pairs or no spread."""
    r, n, spread = _masked_r(values[:, :-1], values[:, 1:])
    return np.where((n >= 3) & spread, r, 0.0)


def _stationary_rows(levels: np.ndarray) -> np.ndarray:
    """`stationary` of every row of a grid of levels (NaN: no value): first differences or
    residuals from a straight line, whichever has the smaller lag-1 autocorrelation; all
    NaN for a row with fewer than four values."""
    valid = ~np.isnan(levels)
    count = valid.sum(axis=1)
    changes = np.full(levels.shape, np.nan)
    changes[:, 1:] = levels[:, 1:] - levels[:, :-1]
    t = np.broadcast_to(np.arange(levels.shape[1], dtype=float), levels.shape)
    safe = np.maximum(count, 1)[:, None]
    t_mean = np.where(valid, t, 0.0).sum(axis=1, keepdims=True) / safe
    v_mean = np.where(valid, levels, 0.0).sum(axis=1, keepdims=True) / safe
    dt_, dv = np.where(valid, t - t_mean, 0.0), np.where(valid, levels - v_mean, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (dt_ * dv).sum(axis=1, keepdims=True) / (dt_ * dt_).sum(axis=1, keepdims=True)
    residuals = levels - (slope * (t - t_mean) + v_mean)
    use_changes = ((~np.isnan(changes)).sum(axis=1) >= 3) & (
        np.abs(_lag1_rows(changes)) <= np.abs(_lag1_rows(residuals))
    )
    out = np.where(use_changes[:, None], changes, residuals)
    out[count < 4] = np.nan
    return out


def _standardised_rows(values: np.ndarray):
    """`standardised` of every row (in place) and whether the row is usable (three values
    or more, with spread)."""
    count = (~np.isnan(values)).sum(axis=1)
    mean = np.nansum(values, axis=1) / np.maximum(count, 1)
    spread = np.sqrt(np.nansum((values - mean[:, None]) ** 2, axis=1) / np.maximum(count - 1, 1))
    usable = (count >= 3) & (spread > 1e-12)
    values -= mean[:, None]
    values /= np.where(usable, spread, 1.0)[:, None]
    return usable


def _beta_p(r: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Two-sided p of Pearson's r over n pairs: under independence r follows a beta
    distribution on (-1, 1) with a = b = n/2 - 1, as in scipy's pearsonr."""
    from scipy import special

    ab = n / 2 - 1
    return np.minimum(1.0, 2 * special.betainc(ab, ab, (1 - np.abs(r)) / 2))


def evaluate_panels(
    series: Mapping[Hashable, MeasureSeries],
    pairs: Sequence[PanelPair],
    *,
    max_lag: int = 6,
    alpha: float = 0.05,
    min_periods: int = 12,
    fiscal_start: int = 1,
    significant_only: bool = False,
    chunk: int = 8192,
) -> tuple[list[PairResult], int]:
    """What `evaluate_pairs` answers for the same pairs (a `PairInput` with a `Replicate`
    per member), computed with arrays, and the number of p-values adjusted together (all
    lags of all pairs given: one Benjamini-Hochberg family). With `significant_only` only
    the `supported` and `contradicted` pairs are returned, the others still counted in the
    family: the exploratory candidates."""
    lags = max_lag + 1
    frequency_of, signs = _frequencies_and_signs(series, pairs)
    totals, units = _panel_sums(series, pairs, frequency_of, lags, fiscal_start, chunk)
    n, r, tested = _pooled_r(totals, min_periods)
    p, adjusted, family = _adjusted_p(r, n, tested)
    best = _best_lags(p, adjusted)
    positions = range(len(pairs))
    if significant_only:
        positions = np.flatnonzero(adjusted[positions, best] < alpha)
    results = []
    for position in positions:
        pair = pairs[position]
        result = PairResult(
            key=pair.key,
            verdict=INSUFFICIENT,
            expected_sign=signs[position],
            frequency=frequency_of[position],
            units_used=int(units[position]),
        )
        for lag in np.flatnonzero(tested[position]):
            figures = (r[position, lag], float(p[position, lag]), float(adjusted[position, lag]))
            result.lags.append(_lag_result(int(lag), int(n[position, lag]), *figures))
        if result.lags:
            result.best = next(lag for lag in result.lags if lag.lag == best[position])
            result.verdict = _panel_verdict(result.best, result.expected_sign, alpha)
        results.append(result)
    return results, family


def _frequencies_and_signs(series, pairs) -> tuple[list[str], list[int]]:
    """Each pair's common frequency (quarterly when its measures' differ) and the sign of r
    the map expects (step 4), from its first member's measures."""
    frequency_of, signs = [], []
    for pair in pairs:
        cause_key, effect_key = pair.members[0]
        cause, effect = series[cause_key], series[effect_key]
        same = cause.frequency == effect.frequency
        frequency_of.append(cause.frequency if same else "quarterly")
        signs.append(polarity_sign(cause.polarity) * polarity_sign(effect.polarity))
    return frequency_of, signs


def _panel_sums(series, pairs, frequency_of, lags, fiscal_start, chunk):
    """Steps 1 and 2 for every member of every pair, one frequency at a time: per pair and
    lag the sums (n, sum x, sum y, sum xx, sum yy, sum xy) of the prewhitened, standardised
    changes paired over all its units, and per pair the number of units usable."""
    totals = np.zeros((6, len(pairs), lags))  # n, sum x, sum y, sum xx, sum yy, sum xy
    units = np.zeros(len(pairs), dtype=int)
    for frequency in MONTHS:
        members = [
            (p, cause, effect)
            for p, pair in enumerate(pairs)
            if frequency_of[p] == frequency
            for cause, effect in pair.members
        ]
        if not members:
            continue
        rows, levels = _level_grid(series, members, frequency, fiscal_start)
        if levels is None:
            continue
        changes = _stationary_rows(levels)
        phi = np.clip(_lag1_rows(changes), -0.95, 0.95)
        for start in range(0, len(members), chunk):
            part = members[start : start + chunk]
            owner = np.fromiter((m[0] for m in part), dtype=int, count=len(part))
            causes = np.fromiter((rows[m[1]] for m in part), dtype=int, count=len(part))
            effects = np.fromiter((rows[m[2]] for m in part), dtype=int, count=len(part))
            _accumulate(totals, units, owner, changes, causes, effects, phi, lags)
    return totals, units


def _level_grid(series, members, frequency: str, fiscal_start: int):
    """Each series of `members` once on `frequency` (a monthly one combined into quarters):
    {key: row} and a grid of levels, a row per series and a column per period (NaN: no
    value); None for the grid when no series has a value."""
    rows: dict[Hashable, int] = {}
    chosen: list[Mapping[dt.date, float]] = []
    for _, *keys in members:
        for key in keys:
            if key in rows:
                continue
            measure = series[key]
            values = measure.values
            if measure.frequency != frequency:
                values = (
                    _quarters(values, measure.aggregation, fiscal_start)
                    if measure.frequency == "monthly"
                    else {}
                )
            rows[key] = len(chosen)
            chosen.append(values)
    # Each period's index worked out once, not once per value: a few dozen periods in all.
    index_of = {period: _index(period, MONTHS[frequency]) for period in set().union(*chosen)}
    if not index_of:
        return rows, None
    first = min(index_of.values())
    levels = np.full((len(chosen), max(index_of.values()) - first + 1), np.nan)
    for row, values in enumerate(chosen):
        by_index = dict(zip(map(index_of.get, values), values.values(), strict=True))
        if by_index:
            columns = np.fromiter(by_index, dtype=int, count=len(by_index)) - first
            levels[row, columns] = np.fromiter(by_index.values(), dtype=float, count=len(by_index))
    return rows, levels


def _pooled_r(totals: np.ndarray, min_periods: int):
    """Step 2 from the sums: per pair and lag the number of pairs n, Pearson's r, and
    whether the lag is tested (at least `min_periods` pairs, both sides with spread)."""
    n, sx, sy, sxx, syy, sxy = totals
    safe = np.maximum(n, 1)
    cxx, cyy = sxx - sx * sx / safe, syy - sy * sy / safe
    # A spread within the round-off of these one-pass sums (n ulps of the sum of squares) is
    # none: values equal but for their last bits, which evaluate_pairs' std finds constant.
    noise = n * np.finfo(float).eps
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.clip((sxy - sx * sy / safe) / np.sqrt(cxx * cyy), -1.0, 1.0)
        tested = (n >= min_periods) & (np.sqrt(cxx / safe) >= 1e-12) & (cxx > noise * sxx)
        tested &= (np.sqrt(cyy / safe) >= 1e-12) & (cyy > noise * syy)
    return n, r, tested


def _adjusted_p(r: np.ndarray, n: np.ndarray, tested: np.ndarray):
    """Step 3: the two-sided p of every tested lag and its Benjamini-Hochberg adjustment
    over all of them (infinite where not tested), and the size of that family."""
    p = np.full(n.shape, np.inf)
    p[tested] = _beta_p(r[tested], n[tested])
    family = int(tested.sum())
    adjusted = np.full(n.shape, np.inf)
    if family:
        from statsmodels.stats.multitest import multipletests

        adjusted[tested] = multipletests(p[tested], method="fdr_bh")[1]
    return p, adjusted, family


def _best_lags(p: np.ndarray, adjusted: np.ndarray) -> np.ndarray:
    """Each pair's best lag: the smallest adjusted p, then the smallest p, then the
    shortest lag."""
    lag_of = np.broadcast_to(np.arange(p.shape[1]), p.shape)
    return np.lexsort((lag_of, p, adjusted))[:, 0]  # each row sorted on its own


def _panel_verdict(best: LagResult, expected_sign: int, alpha: float) -> str:
    """Step 4 on a pair's best lag: not significant, or significant with the sign the map
    expects, or with the opposite one."""
    if not best.p_adjusted < alpha:
        return NOT_SUPPORTED
    return SUPPORTED if best.r * expected_sign > 0 else CONTRADICTED


def _accumulate(totals, units, owner, changes, causes, effects, phi, lags) -> None:
    """Add each member's sums at each lag to its pair's (`owner`): the cause's and the
    effect's changes prewhitened by the cause's AR(1), standardised within the unit."""
    weight = phi[causes][:, None]
    cause, effect = changes[causes], changes[effects]
    cause = cause[:, 1:] - weight * cause[:, :-1]
    effect = effect[:, 1:] - weight * effect[:, :-1]
    usable = _standardised_rows(cause) & _standardised_rows(effect)
    units += np.bincount(owner, weights=usable, minlength=len(units)).astype(int)
    pairs = len(units)
    length = cause.shape[1]
    has_cause, has_effect = ~np.isnan(cause) & usable[:, None], ~np.isnan(effect)
    for lag in range(min(lags - 1, length - 1) + 1):
        both = has_cause[:, : length - lag] & has_effect[:, lag:]
        x = np.where(both, cause[:, : length - lag], 0.0)
        y = np.where(both, effect[:, lag:], 0.0)
        for slot, values in enumerate((both, x, y, x * x, y * y, x * y)):
            totals[slot, :, lag] += np.bincount(owner, weights=values.sum(axis=1), minlength=pairs)
