"""The awareness trend of a unit across the closed pulses that asked it, and its chart with
the article's baseline (Kaplan & Norton: 5% of employees understand their strategy).

The world (tests/communication/worlds.py): ACME > BU > DEP, OTHER beside BU."""

import datetime as dt
from fractions import Fraction as F

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from communication.pulse_charts import awareness_trend as trend_chart
from communication.pulse_charts import baseline_label
from communication.selectors.pulses import TrendPoint, awareness_trend
from tests.communication.worlds import answers, pulse_world
from tests.factories import PulseFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)
T, N = True, False


def closed(unit, title, month):
    return PulseFactory(unit=unit, title=title, opens_on=dt.date(2026, month, 1),
                        closes_on=dt.date(2026, month, 20))  # fmt: skip


@pytest.fixture
def w():
    return pulse_world()  # its own pulse of BU is open today: not in any trend


def test_the_trend_of_bu_oldest_first(w):
    march = closed(w.acme, "March (ACME)", 3)  # covers BU: of the unit above
    answers(march, w.bu, [(T, 3)] * 2 + [(N, 3)] * 3)  # BU 2/5 = 40
    june = closed(w.bu, "June (BU)", 6)
    answers(june, w.dep, [(T, 3)] * 3)  # BU's subtree: 3 answers, too few
    september = closed(w.bu, "September (BU)", 9)
    answers(september, w.bu, [(T, 3)] * 4)
    answers(september, w.dep, [(T, 3), (N, 3), (N, 3)])  # BU 5/7 = 500/7
    other = closed(w.other, "OTHER's", 10)  # does not ask BU
    answers(other, w.other, [(T, 3)] * 5)
    points = awareness_trend(w.bu, today=TODAY)
    assert [(p.title, p.responses, p.awareness) for p in points] == [
        ("March (ACME)", 5, F(40)),
        ("June (BU)", 3, None),
        ("September (BU)", 7, F(500, 7)),
    ]


def test_the_trend_of_dep_reads_its_subtree_only(w):
    march = closed(w.acme, "March", 3)
    answers(march, w.bu, [(T, 3)] * 10)
    answers(march, w.dep, [(N, 3)] * 5)  # DEP 0/5
    assert [(p.responses, p.awareness) for p in awareness_trend(w.dep, today=TODAY)] == [(5, F(0))]


def test_the_trend_hides_what_the_results_hide(w):
    # BU 1 answer of its own, DEP 5: DEP's figure would give BU's one away: hidden.
    pulse = closed(w.bu, "Small", 4)
    answers(pulse, w.bu, [(N, 1)])
    answers(pulse, w.dep, [(T, 4)] * 5)
    assert [p.awareness for p in awareness_trend(w.dep, today=TODAY)] == [None]
    assert [p.awareness for p in awareness_trend(w.bu, today=TODAY)] == [F(500, 6)]


def test_the_trend_takes_the_same_queries_for_more_pulses(w):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            awareness_trend(w.bu, today=TODAY)
        return len(captured)

    answers(closed(w.acme, "One", 2), w.bu, [(T, 1)] * 5)
    few = queries()
    for month in range(3, 10):
        answers(closed(w.bu if month % 2 else w.acme, f"M{month}", month), w.dep, [(T, 2)] * 6)
    assert queries() == few


def test_the_chart_draws_the_baseline():
    points = [
        TrendPoint(1, "Spring <b>", dt.date(2026, 3, 20), 12, F(100, 3)),
        TrendPoint(2, "Autumn", dt.date(2026, 10, 20), 3, None),
    ]
    figure = trend_chart(points, "Awareness of BU")
    (line,) = figure["data"]
    assert line["x"] == ["2026-03-20", "2026-10-20"]
    assert line["y"] == [33.33, None]  # a gap where the figure is not shown
    assert "&lt;b&gt;" in line["customdata"][0]  # titles are text, not markup
    (shape,) = figure["layout"]["shapes"]
    assert (shape["y0"], shape["y1"], shape["xref"]) == (5.0, 5.0, "paper")
    (note,) = figure["layout"]["annotations"]
    assert note["text"] == "Kaplan &amp; Norton: 5% of employees understand their strategy"
    assert figure["layout"]["yaxis"]["range"] == [0, 100]


def test_the_baseline_in_another_language():
    with translation.override("fr"):
        assert "5" in baseline_label()
    assert baseline_label() == "Kaplan & Norton: 5% of employees understand their strategy"
