"""Setup without the admin, in a real browser: the OSM staff follow the navigation to
Setup, add a unit below another, move it, are told why a unit with units below it cannot
be deleted, and delete one that nothing depends on; each step checked in the database.
Screenshot: var/screenshots/setup.png."""

import pytest
from playwright.sync_api import expect

from core.roles import OSM_STAFF
from scorecards.models import OrgUnit, Theme
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tree():
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    retail = f.OrgUnitFactory(code="BU", name="Retail", parent=ent)
    f.OrgUnitFactory(code="IT", name="Information technology", parent=ent, kind="support")
    f.DepartmentFactory(code="STORES", name="Stores", parent=retail)
    return ent


def test_osm_staff_set_up_units_and_themes_in_the_app(visit, tree):
    page = visit.login(f.UserFactory(username="osm", roles=[OSM_STAFF]), "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Setup").click()
    page.wait_for_url("**/setup/")
    expect(page.get_by_role("heading", name="Setup", exact=True)).to_be_visible()

    # A unit below Retail, as a person types it.
    page.get_by_role("link", name="Add a unit below BU").click()
    page.get_by_label("Code").fill("WEB")
    page.get_by_label("Name").fill("Web shop")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/setup/#unit-WEB")
    expect(page.get_by_text("Created the unit WEB Web shop.")).to_be_visible()
    web = OrgUnit.objects.get(code="WEB")
    assert (web.name, web.kind, web.parent.code) == ("Web shop", "department", "BU")

    # Moved under IT.
    page.get_by_role("link", name="Move WEB").click()
    page.get_by_label("New parent").select_option(label="— Information technology")
    page.get_by_role("button", name="Move").click()
    page.wait_for_url("**/setup/#unit-WEB")
    assert OrgUnit.objects.get(code="WEB").parent.code == "IT"

    # A theme of Retail.
    page.get_by_role("link", name="Add a theme to BU").click()
    page.get_by_label("Name").fill("Omnichannel")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/setup/#unit-BU")
    assert Theme.objects.get(name="Omnichannel").unit.code == "BU"

    # Retail has a unit below it: the refusal says so and nothing goes.
    page.get_by_role("link", name="Delete BU", exact=True).click()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("alert")).to_contain_text("Org unit 'Retail' cannot be deleted")
    assert OrgUnit.objects.filter(code="BU").exists()

    # The new unit has nothing in it: it goes.
    page.goto(visit.base_url + "/setup/")
    page.get_by_role("link", name="Delete WEB", exact=True).click()
    page.get_by_role("button", name="Delete").click()
    page.wait_for_url("**/setup/#unit-IT")
    assert not OrgUnit.objects.filter(code="WEB").exists()
    visit.screenshot("setup")
