"""Closing a month in a real browser (issue 15): the OSM staff member reads what is still
missing, closes October 2026 from the Reporting months page; the measure's owner then finds
October marked closed and, typing a correction for it anyway, is refused with nothing
changed; reopened with a reason, the correction goes through. Screenshots in
var/screenshots/ (closing-a-month-*.png)."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.roles import MEASURE_OWNER, OSM_STAFF
from scorecards.models import MeasureValue, ReportingPeriod
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)
OCT = dt.date(2026, 10, 1)


@pytest.fixture
def owner_tab(second_tab):
    """A second browser, the measure owner's, beside the OSM staff member's."""
    return second_tab


def test_closing_october_locks_its_values_until_it_is_reopened(visit, owner_tab):
    owner = f.UserFactory(username="olga", roles=[MEASURE_OWNER])
    staff = f.UserFactory(username="sam", roles=[OSM_STAFF])
    unit = f.OrgUnitFactory(code="PLANT", parent=f.EnterpriseFactory(code="ACME"))
    objective = f.ObjectiveFactory(unit=unit)
    oee = f.MeasureFactory(objective=objective, code="OEE", owner=owner, decimal_places=1)
    f.MeasureValueFactory(measure=oee, period=OCT, actual=Decimal("77.9"), target=Decimal(80),
                          red_flag=Decimal(75))  # fmt: skip
    scrap = f.MeasureFactory(objective=objective, code="SCRAP", name="Scrap rate", owner=owner)
    f.MeasureValueFactory(measure=scrap, period=dt.date(2026, 9, 1))  # October still missing

    page = visit.login(staff, "/reporting/months/")
    page.get_by_role("link", name="Close October 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close October 2026")
    expect(page.get_by_text("1 value is still missing")).to_be_visible()
    expect(page.get_by_role("link", name="SCRAP Scrap rate")).to_be_visible()
    visit.screenshot("closing-a-month-checklist")
    page.get_by_role("button", name="Close the month").click()
    expect(page.get_by_role("status")).to_contain_text("Closed October 2026.")
    expect(page.locator("#month-2026-10")).to_contain_text("Closed by")
    visit.screenshot("closing-a-month-closed")
    assert ReportingPeriod.objects.get(month=OCT).closed_by == staff

    tab = owner_tab
    page = tab.login(owner, f"/measures/{oee.pk}/")
    october = page.get_by_role("row").filter(has_text="Oct 2026")
    expect(october.get_by_text("Closed")).to_be_visible()
    period = page.locator("#id_period")
    period.fill("Oct 2026")
    period.press("Tab")  # the form comes back with October's stored figures
    expect(page.locator("#id_actual")).to_have_value("77.9")
    page.locator("#id_actual").fill("79.2")
    page.locator("#value-form button[type=submit]:not([name])").click()
    expect(page.locator("#id_period_error")).to_contain_text("Oct 2026 is closed")
    tab.screenshot("closing-a-month-refused")
    assert MeasureValue.objects.get(measure=oee, period=OCT).actual == Decimal("77.9")

    page = visit.go("/reporting/months/2026-10/reopen/")
    page.get_by_label("Why is the month reopened?").fill("OEE of October was misread")
    page.get_by_role("button", name="Reopen the month").click()
    expect(page.locator("#month-2026-10")).to_contain_text("OEE of October was misread")
    page = tab.go(f"/measures/{oee.pk}/?period=2026-10")
    page.locator("#id_actual").fill("79.2")
    page.locator("#value-form button[type=submit]:not([name])").click()
    expect(page.get_by_role("status")).to_contain_text("79.2")
    assert MeasureValue.objects.get(measure=oee, period=OCT).actual == Decimal("79.2")
