"""Strategy communication in a real browser on a phone (issue 17, item 7): an employee
reads the strategy as it concerns her on a 375-pixel screen, opens the announcement to her
unit (a read mark is stored), and answers an awareness pulse with her thumb (the answer is
stored with her unit, and that she answered apart from it). Screenshots are kept.

Emma works in SHOP below BU below ACME. GROW (ACME) is off target: 70 against a target of
100 with a red flag at 90; FLOOR (SHOP) supports SELL (BU), which supports GROW."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from communication.models import AnnouncementRead, PulseAnswer, PulseRespondent
from core.roles import EMPLOYEE
from scorecards import services
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def world(settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent)
    shop = f.DepartmentFactory(code="SHOP", name="Shops", parent=bu)
    grow = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow revenue")
    sell = f.ObjectiveFactory(unit=bu, code="SELL", name="Sell more", supports=[grow])
    floor = f.ObjectiveFactory(unit=shop, code="FLOOR", name="Floor ready", supports=[sell])
    other = f.OrgUnitFactory(code="FAR", name="Far away", parent=ent)
    f.ObjectiveFactory(unit=other, code="AWAY", name="Keep far things tidy")
    last_month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    services.measure_value_record(
        measure=f.MeasureFactory(objective=grow), period=last_month, actual=Decimal(70),
        target=Decimal(100), red_flag=Decimal(90), actor=None,
    )  # fmt: skip
    user = f.UserFactory(username="emma", first_name="Emma", roles=[EMPLOYEE])
    emma = f.EmployeeFactory(user=user, unit=shop, name="Emma Novak")
    f.GoalFactory(employee=emma, fiscal_year=dt.date.today().year, title="Open on time",
                  objective=floor)  # fmt: skip
    news = f.AnnouncementFactory(unit=bu, title="Lean week", body="Daily *huddles* at 8:30.")
    today = dt.date.today()
    pulse = f.PulseFactory(unit=ent, title="Strategy pulse", opens_on=today - dt.timedelta(days=1),
                           closes_on=today + dt.timedelta(days=7))  # fmt: skip
    return {"user": user, "shop": shop, "floor": floor, "news": news, "pulse": pulse}


def test_strategy_on_a_page_fits_a_phone(phone, world):
    page = phone.login(world["user"], "/my/strategy/")
    red = page.locator(
        "section", has=page.get_by_role("heading", name="Off target along your chain")
    )
    expect(red).to_contain_text("ACME.GROW Grow revenue")
    expect(page.get_by_role("heading", name="Your unit: Shops")).to_be_visible()
    expect(page.get_by_role("link", name="Lean week")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0, "My strategy is wider than a 375px screen"
    phone.screenshot("strategy-on-a-page-phone")
    page.get_by_role("link", name="Lean week").click()
    expect(page.get_by_role("heading", name="Lean week")).to_be_visible()
    assert AnnouncementRead.objects.filter(announcement=world["news"], user=world["user"]).exists()


def test_answering_a_pulse_on_a_phone(phone, world):
    page = phone.login(world["user"], "/pulses/")
    page.get_by_role("link", name="Answer Strategy pulse").click()
    expect(
        page.get_by_role("group", name="Which objective does your work serve most?")
    ).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0, "the pulse is wider than a 375px screen"
    phone.screenshot("pulse-answer-phone")
    page.get_by_role("button", name="Send my answer").click()  # nothing chosen: refused
    expect(page.get_by_text("Choose from 1 (not at all) to 5 (very well).")).to_be_visible()
    assert not PulseRespondent.objects.exists() and not PulseAnswer.objects.exists()
    page.get_by_label("Floor ready").check()
    page.get_by_label("4 · Well").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Thank you", exact=False).first).to_be_visible()
    # Stored: that Emma answered, and apart from it, an answer from SHOP naming FLOOR (of
    # her own chain: aware) with understanding 4; nothing in the answer names her.
    assert list(PulseRespondent.objects.values_list("user__username", flat=True)) == ["emma"]
    answer = PulseAnswer.objects.get()
    assert (answer.unit_id, answer.objective_id, answer.aware, answer.understanding) == (
        world["shop"].pk, world["floor"].pk, True, 4,
    )  # fmt: skip
