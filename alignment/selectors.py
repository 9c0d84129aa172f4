"""Alignment of a unit's subtree for a fiscal year: counts per unit from a fixed number of
queries, the metrics of `alignment.metrics`, and the lists of what is out of line.

"The year" is the fiscal year named after the calendar year in which it starts. Objective
statuses (for unfunded gaps) are as of the current month, or the year's last month for a
past year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, Min, OuterRef, Q
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
from scorecards.choices import Rollup
from scorecards.models import CascadeLink, Measure, MeasureValue, Objective, OrgUnit
from scorecards.periods import add_months, months_in, period_start
from scorecards.scoring import due_date, latest_due_period, owes_from
from scorecards.selectors.scorecard import objective_scores

from .metrics import Counts, Metrics, depths, metrics, subtree_counts


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
    subtree = OrgUnit.objects.subtree_of(unit.pk)
    units = list(subtree.values("id", "code", "name", "kind", "parent_id"))
    parent_of = {u["id"]: u["parent_id"] for u in units}
    parent_of[unit.pk] = None  # the top of this report
    own: dict[int, Counts] = defaultdict(Counts)
    # A unit with no units below it has no cascade coverage (and nothing "not cascaded").
    parents = set(parent_of.values())
    for u in parent_of:
        own[u].leaf = u not in parents
    status_month = min(today, year_end).replace(day=1)
    lists = Lists()

    _objectives(unit, subtree, own, lists, status_month, year_start, year_end, today)
    _budget(subtree, year, own, lists)
    _people(subtree, year, own, lists)
    _measures(subtree, year_start, year_end, today, own, lists)
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


def _objectives(unit, subtree, own, lists, status_month, year_start, year_end, today):
    """Objective linkage, cascade coverage, initiative linkage and unfunded gaps. Not
    cascaded: the top unit's own objectives no objective below supports; none for a leaf
    (`own` says which units are leaves)."""
    rows = (
        Objective.objects.filter(unit__in=subtree)
        .annotate(
            linked=Exists(CascadeLink.objects.filter(supporting=OuterRef("pk"))),
            cascaded=Exists(CascadeLink.objects.filter(supported=OuterRef("pk"))),
        )
        .values(
            "id", "code", "name", "unit_id", "unit__code", "unit__parent_id", "linked", "cascaded"
        )
        .order_by("unit__code", "code")
    )
    objectives = list(rows)
    for o in objectives:
        counts = own[o["unit_id"]]
        counts.own_objectives += 1
        counts.own_objectives_cascaded += o["cascaded"]
        item = Item("objective", o["id"], f"{o['code']} {o['name']}", o["unit__code"])
        if o["unit_id"] == unit.pk and not o["cascaded"] and not counts.leaf:
            lists.not_cascaded.append(item)
        if o["unit__parent_id"] is not None:  # the enterprise root's objectives support none
            counts.objectives += 1
            counts.objectives_linked += o["linked"]
            if not o["linked"]:
                lists.unlinked_objectives.append(item)

    running = (
        Initiative.objects.exclude(status=InitiativeStatus.CANCELLED)
        .filter(start__lte=year_end)
        .filter(Q(end__isnull=True) | Q(end__gte=year_start))
    )
    for unit_id, linked in (
        running.filter(unit__in=subtree)
        .annotate(linked=Exists(InitiativeObjective.objects.filter(initiative=OuterRef("pk"))))
        .values_list("unit_id", "linked")
    ):
        own[unit_id].initiatives += 1
        own[unit_id].initiatives_linked += linked
    # An objective is funded by any such initiative, whichever unit runs it.
    funded = set(
        InitiativeObjective.objects.filter(
            initiative__in=running, objective__unit__in=subtree
        ).values_list("objective_id", flat=True)
    )
    statuses = objective_scores(Q(id__in=subtree), as_of=status_month, today=today)
    for o in objectives:
        reading = statuses.get(o["id"])
        if reading and reading.status in ("red", "yellow") and o["id"] not in funded:
            lists.unfunded_gaps.append(
                Item(
                    "objective",
                    o["id"],
                    f"{o['code']} {o['name']}",
                    o["unit__code"],
                    status=reading.status,
                )
            )


def _budget(subtree, year, own, lists):
    """Budget linkage and STRATEX share; lines not linked."""
    lines = (
        BudgetLine.objects.filter(unit__in=subtree, fiscal_year=year)
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


def _people(subtree, year, own, lists):
    """Goal alignment and incentive linkage of active employees; the lists."""
    aligned_goal = Goal.objects.filter(employee=OuterRef("pk"), fiscal_year=year).filter(
        Q(objective__isnull=False) | Q(measure__isnull=False)
    )
    for e in (
        Employee.objects.filter(unit__in=subtree, active=True)
        .annotate(aligned=Exists(aligned_goal))
        .values("id", "name", "unit_id", "unit__code", "aligned")
        .order_by("unit__code", "name")
    ):
        own[e["unit_id"]].employees += 1
        if e["aligned"]:
            own[e["unit_id"]].employees_aligned += 1
        else:
            lists.unaligned_employees.append(Item("employee", e["id"], e["name"], e["unit__code"]))
    for c in (
        IncentiveComponent.objects.filter(
            employee__unit__in=subtree, employee__active=True, fiscal_year=year
        )
        .values(
            "id",
            "name",
            "weight",
            "objective_id",
            "measure_id",
            "employee__name",
            "employee__unit_id",
            "employee__unit__code",
        )
        .order_by("employee__unit__code", "employee__name", "name")
    ):
        counts = own[c["employee__unit_id"]]
        counts.incentive_weight += c["weight"]
        if c["objective_id"] or c["measure_id"]:
            counts.incentive_weight_linked += c["weight"]
        else:
            lists.unlinked_incentives.append(
                Item(
                    "incentivecomponent",
                    c["id"],
                    f"{c['name']} ({c['employee__name']})",
                    c["employee__unit__code"],
                    amount=c["weight"],
                )
            )


def _measures(subtree, year_start, year_end, today, own, lists):
    """Data timeliness (from the values' change history) and overdue measures."""
    measures = list(
        Measure.objects.filter(unit__in=subtree, formula__isnull=True, rollup=Rollup.NONE)
        .annotate(first_period=Min("values__period", filter=Q(values__actual__isnull=False)))
        .values(
            "id", "code", "name", "unit_id", "unit__code", "frequency", "first_period", "created_at"
        )
        .order_by("unit__code", "code")
    )
    due = _periods_due(measures, year_start, year_end, today)
    if due:
        _count_timely(subtree, measures, due, own)
    _list_overdue(subtree, measures, today, lists)


def _periods_due(measures, year_start, year_end, today) -> dict[tuple[int, dt.date], dt.date]:
    """{(measure id, period): due date} of the periods whose due date fell within the year
    and has passed, from the period each measure started (a measure is not late for periods
    before it existed)."""
    start_month, due_days = settings.FISCAL_YEAR_START_MONTH, settings.MEASURE_DUE_DAYS
    # The candidate periods depend on the frequency only: work them out once per frequency.
    calendar: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for frequency in {m["frequency"] for m in measures}:
        step = months_in(frequency)
        period = period_start(add_months(year_start, -12 - step), frequency, start_month)
        calendar[frequency] = []
        while period <= year_end:
            deadline = due_date(period, frequency, due_days)
            if year_start <= deadline <= year_end and deadline < today:
                calendar[frequency].append((period, deadline))
            period = add_months(period, step)
    due: dict[tuple[int, dt.date], dt.date] = {}
    for m in measures:
        # A measure owes values from the period it was created in, or from its first actual
        # if that is earlier (history loaded from before OSM); one never reported still owes.
        # (Targets set ahead for the whole year owe nothing: only actuals count here.)
        since = owes_from(
            timezone.localtime(m["created_at"]).date(),
            m["frequency"],
            start_month,
            m["first_period"],
        )
        for period, deadline in calendar[m["frequency"]]:
            if period >= since:
                due[(m["id"], period)] = deadline
    return due


def _count_timely(subtree, measures, due, own) -> None:
    """Count each unit's periods due and those whose actual was first entered on or before
    the due date (from the values' change history)."""
    first_entered = (
        MeasureValue.history.filter(
            measure_id__in=Measure.objects.filter(
                unit__in=subtree, formula__isnull=True, rollup=Rollup.NONE
            ),
            actual__isnull=False,
            period__gte=min(p for _, p in due),
            period__lte=max(p for _, p in due),
        )
        .values("measure_id", "period")
        .annotate(first=Min("history_date"))
    )
    entered = {(r["measure_id"], r["period"]): r["first"] for r in first_entered}
    # On time: entered before the due day ended, in the site's time zone. One cut-off
    # per distinct due date, not a time-zone conversion per value.
    cutoffs = {
        deadline: timezone.make_aware(
            dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time.min)
        )
        for deadline in set(due.values())
    }
    unit_of = {m["id"]: m["unit_id"] for m in measures}
    for (measure_id, period), deadline in due.items():
        counts = own[unit_of[measure_id]]
        counts.periods_due += 1
        when = entered.get((measure_id, period))
        if when is not None and when < cutoffs[deadline]:
            counts.periods_timely += 1


def _list_overdue(subtree, measures, today, lists) -> None:
    """Overdue now: the measures whose latest period due by today has no actual (the
    engine's rule)."""
    start_month, due_days = settings.FISCAL_YEAR_START_MONTH, settings.MEASURE_DUE_DAYS
    month = today.replace(day=1)
    latest = {
        frequency: latest_due_period(frequency, start_month, month, today, due_days)
        for frequency in {m["frequency"] for m in measures}
    }
    reported = set(
        MeasureValue.objects.filter(
            measure__unit__in=subtree, period__in=set(latest.values()), actual__isnull=False
        ).values_list("measure_id", "period")
    )
    for m in measures:
        period = latest[m["frequency"]]
        created = timezone.localtime(m["created_at"]).date()
        if period < owes_from(created, m["frequency"], start_month, m["first_period"]):
            continue  # a new measure owes nothing yet
        if (m["id"], period) not in reported:
            lists.overdue_measures.append(
                Item(
                    "measure",
                    m["id"],
                    f"{m['code']} {m['name']}",
                    m["unit__code"],
                    period=period,
                    due=due_date(period, m["frequency"], due_days),
                )
            )


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
