"""The strategy map as the dashboard draws it: names in two lines, the whole name in the
box's title, a drawing that scales (viewBox) and zooms."""

import re

import pytest

from core.roles import EXECUTIVE
from tests import factories as f

pytestmark = pytest.mark.django_db
LONG = "Run lean, safe, high-quality operations"


@pytest.fixture
def page(client):
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    perspective = f.PerspectiveFactory(name="Internal Process")
    f.ObjectiveFactory(unit=ent, code="LEAN", name=LONG, perspective=perspective)
    return client.get("/units/ACME/").content.decode()


def test_a_long_name_is_wrapped_not_cut(page):
    svg = page[page.index("<svg") : page.index("</svg>")]
    box = svg[svg.index('class="box-link"') :]
    # One column: a 200-wide box, 182 px for text at 12 px; "Run lean, safe, high-quality"
    # is 145.4 px and fits; "Run lean, safe, high-quality operations" (12,117 + 278 +
    # 4,669 thousandths of an em: 204.8 px) does not: "operations" goes to the second line.
    lines = re.findall(r"<tspan [^>]*>([^<]*)</tspan>", box[: box.index("</a>")])
    assert lines == ["Run lean, safe, high-quality", "operations"]
    assert f"<title>LEAN {LONG}: " in box  # the whole name for hover and screen readers
    assert "…" not in box


def test_the_drawing_scales_and_zooms(page):
    svg_tag = re.search(r"<svg [^>]*class=\"map\"[^>]*>", page).group(0)
    assert re.search(r'viewBox="0 0 \d+ \d+"', svg_tag)
    assert 'class="map-zoom" role="group"' in page and 'data-zoom="in"' in page
    assert '<script src="/static/js/map-zoom.js" defer>' in page
    viewport = re.search(r'<meta name="viewport" content="([^"]+)"', page).group(1)
    assert "user-scalable" not in viewport and "maximum-scale" not in viewport  # pinch zoom
