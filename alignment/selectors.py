"""Alignment of a unit's subtree for a fiscal year: counts per unit from a fixed number of
queries, the metrics of `alignment.metrics`, and the lists of what is out of line.

"The year" is the fiscal year named after the calendar year in which it starts. Objective
statuses (for unfunded gaps) are as of the current month, or the year's last month for a
past year (alignment/statuses.py); data timeliness and overdue measures come from
alignment/timeliness.py. Each query reads the subtree's units by their ids, read once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from budgets.choices import BudgetCategory
from budgets.models import BudgetLine
from communication.selectors.pulses import strategy_awareness_tallies
from core.clock import current_fiscal_year, fiscal_year_bounds
from core.replica import heavy_reads
from core.tree import walk
from core.versioning import data_version
from initiatives.choices import InitiativeStatus
from initiatives.models import Initiative, InitiativeObjective
from people.models import Employee, Goal, IncentiveComponent
from scorecards.models import CascadeLink, Measure, Objective, OrgUnit

from .metrics import Counts, Metrics, depths, metrics, subtree_counts
from .statuses import ENTERED, ObjectiveRow, objective_statuses
from .timeliness import measure_timeliness


@dataclass(frozen=True)
class Item:
    """One row of a list of things out of line; `model` names what `id` is.

    The report is cached for every reader whatever his or her language, so it holds the
    facts and `detail` puts them in words when it is read: a budget line's category and
    planned amount, an incentive component's weight, an overdue measure's period and due
    date."""

    model: str  # objective, budgetline, employee, incentivecomponent, measure
    id: int
    label: str
    unit_code: str
    status: str = ""  # an objective's status code, shown in words (core.formatting)
    category: str = ""  # a budget line's category code
    amount: Decimal | None = None  # a budget line's planned amount, a component's weight
    period: dt.date | None = None  # an overdue measure's period
    due: dt.date | None = None  # and the day it was due

    @property
    def detail(self) -> str:
        """The item's facts in the active language ("CAPEX 3,000.00", "weight 0.3",
        "Oct 2026 due 10 Nov 2026"); empty when it has none."""
        if self.model == "budgetline" and self.amount is not None:
            planned = formats.number_format(self.amount, 2, force_grouping=True)
            return f"{self.category.upper()} {planned}"
        if self.model == "incentivecomponent" and self.amount is not None:
            weight = formats.number_format(self.amount.normalize())
            return _("weight %(weight)s") % {"weight": weight}
        if self.period is not None and self.due is not None:
            return _("%(period)s due %(due)s") % {
                "period": formats.date_format(self.period, "M Y"),
                "due": formats.date_format(self.due),
            }
        return ""


@dataclass
class UnitAlignment:
    """One unit of the subtree with the metrics of its own subtree."""

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    depth: int
    metrics: Metrics
    counts: Counts


@dataclass
class Lists:
    """What is out of line in a subtree, item by item."""

    not_cascaded: list[Item] = field(default_factory=list)
    unlinked_objectives: list[Item] = field(default_factory=list)
    unfunded_gaps: list[Item] = field(default_factory=list)
    unlinked_budget_lines: list[Item] = field(default_factory=list)
    unaligned_employees: list[Item] = field(default_factory=list)
    unlinked_incentives: list[Item] = field(default_factory=list)
    overdue_measures: list[Item] = field(default_factory=list)


@dataclass
class AlignmentReport:
    """The alignment of a unit's subtree for a fiscal year, with every unit of it and the
    lists behind the numbers."""

    unit: OrgUnit
    fiscal_year: int
    status_month: dt.date
    metrics: Metrics
    counts: Counts
    units: list[UnitAlignment]
    lists: Lists


@heavy_reads()
def alignment_report(
    unit: OrgUnit, *, fiscal_year: int | None = None, today: dt.date | None = None
) -> AlignmentReport:
    """Every alignment metric of `unit`'s subtree and of each unit in it, for a fiscal
    year (default: the current one), in a fixed number of queries."""
    today = today or timezone.localdate()
    start_month = settings.FISCAL_YEAR_START_MONTH
    year = current_fiscal_year(today) if fiscal_year is None else fiscal_year
    year_start, year_end = fiscal_year_bounds(year, start_month)
    units = list(
        OrgUnit.objects.subtree_of(unit.pk).values("id", "code", "name", "kind", "parent_id")
    )
    # The subtree's ids, read once: "unit in (ids)" is planned far better than the
    # recursive query repeated in every query.
    ids = [u["id"] for u in units]
    parent_of = {u["id"]: u["parent_id"] for u in units}
    parent_of[unit.pk] = None  # the top of this report
    own: dict[int, Counts] = defaultdict(Counts)
    # A unit with no units below it has no cascade coverage (and nothing "not cascaded").
    parents = set(parent_of.values())
    for u in parent_of:
        own[u].leaf = u not in parents
    status_month = min(today, year_end).replace(day=1)
    lists = Lists()

    _objectives(unit, ids, own, lists, status_month, year_start, year_end, today)
    _budget(ids, year, own, lists)
    _people(ids, year, own, lists)
    _measures(unit, ids, year_start, year_end, today, own, lists)
    _awareness(unit, parent_of, own, today, year_end)

    totals = subtree_counts(parent_of, own)
    depth = depths(parent_of)
    order = _tree_order(parent_of, {u["id"]: u["code"] for u in units}, unit.pk)
    by_id = {u["id"]: u for u in units}
    rows = [
        UnitAlignment(
            id=u,
            code=by_id[u]["code"],
            name=by_id[u]["name"],
            kind=by_id[u]["kind"],
            parent_id=by_id[u]["parent_id"],
            depth=depth[u],
            metrics=metrics(totals[u]),
            counts=totals[u],
        )
        for u in order
    ]
    return AlignmentReport(
        unit=unit,
        fiscal_year=year,
        status_month=status_month,
        metrics=metrics(totals[unit.pk]),
        counts=totals[unit.pk],
        units=rows,
        lists=lists,
    )


def _objectives(unit, ids, own, lists, status_month, year_start, year_end, today):
    """Objective linkage, cascade coverage, initiative linkage and unfunded gaps. Not
    cascaded: the top unit's own objectives no objective below supports; none for a leaf
    (`own` says which units are leaves)."""
    rows = (
        Objective.objects.filter(unit_id__in=ids)
        .annotate(
            linked=Exists(CascadeLink.objects.filter(supporting=OuterRef("pk"))),
            cascaded=Exists(CascadeLink.objects.filter(supported=OuterRef("pk"))),
            computed=Exists(Measure.objects.filter(objective=OuterRef("pk")).exclude(ENTERED)),
            # objective_scores' order of the objectives (Objective.Meta.ordering)
            engine_order=Window(
                RowNumber(), order_by=[F("unit__code"), F("perspective__order"), F("code")]
            ),
        )
        .values_list(
            "id",
            "code",
            "name",
            "unit_id",
            "unit__code",
            "unit__parent_id",
            "linked",
            "cascaded",
            "weight",
            "computed",
            "engine_order",
        )
        .order_by("unit__code", "code")
    )
    objectives = list(rows)
    for id_, code, name, unit_id, unit_code, parent_id, linked, cascaded, *_rest in objectives:
        counts = own[unit_id]
        counts.own_objectives += 1
        counts.own_objectives_cascaded += cascaded
        if unit_id == unit.pk and not cascaded and not counts.leaf:
            lists.not_cascaded.append(Item("objective", id_, f"{code} {name}", unit_code))
        if parent_id is not None:  # the enterprise root's objectives support none
            counts.objectives += 1
            counts.objectives_linked += linked
            if not linked:
                item = Item("objective", id_, f"{code} {name}", unit_code)
                lists.unlinked_objectives.append(item)

    running = (
        Initiative.objects.exclude(status=InitiativeStatus.CANCELLED)
        .filter(start__lte=year_end)
        .filter(Q(end__isnull=True) | Q(end__gte=year_start))
    )
    for unit_id, linked in (
        running.filter(unit_id__in=ids)
        .annotate(linked=Exists(InitiativeObjective.objects.filter(initiative=OuterRef("pk"))))
        .values_list("unit_id", "linked")
    ):
        own[unit_id].initiatives += 1
        own[unit_id].initiatives_linked += linked
    # An objective is funded by any such initiative, whichever unit runs it.
    funded = set(
        InitiativeObjective.objects.filter(
            initiative__in=running, objective__unit_id__in=ids
        ).values_list("objective_id", flat=True)
    )
    unfunded = [o for o in objectives if o[0] not in funded]
    statuses = objective_statuses(
        {o: ObjectiveRow(w, computed, order) for o, *_cols, w, computed, order in objectives},
        ids,
        [o[0] for o in unfunded],
        as_of=status_month,
        today=today,
    )
    for id_, code, name, _unit, unit_code, *_rest in unfunded:
        status = statuses[id_]
        if status in ("red", "yellow"):
            item = Item("objective", id_, f"{code} {name}", unit_code, status=status)
            lists.unfunded_gaps.append(item)


def _budget(ids, year, own, lists):
    """Budget linkage and STRATEX share; lines not linked."""
    lines = (
        BudgetLine.objects.filter(unit_id__in=ids, fiscal_year=year)
        .annotate(
            initiative_linked=Exists(
                InitiativeObjective.objects.filter(initiative=OuterRef("initiative"))
            )
        )
        .values(
            "id",
            "label",
            "unit_id",
            "unit__code",
            "category",
            "planned",
            "objective_id",
            "initiative_id",
            "initiative_linked",
        )
        .order_by("unit__code", "label")
    )
    for line in lines:
        counts = own[line["unit_id"]]
        counts.planned += line["planned"]
        if line["category"] == BudgetCategory.STRATEX:
            counts.planned_stratex += line["planned"]
        linked = line["objective_id"] is not None or (
            line["initiative_id"] is not None and line["initiative_linked"]
        )
        if linked:
            counts.planned_linked += line["planned"]
        else:
            lists.unlinked_budget_lines.append(
                Item(
                    "budgetline",
                    line["id"],
                    line["label"],
                    line["unit__code"],
                    category=line["category"],
                    amount=line["planned"],
                )
            )


def _people(ids, year, own, lists):
    """Goal alignment and incentive linkage of active employees, counted by the database
    per unit; the lists, of the employees and components out of line only."""
    aligned = Exists(
        Goal.objects.filter(employee=OuterRef("pk"), fiscal_year=year).filter(
            Q(objective__isnull=False) | Q(measure__isnull=False)
        )
    )
    employees = Employee.objects.filter(unit_id__in=ids, active=True)
    for unit_id, count in (
        employees.order_by().values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n")
    ):
        own[unit_id].employees += count
        own[unit_id].employees_aligned += count  # less those not aligned, below
    for id_, name, unit_id, unit_code in (
        employees.filter(~aligned)
        .values_list("id", "name", "unit_id", "unit__code")
        .order_by("unit__code", "name")
    ):
        own[unit_id].employees_aligned -= 1
        lists.unaligned_employees.append(Item("employee", id_, name, unit_code))

    components = IncentiveComponent.objects.filter(
        employee__unit_id__in=ids, employee__active=True, fiscal_year=year
    )
    linked = Q(objective__isnull=False) | Q(measure__isnull=False)
    # Sums of exact Decimals: weight times count per distinct weight (the same sums as
    # adding row by row, and exact on SQLite too, where SUM would add floats).
    for unit_id, weight, count, count_linked in (
        components.order_by()
        .values("employee__unit_id", "weight")
        .annotate(n=Count("pk"), linked=Count("pk", filter=linked))
        .values_list("employee__unit_id", "weight", "n", "linked")
    ):
        counts = own[unit_id]
        counts.incentive_weight += weight * count
        if count_linked:
            counts.incentive_weight_linked += weight * count_linked
    for id_, name, weight, employee, unit_code in (
        components.exclude(linked)
        .values_list("id", "name", "weight", "employee__name", "employee__unit__code")
        .order_by("employee__unit__code", "employee__name", "name")
    ):
        lists.unlinked_incentives.append(
            Item("incentivecomponent", id_, f"{name} ({employee})", unit_code, amount=weight)
        )


def _measures(unit, ids, year_start, year_end, today, own, lists):
    """Data timeliness (from the values' change history) and overdue measures
    (alignment/timeliness.py)."""
    whole_tree = unit.parent_id is None  # the enterprise's report
    counts, overdue = measure_timeliness(ids, year_start, year_end, today, whole_tree=whole_tree)
    for unit_id, (due, timely) in counts.items():
        own[unit_id].periods_due += due
        own[unit_id].periods_timely += timely
    for m in overdue:
        item = Item("measure", m.id, f"{m.code} {m.name}", m.unit_code, period=m.period, due=m.due)
        lists.overdue_measures.append(item)


def _awareness(unit, parent_of, own, today, year_end) -> None:
    """Strategy awareness: each unit's answers to the latest awareness pulse covering it
    that had closed by the report's day (yesterday at the latest, and the year's last day
    for a past year), where that pulse shows the unit's figures (its minimum group)."""
    closed_by = min(today - dt.timedelta(days=1), year_end)
    for unit_id, tally in strategy_awareness_tallies(
        unit.pk, parent_of, closed_by=closed_by
    ).items():
        own[unit_id].pulse_answers = tally.answers
        own[unit_id].pulse_answers_aware = tally.aware


def _tree_order(parent_of, code_of, top) -> list[int]:
    """Units depth first from `top`, children by code."""
    walked = walk(parent_of, key=lambda u: u, parent=parent_of.get, order=code_of.get, top=top)
    return [unit for unit, _ in walked]


def cached_alignment_report(
    unit: OrgUnit, *, fiscal_year: int | None = None, today: dt.date | None = None
) -> AlignmentReport:
    """`alignment_report`, served from the cache while the data has not changed: the key
    holds the data version (core.models.DataVersion), which every write moves on, so a
    cached report is never stale. One query when cached.

    Inside a transaction it computes afresh and caches nothing: what a transaction sees may
    be rolled back, and its version number reused by the next write."""
    today = today or timezone.localdate()
    if connection.in_atomic_block:
        return alignment_report(unit, fiscal_year=fiscal_year, today=today)
    # ":3": with strategy awareness (a report cached in an older shape is not read)
    key = _cache_key("osm:alignment:3", unit, fiscal_year, today)
    report = cache.get(key)
    if report is None:
        report = alignment_report(unit, fiscal_year=fiscal_year, today=today)
        cache.set(key, report, 3600)
    return report


def cached_alignment_metrics(
    unit: OrgUnit, *, fiscal_year: int | None = None, today: dt.date | None = None
):
    """The metrics of `cached_alignment_report` alone (the dashboards show the index): at
    scale the whole report's lists take a fifth of a second to unpickle, its metrics none."""
    today = today or timezone.localdate()
    if connection.in_atomic_block:
        return alignment_report(unit, fiscal_year=fiscal_year, today=today).metrics
    key = _cache_key("osm:alignment-metrics:2", unit, fiscal_year, today)
    metrics = cache.get(key)
    if metrics is None:
        metrics = cached_alignment_report(unit, fiscal_year=fiscal_year, today=today).metrics
        cache.set(key, metrics, 3600)
    return metrics


def _cache_key(prefix: str, unit: OrgUnit, fiscal_year: int | None, today: dt.date) -> str:
    """A key holding everything the report depends on, the data version included."""
    year = current_fiscal_year(today) if fiscal_year is None else fiscal_year
    parts = (
        prefix,
        unit.pk,
        year,
        today.isoformat(),
        settings.FISCAL_YEAR_START_MONTH,
        settings.MEASURE_DUE_DAYS,
        data_version(),
    )
    return ":".join(str(part) for part in parts)
