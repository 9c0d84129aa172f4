"""Abuse cases (issue 14, point 12): text that reaches Plotly is escaped for Plotly's own
markup. Plotly draws `<a href>` in any title, legend name, hover text, tick label or bar
text as a link; a measure named `<a href="https://evil.example">Session expired</a>`
must show those characters, not a link. Every figure builder passes the text it takes
from data through `core.plotly_text` (checked on each builder's figure, on a page's chart
JSON, and in a real browser by tests/browser/test_plotly_text.py).
"""

import datetime as dt
import json
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.conf import settings

from alignment import charts as alignment_charts
from alignment.metrics import Metrics
from budgets import charts as budget_charts
from core.plotly_text import plotly_text
from core.roles import OSM_STAFF
from initiatives import charts as initiative_charts
from initiatives.selectors import TimelineMilestone, TimelineRow
from reviews import charts as review_charts
from reviews.calendar import Entry
from tests import factories as f

EVIL = '<a href="https://evil.example">Session expired</a>'
SHOWN = '&lt;a href="https://evil.example"&gt;Session expired&lt;/a&gt;'
TODAY = dt.date(2026, 6, 15)


def strings(value) -> list[str]:
    """Every string in a figure (its keys too), walked without recursion."""
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif hasattr(item, "tolist"):  # a numpy array
            stack.append(item.tolist())
    return found


def assert_text_only(figure: dict, at_least: int = 1) -> None:
    """No string of the figure holds the payload as markup; it is there, escaped."""
    texts = strings(figure)
    assert not [t for t in texts if re.search(r"<a\b", t, re.I)], "a link in the figure"
    assert sum(SHOWN in t for t in texts) >= at_least, "the name is not shown escaped"


def test_plotly_text_escapes_its_markup_and_entities():
    assert plotly_text(EVIL) == SHOWN
    assert plotly_text("R&D <b>bold</b> &lt;") == "R&amp;D &lt;b&gt;bold&lt;/b&gt; &amp;lt;"
    assert plotly_text(12) == "12"


def test_alignment_figures():
    metrics = Metrics(*([Fraction(50)] * 9))
    assert_text_only(alignment_charts.metrics_bar(metrics, EVIL))
    assert_text_only(alignment_charts.index_trend([(TODAY, Decimal("40"))], EVIL))
    rows = [(dt.date(2026, m, 1), float(m), float(m * 2)) for m in range(1, 7)]
    figure = alignment_charts.strategy_test_chart(
        rows, lag=1, frequency="monthly", cause_name=EVIL, effect_name=EVIL, title=EVIL
    )
    assert_text_only(figure, at_least=3)  # the title and both legend names


def test_budget_figure():
    figure = budget_charts.category_split([(EVIL, Decimal("10"), Decimal("5"))], EVIL)
    assert_text_only(figure, at_least=3)  # title, and the category of both bars


def test_initiative_timeline():
    row = TimelineRow(
        label=EVIL, name=EVIL, status="active", start=dt.date(2026, 1, 1), end=None,
        percent_complete=10,
        milestones=(TimelineMilestone(name=EVIL, due=dt.date(2026, 3, 1), done_on=None),),
    )  # fmt: skip
    figure = initiative_charts.timeline([row], today=TODAY, title=EVIL)
    assert_text_only(figure, at_least=4)  # title, bar label and name, milestone's name


def test_calendar_timeline():
    entries = [
        Entry(lane="deadlines", kind="budget_deadline", start=dt.date(2026, 3, 1), end=None,
              title=EVIL, unit_code="BU"),
        Entry(lane="reviews", kind="meeting", start=dt.date(2026, 4, 1),
              end=dt.date(2026, 4, 3), title=EVIL, unit_code="BU"),
        Entry(lane="data_due", kind="data_due", start=dt.date(2026, 5, 10), end=None,
              title=EVIL, unit_code="BU"),
        Entry(lane="data_due", kind="data_due", start=dt.date(2026, 5, 10), end=None,
              title="Second", unit_code="BU"),
    ]  # fmt: skip
    figure = review_charts.calendar_timeline(
        entries, window=(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), today=TODAY, title=EVIL
    )
    assert_text_only(figure, at_least=4)
    # Two values due the same day: one marker, its lines still split by Plotly's <br>.
    assert any(t == f"{SHOWN} (BU)<br>Second (BU)" for t in strings(figure))


@pytest.mark.django_db
def test_the_measure_page_chart(client):
    measure = f.MeasureFactory(name=EVIL, unit_label="<b>%</b>")
    f.MeasureValueFactory(measure=measure)
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    html = client.get(f"/measures/{measure.pk}/").content.decode()
    blocks = re.findall(r'<script id="[^"]+" type="application/json">(.*?)</script>', html, re.S)
    figure = json.loads(blocks[0])
    assert figure["layout"]["title"]["text"] == f"{measure.code} {SHOWN} (&lt;b&gt;%&lt;/b&gt;)"
    assert_text_only(figure)


def test_every_figure_builder_uses_the_helper():
    """Each app's charts.py imports core.plotly_text: a new figure builder of an existing
    module is covered by the tests above only if it escapes too, so this at least keeps a
    new charts module from forgetting it."""
    root = Path(settings.BASE_DIR)
    modules = list(root.glob("*/charts.py"))
    assert len(modules) >= 5
    missing = [str(p.relative_to(root)) for p in modules if "core.plotly_text" not in p.read_text()]
    assert not missing, f"figure builders without core.plotly_text: {missing}"
