"""Reads of initiatives that the pages share: the portfolio with its budget sums, the
objectives an initiative may advance, one initiative's budget summary, the timeline rows.

Budget lines live in the budgets app, which sits above this one: the money comes from the
funding reads it registers (initiatives/funding.py).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Prefetch,
    QuerySet,
)

from scorecards.models import Objective, OrgUnit
from scorecards.selectors.search import matching

from .funding import funding
from .models import Initiative, Milestone


def visible_budget_lines(user) -> QuerySet | None:
    """The budget lines `user` may see, or None when he or she may see none at all or no
    app funds initiatives (then the pages show no money)."""
    source = funding()
    return source.visible_lines(user) if source else None


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
    return funding().annotate(queryset, lines, fiscal_year=fiscal_year)


def budget_totals(initiatives: QuerySet, lines: QuerySet, *, fiscal_year: int | None):
    """The sums over every initiative of `initiatives` (all pages of the table), one query."""
    return funding().totals(initiatives, lines, fiscal_year=fiscal_year)


def budget_summary(initiative: Initiative, lines: QuerySet) -> list:
    """The lines of `lines` linked to `initiative`, summed per fiscal year and category."""
    return funding().summary(initiative, lines)


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


def objectives_within_reach_matching(unit_ids, query: str):
    """The first of `objectives_within_reach(unit_ids)` matching `query` (by unit code,
    code and name: scorecards' `matching`), for the objectives box of the form."""
    return matching(objectives_within_reach(unit_ids), query)


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
