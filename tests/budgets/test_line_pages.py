"""Adding, changing and deleting budget lines on the web: who may, what is offered, bad
input shown next to the fields with nothing written, the services' refusals, queries."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import BudgetLine
from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from tests import factories as f

from .conftest import field_errors, nonfield_errors, text_of

pytestmark = pytest.mark.django_db

NEW = "/budgets/lines/new/"
REFUSED_ROLES = [EXECUTIVE, HR, MEASURE_OWNER, EMPLOYEE, UNIT_HEAD, None]  # UNIT_HEAD: of nothing


def edit_url(line):
    return f"/budgets/lines/{line.pk}/edit/"


def delete_url(line):
    return f"/budgets/lines/{line.pk}/delete/"


def form_data(org, **changes):
    data = {
        "unit": org.bu.pk,
        "fiscal_year": "2026",
        "category": "opex",
        "label": "Shop fitting",
        "planned": "1234.56",
        "actual": "0",
        "objective": org.sell.pk,
        "initiative": "",
    }
    data.update(changes)
    return data


def snapshot():
    return sorted(
        BudgetLine.objects.values_list(
            "id", "unit_id", "fiscal_year", "category", "label", "planned", "actual",
            "objective_id", "initiative_id",
        )
    )  # fmt: skip


# Adding -------------------------------------------------------------------------------------


def test_the_new_line_form(client, org, login):
    login(OSM_STAFF)
    response = client.get(f"{NEW}?unit=BU&fiscal_year=2025")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<form class="form" method="post">' in body and 'for="id_planned"' in body
    form = response.context["form"]
    assert form.initial["unit"] == org.bu and form.initial["fiscal_year"] == 2025
    # objectives and initiatives of BU and the units above it (ACME), not D1's nor S1's
    assert {o.code for o in form.fields["objective"].queryset} == {"GROW", "SELL"}
    assert {i.code for i in form.fields["initiative"].queryset} == {"LINKED"}
    assert "ACME · GROW Grow" in body


def test_a_line_is_added_with_a_message(client, org, login):
    login(OSM_STAFF)
    response = client.post(f"{NEW}?unit=BU", form_data(org), follow=True)
    line = BudgetLine.objects.get(label="Shop fitting")
    assert response.redirect_chain == [("/budgets/?unit=BU&fiscal_year=2026", 302)]
    assert "Budget line “Shop fitting” added to BU." in text_of(response)
    assert (line.unit, line.fiscal_year, line.category, line.objective) == (
        org.bu, 2026, "opex", org.sell
    )  # fmt: skip
    assert line.planned == Decimal("1234.56") and isinstance(line.planned, Decimal)
    assert line.history.first().history_user.has_perm("budgets.add_budgetline", org.bu)


def test_a_stratex_line_names_its_initiative(client, org, login):
    login(OSM_STAFF)
    data = form_data(org, category="stratex", objective="", initiative=org.linked.pk)
    assert client.post(f"{NEW}?unit=BU", data).status_code == 302
    assert BudgetLine.objects.get(label="Shop fitting").initiative == org.linked


def test_a_unit_head_adds_in_his_subtree(client, org, login):
    login(user=org.head)
    response = client.get(f"{NEW}?unit=D1")
    assert response.status_code == 200
    # the units offered: only the subtree he heads
    assert {u.code for u in response.context["form"].fields["unit"].queryset} == {"BU", "D1"}
    # D1's chain: D1, BU, ACME
    assert {o.code for o in response.context["form"].fields["objective"].queryset} == {
        "GROW", "SELL"
    }  # fmt: skip
    assert {i.code for i in response.context["form"].fields["initiative"].queryset} == {
        "LINKED", "LOOSE"
    }  # fmt: skip
    response = client.post(f"{NEW}?unit=D1", form_data(org, unit=org.d1.pk))
    assert response.status_code == 302
    assert BudgetLine.objects.get(label="Shop fitting").unit == org.d1
    # by default, his own unit
    assert client.get(NEW).context["form"].initial["unit"] == org.bu


def test_a_unit_head_may_not_add_outside_his_subtree(client, org, login):
    login(user=org.head)
    before = snapshot()
    for unit in ("S1", "ACME"):
        assert client.get(f"{NEW}?unit={unit}").status_code == 403
        data = form_data(org, unit=getattr(org, unit.lower() if unit == "S1" else "ent").pk)
        assert client.post(f"{NEW}?unit={unit}", data).status_code == 403
    # from his own unit's page, posting another unit: not offered, refused at the field
    response = client.post(f"{NEW}?unit=BU", form_data(org, unit=org.s1.pk, objective=""))
    assert response.status_code == 400
    assert field_errors(response, "unit") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert snapshot() == before


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_others_may_not_add(client, org, login, role):
    login(role)
    before = snapshot()
    assert client.get(f"{NEW}?unit=BU").status_code == 403
    assert client.post(f"{NEW}?unit=BU", form_data(org)).status_code == 403
    assert snapshot() == before


def test_login_required_to_add(client, org):
    response = client.post(f"{NEW}?unit=BU", form_data(org))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not BudgetLine.objects.filter(label="Shop fitting").exists()


def test_an_unknown_unit_is_404(client, org, login):
    login(OSM_STAFF)
    assert client.get(f"{NEW}?unit=NOPE").status_code == 404


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"planned": "-5"}, "planned", "Ensure this value is greater than or equal to 0."),
        ({"planned": "abc"}, "planned", "Enter a number."),
        ({"planned": "1.234"}, "planned", "Ensure that there are no more than 2 decimal places."),
        ({"planned": "12345678901234567"}, "planned",
         "Ensure that there are no more than 16 digits in total."),
        ({"actual": "-0.01"}, "actual", "Ensure this value is greater than or equal to 0."),
        ({"planned": ""}, "planned", "This field is required."),
        ({"label": ""}, "label", "This field is required."),
        ({"label": "x" * 201}, "label",
         "Ensure this value has at most 200 characters (it has 201)."),
        ({"fiscal_year": "1800"}, "fiscal_year",
         "Ensure this value is greater than or equal to 1900."),
        ({"fiscal_year": "next"}, "fiscal_year", "Enter a year such as 2026."),
        ({"category": "bribes"}, "category",
         "Select a valid choice. bribes is not one of the available choices."),
        # the model's rule, from the service: STRATEX names its initiative
        ({"category": "stratex"}, "initiative",
         "A STRATEX line must name the initiative it funds."),
        # not of BU's chain (S1's objective, D1's initiative): not offered
        ({"objective": "SERVE"}, "objective",
         "Select a valid choice. That choice is not one of the available choices."),
        ({"initiative": "LOOSE"}, "initiative",
         "Select a valid choice. That choice is not one of the available choices."),
    ],
)  # fmt: skip
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_written(
    client, org, login, changes, field, message
):
    login(OSM_STAFF)
    named = {"SERVE": org.serve.pk, "LOOSE": org.loose.pk}
    changes = {k: named.get(v, v) for k, v in changes.items()}
    before = snapshot()
    response = client.post(f"{NEW}?unit=BU", form_data(org, **changes))
    assert response.status_code == 400
    assert message in field_errors(response, field)
    assert snapshot() == before


def test_an_objective_must_be_of_the_chosen_units_chain(client, org, login):
    login(OSM_STAFF)
    before = snapshot()
    # offered from BU's page (SELL is BU's), but the line is moved to S1: SELL is not above it
    response = client.post(f"{NEW}?unit=BU", form_data(org, unit=org.s1.pk))
    assert response.status_code == 400
    assert field_errors(response, "objective") == [
        "Choose an objective of S1 or of a unit above it (BU is not)."
    ]
    # an objective of a unit above is fine: GROW is ACME's
    assert client.post(f"{NEW}?unit=BU", form_data(org, objective=org.grow.pk)).status_code == 302
    assert len(snapshot()) == len(before) + 1


def test_a_service_refusal_not_on_a_field_is_shown_above_the_form(client, org, login, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError("The books of 2026 are closed.")

    monkeypatch.setattr("budgets.services.budget_line_create", refuse)
    login(OSM_STAFF)
    before = snapshot()
    response = client.post(f"{NEW}?unit=BU", form_data(org))
    assert response.status_code == 400
    assert nonfield_errors(response) == ["The books of 2026 are closed."]
    assert snapshot() == before


def test_minus_zero_is_zero(client, org, login):
    login(OSM_STAFF)
    client.post(f"{NEW}?unit=BU", form_data(org, planned="-0", actual="-0.00"))
    line = BudgetLine.objects.get(label="Shop fitting")
    assert (str(line.planned), str(line.actual)) == ("0.00", "0.00")


# Changing -----------------------------------------------------------------------------------


def test_the_edit_form_shows_the_line(client, org, login):
    login(OSM_STAFF)
    response = client.get(edit_url(org.lines.machine))
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert (initial["unit"], initial["planned"], initial["objective"]) == (
        org.d1, Decimal("400.00"), org.grow
    )  # fmt: skip
    assert 'value="350.50"' in response.content.decode()


def test_a_line_is_changed_with_a_message(client, org, login):
    login(user=org.head)
    rent = org.lines.rent
    data = form_data(org, label="Rent", planned="320.00", actual="250.00", objective=org.sell.pk)
    response = client.post(edit_url(rent), data, follow=True)
    assert response.redirect_chain == [("/budgets/?unit=BU&fiscal_year=2026", 302)]
    assert "Budget line “Rent” saved." in text_of(response)
    rent.refresh_from_db()
    assert (rent.planned, rent.objective) == (Decimal("320.00"), org.sell)
    assert rent.history.first().history_user == org.head


def test_a_link_made_elsewhere_is_kept(client, org, login):
    """An objective outside the chain (set through the API) stays offered and is kept on
    save; choosing it anew would be refused."""
    rent = org.lines.rent
    rent.objective = org.serve  # S1's, not above BU
    rent.save()
    login(OSM_STAFF)
    form = client.get(edit_url(rent)).context["form"]
    assert org.serve in form.fields["objective"].queryset
    data = form_data(org, label="Rent", planned="300.00", objective=org.serve.pk)
    assert client.post(edit_url(rent), data).status_code == 302
    rent.refresh_from_db()
    assert rent.objective == org.serve
    # moved to D1, SERVE is checked again: not above D1
    response = client.post(edit_url(rent), {**data, "unit": org.d1.pk})
    assert response.status_code == 400
    assert field_errors(response, "objective") == [
        "Choose an objective of D1 or of a unit above it (S1 is not)."
    ]


def test_bad_changes_are_shown_and_nothing_written(client, org, login):
    login(OSM_STAFF)
    before = snapshot()
    push = org.lines.push  # STRATEX on LINKED
    response = client.post(edit_url(push), form_data(org, category="stratex", objective=""))
    assert response.status_code == 400
    assert field_errors(response, "initiative") == [
        "A STRATEX line must name the initiative it funds."
    ]
    assert "Edit budget line Push" in text_of(response)  # the line as stored, not as posted
    assert snapshot() == before


def test_a_unit_head_may_not_change_or_move_outside_his_subtree(client, org, login):
    login(user=org.head)
    before = snapshot()
    payroll = org.lines.payroll  # S1's
    assert client.get(edit_url(payroll)).status_code == 403
    assert client.post(edit_url(payroll), form_data(org, label="Mine")).status_code == 403
    # his own line to S1: S1 is not offered
    response = client.post(edit_url(org.lines.rent), form_data(org, unit=org.s1.pk))
    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_others_may_not_change(client, org, login, role):
    login(role)
    before = snapshot()
    rent = org.lines.rent
    assert client.get(edit_url(rent)).status_code == 403
    assert client.post(edit_url(rent), form_data(org, label="Changed")).status_code == 403
    assert snapshot() == before


def test_an_unknown_line_is_404(client, org, login):
    login(OSM_STAFF)
    assert client.get("/budgets/lines/999999/edit/").status_code == 404
    assert client.get("/budgets/lines/999999/delete/").status_code == 404


# Deleting -----------------------------------------------------------------------------------


def test_delete_asks_then_deletes(client, org, login):
    login(user=org.head)
    rent = org.lines.rent
    response = client.get(delete_url(rent))
    assert response.status_code == 200
    assert "Delete this line?" in text_of(response) and "BU · FY2026 · OPEX" in text_of(response)
    assert BudgetLine.objects.filter(pk=rent.pk).exists()  # a GET deletes nothing
    response = client.post(delete_url(rent), follow=True)
    assert response.redirect_chain == [("/budgets/?unit=BU&fiscal_year=2026", 302)]
    assert "Budget line “Rent” deleted." in text_of(response)
    assert not BudgetLine.objects.filter(pk=rent.pk).exists()
    assert rent.history.filter(history_type="-").exists()  # its history stays


def test_a_delete_refused_by_the_service_is_explained(client, org, login, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"__all__": "Budget line 'Rent' cannot be deleted: audited."})

    monkeypatch.setattr("budgets.views.LineDelete.service", refuse)  # the page's service
    login(OSM_STAFF)
    response = client.post(delete_url(org.lines.rent))
    assert response.status_code == 400
    assert "Budget line 'Rent' cannot be deleted: audited." in text_of(response)
    assert BudgetLine.objects.filter(pk=org.lines.rent.pk).exists()


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_others_may_not_delete(client, org, login, role):
    login(role)
    before = snapshot()
    assert client.get(delete_url(org.lines.rent)).status_code == 403
    assert client.post(delete_url(org.lines.rent)).status_code == 403
    assert snapshot() == before


def test_a_unit_head_may_not_delete_outside_his_subtree(client, org, login):
    login(user=org.head)
    before = snapshot()
    assert client.post(delete_url(org.lines.payroll)).status_code == 403
    assert client.post(delete_url(org.lines.hq)).status_code == 403
    assert snapshot() == before


# Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["new", "edit", "delete"])
def test_form_queries_do_not_grow(client, org, login, page):
    user = org.head

    def count():
        login(user=type(user).objects.get(pk=user.pk))
        url = {"new": f"{NEW}?unit=D1", "edit": edit_url(org.lines.machine),
               "delete": delete_url(org.lines.machine)}[page]  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()  # warm up
    small = count()
    for i in range(15):  # more units, objectives and initiatives on D1's chain and below
        unit = f.OrgUnitFactory(code=f"Y{i}", parent=org.bu, kind="department")
        f.ObjectiveFactory(unit=org.bu)
        f.InitiativeFactory(unit=org.d1, objectives=[f.ObjectiveFactory(unit=org.d1)])
        f.BudgetLineFactory(unit=unit)
    assert count() == small
