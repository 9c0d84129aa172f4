"""The unit dashboards: /units/<code>/ (and / for the enterprise)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.roles import EXECUTIVE
from scorecards import services
from scorecards.periods import add_months
from tests import factories as f

pytestmark = pytest.mark.django_db
LAST = add_months(timezone.localdate().replace(day=1), -1)


@pytest.fixture
def org(client):
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent)
    f.DepartmentFactory(code="SHOP", name="Shops", parent=bu)
    low = f.ObjectiveFactory(unit=bu, code="LOW", name="Sell more")
    measure = f.MeasureFactory(objective=low, code="S", name="Sales")
    # 70 against target 100, red flag 90: (70 - 90) / 10 * 10/3 + 10/3 < 0 -> 0, red
    services.measure_value_record(
        measure=measure, period=add_months(LAST, -1), actual=Decimal(70), target=Decimal(100),
        red_flag=Decimal(90),
    actor=None)  # fmt: skip
    f.ReviewMeetingFactory(
        unit=bu, title="Retail review", scheduled_for=timezone.now() + dt.timedelta(days=3)
    )
    return ent, bu


def test_unit_dashboard(client, org):
    response = client.get("/units/BU/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'Retail <span class="muted">scorecard</span>' in html
    assert 'href="/">Acme</a>' in html  # the breadcrumb up to the enterprise
    assert 'href="/units/SHOP/"' in html  # a link down
    assert "LOW Sell more" in html and "status-red" in html  # needs attention
    assert "Overdue" in html  # last month's value was never entered
    assert "Retail review" in html


def test_month_and_year_to_date(client, org):
    html = client.get(f"/units/BU/?as_of={add_months(LAST, -1):%Y-%m}&ytd=1").content.decode()
    assert "Year to date to" in html
    assert add_months(LAST, -1).strftime("%B %Y") in html


@pytest.mark.parametrize("as_of", ["2026-13", "soon", "9999-01"])
def test_a_bad_month_is_a_400_with_the_message(client, org, as_of):
    response = client.get(f"/units/BU/?as_of={as_of}")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_unknown_unit_and_the_picker(client, org):
    assert client.get("/units/NOPE/").status_code == 404
    response = client.get("/units/?unit=SHOP&as_of=2026-01")
    assert response.status_code == 302
    assert response["Location"] == "/units/SHOP/?as_of=2026-01"
    assert client.get("/units/?unit=").status_code == 302  # back to the enterprise


def test_queries_do_not_grow_with_the_units_and_objectives(client, org):
    _, bu = org
    f.ObjectiveFactory(unit=bu, code="EMPTY")  # one without data: the cascade is read too
    client.get("/units/BU/")  # warm-up
    with CaptureQueriesContext(connection) as small:
        client.get("/units/BU/")
    for i in range(6):
        unit = f.DepartmentFactory(code=f"D{i}", parent=bu)
        f.ObjectiveFactory(unit=unit)
        f.ObjectiveFactory(unit=bu, code=f"MORE{i}")
    with CaptureQueriesContext(connection) as large:
        client.get("/units/BU/")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_strategy_map_is_drawn_with_links_and_an_arrow_table(client, org):
    _, bu = org
    cause = f.ObjectiveFactory(unit=bu, code="TRAIN", name="Train staff")
    f.CauseEffectFactory(cause=cause, effect=bu.objectives.get(code="LOW"))
    html = client.get("/units/BU/").content.decode()
    assert "<svg" in html and 'class="box box-red"' in html
    assert f'href="/objectives/{cause.pk}/"' in html and f'id="objective-{cause.pk}"' in html
    assert "TRAIN drives LOW" in html  # the arrow's title
    assert "Cause-and-effect links (1)" in html


def test_the_map_arrows_show_the_latest_strategy_tests_verdict(client, org):
    _, bu = org
    low = bu.objectives.get(code="LOW")
    train = f.ObjectiveFactory(unit=bu, code="TRAIN", name="Train staff")
    care = f.ObjectiveFactory(unit=bu, code="CARE", name="Delight customers")
    ship = f.ObjectiveFactory(unit=bu, code="SHIP", name="Ship on time")
    f.StrategyTestResultFactory(
        run=f.StrategyTestRunFactory(run_on=dt.date(2026, 10, 1)),
        link=f.CauseEffectFactory(cause=care, effect=low), verdict="supported",
    )  # fmt: skip
    run = f.StrategyTestRunFactory(run_on=dt.date(2026, 11, 27))  # the latest: served
    f.StrategyTestResultFactory(run=run, link=f.CauseEffectFactory(cause=train, effect=low))
    f.StrategyTestResultFactory(
        run=run, link=care.effects.get(), verdict="contradicted", lag=1, frequency="quarterly",
        effect_size=-0.5, p_adjusted=0.01, periods=14, units=3,
    )  # fmt: skip
    f.CauseEffectFactory(cause=ship, effect=low)  # drawn after the run
    html = client.get("/units/BU/").content.decode()
    # the factory's supported result: r 0.62 at lag 2 (monthly), adjusted p 0.002, 30, 1
    assert (
        "<title>TRAIN drives LOW. Supported: r 0.62 at lag 2 months, adjusted p 0.002, "
        "30 periods, 1 unit</title>"
    ) in html
    assert 'class="arrow arrow-supported" marker-end="url(#arrow-head-supported)"' in html
    # the older run's "supported" for CARE is superseded by the latest's "contradicted"
    assert "CARE drives LOW. Contradicted: r -0.50 at lag 1 quarter, adjusted p 0.010" in html
    assert 'class="arrow arrow-contradicted"' in html
    assert "SHIP drives LOW. Not tested yet" in html
    assert 'class="arrow arrow-untested" marker-end="url(#arrow-head)"' in html
    # the accessible table has a verdict column, and the legend names every style
    assert '<th scope="col">Strategy test</th>' in html
    assert '<span class="verdict verdict-contradicted">Contradicted</span>' in html
    assert '<span class="verdict verdict-untested">Not tested</span>' in html
    for label in ("Supported", "Contradicted", "Not supported", "Insufficient data"):
        assert f"</svg> {label}</li>" in html
    assert 'href="/units/BU/strategy-test/"' in html


def test_queries_do_not_grow_with_the_strategy_tests(client, org):
    _, bu = org
    low = bu.objectives.get(code="LOW")
    run = f.StrategyTestRunFactory()
    f.StrategyTestResultFactory(run=run, link=f.CauseEffectFactory(cause__unit=bu, effect=low))
    client.get("/units/BU/")  # warm-up
    with CaptureQueriesContext(connection) as small:
        client.get("/units/BU/")
    for _ in range(6):
        f.StrategyTestResultFactory(
            run=run, link=f.CauseEffectFactory(cause__unit=bu, effect=low), verdict="not_supported"
        )
    with CaptureQueriesContext(connection) as large:
        html = client.get("/units/BU/").content.decode()
    assert html.count('class="arrow arrow-not_supported" marker-end') == 6
    assert len(large.captured_queries) == len(small.captured_queries)
