"""What a unit report holds for a month, read once and drawn by the PDF and the deck alike:
the scorecard, the strategy map, each off-target or watched objective with its measures'
series and its analysis of the month, the initiatives with their milestones, the budget by
category and the alignment metrics. The queries are bounded: a fixed number whatever the
size of the unit (the series of all the objectives shown in one read)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from alignment.metrics import LABELS, METRICS
from alignment.selectors import cached_alignment_metrics
from alignment.strategy_map import tested_map
from budgets import selectors as budget_selectors
from budgets.choices import BudgetCategory
from communication.models import Analysis
from core.clock import fiscal_year_of
from core.replica import heavy_reads
from core.scoping import restrict
from initiatives import selectors as initiative_selectors
from initiatives.models import Initiative
from scorecards.models import OrgUnit
from scorecards.selectors.scorecard import unit_scorecard
from scorecards.selectors.series import Series, load_series
from scorecards.strategy_map import MapLayout

from .exports import company_name

ATTENTION = ("red", "yellow")


@dataclass
class AttentionObjective:
    """An objective off target or to watch, with its measures' readings and series (up to
    the month) and the month's analysis, if written."""

    perspective: str
    reading: object  # scorecards ObjectiveReading
    measures: list[tuple[object, Series]] = field(default_factory=list)
    analysis: Analysis | None = None


@dataclass
class BudgetRow:
    label: str
    planned: object
    actual: object
    linked_share: object


@dataclass
class UnitReport:
    """A unit report's content (see the module)."""

    company: str
    unit: OrgUnit
    as_of: dt.date
    made_on: dt.date
    fiscal_year: int
    card: object  # ScorecardReading
    map: MapLayout
    attention: list[AttentionObjective]
    initiatives: list[Initiative]
    show_money: bool
    budget: list[BudgetRow] | None  # None: the reader may not see the budget
    budget_linked_share: object = None
    stratex_share: object = None
    alignment: list[tuple[str, object]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.unit.code} {self.unit.name}"


def last_month(today: dt.date | None = None) -> dt.date:
    """The first day of the month before today's: the month a report reports on."""
    first = (today or timezone.localdate()).replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def _months_before(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


@heavy_reads()
def unit_report(unit: OrgUnit, user, *, as_of: dt.date | None = None) -> UnitReport:
    """The unit report of `unit` for the month `as_of` (by default the month just ended, the
    one the monthly cycle reports on), as `user` may read it (the budget only for who may
    see it; the initiatives and their money as the portfolio shows them to him or her)."""
    card = unit_scorecard(unit, as_of=as_of or last_month())
    month = card.as_of
    year = fiscal_year_of(month)
    attention = [
        AttentionObjective(perspective.name, objective)
        for perspective in card.perspectives
        for objective in perspective.objectives
        if objective.status in ATTENTION
    ]
    # Off target first, then to watch; the worst score first within each.
    attention.sort(key=lambda a: (ATTENTION.index(a.reading.status), a.reading.score or 0))
    ids = {a.reading.id for a in attention}
    if ids:
        # Two years of history in the charts: the trend, without a decade squeezed in.
        series = load_series(Q(objective_id__in=ids), upto=month, since=_months_before(month, 23))
        for item in attention:
            item.measures = [(m, series[m.id]) for m in item.reading.measures if m.id in series]
        analyses = {
            a.subject_id: a
            for a in Analysis.objects.filter(
                subject_type="objective", subject_id__in=ids, month=month.replace(day=1)
            )
        }
        for item in attention:
            item.analysis = analyses.get(item.reading.id)
    lines = initiative_selectors.visible_budget_lines(user)
    initiatives = list(
        initiative_selectors.portfolio(
            restrict(Initiative.objects.all(), user).filter(
                unit__in=OrgUnit.objects.subtree_of(unit.pk)
            ),
            lines=lines,
            fiscal_year=year,
        )
    )
    report = UnitReport(
        company=company_name(),
        unit=unit,
        as_of=month,
        made_on=timezone.localdate(),
        fiscal_year=year,
        card=card,
        map=tested_map(unit, card),
        attention=attention,
        initiatives=initiatives,
        show_money=lines is not None,
        budget=None,
    )
    if user.has_perm("budgets.view_budgetline", unit):
        summary = budget_selectors.budget_summary(unit, year)
        rows = [(label, summary.by_category[code]) for code, label in BudgetCategory.choices]
        report.budget = [
            BudgetRow(label, a.planned, a.actual, a.linked_share)
            for label, a in [*rows, ("", summary.total)]  # the total last, without a label
        ]
        report.budget_linked_share = summary.linked_share
        report.stratex_share = summary.stratex_share
    # The metrics alone (cached apart from the report's lists, as the dashboard reads them).
    metrics = cached_alignment_metrics(unit, fiscal_year=year).as_dict()
    report.alignment = [
        (str(LABELS[name]), metrics[name]) for name in (*METRICS, "alignment_index")
    ]
    return report
