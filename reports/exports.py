"""The workbook and CSV exports: each reads through the apps' own selectors (the numbers the
pages and the API show) and gives a `PackFile`. Who may read what is the caller's check;
what a reader may not see (budgets, people) is left out here, by the same rules the pages
follow."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alignment.metrics import LABELS, METRICS
from alignment.reports import LISTS
from alignment.selectors import cached_alignment_report
from budgets import selectors as budget_selectors
from budgets.choices import BudgetCategory
from core.clock import current_fiscal_year
from core.scoping import restrict
from initiatives import selectors as initiative_selectors
from initiatives.models import Initiative
from scorecards.models import Measure, OrgUnit
from scorecards.selectors.scorecard import unit_scorecard
from scorecards.selectors.series import load_series
from scorecards.selectors.tree import enterprise_unit

from .files import PackFile, tables_file
from .tables import (
    alignment_tables,
    budget_tables,
    history_table,
    portfolio_table,
    scorecard_tables,
)

PEOPLE_LISTS = ("unaligned_employees", "unlinked_incentives")


def company_name() -> str:
    """The company's name: the enterprise unit's (every file carries it)."""
    root = enterprise_unit()
    return root.name if root is not None else ""


def scorecard_file(unit: OrgUnit, *, as_of: dt.date | None, ytd: bool, fmt: str) -> PackFile:
    """A unit's scorecard as a workbook (the perspectives, then every measure) or a CSV (the
    measures)."""
    card = unit_scorecard(unit, as_of=as_of, ytd=ytd)
    tables = scorecard_tables(card, company=company_name())
    parts = [unit.code, "scorecard-ytd" if ytd else "scorecard", card.as_of.strftime("%Y-%m")]
    return tables_file(tables, parts, fmt)


def history_file(measure: Measure, *, fmt: str) -> PackFile:
    """Every stored period of a measure (calculated and rollup measures as computed)."""
    series = load_series(Q(pk=measure.pk))[measure.pk]
    table = history_table(series, unit_name=measure.unit.name)
    parts = [measure.unit.code, measure.code, "history", timezone.localdate().isoformat()]
    return tables_file([table], parts, fmt)


def alignment_file(unit: OrgUnit, *, fiscal_year: int | None, user, fmt: str) -> PackFile:
    """The alignment report of a unit's subtree: its metrics, each unit's, and the lists of
    what is out of line (budget lines and people only for who may see them). The CSV is
    the per-unit table."""
    year = fiscal_year or current_fiscal_year()
    report = cached_alignment_report(unit, fiscal_year=year)
    see_budgets = user.has_perm("budgets.view_budgetline", unit)
    see_people = user.has_perm("people.view_employee", unit)
    lists = [
        (name, title)
        for name, title in LISTS
        if (name != "unlinked_budget_lines" or see_budgets)
        and (name not in PEOPLE_LISTS or see_people)
    ]
    labels = {name: LABELS[name] for name in (*METRICS, "alignment_index")}
    tables = alignment_tables(report, labels=labels, lists=lists, company=company_name())
    return tables_file(tables, [unit.code, "alignment", f"FY{year}"], fmt, csv_table=1)


def budget_file(unit: OrgUnit, *, fiscal_year: int | None) -> PackFile:
    """A subtree's budget for a year, by category, by unit and line by line."""
    year = fiscal_year or current_fiscal_year()
    summary = budget_selectors.budget_summary(unit, year)
    lines = budget_selectors.all_lines(unit, year)
    categories = dict(BudgetCategory.choices)
    tables = budget_tables(summary, lines, categories=categories, company=company_name())
    return tables_file(tables, [unit.code, "budget", f"FY{year}"], "xlsx")


def portfolio_file(user, *, unit: OrgUnit | None, fiscal_year: int | None) -> PackFile:
    """The initiatives the user may see (of a unit's subtree, if given), with the money of
    the budget lines he or she may see linked to each (of a fiscal year, if given)."""
    initiatives = restrict(Initiative.objects.all(), user)
    if unit is not None:
        initiatives = initiatives.filter(unit__in=OrgUnit.objects.subtree_of(unit.pk))
    lines = initiative_selectors.visible_budget_lines(user)
    rows = initiative_selectors.portfolio(initiatives, lines=lines, fiscal_year=fiscal_year)
    scope = f"{unit.code} {unit.name}" if unit is not None else _("All units")
    title = _("Initiative portfolio: %(scope)s") % {"scope": scope}
    if fiscal_year:
        title += " · " + _("money of FY%(year)s") % {"year": fiscal_year}
    table = portfolio_table(rows, show_money=lines is not None, company=company_name(), title=title)
    parts = [unit.code if unit else "all", "initiatives", timezone.localdate().isoformat()]
    return tables_file([table], parts, "xlsx")
