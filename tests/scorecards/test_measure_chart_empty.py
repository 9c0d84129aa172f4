"""A measure with nothing to draw yet says so ("No values yet") instead of drawing empty axes
(Plotly's default range, -1 to 6), on the measure page and the objective page."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db.models import Q

from core.roles import OSM_STAFF
from scorecards import services
from scorecards.charts import measure_history
from scorecards.selectors.series import load_series
from tests import factories as f

pytestmark = pytest.mark.django_db
EMPTY = "No values yet"
OCT = dt.date(2026, 10, 1)


@pytest.fixture
def objective():
    unit = f.OrgUnitFactory(code="BU", parent=f.EnterpriseFactory(code="ACME"))
    return f.ObjectiveFactory(unit=unit, code="SELL", name="Sell more")


def series_of(measure):
    return load_series(Q(pk=measure.pk))[measure.pk]


def chart_data(html: str, chart_id: str) -> dict:
    found = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html,
                      re.S)  # fmt: skip
    return json.loads(found[1])


def test_a_new_measure_has_no_chart(objective):
    measure = f.MeasureFactory(objective=objective, code="NEW")
    assert measure_history(series_of(measure)) is None


def test_a_value_row_without_a_number_still_has_nothing_to_draw(objective):
    # a row holding only a note: no target, red flag or actual to put on the axes
    measure = f.MeasureFactory(objective=objective, code="NOTE")
    f.MeasureValueFactory(
        measure=measure, period=OCT, actual=None, target=None, red_flag=None, note="soon"
    )
    assert measure_history(series_of(measure)) is None


def test_a_target_alone_is_drawn(objective):
    # the year's targets typed in before the first actual: target 100, and the default red
    # flag 100 - 10% of 100 = 90, no actual yet
    measure = f.MeasureFactory(objective=objective, code="TGT", polarity="increase")
    services.measure_value_record(measure=measure, period=OCT, target=Decimal(100), actor=None)
    target, red_flag, actual = measure_history(series_of(measure))["data"]
    assert (target["y"], red_flag["y"], actual["y"]) == ([100], [90], [None])


def test_the_measure_page_of_a_new_measure_says_no_values_yet(client, objective):
    measure = f.MeasureFactory(objective=objective, code="NEW", name="Brand new")
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    html = client.get(f"/measures/{measure.pk}/").content.decode()
    assert EMPTY in html
    assert 'data-chart="history"' not in html and 'id="history"' not in html
    assert "plotly" not in html  # nothing to draw: the bundle is not even loaded


def test_the_measure_page_draws_the_chart_once_there_is_a_value(client, objective):
    measure = f.MeasureFactory(objective=objective, code="REV")
    services.measure_value_record(
        measure=measure, period=OCT, actual=Decimal(95), target=Decimal(100), actor=None
    )
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    html = client.get(f"/measures/{measure.pk}/").content.decode()
    assert EMPTY not in html
    assert chart_data(html, "history")["data"][2]["y"] == [95]
    assert "vendor/plotly/plotly-basic.min.js" in html


def test_the_objective_page_says_it_for_the_new_measure_only(client, objective):
    drawn = f.MeasureFactory(objective=objective, code="A")
    f.MeasureFactory(objective=objective, code="B")  # new, no value
    services.measure_value_record(
        measure=drawn, period=OCT, actual=Decimal(95), target=Decimal(100), actor=None
    )
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    html = client.get(f"/objectives/{objective.pk}/").content.decode()
    assert html.count(EMPTY) == 1
    assert len(re.findall(r'<div class="chart" data-chart="m\d+"', html)) == 1
    assert chart_data(html, "m0")["data"][2]["y"] == [95]  # A's actual; B is second


def test_the_hover_writes_the_places_the_measure_declares(objective):
    # Plotly's own choice otherwise: 77.95 typed for a measure of two places, 1234.5 for one
    # without places declared
    two = f.MeasureFactory(objective=objective, code="TWO", decimal_places=2)
    services.measure_value_record(measure=two, period=OCT, actual=Decimal("77.95"), actor=None)
    assert measure_history(series_of(two))["layout"]["yaxis"]["hoverformat"] == ",.2f"
    free = f.MeasureFactory(objective=objective, code="FREE", decimal_places=None)
    services.measure_value_record(measure=free, period=OCT, actual=Decimal("1234.5"), actor=None)
    assert "hoverformat" not in measure_history(series_of(free))["layout"].get("yaxis", {})
