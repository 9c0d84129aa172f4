"""Reads of initiatives that the pages share: the portfolio with its budget sums, the
objectives an initiative may advance, one initiative's budget summary, the timeline rows.

Budget lines live in the budgets app, which imports this one (never the reverse: see the
import table in DESIGN.md); they are reached through the reverse relation
`Initiative.budget_lines`, so this module never imports budgets.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
)

from osm.permissions import Scope, scope_queryset
from osm.utils import MONEY
from scorecards.models import Objective, OrgUnit

from .models import Initiative, Milestone


def budget_line_model():
    """The budget line model, from the reverse relation (no import of budgets)."""
    return Initiative._meta.get_field("budget_lines").related_model


def visible_budget_lines(user) -> QuerySet | None:
    """The budget lines `user` may see (unit heads: their subtree's), or None when he or
    she may see none at all (then the pages show no money)."""
    if not user.has_perm("budgets.view_budgetline"):
        return None
    return scope_queryset(user, budget_line_model().objects.all(), Scope.BUDGET, unit_path="unit")


def _per_initiative(lines: QuerySet, aggregate, output_field):
    """One figure per initiative as a correlated subquery: sums over budget lines next to
    other annotations or prefetches never multiply rows (no join fan-out)."""
    return Subquery(
        lines.filter(initiative=OuterRef("pk"))
        .order_by()
        .values("initiative")
        .annotate(figure=aggregate)
        .values("figure"),
        output_field=output_field,
    )


def portfolio(
    initiatives: QuerySet, *, lines: QuerySet | None = None, fiscal_year: int | None = None
) -> QuerySet:
    """`initiatives` ready for the portfolio table and the timeline: unit and owner joined,
    objectives (with their units) and milestones prefetched, and, when `lines` is given,
    `planned_total`, `actual_total` and `line_count` of those budget lines linked to each
    initiative (of `fiscal_year` only, if given; None where no line is linked). A fixed
    number of queries whatever the number of initiatives, milestones or lines."""
    queryset = (
        initiatives.select_related("unit", "owner")
        .prefetch_related(
            Prefetch(
                "objectives",
                queryset=Objective.objects.select_related("unit").order_by("unit__code", "code"),
            ),
            Prefetch("milestones", queryset=Milestone.objects.order_by("due", "pk")),
        )
        .order_by("unit__code", "code", "pk")
    )
    if lines is None:
        return queryset
    if fiscal_year is not None:
        lines = lines.filter(fiscal_year=fiscal_year)
    money = DecimalField(**MONEY)
    return queryset.annotate(
        planned_total=_per_initiative(lines, Sum("planned"), money),
        actual_total=_per_initiative(lines, Sum("actual"), money),
        line_count=_per_initiative(lines, Count("pk"), IntegerField()),
    )


@dataclass(frozen=True)
class Totals:
    """Planned and actual money of a set of budget lines, and how many lines."""

    planned: Decimal
    actual: Decimal
    lines: int


def budget_totals(initiatives: QuerySet, lines: QuerySet, *, fiscal_year: int | None) -> Totals:
    """The sums over every initiative of `initiatives` (all pages of the table), one query."""
    if fiscal_year is not None:
        lines = lines.filter(fiscal_year=fiscal_year)
    figures = lines.filter(initiative__in=initiatives.order_by().values("pk")).aggregate(
        planned=Sum("planned"), actual=Sum("actual"), lines=Count("pk")
    )
    return Totals(
        planned=figures["planned"] or Decimal("0"),
        actual=figures["actual"] or Decimal("0"),
        lines=figures["lines"],
    )


@dataclass(frozen=True)
class BudgetRow:
    """One fiscal year and category of the lines funding an initiative."""

    fiscal_year: int
    category: str
    category_label: str
    lines: int
    planned: Decimal
    actual: Decimal


def budget_summary(initiative: Initiative, lines: QuerySet) -> list[BudgetRow]:
    """The lines of `lines` linked to `initiative`, summed per fiscal year and category."""
    labels = dict(budget_line_model()._meta.get_field("category").choices)
    rows = (
        lines.filter(initiative=initiative)
        .order_by()
        .values("fiscal_year", "category")
        .annotate(n=Count("pk"), planned_sum=Sum("planned"), actual_sum=Sum("actual"))
        .order_by("fiscal_year", "category")
    )
    return [
        BudgetRow(
            fiscal_year=row["fiscal_year"],
            category=row["category"],
            category_label=labels.get(row["category"], row["category"]),
            lines=row["n"],
            planned=row["planned_sum"],
            actual=row["actual_sum"],
        )
        for row in rows
    ]


def reach_unit_ids(unit_ids) -> set[int]:
    """Ids of the units whose objectives an initiative of one of `unit_ids` may advance
    (see `services.validate_objectives`): those units, the units below and above them.
    One query for the subtrees, then one per topmost unit for the units above it."""
    unit_ids = {int(u) for u in unit_ids}
    if not unit_ids:
        return set()
    below = dict(
        OrgUnit.objects.subtree_of(*unit_ids).values_list("id", "parent_id")
    )  # id → parent id
    # The set is a union of subtrees: whatever lies above it lies above their tops.
    tops = {u for u in unit_ids if below.get(u) not in below}
    reach = set(below)
    for top in tops:
        reach |= set(OrgUnit.objects.ancestors_of(top).values_list("id", flat=True))
    return reach


def objectives_within_reach(unit_ids) -> QuerySet:
    """The objectives an initiative of one of `unit_ids` may advance, by unit and code."""
    return (
        Objective.objects.filter(unit_id__in=reach_unit_ids(unit_ids))
        .select_related("unit")
        .order_by("unit__code", "code")
    )


# The timeline --------------------------------------------------------------------------------


def milestone_state(due: dt.date, done_on: dt.date | None, today: dt.date) -> str:
    """'done' (a day is set), 'overdue' (not done and due before today) or 'open'."""
    if done_on is not None:
        return "done"
    return "overdue" if due < today else "open"


@dataclass(frozen=True)
class TimelineMilestone:
    name: str
    due: dt.date
    done_on: dt.date | None


@dataclass(frozen=True)
class TimelineRow:
    """What the timeline chart needs of one initiative (plain data, no ORM)."""

    label: str  # UNIT.CODE: codes are unique within a unit only
    name: str
    status: str
    start: dt.date
    end: dt.date | None
    percent_complete: int
    milestones: tuple[TimelineMilestone, ...]


def timeline_rows(initiatives) -> list[TimelineRow]:
    """The timeline rows of initiatives read by `portfolio` (milestones prefetched)."""
    return [
        TimelineRow(
            label=f"{i.unit.code}.{i.code}",
            name=i.name,
            status=i.status,
            start=i.start,
            end=i.end,
            percent_complete=i.percent_complete,
            milestones=tuple(
                TimelineMilestone(name=m.name, due=m.due, done_on=m.done_on)
                for m in i.milestones.all()
            ),
        )
        for i in initiatives
    ]
