"""The budget lines that fund initiatives, as the initiatives pages read them (registered
with `initiatives.funding` when this app starts): what a user may see, each initiative's
sums, the sums over a portfolio, and one initiative's lines by fiscal year and category."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, QuerySet, Subquery, Sum

from core.fields import MONEY
from core.scoping import restrict

from .choices import BudgetCategory
from .models import BudgetLine


@dataclass(frozen=True)
class Totals:
    """Planned and actual money of a set of budget lines, and how many lines."""

    planned: Decimal
    actual: Decimal
    lines: int


@dataclass(frozen=True)
class BudgetRow:
    """One fiscal year and category of the lines funding an initiative."""

    fiscal_year: int
    category: str
    category_label: str
    lines: int
    planned: Decimal
    actual: Decimal


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


class InitiativeFunding:
    """`initiatives.funding.Funding`, read from budget lines."""

    def visible_lines(self, user) -> QuerySet | None:
        """The budget lines `user` may see (unit heads: their subtree's), or None when he or
        she may see none at all (then the pages show no money)."""
        if not user.has_perm("budgets.view_budgetline"):
            return None
        return restrict(BudgetLine.objects.all(), user)

    def annotate(self, initiatives: QuerySet, lines: QuerySet, *, fiscal_year) -> QuerySet:
        """`planned_total`, `actual_total` and `line_count` of the lines linked to each
        initiative (of `fiscal_year` only, if given; None where no line is linked)."""
        if fiscal_year is not None:
            lines = lines.filter(fiscal_year=fiscal_year)
        money = DecimalField(**MONEY)
        return initiatives.annotate(
            planned_total=_per_initiative(lines, Sum("planned"), money),
            actual_total=_per_initiative(lines, Sum("actual"), money),
            line_count=_per_initiative(lines, Count("pk"), IntegerField()),
        )

    def totals(self, initiatives: QuerySet, lines: QuerySet, *, fiscal_year) -> Totals:
        """The sums over every initiative of `initiatives` (all pages of the table)."""
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

    def summary(self, initiative, lines: QuerySet) -> list[BudgetRow]:
        """The lines of `lines` linked to `initiative`, summed per fiscal year and category."""
        labels = dict(BudgetCategory.choices)
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
