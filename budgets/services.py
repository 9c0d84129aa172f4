"""Writes with rules for budget lines."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.services import apply_changes, delete_or_explain, save_validated

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


def outside_chain(name: str, unit: str, other: str) -> str:
    """The refusal of an objective or initiative (`name`) of unit `other`, which is neither
    the line's unit `unit` nor above it."""
    if name == "objective":
        message = _("Choose an objective of %(unit)s or of a unit above it (%(other)s is not).")
    else:
        message = _("Choose an initiative of %(unit)s or of a unit above it (%(other)s is not).")
    return message % {"unit": unit, "other": other}


def refuse_links_outside_chain(line: BudgetLine, stored: BudgetLine | None = None) -> None:
    """An objective or initiative newly given to a line (or kept by a line that moves to
    another unit) must be of the line's unit or a unit above it: the budget page offers no
    other, and the API may do no more than the page."""
    errors, chain = {}, None
    for name in ("objective", "initiative"):
        target_id = getattr(line, f"{name}_id")
        if target_id is None or (
            stored is not None
            and stored.unit_id == line.unit_id
            and getattr(stored, f"{name}_id") == target_id
        ):
            continue
        if chain is None:
            chain = line.unit.ancestor_ids(include_self=True)
        target = getattr(line, name)
        if target.unit_id not in chain:
            errors[name] = outside_chain(name, line.unit.code, target.unit.code)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def budget_line_create(*, actor, data: dict) -> BudgetLine:
    """Add a budget line; STRATEX lines must name their initiative, money is never negative,
    links go to the strategy of the line's unit or the units above it."""
    line = apply_changes(BudgetLine(), data, allowed=BUDGET_FIELDS)
    if line.unit_id is not None:
        refuse_links_outside_chain(line)
    return save_validated(line, actor=actor)


@transaction.atomic
def budget_line_update(*, actor, instance: BudgetLine, data: dict) -> BudgetLine:
    """Change a budget line (for example link it to an objective or initiative, or move it
    to another unit, whose chain its links must then be of)."""
    stored = BudgetLine.objects.get(pk=instance.pk)
    apply_changes(instance, data, allowed=BUDGET_FIELDS)
    refuse_links_outside_chain(instance, stored)
    return save_validated(instance, actor=actor)


@transaction.atomic
def budget_line_delete(*, actor, instance: BudgetLine) -> None:
    """Delete a budget line (its history stays)."""
    delete_or_explain(instance, actor=actor)
