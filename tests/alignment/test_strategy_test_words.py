"""The Strategy test page speaks plainly first: each arrow's verdict in a sentence
(alignment/verdict_words.py) before any statistic; the method, r, p-values and the
Benjamini-Hochberg adjustment stay on the page, one click away in <details>."""

import re

import pytest

from core.roles import EXECUTIVE

from .test_strategy_test_page import URL, login, world  # noqa: F401 (the page's fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world")]


def visible_before_details(html: str) -> str:
    """The page without what sits inside <details> (a click away)."""
    return re.sub(r"<details.*?</details>", "", html, flags=re.S)


def test_each_verdict_in_plain_words_first(client):
    login(client, [EXECUTIVE])
    html = client.get(URL).content.decode()
    shown = visible_before_details(html)
    # The run's figures (tests/factories.py and the world fixture): TRAIN → SELL supported at
    # lag 2 months, r 0.62, 30 periods, 1 unit; CARE → SELL contradicted at lag 1 quarter,
    # r -0.51, 14 periods, 3 units; SHIP → SELL insufficient, 0 periods.
    for sentence in [
        "“Sell more” has moved with “Train staff” two months later: when one got better, so "
        "did the other, and worse followed worse (a strong link over 30 months of history, "
        "too regular to be chance). The arrow holds.",
        "“Sell more” has moved against “Delight customers” one quarter later: when one got "
        "better, the other got worse (a strong link over 14 quarters of history from three "
        "units, too regular to be chance).",
        "Too early to judge “Ship on time” → “Sell more”: the two have no month of history in "
        "common",
        "“Delight customers” and “Train staff” moved together, in the same month.",
    ]:
        assert sentence in shown, sentence
    # The words come before the figures: the first sentence precedes the first statistic.
    assert html.index("The arrow holds.") < html.index("0.62")


def test_the_statistics_are_one_click_away(client):
    login(client, [EXECUTIVE])
    html = client.get(URL).content.decode()
    shown = visible_before_details(html)
    for jargon in ["stationary", "Benjamini", "p-value", "Adjusted p", "Effect size r"]:
        assert jargon not in shown, jargon
        assert jargon in html, jargon  # still on the page, inside <details>
    assert "<summary>How the test decides</summary>" in html
    assert "<summary>The statistics behind each verdict</summary>" in html
    assert "42 tests adjusted together" in html and ">0.002<" in html
