"""Text that reaches Plotly is drawn as text in a real browser: a measure named like a
link shows its characters in the chart's title and no link in the chart's SVG
(core/plotly_text.py)."""

import pytest

from core.roles import OSM_STAFF
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

EVIL = '<a href="https://evil.example">Session expired</a>'


def test_a_measure_named_as_a_link_is_drawn_as_text(visit):
    staff = f.UserFactory(username="staff", roles=[OSM_STAFF])
    measure = f.MeasureFactory(code="M", name=EVIL, unit_label="<b>%</b>")
    f.MeasureValueFactory(measure=measure)
    page = visit.login(staff, f"/measures/{measure.pk}/")
    title = page.locator(".js-plotly-plot .gtitle")
    title.wait_for()
    # The characters as typed, in the drawn title; no link and no bold anywhere in it.
    assert title.text_content() == f"M {EVIL} (<b>%</b>)"
    chart = page.locator(".js-plotly-plot")
    assert chart.locator("a").count() == 0
    assert page.locator('a[href="https://evil.example"]').count() == 0
    assert chart.locator("svg [style*='font-weight: bold']").count() == 0
