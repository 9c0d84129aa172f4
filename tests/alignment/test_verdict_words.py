"""A strategy test's verdict in plain words (alignment/verdict_words.py): pure functions,
each sentence written out in full here."""

import pytest

from alignment.verdict_words import (
    candidate_sentence,
    count,
    number,
    strength,
    verdict_sentence,
    when,
)


def words(verdict, **figures):
    arrow = {"cause": "Train staff", "effect": "Sell more", "frequency": "monthly"}
    return verdict_sentence(verdict=verdict, **{**arrow, **figures})


def test_a_supported_arrow():
    assert words("supported", lag=2, r=0.62, periods=30) == (
        "“Sell more” has moved with “Train staff” two months later: when one got better, so "
        "did the other, and worse followed worse (a strong link over 30 months of history, "
        "too regular to be chance). The arrow holds."
    )


def test_a_supported_arrow_pooled_over_units_in_quarters_in_the_same_period():
    sentence = words("supported", lag=0, r=0.35, periods=14, units=3, frequency="quarterly")
    assert sentence == (
        "“Sell more” has moved with “Train staff” in the same quarter: when one got better, so "
        "did the other, and worse followed worse (a moderate link over 14 quarters of history "
        "from three units, too regular to be chance). The arrow holds."
    )


def test_a_contradicted_arrow():
    # r -0.51 read with the polarities: the effect got worse when the cause got better.
    assert words("contradicted", lag=1, r=-0.51, periods=14, units=3, frequency="quarterly") == (
        "“Sell more” has moved against “Train staff” one quarter later: when one got better, "
        "the other got worse (a strong link over 14 quarters of history from three units, too "
        "regular to be chance). The data say the opposite of the arrow: worth discussing at "
        "the next strategy review."
    )


def test_an_arrow_not_supported():
    assert words("not_supported", lag=3, r=0.12, periods=24, max_lag=6) == (
        "No clear link yet: over 24 months of history, “Sell more” did not follow “Train "
        "staff” in the same month or up to six months later more regularly than chance "
        "would. The arrow is not borne out by the data so far."
    )


def test_too_little_history():
    assert words("insufficient_data", lag=None, r=None, periods=8) == (
        "Too early to judge “Train staff” → “Sell more”: the two have only eight months of "
        "history in common, and the test needs at least twelve months to tell a link from "
        "chance."
    )
    assert words("insufficient_data", lag=None, r=None, periods=0, frequency="quarterly") == (
        "Too early to judge “Train staff” → “Sell more”: the two have no quarter of history in "
        "common, and the test needs at least twelve quarters to tell a link from chance."
    )


def test_a_verdict_without_its_figures_is_not_judged_on_them():
    assert words("supported", lag=None, r=None, periods=5).startswith("Too early to judge")


def test_an_unknown_verdict_is_refused():
    with pytest.raises(ValueError, match="unknown verdict 'maybe'"):
        words("maybe", lag=1, r=0.5, periods=20)


@pytest.mark.parametrize(
    ("r", "expected"),
    [(0.0, "weak"), (0.29, "weak"), (-0.3, "moderate"), (0.49, "moderate"), (0.5, "strong"),
     (-0.95, "strong")],
)  # fmt: skip
def test_strength_goes_by_the_size_of_r(r, expected):
    assert strength(r) == expected


def test_counts_and_lags_in_words():
    assert count(1, "monthly") == "one month"
    assert count(12, "monthly") == "twelve months"
    assert count(13, "quarterly") == "13 quarters"
    assert count(2, "annual") == "two periods"
    assert number(1500) == "1,500"
    assert when(0, "monthly") == "in the same month"
    assert when(1, "quarterly") == "one quarter later"
    assert when(4, "annual") == "four periods later"


def test_candidates_say_which_way_they_moved():
    pair = {"cause": "Delight customers", "effect": "Train staff", "frequency": "monthly"}
    assert candidate_sentence(**pair, lag=2, r=0.71) == (
        "“Delight customers” and “Train staff” moved together, “Train staff” two months later."
    )
    assert candidate_sentence(**pair, lag=0, r=-0.6) == (
        "“Delight customers” and “Train staff” moved in opposite directions, in the same month."
    )
    assert candidate_sentence(**pair, lag=None, r=None) == (
        "“Delight customers” and “Train staff”: too little history to say how they moved."
    )
