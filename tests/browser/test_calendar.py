"""The strategy calendar in a real browser: the timeline draws with no console error, the
table lists the entries by month, an event added through the form appears, and the page
fits a phone. Its screenshot is var/screenshots/calendar.png."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import EXECUTIVE, UNIT_HEAD
from reviews.models import CalendarEvent
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    """Acme > Retail (headed by `head`): this fiscal year's cycle (the fiscal year starts in
    January in the tests), two measures and a review meeting."""
    year = timezone.localdate().year
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    head = f.UserFactory(username="head", roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent, head=head)
    steps = [
        (ent, "goal_setting", "Goal setting", (1, 12), (1, 30)),
        (ent, "strategy_refresh", "Executive offsite", (3, 10), (3, 12)),
        (ent, "target_setting", "Targets for next year", (9, 1), (9, 19)),
        (ent, "stratex_deadline", "STRATEX requests due", (10, 5), None),
        (bu, "budget_deadline", "Retail budget to Finance", (10, 26), None),
        (ent, "budget_deadline", "Budgets due", (11, 2), None),
    ]
    for unit, kind, title, start, end in steps:
        f.CalendarEventFactory(
            unit=unit, kind=kind, title=title, starts_on=dt.date(year, *start),
            ends_on=dt.date(year, *end) if end else None,
        )  # fmt: skip
    objective = f.ObjectiveFactory(unit=bu, code="SELL")
    f.MeasureFactory(objective=objective, code="REV")
    f.MeasureFactory(objective=objective, code="NPS", frequency="quarterly")
    f.ReviewMeetingFactory(
        unit=bu, title="Retail operational review",
        scheduled_for=timezone.make_aware(dt.datetime(year, 6, 9, 9)),
    )  # fmt: skip
    return {"ent": ent, "bu": bu, "head": head, "year": year}


def test_the_calendar_draws_its_timeline(visit, world):
    page = visit.login(f.UserFactory(roles=[EXECUTIVE]), "/calendar/")
    expect(page.locator('[data-chart="calendar-chart-data"].js-plotly-plot')).to_be_visible()
    # the lanes are drawn as the axis's labels, and the table lists every entry by month
    chart = page.locator('[data-chart="calendar-chart-data"]')
    expect(chart).to_contain_text("Budget, STRATEX")
    expect(chart).to_contain_text("Reviews")
    expect(page.get_by_role("heading", name=f"March {world['year']}")).to_be_visible()
    expect(page.get_by_role("link", name="Retail operational review")).to_be_visible()
    expect(page.get_by_text("1 monthly value due").first).to_be_visible()
    visit.screenshot("calendar")


def test_a_unit_head_adds_his_units_budget_deadline(visit, world):
    page = visit.login(world["head"], "/calendar/")
    page.get_by_role("link", name="Add an event").click()
    page.wait_for_url("**/calendar/events/new/?unit=BU")
    page.get_by_label("Kind").select_option("budget_deadline")
    page.get_by_label("Title").fill("Retail capex review")
    page.get_by_label("Starts on").fill(f"{world['year']}-10-19")
    page.get_by_role("button", name="Add the event").click()
    page.wait_for_url(f"**/calendar/?unit=BU&year={world['year']}")
    expect(page.get_by_role("link", name="Retail capex review", exact=True)).to_be_visible()
    assert CalendarEvent.objects.filter(title="Retail capex review", unit=world["bu"]).exists()


def test_the_calendar_fits_a_phone(phone, world):
    phone.login(f.UserFactory(roles=[EXECUTIVE]))
    page = phone.go("/calendar/")
    expect(page.locator('[data-chart="calendar-chart-data"].js-plotly-plot')).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"/calendar/ is {overflow}px wider than a 375px screen"
    phone.screenshot("calendar-phone")
