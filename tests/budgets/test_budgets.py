"""Budget lines: STRATEX names an initiative, money is Decimal and never negative."""

from decimal import Decimal

import pytest

from budgets import services
from budgets.choices import BudgetCategory
from budgets.models import BudgetLine
from tests import factories as f
from tests.helpers import db_refuses, refused

pytestmark = pytest.mark.django_db

STRATEX_MESSAGE = "A STRATEX line must name the initiative it funds."


@pytest.fixture
def tree():
    return f.four_level_tree()


def add_line(unit, by=None, **fields):
    fields.setdefault("fiscal_year", 2026)
    fields.setdefault("category", BudgetCategory.OPEX)
    fields.setdefault("label", "Rent")
    fields.setdefault("planned", Decimal("1000.00"))
    return services.budget_line_create(actor=by, data={"unit": unit, **fields})


def test_budget_line_create_keeps_money_as_decimal(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    line = add_line(
        tree.b1, planned=Decimal("1234.56"), actual=Decimal("0.10"), objective=objective
    )
    line = BudgetLine.objects.get(pk=line.pk)
    assert isinstance(line.planned, Decimal) and isinstance(line.actual, Decimal)
    # Decimal, not float: 0.10 + 0.20 is exactly 0.30.
    assert line.actual + Decimal("0.20") == Decimal("0.30")
    assert (line.planned, line.objective, line.fiscal_year) == (Decimal("1234.56"), objective, 2026)


def test_a_stratex_line_without_initiative_is_refused(tree):
    with refused({"initiative": [STRATEX_MESSAGE]}):
        add_line(tree.b1, category=BudgetCategory.STRATEX)
    assert not BudgetLine.objects.exists()


def test_the_database_refuses_a_stratex_line_without_initiative(tree):
    with db_refuses():
        BudgetLine.objects.create(
            unit=tree.b1, fiscal_year=2026, category="stratex", label="X", planned=1
        )


def test_a_stratex_line_naming_its_initiative_is_accepted(tree):
    initiative = f.InitiativeFactory(unit=tree.b1)
    line = add_line(tree.b1, category=BudgetCategory.STRATEX, initiative=initiative)
    assert line.initiative == initiative


def test_unlinking_the_initiative_of_a_stratex_line_is_refused(tree):
    line = f.BudgetLineFactory(unit=tree.b1, stratex=True)
    with refused({"initiative": [STRATEX_MESSAGE]}):
        services.budget_line_update(actor=None, instance=line, data={"initiative": None})
    assert BudgetLine.objects.get(pk=line.pk).initiative_id is not None


@pytest.mark.parametrize("field", ["planned", "actual"])
def test_negative_money_is_refused(tree, field):
    with refused({field: ["Must not be negative."]}):
        add_line(tree.b1, **{field: Decimal("-0.01")})
    assert not BudgetLine.objects.exists()


@pytest.mark.parametrize("field", ["planned", "actual"])
def test_the_database_refuses_negative_money(tree, field):
    amounts = {"planned": Decimal("1"), "actual": Decimal("0"), field: Decimal("-1")}
    with db_refuses():
        BudgetLine.objects.create(
            unit=tree.b1, fiscal_year=2026, category="opex", label="X", **amounts
        )


def test_zero_money_is_allowed(tree):
    line = add_line(tree.b1, planned=Decimal("0"), actual=Decimal("0"))
    assert line.planned == line.actual == 0


def test_an_implausible_fiscal_year_is_refused(tree):
    with refused({"__all__": ["The fiscal year must be between 1900 and 2999."]}):
        add_line(tree.b1, fiscal_year=26)


def test_budget_line_create_refuses_unknown_fields(tree):
    with refused({"currency": ["This field cannot be changed here."]}):
        add_line(tree.b1, currency="EUR")
    assert not BudgetLine.objects.exists()


def test_budget_line_update_links_it_to_strategy(tree):
    line = add_line(tree.b1)
    assert not line.is_linked
    initiative = f.InitiativeFactory(unit=tree.b1)
    services.budget_line_update(actor=None, instance=line, data={"initiative": initiative})
    # Linked only through an initiative that advances an objective.
    assert not BudgetLine.objects.get(pk=line.pk).is_linked
    f.InitiativeObjectiveFactory(initiative=initiative)
    assert BudgetLine.objects.get(pk=line.pk).is_linked
    services.budget_line_update(
        actor=None,
        instance=line,
        data={"initiative": None, "objective": f.ObjectiveFactory(unit=tree.b1)},
    )
    assert BudgetLine.objects.get(pk=line.pk).is_linked


def test_a_failed_update_writes_nothing(tree):
    line = add_line(tree.b1, label="Rent", planned=Decimal("10"))
    with refused({"actual": ["Must not be negative."]}):
        services.budget_line_update(
            actor=None, instance=line, data={"label": "Rent 2", "actual": Decimal("-5")}
        )
    line = BudgetLine.objects.get(pk=line.pk)
    assert (line.label, line.actual) == ("Rent", Decimal("0"))


def test_budget_line_delete(tree):
    line = add_line(tree.b1)
    services.budget_line_delete(actor=None, instance=line)
    assert not BudgetLine.objects.exists()


def test_change_history_is_kept(tree):
    alice, bob = f.UserFactory(), f.UserFactory()
    line = add_line(tree.b1, planned=Decimal("100.00"), by=alice)
    services.budget_line_update(actor=bob, instance=line, data={"planned": Decimal("150.00")})
    created, updated = line.history.order_by("history_id")
    assert line.history.count() == 2
    assert (created.history_user, updated.history_user) == (alice, bob)
    delta = updated.diff_against(created)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("planned", Decimal("100.00"), Decimal("150.00"))
    ]
