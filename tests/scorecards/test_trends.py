"""Trend arrows: the arrow follows the actual, the word says better or worse by polarity."""

import datetime as dt
import re
from fractions import Fraction
from pathlib import Path

import pytest
from django.conf import settings

from scorecards import trends
from scorecards.scoring import PeriodValue
from scorecards.selectors.scorecard import Clock, read_measure
from scorecards.selectors.series import MeasureInfo, Series
from scorecards.templatetags.osm_trends import trend_badge


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (Fraction(101), Fraction(100), "up"),
        (Fraction(99), Fraction(100), "down"),
        (Fraction(100), Fraction(100), "flat"),
        (Fraction(1, 3), Fraction(333, 1000), "up"),  # exact: 1/3 > 0.333
        (None, Fraction(1), None),
        (Fraction(1), None, None),
    ],
)
def test_movement(current, previous, expected):
    assert trends.movement(current, previous) == expected


@pytest.mark.parametrize(
    ("moved", "polarity", "expected"),
    [
        ("up", "increase", "better"),  # revenue up
        ("down", "increase", "worse"),  # revenue down
        ("up", "decrease", "worse"),  # cost up
        ("down", "decrease", "better"),  # cost down
        ("flat", "increase", "steady"),
        ("flat", "decrease", "steady"),
        (None, "increase", None),
    ],
)
def test_verdict(moved, polarity, expected):
    assert trends.verdict(moved, polarity) == expected


def test_a_year_to_date_sum_is_compared_by_its_run_rate():
    # 30 over 3 periods is 10 a period; an average or a latest value stays as it is
    assert trends.comparable(Fraction(30), 3, "sum") == 10
    assert trends.comparable(Fraction(30), 3, "average") == 30
    assert trends.comparable(Fraction(30), 3, "last") == 30
    assert trends.comparable(None, 3, "sum") is None


def series(polarity, aggregation, *values):
    info = MeasureInfo(
        id=1, objective_id=1, unit_id=1, unit_code="U", code="C", name="Cost", unit_label="",
        polarity=polarity, frequency="monthly", aggregation=aggregation, weight=Fraction(1),
        tolerance=Fraction(1, 10), formula=None, rollup="none",
    )  # fmt: skip
    periods = [dt.date(2026, m, 1) for m in range(1, len(values) + 1)]
    pairs = zip(periods, values, strict=True)
    return Series(info, {p: PeriodValue(p, Fraction(a), Fraction(g)) for p, (a, g) in pairs})


CLOCK = Clock(dt.date(2026, 3, 1), dt.date(2026, 3, 20), 10, 1)


def test_cost_going_up_reads_worse_though_still_on_target():
    # lower is better: 80 then 90 against a target of 100 -> both green, but cost went up
    reading = read_measure(series("decrease", "sum", (80, 100), (90, 100)), CLOCK)
    assert (reading.status, reading.movement, reading.verdict) == ("green", "up", "worse")
    assert '▲</span><span class="visually-hidden">up,</span> worse' in trend_badge(reading)
    assert 'class="trend trend-worse"' in trend_badge(reading)


def test_year_to_date_compares_run_rates():
    """Sales, summed: January 10, February 20, March 12 against 10 a month. Year to date in
    March: 42 over 3 months, 14 a month; before March: 30 over 2, 15 a month: down, worse
    (though the sum itself grew from 30 to 42)."""
    reading = read_measure(series("increase", "sum", (10, 10), (20, 10), (12, 10)), CLOCK, ytd=True)
    assert reading.actual == 42
    assert (reading.movement, reading.verdict) == ("down", "worse")


def test_no_earlier_period_no_trend():
    reading = read_measure(series("increase", "sum", (10, 10)), CLOCK)
    assert reading.movement is None and reading.verdict is None
    assert trend_badge(reading) == "\u2013"


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, two: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_trend_colours_are_readable():
    """The better, worse and steady words, on white (tables, cards) and on the page's
    background, read at 4.5:1 at least (WCAG AA), as the stylesheet sets them."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "osm.css").read_text()
    variables = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    assert contrast("#ffffff", "#000000") == pytest.approx(21)  # the formula itself
    for rule in ("trend", "trend-better", "trend-worse"):
        found = re.search(rf"\.{rule} \{{[^}}]*color: var\(--([a-z-]+)\)", css)
        assert found, f".{rule} sets no colour"
        colour = variables[found[1]]
        for background in ("#ffffff", variables["bg"]):
            assert contrast(colour, background) >= 4.5, (rule, colour, background)
