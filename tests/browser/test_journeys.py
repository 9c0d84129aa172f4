"""What people do in OSM, in a real browser: each journey fails on a console error."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.roles import EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from scorecards import services
from scorecards.models import MeasureValue, Objective
from scorecards.periods import add_months
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)
THIS_MONTH = timezone.localdate().replace(day=1)


@pytest.fixture
def world():
    """Acme: GROW (with the measure REV) and CARE; the business unit BU supports GROW."""
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    head = f.UserFactory(username="head", roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent, head=head)
    financial = f.PerspectiveFactory(name="Financial", order=1)
    customer = f.PerspectiveFactory(name="Customer", order=2)
    grow = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow revenue", perspective=financial)
    care = f.ObjectiveFactory(unit=ent, code="CARE", name="Delight customers", perspective=customer)
    f.CauseEffectFactory(cause=care, effect=grow)
    f.ObjectiveFactory(
        unit=bu, code="SELL", name="Sell more", perspective=financial, supports=[grow]
    )
    owner = f.UserFactory(username="owner", roles=[MEASURE_OWNER])
    rev = f.MeasureFactory(
        objective=grow, code="REV", name="Revenue", unit_label="kEUR", owner=owner
    )
    # Two months back: 95 against 100 (default red flag 90): yellow, "Watch".
    services.measure_value_record(
        measure=rev,
        period=add_months(THIS_MONTH, -2),
        actual=Decimal(95),
        target=Decimal(100),
        actor=None,
    )
    return {"ent": ent, "bu": bu, "grow": grow, "care": care, "rev": rev, "head": head,
            "owner": owner}  # fmt: skip


def test_an_executive_clicks_from_the_map_to_an_objective_to_a_measure_chart(visit, world):
    page = visit.login(f.UserFactory(roles=[EXECUTIVE]))
    expect(page.get_by_role("heading", name="Acme scorecard")).to_be_visible()
    box = page.locator(f'a.box-link[href="/objectives/{world["grow"].pk}/"]')
    expect(box).to_contain_text("GROW")
    expect(box).to_contain_text("Watch")  # the status in text, not only in colour
    visit.screenshot("dashboard")
    box.click()
    page.wait_for_url(f"**/objectives/{world['grow'].pk}/")
    expect(page.get_by_role("heading", name="GROW Grow revenue")).to_be_visible()
    expect(page.locator(".measure-card .js-plotly-plot")).to_have_count(1)  # Plotly drew it
    visit.screenshot("objective")
    page.get_by_role("link", name="REV Revenue").click()
    page.wait_for_url(f"**/measures/{world['rev'].pk}/")
    expect(page.locator('[data-chart="history"].js-plotly-plot')).to_be_visible()
    expect(page.locator('[data-chart="history"] .scatterlayer .trace')).to_have_count(3)


def test_a_unit_head_cascades_a_new_objective_under_a_corporate_one(visit, world):
    page = visit.login(world["head"], "/units/BU/cascade/")
    gaps = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("Not supported"))
    )
    expect(gaps).to_contain_text("CARE")
    page.get_by_role("link", name="Cascade CARE").click()
    expect(page.get_by_label("Perspective").locator("option:checked")).to_have_text("Customer")
    # The cascaded objective is already chosen in the searchable box (Tom Select)
    expect(page.locator("#id_supports + .ts-wrapper .item")).to_contain_text(["ACME.CARE"])
    page.get_by_label("Code").fill("SERVE")
    page.get_by_label("Name").fill("Serve every shopper well")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Created SERVE")
    expect(page.get_by_text("Every objective of the units above is supported")).to_be_visible()
    serve = Objective.objects.get(unit=world["bu"], code="SERVE")
    assert list(serve.supports.values_list("code", flat=True)) == ["CARE"]
    assert serve.perspective.name == "Customer"  # taken from CARE


def last_month_target(world):
    """Last month's target of REV, 100, set by its unit's head (an owner enters actuals)."""
    services.measure_value_record(measure=world["rev"], period=add_months(THIS_MONTH, -1),
                                  target=Decimal(100), actor=world["head"])  # fmt: skip


def test_a_measure_owner_enters_a_value_and_sees_the_status_change(visit, world):
    last_month_target(world)
    page = visit.login(world["owner"], "/my/updates/")
    page.get_by_role("link", name=re.compile(r"^Enter REV")).first.click()
    page.wait_for_url(re.compile(rf"/measures/{world['rev'].pk}/"))
    header = page.locator(".page-head")
    expect(header).to_contain_text("Watch")
    # htmx: choosing a stored period loads its figures into the form.
    period = page.get_by_label("Period")
    period.fill(f"{add_months(THIS_MONTH, -2):%Y-%m}")
    period.press("Tab")
    expect(page.get_by_role("textbox", name="Actual")).to_have_value("95")
    # Last month: 120 against 100, above target: green, "On target".
    page.get_by_label("Period").fill(f"{add_months(THIS_MONTH, -1):%Y-%m}")
    page.get_by_label("Period").press("Tab")
    expect(page.get_by_role("textbox", name="Actual")).to_have_value("")
    page.get_by_role("textbox", name="Actual").fill("120")
    expect(page.get_by_role("textbox", name="Target")).to_have_count(0)  # the head's
    page.get_by_role("button", name="Save value").click()
    expect(page.get_by_role("status")).to_contain_text(
        "actual set to 120; status No data → On target"
    )
    expect(header).to_contain_text("On target")
    value = MeasureValue.objects.get(measure=world["rev"], period=add_months(THIS_MONTH, -1))
    assert (value.actual, value.entered_by) == (120, world["owner"])


def test_a_red_value_without_a_note_is_refused_next_to_the_note(visit, world):
    last_month_target(world)
    page = visit.login(world["owner"], f"/measures/{world['rev'].pk}/")
    page.get_by_label("Period").fill(f"{add_months(THIS_MONTH, -1):%Y-%m}")
    page.get_by_label("Period").press("Tab")
    page.get_by_role("textbox", name="Actual").fill("50")
    page.get_by_role("button", name="Save value").click()
    note = page.get_by_label("Note")
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#value-form")).to_contain_text("This value is off target")
    assert MeasureValue.objects.get(period=add_months(THIS_MONTH, -1)).actual is None


PHONE_PAGES = ["/", "/units/BU/", "/units/BU/cascade/", "/my/updates/", "/alignment/",
               "/budgets/", "/initiatives/", "/people/", "/people/alignment/",
               "/people/templates/", "/measures/upload/"]  # fmt: skip


# The elements reaching past the screen's right edge (outside a scrolling box), to say which.
WIDEST = """
[...document.querySelectorAll('body *')].filter(e => {
  const r = e.getBoundingClientRect();
  if (r.right <= document.documentElement.clientWidth + 1) return false;
  for (let p = e.parentElement; p; p = p.parentElement) {
    const s = getComputedStyle(p).overflowX;
    if (s === 'auto' || s === 'scroll' || s === 'hidden') return false;
  }
  return true;
}).slice(0, 5)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
"""


def test_pages_fit_a_phone(phone, world):
    phone.login(f.UserFactory(roles=[OSM_STAFF]))
    for path in [*PHONE_PAGES, f"/objectives/{world['grow'].pk}/", f"/measures/{world['rev'].pk}/"]:
        page = phone.go(path)
        page.wait_for_load_state("load")
        culprits = None
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            culprits = page.evaluate(WIDEST)
        assert overflow <= 0, f"{path} is {overflow}px wider than a 375px screen: {culprits}"
        if path == "/":
            phone.screenshot("dashboard-phone")


def test_the_budget_page_draws_its_split(visit, world):
    year = timezone.localdate().year  # the fiscal year starts in January in the tests
    f.BudgetLineFactory(unit=world["bu"], fiscal_year=year, label="Stores", planned=Decimal(800),
                        objective=world["grow"])  # fmt: skip
    f.BudgetLineFactory(unit=world["bu"], fiscal_year=year, label="Launch", planned=Decimal(200),
                        stratex=True)  # fmt: skip
    page = visit.login(f.UserFactory(roles=[EXECUTIVE]), "/budgets/")
    expect(page.locator('[data-chart="split-chart-data"].js-plotly-plot')).to_be_visible()
    expect(page.get_by_text("Stores").first).to_be_visible()
    # 800 of the 1,000 planned name an objective: 80% linked.
    expect(page.locator("body")).to_contain_text("80.00%")
    visit.screenshot("budget")


def test_a_value_can_be_entered_with_the_keyboard_alone(visit, world):
    last_month_target(world)
    page = visit.login(world["owner"], f"/measures/{world['rev'].pk}/")
    page.keyboard.press("Tab")  # the first stop is the skip link
    expect(page.locator(".skip-link")).to_be_focused()
    period = page.get_by_label("Period")
    period.focus()
    period.fill(f"{add_months(THIS_MONTH, -1):%Y-%m}")
    page.keyboard.press("Tab")  # to Actual (htmx reloads the form for the period)
    expect(page.get_by_role("textbox", name="Actual")).to_have_value("")
    page.get_by_role("textbox", name="Actual").focus()
    page.keyboard.type("101")
    page.keyboard.press("Enter")  # submits the form
    expect(page.get_by_role("status")).to_contain_text("status No data → On target")


def test_hr_links_a_goal_to_an_objective_of_the_employees_unit_chain(visit, world):
    from people.models import Goal

    employee = f.EmployeeFactory(name="Ann Lee", unit=world["bu"], job_family="Sales")
    year = timezone.localdate().year
    page = visit.login(f.UserFactory(roles=[HR]), "/people/")
    page.get_by_role("link", name="Ann Lee").click()
    page.wait_for_url(f"**/people/{employee.pk}/**")
    page.get_by_role("link", name="Add a performance goal").click()
    objective = page.get_by_label("Objective")
    # Only the objectives of BU and the units above it are offered.
    options = objective.locator("option").all_inner_texts()
    assert any("ACME.GROW" in text for text in options)
    assert any("BU.SELL" in text for text in options)
    page.get_by_label("Title").fill("Open two new stores")
    objective.select_option(label="ACME.GROW Grow revenue")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.locator("body")).to_contain_text("Open two new stores")
    goal = Goal.objects.get(employee=employee)
    assert (goal.title, goal.objective, goal.fiscal_year) == (
        "Open two new stores", world["grow"], year,
    )  # fmt: skip
