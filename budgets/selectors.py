"""Reads of budget lines shared by the budget pages: a unit subtree's fiscal year summed
by category and by unit, its linked share (DESIGN.md "budget linkage") and its lines.

A fixed number of queries whatever the number of units and lines: the sums are one
grouped query, the lines are read a page (or a capped list) at a time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from core.tree import walk
from initiatives.models import InitiativeObjective
from scorecards.models import OrgUnit

from .choices import BudgetCategory
from .models import BudgetLine

ZERO = Decimal("0.00")
CATEGORIES = tuple(BudgetCategory)  # OPEX, CAPEX, STRATEX: the order of every table

# Linked to strategy (the same rule as BudgetLine.is_linked and alignment's budget
# linkage): names an objective, or an initiative that advances at least one objective.
LINKED = Q(objective__isnull=False) | Q(
    Exists(InitiativeObjective.objects.filter(initiative=OuterRef("initiative_id")))
)


def share(part: Decimal, whole: Decimal) -> Fraction | None:
    """part / whole as an exact percentage (0-100), or None when nothing is planned."""
    if not whole:
        return None
    return Fraction(part) / Fraction(whole) * 100


@dataclass
class Amounts:
    """Planned and actual money of some lines (Decimals), and how much of the planned
    money is linked to strategy."""

    planned: Decimal = ZERO
    actual: Decimal = ZERO
    planned_linked: Decimal = ZERO
    lines: int = 0
    lines_unlinked: int = 0

    def add(self, other: Amounts) -> None:
        self.planned += other.planned
        self.actual += other.actual
        self.planned_linked += other.planned_linked
        self.lines += other.lines
        self.lines_unlinked += other.lines_unlinked

    @property
    def linked_share(self) -> Fraction | None:
        return share(self.planned_linked, self.planned)


@dataclass
class UnitBudget:
    """One unit of the subtree with the sums of its own lines, by category."""

    id: int
    code: str
    name: str
    depth: int
    by_category: dict[str, Amounts]
    total: Amounts

    @property
    def columns(self) -> list[Amounts]:
        """The categories' amounts in table order (OPEX, CAPEX, STRATEX)."""
        return [self.by_category[c] for c in CATEGORIES]


@dataclass
class BudgetSummary:
    """A unit subtree's budget for a fiscal year: totals by category and by unit, the
    linked share and the STRATEX share (None when nothing is planned)."""

    unit: OrgUnit
    fiscal_year: int
    by_category: dict[str, Amounts]
    total: Amounts
    units: list[UnitBudget] = field(default_factory=list)

    @property
    def linked_share(self) -> Fraction | None:
        return self.total.linked_share

    @property
    def columns(self) -> list[Amounts]:
        """The categories' amounts in table order (OPEX, CAPEX, STRATEX)."""
        return [self.by_category[c] for c in CATEGORIES]

    @property
    def stratex_share(self) -> Fraction | None:
        return share(self.by_category[BudgetCategory.STRATEX].planned, self.total.planned)


def subtree_lines(unit: OrgUnit, fiscal_year: int) -> QuerySet[BudgetLine]:
    """The lines of `unit`'s subtree for the year, each annotated `linked`."""
    return BudgetLine.objects.filter(
        unit__in=OrgUnit.objects.subtree_of(unit.pk), fiscal_year=fiscal_year
    ).annotate(linked=Q(LINKED))


def budget_summary(unit: OrgUnit, fiscal_year: int) -> BudgetSummary:
    """The sums of `unit`'s subtree for a fiscal year (two queries: the units, the sums)."""
    units = list(OrgUnit.objects.subtree_of(unit.pk).values("id", "code", "name", "parent_id"))
    money = Coalesce(Sum("planned"), Value(ZERO))
    sums = (
        BudgetLine.objects.filter(unit__in=[u["id"] for u in units], fiscal_year=fiscal_year)
        .values("unit_id", "category")
        .annotate(
            planned_sum=money,
            actual_sum=Coalesce(Sum("actual"), Value(ZERO)),
            linked_sum=Coalesce(Sum("planned", filter=LINKED), Value(ZERO)),
            lines=Count("id"),
            unlinked=Count("id", filter=~LINKED),
        )
        .order_by()
    )
    own: dict[int, dict[str, Amounts]] = defaultdict(lambda: {c: Amounts() for c in CATEGORIES})
    for row in sums:
        own[row["unit_id"]][row["category"]] = Amounts(
            planned=row["planned_sum"],
            actual=row["actual_sum"],
            planned_linked=row["linked_sum"],
            lines=row["lines"],
            lines_unlinked=row["unlinked"],
        )
    by_category = {c: Amounts() for c in CATEGORIES}
    total = Amounts()
    rows = []
    for unit_row, depth in tree_order(units, unit.pk):
        categories = own[unit_row["id"]]
        unit_total = Amounts()
        for category, amounts in categories.items():
            unit_total.add(amounts)
            by_category[category].add(amounts)
        total.add(unit_total)
        rows.append(
            UnitBudget(
                id=unit_row["id"],
                code=unit_row["code"],
                name=unit_row["name"],
                depth=depth,
                by_category=categories,
                total=unit_total,
            )
        )
    return BudgetSummary(
        unit=unit, fiscal_year=fiscal_year, by_category=by_category, total=total, units=rows
    )


def tree_order(units: list[dict], top: int) -> list[tuple[dict, int]]:
    """The units of a subtree depth first from `top`, children by code, with their depth
    below `top`."""
    return walk(
        units,
        key=lambda u: u["id"],
        parent=lambda u: u["parent_id"],
        order=lambda u: u["code"],
        top=top,
    )


def lines_for_display(lines: QuerySet[BudgetLine]) -> QuerySet[BudgetLine]:
    """Lines with what a table shows about them (unit, objective, initiative) in the same
    query."""
    return lines.select_related("unit", "objective__unit", "initiative__unit")


def all_lines(unit: OrgUnit, fiscal_year: int) -> QuerySet[BudgetLine]:
    """Every line of the subtree's year, by unit, category and label."""
    return lines_for_display(subtree_lines(unit, fiscal_year)).order_by(
        "unit__code", "category", "label", "id"
    )


def unlinked_lines(unit: OrgUnit, fiscal_year: int) -> QuerySet[BudgetLine]:
    """The lines linked to no objective, nor to an initiative advancing one: what the OSM
    must chase, the largest planned amounts first."""
    return lines_for_display(subtree_lines(unit, fiscal_year).filter(~LINKED)).order_by(
        "-planned", "unit__code", "label", "id"
    )
