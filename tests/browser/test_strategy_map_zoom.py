"""The strategy map in Chromium: seven objectives side by side fit a 1440 px screen without
sideways scrolling, names in two lines; on a phone the map fits the screen and zooms."""

import pytest
from playwright.sync_api import expect

from core.roles import EXECUTIVE
from tests import factories as f
from tests.browser.conftest import Visit

pytestmark = pytest.mark.django_db(transaction=True)
NAMES = [
    "Grow revenue profitably",
    "Run lean, safe, high-quality operations",
    "Increase recurring revenue",
    "Improve operating margin",
    "Keep and grow key accounts",
    "Win customers for digital services",
    "Everyone knows and acts on the strategy",
]
GEOMETRY = """() => {
  const frame = document.querySelector(".map-scroll"), svg = frame.querySelector("svg");
  return {page: document.scrollingElement.scrollWidth, frame: frame.clientWidth,
          scroll: frame.scrollWidth, svg: svg.getBoundingClientRect().width};
}"""


@pytest.fixture
def seven(db):
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    financial = f.PerspectiveFactory(name="Financial")
    for i, name in enumerate(NAMES, start=1):
        f.ObjectiveFactory(unit=ent, code=f"F{i}", name=name, perspective=financial)
    return f.UserFactory(roles=[EXECUTIVE])


def test_seven_in_a_row_fit_1440_px_and_names_wrap(chromium, live_server, seven):
    tab = Visit(chromium, live_server.url, width=1440)
    try:
        page = tab.login(seven, "/units/ACME/")
        geometry = page.evaluate(GEOMETRY)
        assert geometry["page"] <= 1440
        assert geometry["scroll"] <= geometry["frame"]  # the map's frame does not scroll
        # drawn at its own size: 120 + 7 x 144 + 10 = 1,138 px, the column is wider
        assert geometry["svg"] == pytest.approx(1138, abs=1)
        lean = page.locator("a.box-link", has_text="F2")
        # 7 boxes of 128 (110 for text): "operations" would need a third line
        expect(lean.locator("tspan")).to_have_text(["Run lean, safe,", "high-quality opera…"])
        assert lean.locator("title").text_content().startswith(f"F2 {NAMES[1]}: ")
    finally:
        tab.close()
    tab.assert_no_console_errors()


def test_on_a_phone_the_map_fits_and_zooms(phone, seven):
    page = phone.login(seven, "/units/ACME/")
    fit = page.evaluate(GEOMETRY)
    assert fit["page"] <= 375 and fit["svg"] <= fit["frame"]
    zoom_in, zoom_out = (
        page.get_by_role("button", name="Zoom in"),
        page.get_by_role("button", name="Zoom out"),
    )
    expect(zoom_out).to_be_disabled()
    zoom_in.click()
    zoomed = page.evaluate(GEOMETRY)
    # 1.5 times as wide, scrolling inside its frame; the page itself does not scroll
    assert zoomed["svg"] == pytest.approx(fit["svg"] * 1.5, abs=1)
    assert zoomed["scroll"] > zoomed["frame"] and zoomed["page"] <= 375
    zoom_in.click()
    assert page.evaluate(GEOMETRY)["svg"] == pytest.approx(fit["svg"] * 2, abs=1)
    page.get_by_role("button", name="Fit").click()
    assert page.evaluate(GEOMETRY)["svg"] == pytest.approx(fit["svg"], abs=1)
    expect(zoom_out).to_be_disabled()
