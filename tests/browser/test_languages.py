"""OSM in a person's own language, in a real browser: a unit head whose browser speaks
English chooses French from the top bar, the pages follow, and an amount typed the French
way ("12,5") is stored as 12.5; back in English, "12,5" is refused and nothing is stored.
Each page fails the test on a console error (see conftest.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from budgets.models import BudgetLine
from core.models import Preferences
from core.roles import UNIT_HEAD
from scorecards.services import measure_value_record
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def head():
    user = f.UserFactory(first_name="Hélène", last_name="Head", roles=[UNIT_HEAD])
    f.OrgUnitFactory(code="B1", name="Unit B1", parent=f.EnterpriseFactory(), head=user)
    return user


def fill_line(page, *, label: str, planned: str) -> None:
    """The new budget line form, in French: an OPEX line of 2026."""
    page.get_by_label("Exercice").fill("2026")
    page.get_by_label("Catégorie").select_option("opex")
    page.get_by_label("Libellé").fill(label)
    page.get_by_label("Prévu").fill(planned)
    page.get_by_label("Réalisé").fill("0")


def test_a_french_speaker_types_12_5_and_12_5_is_stored(visit, head):
    page = visit.login(head, "/budgets/?unit=B1")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The language's name in the top bar leads to the choice, then back to the same page.
    page.get_by_role("link", name="English").click()
    page.get_by_label("Français").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(f"{visit.base_url}/budgets/?unit=B1")
    expect(page.get_by_role("status")).to_contain_text("OSM vous parle désormais")
    assert Preferences.objects.get(user=head).language == "fr"

    page.get_by_role("link", name="Ajouter une ligne budgétaire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nouvelle ligne budgétaire pour Unit B1"
    )
    fill_line(page, label="Conseil", planned="12,5")
    page.get_by_role("button", name="Ajouter la ligne").click()
    expect(page.get_by_role("status")).to_contain_text("Ligne budgétaire « Conseil » ajoutée")
    line = BudgetLine.objects.get(label="Conseil")
    assert (line.planned, line.actual) == (Decimal("12.50"), Decimal("0"))

    # Signed out, in a browser that forgot everything (an English one), signed in again:
    # French, since the choice is the person's.
    page.locator("form.logout button[type=submit]").click()
    visit.context.clear_cookies()
    visit.login(head, "/budgets/?unit=B1")
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def test_in_english_12_5_is_refused_and_nothing_is_stored(visit, head):
    Preferences.objects.create(user=head, language="en")
    page = visit.login(head, "/budgets/lines/new/?unit=B1")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Fiscal year").fill("2026")
    page.get_by_label("Category").select_option("opex")
    page.get_by_label("Label").fill("Advice")
    page.get_by_label("Planned").fill("12,5")
    page.get_by_label("Actual").fill("0")
    page.get_by_role("button", name="Add the line").click()
    expect(page.locator("#id_planned_error")).to_contain_text("Enter a number.")
    assert not BudgetLine.objects.exists()


def test_a_chart_writes_its_figures_the_readers_way(visit, head):
    # A measure of one decimal place with October's actual 1234.5: in French, Plotly's
    # hover on it writes "1 234,5" (a no-break space between the groups, a decimal comma),
    # as the page's own figures are written; in English it would read "1,234.5".
    Preferences.objects.create(user=head, language="fr")
    objective = f.ObjectiveFactory(unit=head.headed_units.get())
    measure = f.MeasureFactory(objective=objective, code="REV", decimal_places=1)
    october = dt.date(2026, 10, 1)
    measure_value_record(measure=measure, period=october, actual=Decimal("1234.5"), actor=None)
    page = visit.login(head, f"/measures/{measure.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    chart = page.locator(".js-plotly-plot").first
    expect(chart.locator(".main-svg").first).to_be_visible()
    page.evaluate(
        "() => { const gd = document.querySelector('.js-plotly-plot');"
        " Plotly.Fx.hover(gd, [{curveNumber: 2, pointNumber: 0}]); }"
    )
    hover = chart.locator(".hoverlayer")
    expect(hover).to_contain_text("1\u00a0234,5")
