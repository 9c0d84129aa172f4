"""A strategy test's verdict in plain words, for the people who own the strategy: what the
data showed about an arrow of the map, before any statistic (the Strategy test page shows
these first and keeps r, p-values and the method one click away).

Pure functions: names, the verdict and the stored figures in, one or two sentences out. The
figures are those alignment/strategy_tests.py stores per arrow: the best lag (in periods of
`frequency`), Pearson's r of the two measures' changes at that lag (its sign already read
with both measures' polarities by the verdict), the paired periods and the units pooled.
"""

from __future__ import annotations

from .testing import CONTRADICTED, INSUFFICIENT, NOT_SUPPORTED, SUPPORTED

MIN_PERIODS = 12  # as alignment/strategy_tests.py: fewer paired periods cannot be tested
NUMBERS = (
    "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
)  # fmt: skip
PERIODS = {"monthly": ("month", "months"), "quarterly": ("quarter", "quarters")}


def count(n: int, one: str, many: str) -> str:
    """'one month', 'two months', '30 months' (words up to twelve, as one writes them)."""
    number = NUMBERS[n] if 0 <= n < len(NUMBERS) else f"{n:,}"
    return f"{number} {one if n == 1 else many}"


def when(lag: int, frequency: str) -> str:
    """How long after the cause the effect moved: 'in the same month', 'two months later'."""
    one, many = PERIODS.get(frequency, ("period", "periods"))
    return f"in the same {one}" if lag == 0 else f"{count(lag, one, many)} later"


def strength(r: float) -> str:
    """How close the link is, by the size of r (Cohen's usual steps: 0.3 and 0.5)."""
    size = abs(r)
    return "strong" if size >= 0.5 else "moderate" if size >= 0.3 else "weak"


def _history(periods: int, units: int, frequency: str) -> str:
    """'30 months of history', '14 quarters of history from 3 units'."""
    one, many = PERIODS.get(frequency, ("period", "periods"))
    pooled = f" from {count(units, 'unit', 'units')}" if units > 1 else ""
    return f"{count(periods, one, many)} of history{pooled}"


def verdict_sentence(
    *,
    verdict: str,
    cause: str,
    effect: str,
    lag: int | None,
    frequency: str,
    r: float | None,
    periods: int,
    units: int = 1,
    max_lag: int = 6,
) -> str:
    """What the test found about the arrow `cause` → `effect` (objective names), in words.
    For a supported arrow, lag 2, monthly, r 0.62 over 30 periods: "“Sell more” has moved
    with “Train staff” two months later: when one got better, so did the other, and worse
    followed worse (a strong link over 30 months of history, too regular to be chance). The
    arrow holds." No lag or no r means the arrow could not be tested, whatever the verdict
    says."""
    one, many = PERIODS.get(frequency, ("period", "periods"))
    arrow = f"“{cause}” → “{effect}”"
    if verdict == INSUFFICIENT or lag is None or r is None:
        common = (
            f"only {count(periods, one, many)} of history in common"
            if periods
            else f"no {one} of history in common"
        )
        return (
            f"Too early to judge {arrow}: the two have {common}, and the test needs at "
            f"least {count(MIN_PERIODS, one, many)} to tell a link from chance."
        )
    history = _history(periods, units, frequency)
    if verdict == SUPPORTED:
        return (
            f"“{effect}” has moved with “{cause}” {when(lag, frequency)}: when one got "
            f"better, so did the other, and worse followed worse (a {strength(r)} link over "
            f"{history}, too regular to be chance). The arrow holds."
        )
    if verdict == CONTRADICTED:
        return (
            f"“{effect}” has moved against “{cause}” {when(lag, frequency)}: when one got "
            f"better, the other got worse (a {strength(r)} link over {history}, too regular "
            "to be chance). The data say the opposite of the arrow: worth discussing at the "
            "next strategy review."
        )
    if verdict == NOT_SUPPORTED:
        window = (
            f"in the same {one} or up to {count(max_lag, one, many)} later"
            if max_lag
            else f"in the same {one}"
        )
        return (
            f"No clear link yet: over {history}, “{effect}” did not follow “{cause}” "
            f"{window} more regularly than chance would. The arrow is not borne out by the "
            "data so far."
        )
    raise ValueError(f"unknown verdict {verdict!r}")


def candidate_sentence(
    *, cause: str, effect: str, lag: int | None, frequency: str, r: float | None
) -> str:
    """An exploratory pair (no arrow claims it) in words: which way the two moved, how far
    apart. `r` as measured (not read with the polarities: no claim to compare it with)."""
    if lag is None or r is None:
        return f"“{cause}” and “{effect}”: too little history to say how they moved."
    way = "moved together" if r > 0 else "moved in opposite directions"
    if lag == 0:
        return f"“{cause}” and “{effect}” {way}, {when(0, frequency)}."
    return f"“{cause}” and “{effect}” {way}, “{effect}” {when(lag, frequency)}."
