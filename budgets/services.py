"""Writes with rules for budget lines."""

from django.db import transaction

from osm.utils import apply_changes, delete_or_explain, save_validated

from .models import BudgetLine

BUDGET_FIELDS = {
    "unit",
    "fiscal_year",
    "category",
    "label",
    "planned",
    "actual",
    "objective",
    "initiative",
}


@transaction.atomic
def budget_line_create(*, by=None, **fields) -> BudgetLine:
    """Add a budget line; STRATEX lines must name their initiative, money is never negative."""
    line = apply_changes(BudgetLine(), fields, allowed=BUDGET_FIELDS)
    return save_validated(line, by=by)


@transaction.atomic
def budget_line_update(*, line: BudgetLine, by=None, **changes) -> BudgetLine:
    """Change a budget line (for example link it to an objective or initiative)."""
    apply_changes(line, changes, allowed=BUDGET_FIELDS)
    return save_validated(line, by=by)


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, by=None) -> None:
    """Delete a budget line (its history stays)."""
    delete_or_explain(line, by=by)
