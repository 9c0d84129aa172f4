"""Reads of the people pages, shared by views and services: the employee list with its
figures of the year, an employee's goals and incentives, who a goal template reaches, and
goal alignment per unit. Each is a fixed number of queries, whatever the number of rows.

Goal alignment follows DESIGN.md ("Alignment metrics"): of a subtree's active employees,
the share with at least one goal of the year linked to an objective or a measure. The
alignment app computes the same figure in its report; people may not import it (imports
go one way), so it is worked out here again, and a test compares the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from core.tree import walk
from scorecards.models import Measure, Objective, OrgUnit

from .models import Employee, Goal, GoalTemplate, IncentiveComponent

LINKED = Q(objective__isnull=False) | Q(measure__isnull=False)

# Employees -----------------------------------------------------------------------------------


def _per_employee(queryset: QuerySet, expression, output_field):
    """A correlated subquery of one figure per employee (no join that multiplies rows)."""
    return Coalesce(
        Subquery(
            queryset.filter(employee=OuterRef("pk"))
            .order_by()
            .values("employee")
            .annotate(figure=expression)
            .values("figure"),
            output_field=output_field,
        ),
        Value(0, output_field=output_field),
    )


def with_year_figures(employees: QuerySet, fiscal_year: int) -> QuerySet:
    """`employees` with, for the fiscal year: `goal_count`, `aligned` (at least one goal
    linked to an objective or measure), `incentive_weight` and `incentive_weight_linked`;
    unit and manager joined. One query for a page, whatever its size."""
    goals = Goal.objects.filter(fiscal_year=fiscal_year)
    incentives = IncentiveComponent.objects.filter(fiscal_year=fiscal_year)
    weight = DecimalField(max_digits=20, decimal_places=3)
    return employees.select_related("unit", "manager").annotate(
        goal_count=_per_employee(goals, Count("id"), IntegerField()),
        aligned=Exists(goals.filter(LINKED, employee=OuterRef("pk"))),
        incentive_weight=_per_employee(incentives, Sum("weight"), weight),
        incentive_weight_linked=_per_employee(incentives.filter(LINKED), Sum("weight"), weight),
    )


def job_families() -> list[str]:
    """The job families in use, sorted (one query)."""
    return list(
        Employee.objects.exclude(job_family="")
        .order_by("job_family")
        .values_list("job_family", flat=True)
        .distinct()
    )


def employee_year(employee: Employee, fiscal_year: int) -> tuple[list[Goal], list]:
    """An employee's goals and incentive components of the year, with the objectives and
    measures they link to (two queries)."""
    related = ("objective__unit", "measure__unit", "measure__objective")
    goals = list(
        employee.goals.filter(fiscal_year=fiscal_year)
        .select_related(*related, "template")
        .order_by("kind", "title", "pk")
    )
    incentives = list(
        employee.incentives.filter(fiscal_year=fiscal_year)
        .select_related(*related)
        .order_by("name", "pk")
    )
    return goals, incentives


def strategy_within_reach(employee: Employee) -> tuple[QuerySet, QuerySet]:
    """The objectives and measures an employee's goals and incentives may link to: those of
    the employee's unit and of the units above it (querysets; one query each when read)."""
    chain = OrgUnit.objects.ancestors_of(employee.unit_id, include_self=True)
    objectives = (
        Objective.objects.filter(unit__in=chain)
        .select_related("unit")
        .order_by("unit__code", "code")
    )
    measures = (
        Measure.objects.filter(unit__in=chain).select_related("unit").order_by("unit__code", "code")
    )
    return objectives, measures


# Goal templates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who applying a template to a unit and/or job family reaches.

    `receive`: ids of the active employees who would get the goal; `skipped`: how many
    already have a goal from this template for its year; `out_of_reach`: how many would get
    it but are not below the unit of its objective or measure (then nobody may get it),
    with a few `examples` ("Name (UNIT)"); `reach_unit`: that unit, or None if unlinked."""

    matched: int
    receive: list[int]
    skipped: int
    out_of_reach: int
    examples: list[str]
    reach_unit: OrgUnit | None


EXAMPLES = 5


def template_reach(template: GoalTemplate) -> tuple[OrgUnit | None, set[int] | None]:
    """The unit below which employees may receive the template's goal and the ids of its
    subtree (None, None when the template links to nothing: anyone may). With both an
    objective and a measure it is the lower of their two units (the model keeps them on one
    branch); at most two queries."""
    units = [link.unit for link in (template.objective, template.measure) if link is not None]
    if not units:
        return None, None
    subtrees = [set(OrgUnit.objects.subtree_of(u.pk).values_list("id", flat=True)) for u in units]
    reach = set.intersection(*subtrees)
    lower = next((u for u, s in zip(units, subtrees, strict=True) if s == reach), units[0])
    return lower, reach


def template_audience(
    template: GoalTemplate, *, unit: OrgUnit | None = None, job_family: str = ""
) -> Audience:
    """Who applying `template` to the active employees of `unit`'s subtree and/or of
    `job_family` reaches (`Audience`); what the apply form previews and the apply service
    checks. At most three queries, whatever the number of employees."""
    employees = Employee.objects.filter(active=True)
    if unit is not None:
        employees = employees.filter(unit__in=OrgUnit.objects.subtree_of(unit.pk))
    if job_family:
        employees = employees.filter(job_family=job_family)
    has_goal = Goal.objects.filter(
        employee=OuterRef("pk"), template=template, fiscal_year=template.fiscal_year
    )
    rows = list(
        employees.annotate(has_goal=Exists(has_goal))
        .order_by("name", "pk")
        .values_list("pk", "name", "unit_id", "unit__code", "has_goal")
    )
    reach_unit, reach = template_reach(template)
    receive, skipped, outside = [], 0, []
    for pk, name, unit_id, unit_code, already in rows:
        if already:
            skipped += 1
        elif reach is not None and unit_id not in reach:
            outside.append(f"{name} ({unit_code})")
        else:
            receive.append(pk)
    return Audience(
        matched=len(rows),
        receive=receive,
        skipped=skipped,
        out_of_reach=len(outside),
        examples=outside[:EXAMPLES],
        reach_unit=reach_unit,
    )


# Goal alignment per unit ---------------------------------------------------------------------


def share(part: int, whole: int) -> Fraction | None:
    """part / whole in percent, None when there is no whole (as alignment.metrics does)."""
    return Fraction(part, whole) * 100 if whole else None


@dataclass
class UnitGoalAlignment:
    """One unit: its own active employees and those aligned, and the same for its subtree
    (the unit and every unit below it), with the subtree's share in percent."""

    id: int
    code: str
    name: str
    depth: int
    employees: int = 0
    aligned: int = 0
    subtree_employees: int = 0
    subtree_aligned: int = 0

    @property
    def share(self) -> Fraction | None:
        return share(self.subtree_aligned, self.subtree_employees)


@dataclass
class UnalignedEmployee:
    id: int
    name: str
    unit_code: str
    job_family: str


@dataclass
class GoalAlignment:
    """Goal alignment of a unit's subtree for a fiscal year: the figures of the subtree, one
    row per unit (depth first, children by code), the employees without an aligned goal."""

    unit: OrgUnit
    fiscal_year: int
    units: list[UnitGoalAlignment]
    unaligned: list[UnalignedEmployee] = field(default_factory=list)

    @property
    def employees(self) -> int:
        return self.units[0].subtree_employees

    @property
    def aligned(self) -> int:
        return self.units[0].subtree_aligned

    @property
    def share(self) -> Fraction | None:
        return self.units[0].share


def goal_alignment(unit: OrgUnit, fiscal_year: int) -> GoalAlignment:
    """Goal alignment of `unit`'s subtree and of each unit in it for `fiscal_year` (two
    queries: the units, the active employees with whether each has an aligned goal)."""
    units = list(OrgUnit.objects.subtree_of(unit.pk).values_list("id", "code", "name", "parent_id"))
    rows: dict[int, UnitGoalAlignment] = {}
    parent_of: dict[int, int | None] = {}
    ordered: list[UnitGoalAlignment] = []
    walked = walk(
        units, key=lambda r: r[0], parent=lambda r: r[3], order=lambda r: r[1], top=unit.pk
    )
    for (pk, code, name, parent), depth in walked:  # depth first from the top, by code
        rows[pk] = UnitGoalAlignment(id=pk, code=code, name=name, depth=depth)
        parent_of[pk] = parent if pk != unit.pk else None
        ordered.append(rows[pk])

    aligned_goal = Goal.objects.filter(LINKED, employee=OuterRef("pk"), fiscal_year=fiscal_year)
    unaligned = []
    for pk, name, unit_id, unit_code, job_family, aligned in (
        Employee.objects.filter(unit__in=OrgUnit.objects.subtree_of(unit.pk), active=True)
        .annotate(aligned=Exists(aligned_goal))
        .order_by("unit__code", "name", "pk")
        .values_list("pk", "name", "unit_id", "unit__code", "job_family", "aligned")
    ):
        row = rows[unit_id]
        row.employees += 1
        row.aligned += aligned
        if not aligned:
            unaligned.append(UnalignedEmployee(pk, name, unit_code, job_family))

    # Subtree figures: each unit's own plus its descendants', deepest units first.
    for row in ordered:
        row.subtree_employees, row.subtree_aligned = row.employees, row.aligned
    for row in reversed(ordered):  # depth first order reversed: children before parents
        parent = parent_of[row.id]
        if parent is not None:
            rows[parent].subtree_employees += row.subtree_employees
            rows[parent].subtree_aligned += row.subtree_aligned
    return GoalAlignment(unit=unit, fiscal_year=fiscal_year, units=ordered, unaligned=unaligned)
