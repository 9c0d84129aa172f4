"""Writes with rules for employees, goals and incentive components."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from osm.utils import apply_changes, delete_or_explain, save_validated
from scorecards.models import Measure, Objective

from .models import Employee, Goal, IncentiveComponent

EMPLOYEE_FIELDS = {"user", "name", "email", "unit", "manager", "job_family", "active"}
GOAL_FIELDS = {"fiscal_year", "kind", "title", "weight", "objective", "measure", "progress"}
INCENTIVE_FIELDS = {"fiscal_year", "name", "weight", "objective", "measure"}


@transaction.atomic
def employee_create(*, by=None, **fields) -> Employee:
    """Register an employee in a unit."""
    return save_validated(apply_changes(Employee(), fields, allowed=EMPLOYEE_FIELDS), by=by)


@transaction.atomic
def employee_update(*, employee: Employee, by=None, **changes) -> Employee:
    """Change an employee (move unit, change manager, deactivate). Moving to another unit
    is refused while goals or incentives stay linked to strategy out of the new unit's reach."""
    old_unit_id = employee.unit_id
    apply_changes(employee, changes, allowed=EMPLOYEE_FIELDS)
    save_validated(employee, by=by)
    if employee.unit_id != old_unit_id:
        reach = employee.unit.ancestor_ids(include_self=True)
        broken = _links_out_of_reach(Q(employee=employee), reach)
        if broken:
            raise ValidationError(
                {
                    "unit": (
                        f"{employee.name} cannot move to {employee.unit.code}: "
                        + "; ".join(sorted(broken))
                        + ". Link those to the new unit's strategy first."
                    )
                }
            )
    return employee


@transaction.atomic
def employee_delete(*, employee: Employee, by=None) -> None:
    """Delete an employee with his or her goals and incentive components (their history
    stays; those he or she managed keep no manager). Deactivating is the usual way out."""
    delete_or_explain(employee, by=by)


@transaction.atomic
def goal_create(*, employee: Employee, by=None, **fields) -> Goal:
    """Set a personal goal; if it names an objective or measure, that must be of the
    employee's unit or a unit above it."""
    goal = apply_changes(Goal(employee=employee), fields, allowed=GOAL_FIELDS)
    return save_validated(goal, by=by)


@transaction.atomic
def goal_update(*, goal: Goal, by=None, **changes) -> Goal:
    """Change a goal (title, weight, progress...)."""
    apply_changes(goal, changes, allowed=GOAL_FIELDS)
    return save_validated(goal, by=by)


@transaction.atomic
def goal_reassign(*, goal: Goal, employee: Employee, by=None, **changes) -> Goal:
    """Move a goal to another employee (a correction), with any other changes; its objective
    and measure must be of the new employee's unit or a unit above it."""
    goal.employee = employee
    apply_changes(goal, changes, allowed=GOAL_FIELDS)
    return save_validated(goal, by=by)


@transaction.atomic
def goal_link(
    *, goal: Goal, objective: Objective | None = None, measure: Measure | None = None, by=None
) -> Goal:
    """Align a goal with the objective and/or measure it serves (None unlinks)."""
    goal.objective = objective
    goal.measure = measure
    return save_validated(goal, by=by)


@transaction.atomic
def goal_delete(*, goal: Goal, by=None) -> None:
    """Remove a goal (its history stays)."""
    delete_or_explain(goal, by=by)


@transaction.atomic
def incentive_create(*, employee: Employee, by=None, **fields) -> IncentiveComponent:
    """Add a component to an employee's variable pay for a fiscal year."""
    component = apply_changes(
        IncentiveComponent(employee=employee), fields, allowed=INCENTIVE_FIELDS
    )
    return save_validated(component, by=by)


@transaction.atomic
def incentive_update(*, component: IncentiveComponent, by=None, **changes) -> IncentiveComponent:
    """Change an incentive component."""
    apply_changes(component, changes, allowed=INCENTIVE_FIELDS)
    return save_validated(component, by=by)


@transaction.atomic
def incentive_reassign(
    *, component: IncentiveComponent, employee: Employee, by=None, **changes
) -> IncentiveComponent:
    """Move an incentive component to another employee (a correction), with any other
    changes; its objective and measure must be of the new employee's unit or above it."""
    component.employee = employee
    apply_changes(component, changes, allowed=INCENTIVE_FIELDS)
    return save_validated(component, by=by)


@transaction.atomic
def incentive_delete(*, component: IncentiveComponent, by=None) -> None:
    """Remove an incentive component (its history stays)."""
    delete_or_explain(component, by=by)


@transaction.atomic
def incentive_link(
    *,
    component: IncentiveComponent,
    objective: Objective | None = None,
    measure: Measure | None = None,
    by=None,
) -> IncentiveComponent:
    """Tie an incentive component to the objective and/or measure it rewards (None unlinks)."""
    component.objective = objective
    component.measure = measure
    return save_validated(component, by=by)


def _links_out_of_reach(employees: Q, reach: set[int]) -> list[str]:
    """Goals and incentives of the `employees` linked to objectives or measures of units
    outside `reach`, described for a refusal message."""
    broken = []
    for model, kind in ((Goal, "goal"), (IncentiveComponent, "incentive")):
        rows = model.objects.filter(employees).select_related(
            "employee", "objective__unit", "measure__unit"
        )
        outside = rows.exclude(objective__isnull=True).exclude(
            objective__unit__in=reach
        ) | rows.exclude(measure__isnull=True).exclude(measure__unit__in=reach)
        for row in outside.distinct():
            target = row.objective if row.objective_id else row.measure
            broken.append(
                f"{kind} '{row}' of {row.employee.name} is linked to "
                f"{target.unit.code}.{target.code}"
            )
    return broken


def broken_links_after_unit_move(subtree: set[int], above: set[int]) -> list[str]:
    """Goals and incentives of the moved subtree's employees linked to objectives or
    measures of units that would no longer be above them (registered in apps.py)."""
    return _links_out_of_reach(Q(employee__unit__in=subtree), subtree | above)
