"""Writes with rules for employees, goals, incentive components and goal templates."""

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from core.services import apply_changes, delete_or_explain, save_validated
from core.versioning import data_changed
from scorecards.models import Measure, Objective, OrgUnit

from .models import Employee, Goal, GoalTemplate, IncentiveComponent
from .selectors import Audience, template_audience

EMPLOYEE_FIELDS = {"user", "name", "email", "unit", "manager", "job_family", "active"}
GOAL_FIELDS = {
    "employee", "fiscal_year", "kind", "title", "weight", "objective", "measure", "progress",
}  # fmt: skip
INCENTIVE_FIELDS = {"employee", "fiscal_year", "name", "weight", "objective", "measure"}
TEMPLATE_FIELDS = {"name", "fiscal_year", "kind", "title", "weight", "objective", "measure"}


# Employees -----------------------------------------------------------------------------------


@transaction.atomic
def employee_create(*, actor, data: dict) -> Employee:
    """Register an employee in a unit (`data`: user, name, email, unit, manager, job_family,
    active)."""
    employee = apply_changes(Employee(), data, allowed=EMPLOYEE_FIELDS)
    return save_validated(employee, actor=actor)


@transaction.atomic
def employee_update(*, actor, instance: Employee, data: dict) -> Employee:
    """Change an employee (move unit, change manager, deactivate). Moving to another unit
    is refused while goals or incentives stay linked to strategy out of the new unit's reach."""
    old_unit_id = instance.unit_id
    apply_changes(instance, data, allowed=EMPLOYEE_FIELDS)
    save_validated(instance, actor=actor)
    if instance.unit_id != old_unit_id:
        reach = instance.unit.ancestor_ids(include_self=True)
        broken = _links_out_of_reach(Q(employee=instance), reach)
        if broken:
            raise ValidationError(
                {
                    "unit": _(
                        "%(employee)s cannot move to %(unit)s: %(links)s. Link those to the new "
                        "unit's strategy first."
                    )
                    % {
                        "employee": instance.name,
                        "unit": instance.unit.code,
                        "links": "; ".join(sorted(broken)),
                    }
                }
            )
    return instance


@transaction.atomic
def employee_delete(*, actor, instance: Employee) -> None:
    """Delete an employee with his or her goals and incentive components (their history
    stays; those he or she managed keep no manager). Deactivating is the usual way out."""
    delete_or_explain(instance, actor=actor)


# Goals ---------------------------------------------------------------------------------------


@transaction.atomic
def goal_create(*, actor, data: dict) -> Goal:
    """Set a personal goal of `data["employee"]`; if it names an objective or measure, that
    must be of the employee's unit or a unit above it."""
    goal = apply_changes(Goal(), data, allowed=GOAL_FIELDS)
    return save_validated(goal, actor=actor)


@transaction.atomic
def goal_update(*, actor, instance: Goal, data: dict) -> Goal:
    """Change a goal (title, weight, progress, its links...). A changed `employee` moves it
    to another employee (a correction): its objective and measure must then be of the new
    employee's unit or a unit above it."""
    apply_changes(instance, data, allowed=GOAL_FIELDS)
    return save_validated(instance, actor=actor)


@transaction.atomic
def goal_link(
    *, actor, goal: Goal, objective: Objective | None = None, measure: Measure | None = None
) -> Goal:
    """Align a goal with the objective and/or measure it serves (None unlinks)."""
    goal.objective = objective
    goal.measure = measure
    return save_validated(goal, actor=actor)


@transaction.atomic
def goal_delete(*, actor, instance: Goal) -> None:
    """Remove a goal (its history stays)."""
    delete_or_explain(instance, actor=actor)


# Incentive components ------------------------------------------------------------------------


@transaction.atomic
def incentive_create(*, actor, data: dict) -> IncentiveComponent:
    """Add a component to the variable pay of `data["employee"]` for a fiscal year; if it
    names an objective or measure, that must be of the employee's unit or a unit above it."""
    component = apply_changes(IncentiveComponent(), data, allowed=INCENTIVE_FIELDS)
    return save_validated(component, actor=actor)


@transaction.atomic
def incentive_update(*, actor, instance: IncentiveComponent, data: dict) -> IncentiveComponent:
    """Change an incentive component. A changed `employee` moves it to another employee (a
    correction): its objective and measure must then be of the new employee's unit or above."""
    apply_changes(instance, data, allowed=INCENTIVE_FIELDS)
    return save_validated(instance, actor=actor)


@transaction.atomic
def incentive_delete(*, actor, instance: IncentiveComponent) -> None:
    """Remove an incentive component (its history stays)."""
    delete_or_explain(instance, actor=actor)


@transaction.atomic
def incentive_link(
    *,
    actor,
    component: IncentiveComponent,
    objective: Objective | None = None,
    measure: Measure | None = None,
) -> IncentiveComponent:
    """Tie an incentive component to the objective and/or measure it rewards (None unlinks)."""
    component.objective = objective
    component.measure = measure
    return save_validated(component, actor=actor)


def _links_out_of_reach(employees: Q, reach: set[int]) -> list[str]:
    """Goals and incentives of the `employees` linked to objectives or measures of units
    outside `reach`, described for a refusal message."""
    broken = []
    kinds = (
        (Goal, _("goal '%(row)s' of %(employee)s is linked to %(target)s")),
        (IncentiveComponent, _("incentive '%(row)s' of %(employee)s is linked to %(target)s")),
    )
    for model, message in kinds:
        rows = model.objects.filter(employees).select_related(
            "employee", "objective__unit", "measure__unit"
        )
        outside = rows.exclude(objective__isnull=True).exclude(
            objective__unit__in=reach
        ) | rows.exclude(measure__isnull=True).exclude(measure__unit__in=reach)
        for row in outside.distinct():
            target = row.objective if row.objective_id else row.measure
            broken.append(
                message
                % {
                    "row": row,
                    "employee": row.employee.name,
                    "target": f"{target.unit.code}.{target.code}",
                }
            )
    return broken


def broken_links_after_unit_move(subtree: set[int], above: set[int]) -> list[str]:
    """Goals and incentives of the moved subtree's employees linked to objectives or
    measures of units that would no longer be above them (registered in apps.py)."""
    return _links_out_of_reach(Q(employee__unit__in=subtree), subtree | above)


# Goal templates ------------------------------------------------------------------------------


@transaction.atomic
def goal_template_create(*, actor, data: dict) -> GoalTemplate:
    """Define a goal to give many employees at once (see `goal_template_apply`)."""
    template = apply_changes(GoalTemplate(), data, allowed=TEMPLATE_FIELDS)
    return save_validated(template, actor=actor)


@transaction.atomic
def goal_template_update(*, actor, instance: GoalTemplate, data: dict) -> GoalTemplate:
    """Change a template; the goals already applied from it stay as they are."""
    apply_changes(instance, data, allowed=TEMPLATE_FIELDS)
    return save_validated(instance, actor=actor)


@transaction.atomic
def goal_template_delete(*, actor, instance: GoalTemplate) -> None:
    """Remove a template; the goals applied from it stay (they no longer name it)."""
    delete_or_explain(instance, actor=actor)


@dataclass(frozen=True)
class TemplateApplied:
    """What `goal_template_apply` did: of the `matched` active employees, `created` got
    the goal and `skipped` already had one from the template for its fiscal year."""

    matched: int
    created: int
    skipped: int


APPLY_BATCH = 2000


@transaction.atomic
def goal_template_apply(
    *,
    actor,
    template: GoalTemplate,
    unit: OrgUnit | None = None,
    job_family: str = "",
) -> TemplateApplied:
    """Give `template`'s goal to every active employee of `unit`'s subtree and/or of
    `job_family`, all or nothing. Those who already have a goal from the template for its
    fiscal year are skipped (applying twice gives nobody a second copy). If the template
    links to an objective or measure, every employee receiving it must be of that unit or a
    unit below it (the goal must serve the employee's unit chain): one out of reach and
    nothing is applied.

    Set-based: a fixed number of queries and one bulk insert (with the change history),
    whatever the number of employees; the per-goal rules hold by construction (the
    template's own constraints are the goal's, and the link is checked for all at once)."""
    job_family = (job_family or "").strip()
    if unit is None and not job_family:
        raise ValidationError({NON_FIELD_ERRORS: _("Choose a unit, a job family or both.")})
    # Lock the template, so two applies of it run one after the other and the second skips
    # those the first served (the unique constraint on goals is the backstop).
    template = (
        GoalTemplate.objects.select_for_update(of=("self",))  # not the outer-joined links
        .select_related("objective__unit", "measure__unit")
        .get(pk=template.pk)
    )
    audience = template_audience(template, unit=unit, job_family=job_family)
    _refuse_unless_all_reached(template, audience, audience_text(unit, job_family))
    goals = [_goal_from(template, employee_id) for employee_id in audience.receive]
    if goals:
        _insert_goals(goals, actor=actor)
    return TemplateApplied(matched=audience.matched, created=len(goals), skipped=audience.skipped)


def _refuse_unless_all_reached(template: GoalTemplate, audience: Audience, who: str) -> None:
    """Refuse an apply that reaches nobody, or someone out of the template's reach."""
    if not audience.matched:
        raise ValidationError({NON_FIELD_ERRORS: _("No active employee %(who)s.") % {"who": who}})
    if not audience.out_of_reach:
        return
    more = ", …" if audience.out_of_reach > len(audience.examples) else ""
    message = ngettext(
        "The goal serves %(links)s, so only employees of %(unit)s or a unit below it may have "
        "it; %(count)s of the %(matched)s employees %(who)s is not: %(examples)s. Nothing was "
        "applied: choose a unit within %(unit)s, or a template linked higher up.",
        "The goal serves %(links)s, so only employees of %(unit)s or a unit below it may have "
        "it; %(count)s of the %(matched)s employees %(who)s are not: %(examples)s. Nothing "
        "was applied: choose a unit within %(unit)s, or a template linked higher up.",
        audience.out_of_reach,
    )
    raise ValidationError(
        {
            NON_FIELD_ERRORS: message
            % {
                "links": _template_links(template),
                "unit": audience.reach_unit.code,
                "count": audience.out_of_reach,
                "matched": audience.matched,
                "who": who,
                "examples": ", ".join(audience.examples) + more,
            }
        }
    )


def _template_links(template: GoalTemplate) -> str:
    """'objective ENT.F1 and measure ENT.REV', what a template's goals serve."""
    objective, measure = template.objective, template.measure
    codes = {
        "objective": objective and f"{objective.unit.code}.{objective.code}",
        "measure": measure and f"{measure.unit.code}.{measure.code}",
    }
    if objective and measure:
        return _("objective %(objective)s and measure %(measure)s") % codes
    if objective:
        return _("objective %(objective)s") % codes
    return _("measure %(measure)s") % codes


def _goal_from(template: GoalTemplate, employee_id: int) -> Goal:
    """The goal `template` gives an employee (not saved)."""
    return Goal(
        employee_id=employee_id,
        fiscal_year=template.fiscal_year,
        kind=template.kind,
        title=template.title,
        weight=template.weight,
        objective=template.objective,
        measure=template.measure,
        progress=0,
        template=template,
    )


def _insert_goals(goals: list[Goal], *, actor) -> None:
    """Insert goals applied from one template at once, with their change history."""
    # The field rules, once: every goal has the same values (no query: links and the
    # employee are checked by the caller, set-based).
    goals[0].clean_fields(exclude=["employee", "objective", "measure", "template"])
    try:
        with transaction.atomic():
            bulk_create_with_history(goals, Goal, batch_size=APPLY_BATCH, default_user=actor)
    except IntegrityError:  # a goal from the template written meanwhile, bypassing the lock
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "Someone gave goals from this template at the same moment; nothing "
                    "was applied. Apply again: those who have it now will be skipped."
                )
            }
        ) from None
    data_changed()  # bulk inserts send no signal


def audience_text(unit: OrgUnit | None, job_family: str) -> str:
    """'of job family Sales in BU and the units below it', for messages."""
    if job_family and unit is not None:
        return _("of job family %(family)s in %(unit)s and the units below it") % {
            "family": job_family,
            "unit": unit.code,
        }
    if job_family:
        return _("of job family %(family)s") % {"family": job_family}
    return _("of %(unit)s and the units below it") % {"unit": unit.code}
