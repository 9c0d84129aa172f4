"""Report packs in a real browser: a head uploads a workbook of values as people fill them
(a number cell, a figure typed as text with a decimal comma in French, a blank cell), and
an executive downloads the scorecard workbook from the dashboard's download menu."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from playwright.sync_api import expect

from core.models import Preferences
from core.roles import EXECUTIVE, UNIT_HEAD
from scorecards import services
from scorecards.models import MeasureValue
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)
OCTOBER, NOVEMBER = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


@pytest.fixture
def world():
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    head = f.UserFactory(username="head", roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent, head=head)
    grow = f.ObjectiveFactory(unit=bu, code="GROW", name="Grow revenue")
    rev = f.MeasureFactory(objective=grow, code="REV", name="Revenue")
    otd = f.MeasureFactory(objective=grow, code="OTD", name="On-time delivery")
    services.measure_value_record(
        measure=otd, period=OCTOBER, actual=Decimal(90), target=Decimal(95), actor=None
    )
    return {"bu": bu, "head": head, "rev": rev, "otd": otd}


def values_workbook(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["measure_code", "period", "actual", "target"])
    sheet.append(["BU.REV", "2026-11", 77.9, 80])  # numbers as Excel stores them
    sheet.append(["BU.OTD", "2026-10", "91,5", None])  # typed as text, the target left blank
    book.save(path)


def test_a_head_uploads_a_workbook_of_values_in_french(visit, world, tmp_path):
    workbook = tmp_path / "values.xlsx"
    values_workbook(workbook)
    Preferences.objects.create(user=world["head"], language="fr")
    page = visit.login(world["head"], "/measures/upload/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.locator('input[type="file"]').set_input_files(str(workbook))
    page.locator('button[name="preview"]').click()
    expect(page.locator('button[name="confirm"]')).to_be_visible()
    assert not MeasureValue.objects.filter(measure=world["rev"]).exists()  # a preview only
    page.locator('button[name="confirm"]').click()
    page.wait_for_load_state()
    rev = MeasureValue.objects.get(measure=world["rev"], period=NOVEMBER)
    assert (rev.actual, rev.target) == (Decimal("77.9"), Decimal(80))
    otd = MeasureValue.objects.get(measure=world["otd"], period=OCTOBER)
    # "91,5" in French is 91.5; the blank target kept the stored 95.
    assert (otd.actual, otd.target) == (Decimal("91.5"), Decimal(95))


def test_an_executive_downloads_the_scorecard_from_the_dashboard(visit, world):
    page = visit.login(f.UserFactory(roles=[EXECUTIVE]), "/units/BU/")
    page.locator("details.downloads summary").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Scorecard (Excel)").click()
    assert download.value.suggested_filename.startswith("BU-scorecard-")
    # Playwright names the saved file without its extension, which openpyxl wants.
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = list(book["Scorecard"].iter_rows(min_row=5, values_only=True))
    otd = next(r for r in rows if r[5] == "OTD")
    # 90 against 95 (red flag 95 - 9.5 = 85.5): watched, scored 10/3 + 4.5/9.5 * 10/3 = 4.91
    assert (otd[9], otd[10], otd[12], otd[13]) == (90, 95, 4.91, "Watch")
