"""Reads for one person, across the apps: where each person's work is after signing in, a
person's goals, and "my strategy" (the strategy as it concerns an employee: the objectives of
her unit, the objectives above them they serve up to the enterprise's, and her goals).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.clock import fiscal_year_of
from core.roles import EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, ROLES, UNIT_HEAD, has_role
from core.scoping import headed_subtree_ids
from people.models import Employee, Goal, IncentiveComponent
from scorecards import scoring
from scorecards.models import CascadeLink, Measure, Objective, OrgUnit
from scorecards.selectors.scorecard import chosen_objective_scores
from scorecards.selectors.updates import PersonalGoals

# Where each person lands --------------------------------------------------------------------


def top_headed_unit(user) -> OrgUnit | None:
    """The highest unit `user` heads (by code among several at the same height), or None
    (three queries; none without the Unit head role)."""
    if not has_role(user, UNIT_HEAD):
        return None
    headed = list(OrgUnit.objects.filter(head=user).order_by("code"))
    below_one = headed_subtree_ids(user) if len(headed) > 1 else set()
    # A headed unit whose parent is in a headed subtree lies below another headed unit.
    return next((u for u in headed if u.parent_id not in below_one), None)


def work_url(user) -> str:
    """Where `user`'s daily work is: the OSM staff and executives on the enterprise's
    dashboard; a unit head on the dashboard of the (highest) unit he or she heads; a measure
    owner on "My updates"; HR on the people list; anyone else on the enterprise's dashboard
    (which tells a user without a role to ask for one)."""
    if has_role(user, OSM_STAFF, EXECUTIVE):
        return reverse("home")
    if headed := top_headed_unit(user):
        return reverse("home") if headed.parent_id is None else reverse("unit", args=[headed.code])
    if has_role(user, MEASURE_OWNER) or Measure.objects.filter(owner=user).exists():
        return reverse("my-updates")
    if has_role(user, HR):
        return reverse("people:index")
    return reverse("home")


def landing_url(user) -> str:
    """Where signing in leads: everyone with an employee record sees first the strategy as
    it concerns him or her ("My strategy", which links on to the work); anyone else goes
    where the work is (`work_url`)."""
    if has_role(user, *ROLES) and Employee.objects.filter(user=user).exists():
        return reverse("my-strategy")
    return work_url(user)


# A person's goals ---------------------------------------------------------------------------


def employee_of(user) -> Employee | None:
    """The employee record of `user`, with its unit, or None (one query)."""
    if not user.is_authenticated:
        return None
    return Employee.objects.select_related("unit").filter(user=user).first()


def goals_of(employee: Employee, fiscal_year: int) -> list[Goal]:
    """The employee's goals of the fiscal year, with what they serve (one query)."""
    return list(
        employee.goals.filter(fiscal_year=fiscal_year)
        .select_related("objective__unit", "measure__unit", "measure__objective")
        .order_by("kind", "title", "pk")
    )


def personal_goals(user, *, today: dt.date | None = None) -> PersonalGoals | None:
    """`user`'s goals of this fiscal year, for "My updates"; None without an employee
    record (two queries)."""
    employee = employee_of(user)
    if employee is None:
        return None
    year = fiscal_year_of(today or timezone.localdate())
    return PersonalGoals(employee=employee, fiscal_year=year, goals=goals_of(employee, year))


# My strategy --------------------------------------------------------------------------------


@dataclass
class ChainObjective:
    """An objective on an employee's chain: its status this month, the objectives of the
    chain it supports, and whether one of her goals serves it."""

    id: int
    code: str
    name: str
    unit_code: str
    status: str
    score: Fraction | None
    goal_linked: bool
    incentive_linked: bool = False
    supports: list[ChainObjective] = field(default_factory=list)


@dataclass
class ChainUnit:
    """A unit from the employee's up to the enterprise: its objectives shown (all of her
    own unit's; above it, those her unit's objectives serve, directly or through the units
    between, and those her goals serve) and how many others it has."""

    id: int
    code: str
    name: str
    own: bool
    objectives: list[ChainObjective] = field(default_factory=list)
    others: int = 0


@dataclass
class MyStrategy:
    """The strategy as it concerns one employee."""

    employee: Employee
    fiscal_year: int
    goals: list[Goal]
    chain: list[ChainUnit]  # her unit first, the enterprise last
    incentives: list[IncentiveComponent] = field(default_factory=list)

    @property
    def above(self) -> list[ChainUnit]:
        return self.chain[1:]

    @property
    def enterprise(self) -> ChainUnit:
        return self.chain[-1]

    @property
    def off_target(self) -> list[ChainObjective]:
        """What is red along her chain: its objectives off target, her unit's first."""
        return [o for unit in self.chain for o in unit.objectives if o.status == scoring.RED]


def _served(own: list[int], up: dict[int, list[int]]) -> set[int]:
    """The objectives reached from `own` by following "supports" upward (no recursion)."""
    seen, stack = set(own), list(own)
    while stack:
        for supported in up.get(stack.pop(), []):
            if supported not in seen:
                seen.add(supported)
                stack.append(supported)
    return seen


def incentives_of(employee: Employee, fiscal_year: int) -> list[IncentiveComponent]:
    """The employee's incentives of the fiscal year, with what they serve (one query)."""
    return list(
        employee.incentives.filter(fiscal_year=fiscal_year)
        .select_related("objective__unit", "measure__unit", "measure__objective")
        .order_by("name", "pk")
    )


def _served_by(items) -> set[int]:
    """The objectives goals or incentives serve: named, or through a measure."""
    return {i.objective_id for i in items if i.objective_id} | {
        i.measure.objective_id for i in items if i.measure
    }


def my_strategy(employee: Employee, *, today: dt.date | None = None) -> MyStrategy:
    """The objectives of the employee's unit, of each unit above it (those her unit serves
    and those her goals and incentives serve) and every objective of the enterprise, with
    their statuses this month, and her goals and incentives of this fiscal year. A fixed
    number of queries (the units, the objectives, the links, the goals, the incentives and
    the scores'), whatever the number of objectives."""
    today = today or timezone.localdate()
    year = fiscal_year_of(today)
    goals = goals_of(employee, year)
    incentives = incentives_of(employee, year)
    units = {u.pk: u for u in OrgUnit.objects.ancestors_of(employee.unit_id, include_self=True)}
    path, node = [], units.get(employee.unit_id)
    while node is not None:
        path.append(node)
        node = units.get(node.parent_id)
    rows = list(
        Objective.objects.filter(unit_id__in=units)
        .order_by("code")
        .values("id", "code", "name", "unit_id", "unit__code")
    )
    up: dict[int, list[int]] = {}
    for supporting, supported in CascadeLink.objects.filter(
        Q(supporting__unit_id__in=units) & Q(supported__unit_id__in=units)
    ).values_list("supporting_id", "supported_id"):
        up.setdefault(supporting, []).append(supported)
    by_goal, by_incentive = _served_by(goals), _served_by(incentives)
    own = [r["id"] for r in rows if r["unit_id"] == employee.unit_id]
    root = path[-1].pk
    shown = (
        _served(own, up)
        | ((by_goal | by_incentive) & {r["id"] for r in rows})
        | {r["id"] for r in rows if r["unit_id"] == root}
    )
    readings = chosen_objective_scores(sorted(shown), today=today)
    objectives = {
        r["id"]: ChainObjective(
            id=r["id"],
            code=r["code"],
            name=r["name"],
            unit_code=r["unit__code"],
            status=readings[r["id"]].status if r["id"] in readings else scoring.NO_DATA,
            score=readings[r["id"]].score if r["id"] in readings else None,
            goal_linked=r["id"] in by_goal,
            incentive_linked=r["id"] in by_incentive,
        )
        for r in rows
        if r["id"] in shown
    }
    for objective in objectives.values():
        objective.supports = [objectives[s] for s in up.get(objective.id, []) if s in objectives]
        objective.supports.sort(key=lambda o: (o.unit_code, o.code))
    chain = []
    for unit in path:
        mine = [objectives[r["id"]] for r in rows if r["unit_id"] == unit.pk and r["id"] in shown]
        total = sum(1 for r in rows if r["unit_id"] == unit.pk)
        chain.append(
            ChainUnit(
                id=unit.pk,
                code=unit.code,
                name=unit.name,
                own=unit.pk == employee.unit_id,
                objectives=mine,
                others=total - len(mine),
            )
        )
    return MyStrategy(
        employee=employee, fiscal_year=year, goals=goals, chain=chain, incentives=incentives
    )
