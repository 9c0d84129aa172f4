"""A strategy test's verdict in plain words, for the people who own the strategy: what the
data showed about an arrow of the map, before any statistic (the Strategy test page shows
these first and keeps r, p-values and the method one click away).

Pure functions: names, the verdict and the stored figures in, one or two sentences out, in
the active language. The figures are those alignment/strategy_tests.py stores per arrow: the
best lag (in periods of `frequency`), Pearson's r of the two measures' changes at that lag
(its sign already read with both measures' polarities by the verdict), the paired periods
and the units pooled.

Each sentence is one whole message for the translators; what varies inside it (how long
after, how much history, how strong a link) is a whole phrase of its own, one per period
(month, quarter, other) and per count (`ngettext`), so that each language can write the
phrase as its grammar wants it where the sentence puts it. Numbers up to twelve are written
out in words, as one writes them ("two months later"), larger ones in figures ("30 months").
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from .testing import CONTRADICTED, INSUFFICIENT, NOT_SUPPORTED, SUPPORTED

MIN_PERIODS = 12  # as alignment/strategy_tests.py: fewer paired periods cannot be tested
WORDS = {
    2: pgettext_lazy("a number written out", "two"),
    3: pgettext_lazy("a number written out", "three"),
    4: pgettext_lazy("a number written out", "four"),
    5: pgettext_lazy("a number written out", "five"),
    6: pgettext_lazy("a number written out", "six"),
    7: pgettext_lazy("a number written out", "seven"),
    8: pgettext_lazy("a number written out", "eight"),
    9: pgettext_lazy("a number written out", "nine"),
    10: pgettext_lazy("a number written out", "ten"),
    11: pgettext_lazy("a number written out", "eleven"),
    12: pgettext_lazy("a number written out", "twelve"),
}  # one is written by the singular of each phrase ("one month", "a month"), as its noun wants
PERIODS = {"monthly": "month", "quarterly": "quarter"}  # anything else: "period"


def number(n: int) -> str:
    """'two' … 'twelve' in words, larger numbers in figures grouped by thousands as the
    language groups them ('13', '1,500')."""
    if n in WORDS:
        return str(WORDS[n])
    return formats.number_format(n, force_grouping=True)


def _kind(frequency: str) -> str:
    return PERIODS.get(frequency, "period")


def count(n: int, frequency: str) -> str:
    """So many periods of `frequency`: 'one month', 'eight months', '30 quarters'. (In
    German, in the accusative the sentences below want.)"""
    kind, figures = _kind(frequency), {"number": number(n)}
    if kind == "month":
        return ngettext("one month", "%(number)s months", n) % figures
    if kind == "quarter":
        return ngettext("one quarter", "%(number)s quarters", n) % figures
    return ngettext("one period", "%(number)s periods", n) % figures


def when(lag: int, frequency: str) -> str:
    """How long after the cause the effect moved: 'in the same month', 'two months later'."""
    kind, figures = _kind(frequency), {"number": number(lag)}
    if lag == 0:
        return {
            "month": pgettext("strategy test: no lag", "in the same month"),
            "quarter": pgettext("strategy test: no lag", "in the same quarter"),
            "period": pgettext("strategy test: no lag", "in the same period"),
        }[kind]
    if kind == "month":
        return ngettext("one month later", "%(number)s months later", lag) % figures
    if kind == "quarter":
        return ngettext("one quarter later", "%(number)s quarters later", lag) % figures
    return ngettext("one period later", "%(number)s periods later", lag) % figures


def _window(max_lag: int, frequency: str) -> str:
    """The lags the test tried: 'in the same month or up to six months later'."""
    if not max_lag:
        return when(0, frequency)
    kind, figures = _kind(frequency), {"number": number(max_lag)}
    if kind == "month":
        return (
            ngettext(
                "in the same month or up to one month later",
                "in the same month or up to %(number)s months later",
                max_lag,
            )
            % figures
        )
    if kind == "quarter":
        return (
            ngettext(
                "in the same quarter or up to one quarter later",
                "in the same quarter or up to %(number)s quarters later",
                max_lag,
            )
            % figures
        )
    return (
        ngettext(
            "in the same period or up to one period later",
            "in the same period or up to %(number)s periods later",
            max_lag,
        )
        % figures
    )


def strength(r: float) -> str:
    """How close the link is, by the size of r (Cohen's usual steps: 0.3 and 0.5): 'strong',
    'moderate' or 'weak' (a code: `_link` says it in words)."""
    size = abs(r)
    return "strong" if size >= 0.5 else "moderate" if size >= 0.3 else "weak"


def _link(r: float) -> str:
    """'a strong link', 'a moderate link', 'a weak link'."""
    return {
        "strong": pgettext("strategy test: how close the link is", "a strong link"),
        "moderate": pgettext("strategy test: how close the link is", "a moderate link"),
        "weak": pgettext("strategy test: how close the link is", "a weak link"),
    }[strength(r)]


def _history(periods: int, units: int, frequency: str) -> str:
    """'30 months of history', '14 quarters of history from three units'."""
    span = count(periods, frequency)
    if units > 1:
        return ngettext(
            "%(periods)s of history from one unit",
            "%(periods)s of history from %(units)s units",
            units,
        ) % {"periods": span, "units": number(units)}
    return _("%(periods)s of history") % {"periods": span}


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
    names = {"cause": cause, "effect": effect}
    if verdict == INSUFFICIENT or lag is None or r is None:
        minimum = count(MIN_PERIODS, frequency)
        if periods:
            return _(
                "Too early to judge “%(cause)s” → “%(effect)s”: the two have only %(periods)s "
                "of history in common, and the test needs at least %(minimum)s to tell a link "
                "from chance."
            ) % {**names, "periods": count(periods, frequency), "minimum": minimum}
        return _no_history(_kind(frequency)) % {**names, "minimum": minimum}
    figures = {
        **names,
        "when": when(lag, frequency),
        "link": _link(r),
        "history": _history(periods, units, frequency),
    }
    if verdict == SUPPORTED:
        return (
            _(
                "“%(effect)s” has moved with “%(cause)s” %(when)s: when one got better, so did "
                "the other, and worse followed worse (%(link)s over %(history)s, too regular to be "
                "chance). The arrow holds."
            )
            % figures
        )
    if verdict == CONTRADICTED:
        return (
            _(
                "“%(effect)s” has moved against “%(cause)s” %(when)s: when one got better, the "
                "other got worse (%(link)s over %(history)s, too regular to be chance). The data "
                "say the opposite of the arrow: worth discussing at the next strategy review."
            )
            % figures
        )
    if verdict == NOT_SUPPORTED:
        return _(
            "No clear link yet: over %(history)s, “%(effect)s” did not follow “%(cause)s” "
            "%(window)s more regularly than chance would. The arrow is not borne out by the "
            "data so far."
        ) % {**figures, "window": _window(max_lag, frequency)}
    raise ValueError(f"unknown verdict {verdict!r}")


def _no_history(kind: str) -> str:
    """The sentence for an arrow whose measures have no period in common."""
    if kind == "month":
        return _(
            "Too early to judge “%(cause)s” → “%(effect)s”: the two have no month of history "
            "in common, and the test needs at least %(minimum)s to tell a link from chance."
        )
    if kind == "quarter":
        return _(
            "Too early to judge “%(cause)s” → “%(effect)s”: the two have no quarter of history "
            "in common, and the test needs at least %(minimum)s to tell a link from chance."
        )
    return _(
        "Too early to judge “%(cause)s” → “%(effect)s”: the two have no period of history "
        "in common, and the test needs at least %(minimum)s to tell a link from chance."
    )


def candidate_sentence(
    *, cause: str, effect: str, lag: int | None, frequency: str, r: float | None
) -> str:
    """An exploratory pair (no arrow claims it) in words: which way the two moved, how far
    apart. `r` as measured (not read with the polarities: no claim to compare it with)."""
    names = {"cause": cause, "effect": effect}
    if lag is None or r is None:
        return _("“%(cause)s” and “%(effect)s”: too little history to say how they moved.") % (
            names
        )
    figures = {**names, "when": when(lag, frequency)}
    if lag == 0:
        if r > 0:
            return _("“%(cause)s” and “%(effect)s” moved together, %(when)s.") % figures
        return _("“%(cause)s” and “%(effect)s” moved in opposite directions, %(when)s.") % figures
    if r > 0:
        return _("“%(cause)s” and “%(effect)s” moved together, “%(effect)s” %(when)s.") % figures
    return (
        _("“%(cause)s” and “%(effect)s” moved in opposite directions, “%(effect)s” %(when)s.")
        % figures
    )
