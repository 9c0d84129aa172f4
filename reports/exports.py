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
from core.audit import AuditKind, audit
from core.clock import current_fiscal_year
from core.replica import heavy_reads
from core.scoping import restrict
from initiatives import selectors as initiative_selectors
from initiatives.models import Initiative
from people.models import Goal, IncentiveComponent
from scorecards.models import Measure, OrgUnit
from scorecards.selectors.scorecard import unit_scorecard
from scorecards.selectors.series import load_series
from scorecards.selectors.tree import enterprise_unit

from .files import PackFile, tables_file
from .tables import (
    alignment_tables,
    budget_tables,
    goal_table,
    history_table,
    incentive_table,
    portfolio_table,
    scorecard_tables,
)

PEOPLE_LISTS = ("unaligned_employees", "unlinked_incentives")


def company_name() -> str:
    """The company's name: the enterprise unit's (every file carries it)."""
    root = enterprise_unit()
    return root.name if root is not None else ""


@heavy_reads()
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


def alignment_download_audit(request, unit: OrgUnit, *, fiscal_year: int | None, fmt: str):
    """Record a download of the alignment file that holds pay data: the workbook's people
    lists (employees with no aligned goal, incentive components not linked, with their
    weights), which `alignment_file` gives who may see the unit's people. The CSV, each
    unit's percentages, holds none."""
    if fmt != "xlsx" or not request.user.has_perm("people.view_employee", unit):
        return
    year = fiscal_year or current_fiscal_year()
    audit(
        AuditKind.PAY_DATA_DOWNLOADED,
        request=request,
        target_name=unit.code,
        detail=f"alignment workbook: unit={unit.code} fiscal_year={year}",
    )


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


# Pay data: goals and incentive components -----------------------------------------------------

PAY_DATA = ("goals", "incentives")  # the exports `pay_data_download_audit` names
# What each row links to, joined: one query for the whole file, whatever its size.
_JOINED = ("employee__unit", "objective__unit", "measure__unit")


def _people_rows(model, user, unit: OrgUnit, year: int):
    """The rows of `model` (goals or incentive components) of `year`, of the employees of
    `unit`'s subtree, as far as `user` may see them (the people policy)."""
    return (
        restrict(model.objects.all(), user)
        .filter(fiscal_year=year, employee__unit__in=OrgUnit.objects.subtree_of(unit.pk))
        .select_related(*_JOINED)
    )


def _people_notes(unit: OrgUnit, what: str, year: int) -> list[str]:
    return [
        f"{company_name()} · {unit.code} {unit.name}",
        _("%(what)s of fiscal year %(year)s, of %(unit)s and the units below it.")
        % {"what": what, "year": year, "unit": unit.code},
    ]


def goals_file(unit: OrgUnit, *, fiscal_year: int | None, user, fmt: str) -> PackFile:
    """The goals of a fiscal year of the employees of a unit's subtree the user may see:
    by employee, then kind and title."""
    year = fiscal_year or current_fiscal_year()
    goals = _people_rows(Goal, user, unit, year).order_by(
        "employee__name", "employee_id", "kind", "title", "pk"
    )
    table = goal_table(goals, notes=_people_notes(unit, _("Goals"), year))
    return tables_file([table], [unit.code, "goals", f"FY{year}"], fmt)


def incentives_file(unit: OrgUnit, *, fiscal_year: int | None, user, fmt: str) -> PackFile:
    """The incentive components of a fiscal year of the employees of a unit's subtree the
    user may see: by employee, then name."""
    year = fiscal_year or current_fiscal_year()
    components = _people_rows(IncentiveComponent, user, unit, year).order_by(
        "employee__name", "employee_id", "name", "pk"
    )
    table = incentive_table(components, notes=_people_notes(unit, _("Incentive components"), year))
    return tables_file([table], [unit.code, "incentives", f"FY{year}"], fmt)


def pay_data_download_audit(request, export: str, unit: OrgUnit, *, fiscal_year: int, fmt: str):
    """Record a download of pay data (`export`: one of PAY_DATA) in the security audit log:
    who, from where, which export of which unit's subtree and year, in which format."""
    if export not in PAY_DATA:
        raise ValueError(f"not a pay data export: {export}")
    audit(
        AuditKind.PAY_DATA_DOWNLOADED,
        request=request,
        target_name=unit.code,
        detail=f"{export}: unit={unit.code} fiscal_year={fiscal_year} {fmt}",
    )
