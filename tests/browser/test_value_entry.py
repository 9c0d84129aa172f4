"""A measure owner enters values in a real Chromium, typing what people type: each test
asserts what is stored in the database afterwards, not only what the page says.

OEE is a percentage with one decimal place; June 2026 is stored: 76.5 against 80, red flag
75 (Watch).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from core.roles import MEASURE_OWNER
from scorecards import services
from scorecards.models import MeasureValue
from tests import factories as f
from tests.browser.conftest import Visit

pytestmark = pytest.mark.django_db(transaction=True)
JUN, OCT = dt.date(2026, 6, 1), dt.date(2026, 10, 1)
D = Decimal


@pytest.fixture
def world():
    owner = f.UserFactory(username="owner", roles=[MEASURE_OWNER])
    unit = f.OrgUnitFactory(code="PLANT", name="Plant", parent=f.EnterpriseFactory())
    oee = f.MeasureFactory(
        objective=f.ObjectiveFactory(unit=unit), code="OEE", name="Equipment effectiveness",
        unit_label="%", decimal_places=1, owner=owner,
    )  # fmt: skip
    f.MeasureValueFactory(measure=oee, period=JUN, actual=D("76.5"), target=D(80), red_flag=D(75))
    return {"oee": oee, "owner": owner}


def stored(world, period=JUN):
    return MeasureValue.objects.filter(measure=world["oee"], period=period).first()


def open_period(page, text: str, shown: str):
    """Type a period, leave the field, and wait for htmx to load what is stored for it."""
    period = page.get_by_label("Period")
    period.fill(text)
    period.press("Tab")
    expect(page.get_by_label("Period")).to_have_value(shown)


def entry(visit, world):
    return visit.login(world["owner"], f"/measures/{world['oee'].pk}/")


def test_a_decimal_comma_in_english_is_refused_and_the_stored_value_kept(visit, world):
    page = entry(visit, world)
    open_period(page, "2026-06", "2026-06")
    actual = page.get_by_role("textbox", name="Actual")
    expect(actual).to_have_value("76.5")
    expect(actual).to_have_attribute("inputmode", "decimal")
    actual.fill("77,9")
    page.get_by_role("button", name="Save value").click()
    expect(page.locator("#value-form")).to_contain_text(
        "Write 77.9 for a decimal; a comma separates thousands, as in 12,500."
    )
    expect(page.get_by_role("textbox", name="Actual")).to_have_value("77,9")  # as typed
    assert stored(world).actual == D("76.5")  # neither 779 nor 77.9
    visit.screenshot("value-decimal-comma-refused")


def test_text_is_refused_and_the_stored_value_kept(visit, world):
    page = entry(visit, world)
    open_period(page, "Jun 2026", "2026-06")
    page.get_by_role("textbox", name="Actual").fill("about eighty")
    page.get_by_role("button", name="Save value").click()
    expect(page.locator("#value-form")).to_contain_text("'about eighty' is not a number.")
    value = stored(world)
    assert (value.actual, value.target, value.red_flag) == (D("76.5"), D(80), D(75))


def test_an_emptied_actual_keeps_the_stored_one(visit, world):
    page = entry(visit, world)
    open_period(page, "06/2026", "2026-06")
    page.get_by_role("textbox", name="Actual").fill("")
    page.get_by_label("Note").fill("Checked with the plant.")
    page.get_by_role("button", name="Save value").click()
    expect(page.get_by_role("status")).to_contain_text(
        "OEE, Jun 2026: note added; status Watch, unchanged."
    )
    value = stored(world)
    assert (value.actual, value.note) == (D("76.5"), "Checked with the plant.")


def test_clearing_an_actual_is_its_own_confirmed_action_and_in_history(visit, world):
    page = entry(visit, world)
    page.get_by_role("link", name="Clear a figure of Jun 2026").click()
    expect(page.get_by_role("heading", name="Clear figures of OEE for Jun 2026")).to_be_visible()
    expect(page.get_by_label("Actual (76.5)")).to_be_checked()
    expect(page.get_by_label("Target (80)")).not_to_be_checked()
    assert stored(world).actual == D("76.5")  # the page only asks
    page.get_by_role("button", name="Clear", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "OEE, Jun 2026: actual 76.5 cleared; status Watch → No data."
    )
    value = stored(world)
    assert (value.actual, value.target) == (None, D(80))
    history = list(value.history.order_by("history_id"))
    assert [h.actual for h in history] == [D("76.5"), None]
    assert history[-1].history_user == world["owner"]


def test_a_period_typed_as_oct_2026_is_stored_for_october(visit, world):
    # October's target, 80, is set (by the unit's head: the owner enters actuals)
    services.measure_value_record(measure=world["oee"], period=OCT, target=D(80), actor=None)
    page = entry(visit, world)
    open_period(page, "Oct 2026", "2026-10")
    expect(page.get_by_role("textbox", name="Actual")).to_have_value("")
    page.get_by_role("textbox", name="Actual").fill("78.4")
    page.get_by_role("button", name="Save value").click()
    expect(page.get_by_role("status")).to_contain_text(
        "OEE, Oct 2026: actual set to 78.4; status No data → Watch."
    )
    value = stored(world, OCT)
    assert (value.period, value.actual, value.target) == (OCT, D("78.4"), D(80))


def test_a_period_that_cannot_be_read_stays_with_its_reason(visit, world):
    page = entry(visit, world)
    period = page.get_by_label("Period")
    period.fill("soon")
    period.press("Tab")
    expect(page.locator("#value-form")).to_contain_text("'soon' is not a period")
    expect(page.get_by_label("Period")).to_have_value("soon")  # never wiped
    page.get_by_role("textbox", name="Actual").fill("78")
    page.get_by_role("button", name="Save value").click()
    expect(page.locator("#value-form")).to_contain_text("'soon' is not a period")
    assert MeasureValue.objects.count() == 1


def test_the_month_picker_fills_the_period(visit, world):
    page = entry(visit, world)
    picker = page.get_by_label("Pick a month")
    expect(picker).to_be_visible()
    picker.fill("2026-06")
    expect(page.get_by_label("Period")).to_have_value("2026-06")
    expect(page.get_by_role("textbox", name="Actual")).to_have_value("76.5")


def test_an_unusual_figure_is_saved_only_once_confirmed(visit, world):
    # January to May: 75..79. With June's 76.5 and 80 the history is 75, 76, 76.5, 77, 78,
    # 79, 80: median 77, MAD 1; 99 has z = 0.6745 * 22 / 1 = 14.8.
    for month, actual in zip(range(1, 6), range(75, 80), strict=True):
        f.MeasureValueFactory(measure=world["oee"], period=dt.date(2026, month, 1),
                              actual=D(actual), target=None, red_flag=None)  # fmt: skip
    page = entry(visit, world)
    open_period(page, "October 2026", "2026-10")
    page.get_by_role("textbox", name="Actual").fill("99")
    page.get_by_role("button", name="Save value").click()
    expect(page.locator("#confirm-unusual")).to_contain_text("Nothing was saved.")
    assert stored(world, OCT) is None
    page.get_by_role("button", name="Yes, save actual 99").click()
    expect(page.get_by_role("status")).to_contain_text("OEE, Oct 2026: actual set to 99")
    assert stored(world, OCT).actual == D(99)


class InLanguage:
    """The browser with a language set, as a French person's is: its pages ask for French
    (Accept-Language: fr-FR)."""

    def __init__(self, browser, locale: str):
        self.browser, self.locale = browser, locale

    def new_context(self, **kwargs):
        return self.browser.new_context(locale=self.locale, **kwargs)


@pytest.fixture
def french(chromium, live_server):
    tab = Visit(InLanguage(chromium, "fr-FR"), live_server.url)
    yield tab
    tab.close()
    tab.assert_no_console_errors()


def signed_in(tab, user, path: str):
    """Open `path` signed in as `user` through a session cookie (the sign-in page's words
    are in the tab's language)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    tab.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": tab.base_url}]
    )
    return tab.go(path)


def test_in_french_a_decimal_comma_is_the_decimal(french, world):
    page = signed_in(french, world["owner"], f"/measures/{world['oee'].pk}/")
    period = page.locator("#id_period")
    period.fill("2026-06")
    period.press("Tab")
    expect(page.locator("#id_actual")).to_have_value("76,5")  # shown in French
    page.locator("#id_actual").fill("77,9")
    page.locator("#value-form button[type=submit]:not([name])").click()
    expect(page.get_by_role("status")).to_contain_text("77,9")
    assert stored(world).actual == D("77.9")
