"""Setting a measure up on its form: its figures' settings (decimal places, valid range,
baseline, tolerance in %), its year of targets in one go, and the objective form's themes
and searchable choices."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from core.roles import UNIT_HEAD
from scorecards.models import Measure, MeasureValue, Objective
from tests import factories as f
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

MONTHS_2026 = [dt.date(2026, m, 1) for m in range(1, 13)]


@pytest.fixture
def world():
    ent = f.EnterpriseFactory(code="ACME")
    head = f.UserFactory(roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", parent=ent, head=head)
    other = f.OrgUnitFactory(code="OTHER", parent=ent)
    sell = f.ObjectiveFactory(unit=bu, code="SELL", name="Sell")
    return {"ent": ent, "bu": bu, "other": other, "head": head, "sell": sell}


def measure_data(**changes) -> dict:
    data = {"code": "REV", "name": "Revenue", "description": "", "unit_label": "kEUR",
            "polarity": "increase", "frequency": "monthly", "aggregation": "sum",
            "weight": "1", "owner": "", "tolerance": "10", "decimal_places": "",
            "min_value": "", "max_value": "", "baseline": "", "formula": "",
            "rollup": "none", "targets_year": "2026", "annual_target": "",
            "target_method": "even"}  # fmt: skip
    return data | changes


def targets(measure) -> dict:
    return dict(
        MeasureValue.objects.filter(measure=measure, target__isnull=False)
        .order_by("period")
        .values_list("period", "target")
    )


def message(response) -> str:
    return " ".join(m.message for m in get_messages(response.wsgi_request))


# A new measure with its targets ---------------------------------------------------------------


def test_a_new_measure_with_an_annual_target_spread_evenly(client, world):
    client.force_login(world["head"])
    response = client.post(
        f"/objectives/{world['sell'].pk}/measures/new/",
        measure_data(decimal_places="0", annual_target="1000", tolerance="12.5"),
    )
    assert response.status_code == 302, response.context["form"].errors
    measure = Measure.objects.get(code="REV")
    assert (measure.decimal_places, measure.tolerance) == (0, D("0.125"))  # 12.5% stored 0.125
    # 1000 / 12 = 83.33: 83 a month (996), the 4 left over to the last four months
    assert targets(measure) == dict(zip(MONTHS_2026, [D(83)] * 8 + [D(84)] * 4, strict=True))
    assert sum(targets(measure).values()) == D(1000)
    assert message(response) == (
        "Created the measure REV. Targets for 2026: 12 added; actuals untouched."
    )


def test_a_new_measure_with_a_linear_spread_from_its_baseline(client, world):
    client.force_login(world["head"])
    response = client.post(
        f"/objectives/{world['sell'].pk}/measures/new/",
        measure_data(frequency="quarterly", aggregation="last", unit_label="%",
                     baseline="80", annual_target="100", target_method="linear"),
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    measure = Measure.objects.get(code="REV")
    assert measure.baseline == D(80)
    # last: the line ends on the annual target, (100 - 80) / 4 = 5 a quarter
    got = {p: t.normalize() for p, t in targets(measure).items()}
    assert got == {dt.date(2026, 1, 1): D(85), dt.date(2026, 4, 1): D(90),
                   dt.date(2026, 7, 1): D(95), dt.date(2026, 10, 1): D(100)}  # fmt: skip


def test_a_new_measure_with_a_table_of_targets(client, world):
    client.force_login(world["head"])
    response = client.post(
        f"/objectives/{world['sell'].pk}/measures/new/",
        measure_data(frequency="quarterly", target_2026_01="10", target_2026_07="30"),
    )
    assert response.status_code == 302
    measure = Measure.objects.get(code="REV")
    assert targets(measure) == {dt.date(2026, 1, 1): D(10), dt.date(2026, 7, 1): D(30)}
    assert "Targets for 2026: 2 added" in message(response)


def test_a_refused_target_leaves_no_measure_behind(client, world):
    client.force_login(world["head"])
    response = client.post(
        f"/objectives/{world['sell'].pk}/measures/new/",
        measure_data(unit_label="%", aggregation="average", target_2026_03="120"),
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Mar 2026: 120 is above the highest valid value (100)."
    ]
    assert not Measure.objects.filter(code="REV").exists()  # all or nothing
    assert not MeasureValue.objects.exists()


def test_a_linear_spread_without_a_baseline_is_refused_next_to_the_baseline(client, world):
    client.force_login(world["head"])
    response = client.post(
        f"/objectives/{world['sell'].pk}/measures/new/",
        measure_data(annual_target="100", target_method="linear"),
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "baseline": ["A linear spread starts from the baseline: enter the baseline."]
    }
    assert not Measure.objects.filter(code="REV").exists()


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"min_value": "10", "max_value": "5"},
         {"max_value": ["The highest valid value must not be below the lowest."]}),
        ({"tolerance": "150"},
         {"tolerance": ["Ensure this value is less than or equal to 100."]}),
        ({"tolerance": "ten"}, {"tolerance": ["'ten' is not a number."]}),
        ({"annual_target": "12", "target_2026_02": "1"},
         {"annual_target": ["Give either an annual target to spread or the periods' targets, "
                            "not both."]}),
        ({"decimal_places": "7"},
         {"decimal_places": ["Select a valid choice. 7 is not one of the available choices."]}),
        ({"targets_year": "20266"},
         {"targets_year": ["Ensure this value is less than or equal to 2999."]}),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_next_to_their_field(client, world, changes, errors):
    client.force_login(world["head"])
    response = client.post(f"/objectives/{world['sell'].pk}/measures/new/", measure_data(**changes))
    assert response.status_code == 400
    assert response.context["form"].errors == errors
    assert not Measure.objects.filter(code="REV").exists()


def test_a_table_posted_for_other_periods_is_refused_and_drawn_again(client, world):
    # The table was drawn for a monthly measure; the person then chose quarterly (without
    # script, the table is not redrawn): February is no quarter, nothing is guessed.
    client.force_login(world["head"])
    response = client.post(
        f"/objectives/{world['sell'].pk}/measures/new/",
        measure_data(frequency="quarterly", target_2026_02="5"),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.non_field_errors() == [
        "The table of targets was for other periods (another year or frequency): enter the "
        "targets of the periods shown."
    ]
    assert [c.label for c in form.target_cells] == ["Jan 2026", "Apr 2026", "Jul 2026", "Oct 2026"]
    assert not Measure.objects.filter(code="REV").exists()


# Editing a measure and its targets ------------------------------------------------------------


@pytest.fixture
def rev(world):
    measure = f.MeasureFactory(
        objective=world["sell"], code="REV", frequency="quarterly", aggregation="sum",
        tolerance=D("0.125"), baseline=D("36.3"), min_value=D(0),
    )  # fmt: skip
    MeasureValue.objects.create(measure=measure, period=dt.date(2026, 1, 1), actual=D(9),
                                target=D(10), note="slow start")  # fmt: skip
    MeasureValue.objects.create(measure=measure, period=dt.date(2026, 4, 1), target=D(20))
    return measure


def test_the_edit_form_shows_percent_plain_figures_and_the_stored_targets(client, world, rev):
    client.force_login(world["head"])
    response = client.get(f"/measures/{rev.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="tolerance" value="12.5"' in html  # 0.125 shown as 12.5 (%)
    assert 'name="baseline" value="36.3"' in html  # not 36.300000
    assert 'name="target_2026_01" value="10"' in html
    assert 'name="target_2026_04" value="20"' in html
    assert 'name="target_2026_07" value=' not in html  # no target yet: empty
    assert 'inputmode="decimal"' in html


def test_editing_the_table_changes_targets_only(client, world, rev):
    client.force_login(world["head"])
    data = measure_data(frequency="quarterly", tolerance="12.5", baseline="36.3",
                        min_value="0", target_2026_01="10", target_2026_04="25",
                        target_2026_10="40")  # fmt: skip
    response = client.post(f"/measures/{rev.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert targets(rev) == {dt.date(2026, 1, 1): D(10), dt.date(2026, 4, 1): D(25),
                            dt.date(2026, 10, 1): D(40)}  # fmt: skip
    january = MeasureValue.objects.get(measure=rev, period=dt.date(2026, 1, 1))
    assert (january.actual, january.note) == (D(9), "slow start")  # never touched
    assert message(response) == (
        "Saved the measure REV. Targets for 2026: 1 added, 1 changed (Apr 2026 20 → 25), "
        "1 already so; actuals untouched."
    )
    rev.refresh_from_db()
    assert rev.tolerance == D("0.125")  # unchanged: 12.5% is still 0.125


def test_an_edit_that_leaves_the_targets_alone_says_nothing_of_them(client, world, rev):
    client.force_login(world["head"])
    data = measure_data(frequency="quarterly", name="Net revenue", tolerance="12.5",
                        target_2026_01="10", target_2026_04="20")  # fmt: skip
    response = client.post(f"/measures/{rev.pk}/edit/", data)
    assert response.status_code == 302
    assert message(response) == "Saved the measure REV."
    assert targets(rev) == {dt.date(2026, 1, 1): D(10), dt.date(2026, 4, 1): D(20)}


def test_emptying_a_stored_target_is_refused(client, world, rev):
    client.force_login(world["head"])
    data = measure_data(frequency="quarterly", target_2026_01="", target_2026_04="20")
    response = client.post(f"/measures/{rev.pk}/edit/", data)
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "target_2026_01": [
            "A target is cleared on the measure's page, with the period's value; here "
            "targets are only set."
        ]
    }
    assert targets(rev) == {dt.date(2026, 1, 1): D(10), dt.date(2026, 4, 1): D(20)}


def test_spreading_over_a_year_with_targets_replaces_them(client, world, rev):
    client.force_login(world["head"])
    data = measure_data(frequency="quarterly", target_2026_01="10", target_2026_04="20",
                        annual_target="100")  # fmt: skip
    response = client.post(f"/measures/{rev.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    # 100 / 4 = 25 a quarter (stored with 6 places: no decimal places declared)
    assert targets(rev) == {dt.date(2026, m, 1): D(25) for m in (1, 4, 7, 10)}
    assert "2 added, 2 changed (Jan 2026 10 → 25, Apr 2026 20 → 25)" in message(response)


def test_htmx_redraws_the_table_for_another_frequency_and_year(client, world, rev):
    client.force_login(world["head"])
    response = client.get(
        f"/measures/{rev.pk}/edit/?frequency=monthly&targets_year=2027", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    cells = response.context["form"].target_cells
    assert [c.label for c in cells] == [f"{dt.date(2027, m, 1):%b} 2027" for m in range(1, 13)]
    html = response.content.decode()
    assert 'hx-select="#targets"' in html and 'id="targets"' in html


# The objective form ---------------------------------------------------------------------------


def test_the_objective_form_offers_the_themes_of_the_unit_and_the_units_above(client, world):
    f.ThemeFactory(unit=world["ent"], name="Operational excellence")
    f.ThemeFactory(unit=world["bu"], name="Retail reach")
    f.ThemeFactory(unit=world["other"], name="Not ours")  # a sibling unit's
    client.force_login(world["head"])
    form = client.get("/units/BU/objectives/new/").context["form"]
    offered = [label for value, label in form.fields["theme"].choices if value]
    assert offered == ["Operational excellence (ACME)", "Retail reach"]


def test_an_objective_takes_a_theme_from_above(client, world):
    theme = f.ThemeFactory(unit=world["ent"], name="Operational excellence")
    client.force_login(world["head"])
    response = client.post(
        "/units/BU/objectives/new/",
        {"code": "LEAN", "name": "Lean stores", "perspective": world["sell"].perspective_id,
         "theme": theme.pk, "weight": "1.5"},
    )  # fmt: skip
    assert response.status_code == 302
    lean = Objective.objects.get(code="LEAN")
    assert (lean.theme, lean.weight) == (theme, D("1.5"))


def test_new_forms_start_from_the_defaults(client, world):
    client.force_login(world["head"])
    html = client.get(f"/objectives/{world['sell'].pk}/measures/new/").content.decode()
    assert 'name="weight" value="1"' in html and 'name="tolerance" value="10"' in html
    html = client.get("/units/BU/objectives/new/").content.decode()
    assert 'name="weight" value="1"' in html


def test_multiple_choices_are_searchable_selects_with_their_files(client, world, rev):
    client.force_login(world["head"])
    for url in ("/units/BU/objectives/new/", f"/measures/{rev.pk}/edit/"):
        html = client.get(url).content.decode()
        assert "data-searchable" in html and "<select" in html
        assert "/static/vendor/tom-select/tom-select.popular.min.js" in html
        assert "/static/js/searchable.js" in html
        assert 'type="checkbox"' not in html


def test_a_new_measure_draws_no_empty_chart(client, world):
    measure = f.MeasureFactory(objective=world["sell"], code="NEW")
    client.force_login(world["head"])
    html = client.get(f"/measures/{measure.pk}/").content.decode()
    assert 'data-chart="history"' not in html
    assert "No values yet: the chart appears with the first target or actual." in html
    assert "Overdue" not in html  # created today: its first period is not due yet
    MeasureValue.objects.create(measure=measure, period=dt.date(2026, 1, 1), target=D(5))
    html = client.get(f"/measures/{measure.pk}/").content.decode()
    assert 'data-chart="history"' in html


# A new measure on the scorecard API ----------------------------------------------------------


def test_the_scorecard_api_calls_a_new_measure_not_overdue(settings):
    settings.MEASURE_DUE_DAYS = 10
    ent = f.EnterpriseFactory()
    objective = f.ObjectiveFactory(unit=ent)
    new = f.MeasureFactory(objective=objective, code="NEW")
    old = f.MeasureFactory(objective=objective, code="OLD")
    today = timezone.localdate()
    Measure.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    # Targets for the whole year, set when the new measure was created: still not owed.
    for month in range(1, 13):
        MeasureValue.objects.create(measure=new, period=dt.date(today.year, month, 1), target=D(10))
    response = client_for(f.UserFactory(is_superuser=True)).get(
        f"/api/v1/units/{ent.pk}/scorecard/"
    )
    assert response.status_code == 200
    measures = {
        m["code"]: m["overdue"]
        for p in response.json()["perspectives"]
        for o in p["objectives"]
        for m in o["measures"]
    }
    # OLD has existed for 400 days and has no actual: overdue. NEW was created today.
    assert measures == {"NEW": False, "OLD": True}
