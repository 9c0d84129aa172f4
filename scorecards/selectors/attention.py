"""What needs attention in a unit and every unit below it: the red and yellow objectives of
the whole subtree, grouped by unit in the tree's order, with their red and yellow measures
and the owner's note on the value that made each so (why, and what is being done), and how
many objectives of the subtree are green, yellow, red or without data.

The dashboards and the review agendas read the same answer, so a unit head, the CEO and a
review meeting see the same red. Scores and statuses come from `objective_scores` (one
scoring, DESIGN.md "Scoring"); this module only groups them and fetches the notes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q

from core.tree import walk
from core.versioning import data_version

from .. import scoring
from ..models import MeasureValue, OrgUnit
from .scorecard import (
    Clock,
    MeasureReading,
    ObjectiveReading,
    ScorecardReading,
    objective_scores,
)

STATUSES = (scoring.RED, scoring.YELLOW, scoring.GREEN, scoring.NO_DATA)
ATTENTION = (scoring.RED, scoring.YELLOW)
# The objectives a page lists at most (a dashboard near the root of a big company may
# have thousands of red ones); the rest are counted per unit, a link away.
LIST_LIMIT = 50


def value_notes(pairs: Iterable[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], str]:
    """The notes written on the values of these (measure id, period) pairs, those that have
    one (one query; none for no pair)."""
    wanted = set(pairs)
    if not wanted:
        return {}
    rows = (
        MeasureValue.objects.filter(
            measure_id__in={m for m, _ in wanted}, period__in={p for _, p in wanted}
        )
        .exclude(note="")
        .values_list("measure_id", "period", "note")
    )
    return {(m, p): note for m, p, note in rows if (m, p) in wanted}


@dataclass
class AttentionMeasure:
    """A red or yellow measure of a listed objective, with its owner's note on the value of
    the period scored ("" when none was written)."""

    id: int
    code: str
    name: str
    unit_label: str
    status: str
    period: dt.date | None
    actual: Fraction | None
    target: Fraction | None
    red_flag: Fraction | None
    red_flag_is_default: bool
    score: Fraction | None
    note: str = ""


@dataclass
class AttentionObjective:
    """A red or yellow objective and its red and yellow measures (none when it is scored
    from the objectives supporting it, which are listed under their own units)."""

    id: int
    code: str
    name: str
    status: str
    score: Fraction | None
    from_cascade: bool
    perspective_id: int
    measures: list[AttentionMeasure] = field(default_factory=list)


@dataclass
class AttentionUnit:
    """A unit of the subtree with red or yellow objectives: how many of each, and those
    listed (worst first); `unlisted` more are on its own dashboard."""

    id: int
    code: str
    name: str
    depth: int  # 0 for the unit asked about
    red: int
    yellow: int
    objectives: list[AttentionObjective] = field(default_factory=list)
    unlisted: int = 0


@dataclass
class SubtreeAttention:
    """The red and yellow objectives of a unit's subtree, grouped by unit, and the count of
    the subtree's objectives by status."""

    unit_id: int
    as_of: dt.date
    ytd: bool
    counts: dict[str, int]
    units: list[AttentionUnit] = field(default_factory=list)

    @property
    def red(self) -> int:
        return self.counts[scoring.RED]

    @property
    def yellow(self) -> int:
        return self.counts[scoring.YELLOW]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def unlisted(self) -> int:
        return sum(u.unlisted for u in self.units)

    @property
    def listed_units(self) -> list[AttentionUnit]:
        """The units with objectives listed (the others are only counted)."""
        return [u for u in self.units if u.objectives]

    @property
    def counted_units(self) -> list[AttentionUnit]:
        """The units past the list's limit: their red and yellow objectives only counted."""
        return [u for u in self.units if not u.objectives]

    def objectives(self) -> list[AttentionObjective]:
        return [o for u in self.units for o in u.objectives]


def _worst_first(reading: ObjectiveReading):
    return (reading.status != scoring.RED, reading.score is None, reading.score or 0, reading.code)


def _measure(reading: MeasureReading) -> AttentionMeasure:
    return AttentionMeasure(
        id=reading.id,
        code=reading.code,
        name=reading.name,
        unit_label=reading.unit_label,
        status=reading.status,
        period=reading.period,
        actual=reading.actual,
        target=reading.target,
        red_flag=reading.red_flag,
        red_flag_is_default=reading.red_flag_is_default,
        score=reading.score,
    )


def _objective(reading: ObjectiveReading) -> AttentionObjective:
    return AttentionObjective(
        id=reading.id,
        code=reading.code,
        name=reading.name,
        status=reading.status,
        score=reading.score,
        from_cascade=reading.from_cascade,
        perspective_id=reading.perspective_id,
        measures=[_measure(m) for m in reading.measures if m.status in ATTENTION],
    )


def subtree_attention(
    unit: OrgUnit,
    *,
    as_of: dt.date | None = None,
    ytd: bool = False,
    today: dt.date | None = None,
    limit: int | None = None,
) -> SubtreeAttention:
    """The red and yellow objectives of `unit` and of every unit below it, as of the month
    of `as_of` (default: this month) or year to date, grouped by unit depth first (children
    by code, as in the unit picker), red before yellow and worst score first within a unit;
    at most `limit` objectives listed (default LIST_LIMIT). A fixed number of queries: the
    subtree, the scores' (`objective_scores`), the notes."""
    subtree = OrgUnit.objects.subtree_of(unit.pk)
    units = list(subtree.values("id", "code", "name", "parent_id"))
    readings = objective_scores(Q(id__in=subtree), as_of=as_of, today=today, ytd=ytd)
    counts = Counter(r.status for r in readings.values())
    by_unit: dict[int, list[ObjectiveReading]] = defaultdict(list)
    for reading in readings.values():
        if reading.status in ATTENTION:
            by_unit[reading.unit_id].append(reading)
    groups, room = [], LIST_LIMIT if limit is None else limit
    ordered = walk(units, key=lambda u: u["id"], parent=lambda u: u["parent_id"],
                   order=lambda u: u["code"], top=unit.pk)  # fmt: skip
    for row, depth in ordered:
        chosen = sorted(by_unit.get(row["id"], []), key=_worst_first)
        if not chosen:
            continue
        shown = chosen[: max(room, 0)]
        room -= len(shown)
        groups.append(
            AttentionUnit(
                id=row["id"],
                code=row["code"],
                name=row["name"],
                depth=depth,
                red=sum(r.status == scoring.RED for r in chosen),
                yellow=sum(r.status == scoring.YELLOW for r in chosen),
                objectives=[_objective(r) for r in shown],
                unlisted=len(chosen) - len(shown),
            )
        )
    answer = SubtreeAttention(
        unit_id=unit.pk,
        as_of=Clock.make(as_of, today).as_of,
        ytd=ytd,
        counts={status: counts.get(status, 0) for status in STATUSES},
        units=groups,
    )
    _add_notes(answer.objectives())
    return answer


def cached_subtree_attention(
    unit: OrgUnit,
    *,
    as_of: dt.date | None = None,
    ytd: bool = False,
    today: dt.date | None = None,
) -> SubtreeAttention:
    """`subtree_attention`, served from the cache while the data has not changed (the key
    holds the data version, which every write moves on): near the root of a big company it
    scores every objective below. One query when cached. Inside a transaction it computes
    afresh and caches nothing (what it sees may be rolled back)."""
    if connection.in_atomic_block:
        return subtree_attention(unit, as_of=as_of, ytd=ytd, today=today)
    month = Clock.make(as_of, today).as_of
    parts = ("osm:attention", unit.pk, month.isoformat(), int(ytd),
             settings.FISCAL_YEAR_START_MONTH, LIST_LIMIT, data_version())  # fmt: skip
    key = ":".join(str(part) for part in parts)
    answer = cache.get(key)
    if answer is None:
        answer = subtree_attention(unit, as_of=month, ytd=ytd, today=today)
        cache.set(key, answer, 3600)
    return answer


def _add_notes(objectives: list[AttentionObjective]) -> None:
    """Put on each listed measure the note of its value of the period scored (one query)."""
    measures = [m for o in objectives for m in o.measures if m.period is not None]
    notes = value_notes((m.id, m.period) for m in measures)
    for measure in measures:
        measure.note = notes.get((measure.id, measure.period), "")


@dataclass(frozen=True)
class OverdueValue:
    """An overdue measure of a scorecard: the period whose actual is missing (the latest
    due by the scorecard's month, DESIGN.md "Scoring") and the day it was due."""

    objective: ObjectiveReading
    measure: MeasureReading
    period: dt.date
    due: dt.date


def missing_period(reading: MeasureReading, clock: Clock) -> tuple[dt.date, dt.date]:
    """The period an overdue measure lacks its actual for, and that period's due date."""
    period = scoring.latest_due_period(
        reading.frequency, clock.fiscal_start, clock.as_of, clock.today, clock.due_days
    )
    return period, scoring.due_date(period, reading.frequency, clock.due_days)


def overdue_values(card: ScorecardReading, *, today: dt.date | None = None) -> list[OverdueValue]:
    """The overdue values of a unit's scorecard, soonest due first (no query)."""
    clock = Clock.make(card.as_of, today)
    found = [
        OverdueValue(objective, measure, *missing_period(measure, clock))
        for objective in card.objectives()
        for measure in objective.measures
        if measure.overdue
    ]
    found.sort(key=lambda v: (v.due, v.objective.code, v.measure.code))
    return found
