"""Test and adapt in a real browser: the Strategy test page draws each tested arrow's chart
with no console error and fits a phone; the dashboard's map arrows carry their verdict in
their hover title and their style; OSM staff run the test from the page. Screenshot:
var/screenshots/strategy-test.png."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import EXECUTIVE, OSM_STAFF
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def month(m: int) -> dt.date:
    return dt.date(2025 + (m - 1) // 12, (m - 1) % 12 + 1, 1)


@pytest.fixture
def world():
    """Acme > Retail (BU): TRAIN → SELL supported at lag 2 months (HRS → REV, 24 months of
    history), CARE → SELL contradicted at lag 1 month (NPS → REV), SHIP → SELL untested; an
    exploratory candidate CARE → TRAIN."""
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent)
    financial = f.PerspectiveFactory(name="Financial")
    customer = f.PerspectiveFactory(name="Customer")
    learning = f.PerspectiveFactory(name="Learning & Growth")
    sell = f.ObjectiveFactory(unit=bu, code="SELL", name="Sell more", perspective=financial)
    care = f.ObjectiveFactory(unit=bu, code="CARE", name="Delight customers", perspective=customer)
    train = f.ObjectiveFactory(unit=bu, code="TRAIN", name="Train staff", perspective=learning)
    ship = f.ObjectiveFactory(unit=bu, code="SHIP", name="Ship on time", perspective=customer)
    hrs = f.MeasureFactory(objective=train, code="HRS", name="Training hours")
    rev = f.MeasureFactory(objective=sell, code="REV", name="Revenue")
    nps = f.MeasureFactory(objective=care, code="NPS", name="Net promoter score")
    for m in range(1, 25):
        wave = (m * 7) % 5  # a wobble the effect echoes two months later
        f.MeasureValueFactory(measure=hrs, period=month(m), actual=Decimal(10 + wave))
        f.MeasureValueFactory(measure=rev, period=month(m + 2), actual=Decimal(100 + 3 * wave))
        f.MeasureValueFactory(measure=nps, period=month(m), actual=Decimal(40 - wave))
    run = f.StrategyTestRunFactory(run_on=dt.date(2027, 3, 1), tests=84)
    f.StrategyTestResultFactory(
        run=run, link=f.CauseEffectFactory(cause=train, effect=sell), cause_measure=hrs,
        effect_measure=rev,
    )  # fmt: skip
    f.StrategyTestResultFactory(
        run=run, link=f.CauseEffectFactory(cause=care, effect=sell), verdict="contradicted",
        cause_measure=nps, effect_measure=rev, lag=1, effect_size=-0.48, ci_low=-0.74,
        ci_high=-0.08, p_adjusted=0.021, periods=22,
    )  # fmt: skip
    f.CauseEffectFactory(cause=ship, effect=sell)
    f.StrategyTestResultFactory(
        run=run, link=None, unit=bu, cause=care, effect=train, exploratory=True,
        cause_measure=nps, effect_measure=hrs, lag=0, effect_size=-0.9, ci_low=-0.96,
        ci_high=-0.78,
    )  # fmt: skip
    return bu


def test_the_strategy_test_page_draws_its_charts(visit, world):
    page = visit.login(f.UserFactory(roles=[EXECUTIVE]), "/units/BU/strategy-test/")
    charts = page.locator("[data-chart].js-plotly-plot")
    expect(charts).to_have_count(2)  # one per tested arrow
    expect(charts.first).to_be_visible()
    expect(charts.last).to_contain_text("REV Revenue, 2 months later (effect)")  # TRAIN → SELL
    page.get_by_text("The statistics behind each verdict").click()  # folded under the words
    table = page.get_by_role("table", name="Each arrow of Retail's strategy map")
    expect(table.get_by_role("row", name="TRAIN Train staff → SELL Sell more")).to_contain_text(
        "Supported"
    )
    expect(
        table.get_by_role("row", name="CARE Delight customers → SELL Sell more")
    ).to_contain_text("Contradicted")
    expect(page.get_by_text("Exploratory: not hypotheses of the map")).to_be_visible()
    expect(page.get_by_text("SHIP Ship on time → SELL Sell more")).to_be_visible()  # not tested
    visit.screenshot("strategy-test")


def test_the_dashboards_arrows_carry_their_verdict(visit, world):
    page = visit.login(f.UserFactory(roles=[EXECUTIVE]), "/units/BU/")
    arrows = page.locator("svg.map g.arrow-link")
    expect(arrows).to_have_count(3)
    titles = {
        arrow.get_attribute("data-verdict"): arrow.locator("title").text_content()
        for arrow in arrows.all()
    }
    assert titles == {
        "supported": "TRAIN drives SELL. Supported: r 0.62 at lag 2 months, adjusted p 0.002, "
        "30 periods, 1 unit",
        "contradicted": "CARE drives SELL. Contradicted: r -0.48 at lag 1 month, adjusted p "
        "0.021, 22 periods, 1 unit",
        "untested": "SHIP drives SELL. Not tested yet",
    }
    # the styles: solid green, red, and the untested grey as before
    line = page.locator('g[data-verdict="supported"] line.arrow')
    assert line.evaluate("e => getComputedStyle(e).stroke") == "rgb(30, 123, 52)"
    assert line.evaluate("e => getComputedStyle(e).strokeDasharray") == "none"
    red = page.locator('g[data-verdict="contradicted"] line.arrow')
    assert red.evaluate("e => getComputedStyle(e).stroke") == "rgb(179, 38, 30)"
    # the accessible table says it in words
    page.get_by_text("Cause-and-effect links (3)").click()
    expect(page.get_by_role("row", name="TRAIN Train staff SELL Sell more")).to_contain_text(
        "Supported r 0.62 at lag 2 months"
    )
    page.get_by_role("link", name="strategy test", exact=True).click()
    page.wait_for_url("**/units/BU/strategy-test/")


def test_the_strategy_test_page_fits_a_phone(phone, world):
    phone.login(f.UserFactory(roles=[EXECUTIVE]))
    page = phone.go("/units/BU/strategy-test/")
    expect(page.locator("[data-chart].js-plotly-plot").first).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_osm_staff_run_the_test_from_the_page(visit, world):
    page = visit.login(f.UserFactory(roles=[OSM_STAFF]), "/units/BU/strategy-test/")
    page.get_by_role("button", name="Run the test now").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("Strategy test done")
    today = timezone.localdate()
    expect(page.locator(".run-date")).to_contain_text(f"{today.day} {today:%b %Y}")
