"""Choosing among very many in a real browser: a person (an owner) and a rollup's sources
are searched on the server as the person types (core/people.py, scorecards'
measures-below search); what is stored afterwards is asserted."""

import pytest
from playwright.sync_api import expect

from core.roles import OSM_STAFF, UNIT_HEAD
from scorecards.choices import Rollup
from tests import factories as f
from tests.browser.test_measure_setup import choose

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_owner_is_found_by_typing_part_of_the_name(visit):
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    head = f.UserFactory(username="head", roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent, head=head)
    sell = f.ObjectiveFactory(unit=bu, code="SELL", name="Sell more", owner=None)
    zelda = f.UserFactory(username="zz", first_name="Zelda", last_name="Zimmer")
    f.UserFactory(username="zed", first_name="Zed", last_name="Other")

    page = visit.login(head, f"/objectives/{sell.pk}/edit/")
    choose(page, "id_owner", "zimm", "Zelda Zimmer")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Saved SELL")
    sell.refresh_from_db()
    assert sell.owner == zelda


def test_a_rollup_source_is_added_by_typing_and_the_old_one_is_kept(visit):
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent)
    staff = f.UserFactory(roles=[OSM_STAFF])
    total = f.MeasureFactory(
        objective=f.ObjectiveFactory(unit=ent), code="UNITS", rollup=Rollup.SUM
    )
    north = f.MeasureFactory(objective=f.ObjectiveFactory(unit=bu), code="NORTH", name="North")
    south = f.MeasureFactory(objective=f.ObjectiveFactory(unit=bu), code="SOUTH", name="South")
    f.RollupSourceFactory(rollup_measure=total, source=north)

    page = visit.login(staff, f"/measures/{total.pk}/edit/")
    expect(page.locator("#id_sources + .ts-wrapper .item")).to_contain_text(["BU.NORTH North"])
    choose(page, "id_sources", "bu.sou", "BU.SOUTH South")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Saved the measure UNITS")
    assert set(total.sources.values_list("pk", flat=True)) == {north.pk, south.pk}
