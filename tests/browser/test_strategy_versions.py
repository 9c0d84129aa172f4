"""Strategy versions in a real browser (issue 17, item 7): a unit head publishes his map as
"Plan 2026", the map changes (an objective renamed, one added), he publishes "Plan 2027",
then compares the two on the versions page and reads what changed. What is stored is
checked, not only what is shown; the page is kept as a screenshot."""

import pytest
from playwright.sync_api import expect

from scorecards.models import Objective, StrategyVersion
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    top = f.EnterpriseFactory(code="TOP", name="Top")
    head = f.UserFactory(username="head", roles=["Unit head"])
    unit = f.OrgUnitFactory(code="BU", name="Retail", parent=top, head=head)
    sell = f.ObjectiveFactory(unit=unit, code="SELL", name="Sell")
    f.MeasureFactory(objective=sell, code="REV", name="Revenue")
    return {"unit": unit, "head": head, "sell": sell}


def publish(page, name: str, note: str = ""):
    page.get_by_label("Name").fill(name)
    if note:
        page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()


def test_a_head_publishes_twice_and_compares(visit, world):
    page = visit.login(world["head"], "/units/BU/versions/")
    expect(page.get_by_role("heading", name="Publish a version")).to_be_visible()
    publish(page, "Plan 2026", "Approved by the board")
    expect(page.get_by_role("rowheader", name="Plan 2026")).to_be_visible()
    first = StrategyVersion.objects.get(unit=world["unit"])
    assert (first.name, first.note, first.published_by) == (
        "Plan 2026",
        "Approved by the board",
        world["head"],
    )
    # A year of strategy work: SELL renamed, KEEP added.
    Objective.objects.filter(pk=world["sell"].pk).update(name="Sell abroad")
    f.ObjectiveFactory(unit=world["unit"], code="KEEP", name="Keep customers")
    publish(page, "Plan 2027")
    assert list(
        StrategyVersion.objects.filter(unit=world["unit"]).order_by("pk").values_list("name")
    ) == [("Plan 2026",), ("Plan 2027",)]

    page.get_by_label("Older").select_option(label="Plan 2026")
    page.get_by_label("Newer").select_option(label="Plan 2027")
    page.get_by_role("button", name="Compare").click()
    expect(
        page.get_by_role("heading", name="Comparing versions of Retail's strategy")
    ).to_be_visible()
    objectives = page.locator("section", has=page.get_by_role("heading", name="Objectives"))
    expect(objectives).to_contain_text("BU.KEEP")
    expect(objectives).to_contain_text("Sell → Sell abroad")
    assert "a=" in page.url and f"b={StrategyVersion.objects.get(name='Plan 2027').pk}" in page.url
    visit.screenshot("strategy-versions-compared")
