"""Writes with rules for employees, goals and incentive components."""

from django.db import transaction

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
    """Change an employee (move unit, change manager, deactivate)."""
    apply_changes(employee, changes, allowed=EMPLOYEE_FIELDS)
    return save_validated(employee, by=by)


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
