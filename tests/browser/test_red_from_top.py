"""Red is visible from the top, in a real browser: a measure owner signs in, lands on My
updates, enters a red value with the reason; the CEO signs in, lands on the enterprise's
dashboard and finds that red objective of a department two levels below, with the owner's
note, one click from its page; the unit head lands on his unit; an employee on her strategy.

ACME > BU (headed by Hugo) > SHOP. SHOP's objective SELL has the measure S (owned by
Olive): target 100 and red flag 90 set in advance for the latest period due, actual missing
(overdue). Olive types 70: 10/3 + (70 - 90)/(100 - 90) · 10/3 < 0, so 0.00, red.
"""

import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import EMPLOYEE, EXECUTIVE, MEASURE_OWNER, UNIT_HEAD
from scorecards import scoring, services
from scorecards.models import MeasureValue
from tests import factories as f
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
NOTE = "Two stores shut for works; they reopen next month."


@pytest.fixture
def world():
    today = timezone.localdate()
    due = scoring.latest_due_period(
        "monthly", settings.FISCAL_YEAR_START_MONTH, today, today, settings.MEASURE_DUE_DAYS
    )
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    hugo = f.UserFactory(username="hugo", first_name="Hugo", roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent, head=hugo)
    shop = f.DepartmentFactory(code="SHOP", name="Shops", parent=bu)
    f.ObjectiveFactory(unit=ent, code="GROW", name="Grow")
    sell = f.ObjectiveFactory(unit=shop, code="SELL", name="Sell more")
    olive = f.UserFactory(username="olive", first_name="Olive", roles=[MEASURE_OWNER])
    sales = f.MeasureFactory(objective=sell, code="S", name="Store sales", owner=olive)
    # Set up before the period due, so that it owes that period's actual.
    type(sales).objects.filter(pk=sales.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=365)
    )
    services.measure_value_record(
        measure=sales, period=due, target=100, red_flag=90, actor=None
    )  # the target, set in advance; the actual is owed
    emma = f.UserFactory(username="emma", first_name="Emma", roles=[EMPLOYEE])
    f.EmployeeFactory(user=emma, unit=shop, name="Emma Novak")
    ceo = f.UserFactory(username="ceo", roles=[EXECUTIVE])
    return locals()


def sign_in(visit, user, lands_on: str):
    """Sign in through the login form, without `next`, and arrive where the role's work is."""
    page = visit.page
    page.goto(visit.base_url + "/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(visit.base_url + lands_on)
    return page


def test_a_red_value_entered_below_is_seen_from_the_top_with_its_reason(visit, world):
    sell, sales, due = world["sell"], world["sales"], world["due"]
    # The owner lands on My updates and opens the overdue value's entry.
    page = sign_in(visit, world["olive"], "/my/updates/")
    page.get_by_role("link", name=re.compile(rf"^Enter S for {due:%b %Y}")).click()
    page.wait_for_url(re.compile(rf"/measures/{sales.pk}/\?period={due:%Y-%m}"))
    form = page.locator("#value-form")
    form.get_by_label("Actual").fill("70")
    form.get_by_label("Note").fill(NOTE)
    form.get_by_role("button", name="Save value").click()
    expect(page.get_by_role("status")).to_contain_text("status No data → Off target")
    stored = MeasureValue.objects.get(measure=sales, period=due)
    assert (stored.actual, stored.target, stored.note) == (70, 100, NOTE)
    page.get_by_role("button", name="Log out").click()

    # The CEO lands on the enterprise's dashboard and sees SHOP's red with the reason.
    page = sign_in(visit, world["ceo"], "/")
    attention = page.locator("section.subtree-attention")
    expect(attention).to_contain_text("1 off target, 0 to watch in Acme and the units below it")
    expect(attention.get_by_role("link", name="Shops")).to_be_visible()
    expect(attention).to_contain_text(NOTE)
    visit.screenshot("red-from-the-top")
    attention.get_by_role("link", name="SELL Sell more").click()
    page.wait_for_url(f"**/objectives/{sell.pk}/")
    expect(page.locator(".measure-card")).to_contain_text(f"Owner's note on {due:%b %Y}: {NOTE}")
    page.get_by_role("button", name="Log out").click()


def test_each_role_signs_in_where_its_work_is(visit, world):
    services.measure_value_record(
        measure=world["sales"], period=world["due"], actual=70, note=NOTE, actor=None
    )  # red: on every dashboard above SHOP
    for user, path in (
        (world["hugo"], "/units/BU/"),
        (world["olive"], "/my/updates/"),
        (world["emma"], "/my/strategy/"),
        (world["ceo"], "/"),
    ):
        page = sign_in(visit, user, path)
        if user == world["hugo"]:  # his unit's dashboard shows the red below it
            expect(page.locator("section.subtree-attention")).to_contain_text("Shops")
        if user == world["emma"]:
            expect(page.get_by_role("heading", name=re.compile("Your unit: Shops"))).to_be_visible()
        page.get_by_role("button", name="Log out").click()


def test_the_red_and_my_strategy_fit_a_phone(phone, world):
    services.measure_value_record(
        measure=world["sales"], period=world["due"], actual=70, note=NOTE, actor=None
    )
    for user, path in ((world["ceo"], "/"), (world["emma"], "/my/strategy/")):
        page = sign_in(phone, user, path)
        expect(page.get_by_text(NOTE if path == "/" else "Your unit:")).to_be_visible()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than a 375px screen"
        phone.screenshot("my-strategy-phone" if path != "/" else "red-from-the-top-phone")
        page.get_by_role("button", name="Menu").click()  # the navigation folds on a phone
        page.get_by_role("button", name="Log out").click()
