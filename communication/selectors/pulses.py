"""Reads of awareness pulses: who is asked, the question each person gets, the results per
unit (communication/awareness.py does the arithmetic and the minimum group), the trend of a
unit across pulses, and the awareness the alignment report shows.

**Audience.** A pulse asks the active users linked to an active employee record of its
unit or of a unit below it, as the organisation stands today (not as it stood when the
pulse ran). **Answers** are counted per unit in SQL (`values().annotate()`), so the results
take the same few queries whatever the number of answers; an answer from a unit that has
since left the pulse's subtree still counts in the pulse's total.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from core.tree import walk
from people.models import Employee
from scorecards.models import Objective, OrgUnit

from ..awareness import Figures, Tally, depths, shown_units, subtree_sums, unit_figures
from ..choices import PulseStatus
from ..models import Pulse, PulseAnswer, PulseRespondent

# Selecting ----------------------------------------------------------------------------------


def status_filter(status: str, today: dt.date) -> Q:
    """The pulses whose status is `status` on `today` (Pulse.status_on as a filter)."""
    if status == PulseStatus.SCHEDULED:
        return Q(opens_on__gt=today)
    if status == PulseStatus.OPEN:
        return Q(opens_on__lte=today, closes_on__gte=today)
    return Q(closes_on__lt=today)


def audience_of(pulse: Pulse) -> QuerySet:
    """The users `pulse` asks (see the module's docstring)."""
    return get_user_model().objects.filter(
        is_active=True,
        employee__active=True,
        employee__unit__in=OrgUnit.objects.subtree_of(pulse.unit_id),
    )


def respondent_unit(pulse: Pulse, user) -> int | None:
    """The unit `user` answers `pulse` from (his or her employee record's), or None when
    the pulse does not ask him or her (one query)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return (
        Employee.objects.filter(
            user=user, active=True, unit__in=OrgUnit.objects.subtree_of(pulse.unit_id)
        )
        .values_list("unit_id", flat=True)
        .first()
    )


def has_answered(pulse: Pulse, user) -> bool:
    return PulseRespondent.objects.filter(pulse=pulse, user=user).exists()


def asking_units(user) -> set[int]:
    """The units whose pulses ask `user`: the unit of his or her active employee record and
    every unit above it (none without one). Two queries."""
    unit_id = (
        Employee.objects.filter(user=user, active=True, user__is_active=True)
        .values_list("unit_id", flat=True)
        .first()
    )
    if unit_id is None:
        return set()
    return set(
        OrgUnit.objects.ancestors_of(unit_id, include_self=True).values_list("id", flat=True)
    )


def answered_pulses(user, pulse_ids: Iterable[int]) -> set[int]:
    """Which of these pulses `user` has answered (one query)."""
    return set(
        PulseRespondent.objects.filter(user=user, pulse_id__in=list(pulse_ids)).values_list(
            "pulse_id", flat=True
        )
    )


def may_see_results(user, pulse: Pulse, today: dt.date | None = None) -> bool:
    """Anyone with a role (who sees pulses) once it is closed, the OSM staff included: never
    while answers still come in, or two readings a single answer apart would give that
    answer away by subtraction."""
    closed = pulse.status_on(today or timezone.localdate()) == PulseStatus.CLOSED
    return closed and user.has_perm("communication.view_pulse", pulse)


# The question -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One answer offered: an objective (None: "I don't know")."""

    objective: int | None
    code: str
    name: str


@dataclass(frozen=True)
class Question:
    """What one person is asked: the objectives offered, shuffled (his or her unit chain's
    and as many from elsewhere), and which of them are of the chain."""

    choices: tuple[Choice, ...]
    chain: frozenset[int]

    def offers(self, objective_id: int | None) -> bool:
        return objective_id is None or any(c.objective == objective_id for c in self.choices)


def _seed(pulse_id: int, user_id: int) -> int:
    """The same shuffle each time the person opens the question (and when the answer is
    checked against it), a different one for each person and pulse. Keyed with the
    site's secret: whoever reads the database cannot redraw a person's question and match
    it against the answers."""
    key = f"{settings.SECRET_KEY}:osm-pulse:{pulse_id}:{user_id}"
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big")


def pulse_question(pulse: Pulse, user, unit_id: int) -> Question:
    """The objectives of the unit chain of `unit_id` (the unit and every unit above it),
    and as many objectives of other units (fewer if there are not that many), drawn and
    shuffled the same way every time for this person and pulse. Objectives elsewhere named
    like one of the chain's are not drawn: a respondent could not tell them apart. Three
    queries."""
    chain_units = OrgUnit.objects.ancestors_of(unit_id, include_self=True)
    chain = [
        Choice(row["id"], row["code"], row["name"])
        for row in Objective.objects.filter(unit__in=chain_units)
        .order_by("id")
        .values("id", "code", "name")
    ]
    names = {c.name.casefold() for c in chain}
    elsewhere: dict[str, int] = {}
    for objective_id, name in (
        Objective.objects.exclude(unit__in=chain_units).order_by("id").values_list("id", "name")
    ):
        if name.casefold() not in names:
            elsewhere.setdefault(name.casefold(), objective_id)  # one of each name
    rng = random.Random(_seed(pulse.pk, user.pk))
    drawn = sorted(rng.sample(sorted(elsewhere.values()), min(len(chain), len(elsewhere))))
    rows = Objective.objects.filter(id__in=drawn).order_by("id").values("id", "code", "name")
    others = [Choice(row["id"], row["code"], row["name"]) for row in rows]
    choices = chain + others
    rng.shuffle(choices)
    return Question(tuple(choices), frozenset(c.objective for c in chain))


# Results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitResult:
    """One unit of the pulse's subtree with its subtree's figures."""

    id: int
    code: str
    name: str
    depth: int
    figures: Figures


@dataclass(frozen=True)
class PulseResults:
    """A pulse's results: the whole subtree's figures (`total`) and each unit's, in tree
    order."""

    pulse: Pulse
    total: Figures
    units: list[UnitResult]


def _answer_tallies(pulse_ids: Iterable[int]) -> dict[int, dict[int, Tally]]:
    """{pulse id: {unit id: tally of the answers given from that unit}} (one query)."""
    rows = (
        PulseAnswer.objects.filter(pulse_id__in=list(pulse_ids))
        .values("pulse_id", "unit_id")
        .annotate(
            answers=Count("pk"),
            aware=Count("pk", filter=Q(aware=True)),
            understanding=Sum("understanding"),
        )
        .order_by()
    )
    tallies: dict[int, dict[int, Tally]] = defaultdict(dict)
    for row in rows:
        tallies[row["pulse_id"]][row["unit_id"]] = Tally(
            row["answers"], row["aware"], row["understanding"] or 0
        )
    return tallies


def _within(parent_of: Mapping[int, int | None], top: int) -> dict[int, int | None]:
    """The part of a tree at and below `top`, `top` as its root."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for unit, parent in parent_of.items():
        children[parent].append(unit)
    part, stack = {top: None}, [top]
    while stack:
        for child in children[stack.pop()]:
            if child not in part:
                part[child] = parent_of[child]
                stack.append(child)
    return part


def _own_answers(tree: Mapping[int, int | None], top: int, tallies: Mapping[int, Tally]):
    """Each unit's own tally, answers from units no longer below `top` counted as `top`'s."""
    own = {unit: tally for unit, tally in tallies.items() if unit in tree}
    for unit, tally in tallies.items():
        if unit not in tree:
            own[top] = own.get(top, Tally()).plus(tally)
    return own


def pulse_results(pulse: Pulse) -> PulseResults:
    """Every unit's figures of `pulse` (awareness.unit_figures), in four queries whatever the
    number of answers."""
    subtree = OrgUnit.objects.subtree_of(pulse.unit_id)
    units = list(subtree.values("id", "code", "name", "parent_id"))
    tree = {u["id"]: u["parent_id"] for u in units}
    tree[pulse.unit_id] = None
    own = _own_answers(tree, pulse.unit_id, _answer_tallies([pulse.pk]).get(pulse.pk, {}))
    audience = dict(
        Employee.objects.filter(
            active=True, user__isnull=False, user__is_active=True, unit__in=subtree
        )
        .values("unit_id")
        .annotate(people=Count("pk"))
        .order_by()
        .values_list("unit_id", "people")
    )
    figures = unit_figures(tree, own, audience)
    walked = walk(units, key=lambda u: u["id"], parent=lambda u: tree[u["id"]],
                  order=lambda u: u["code"], top=pulse.unit_id)  # fmt: skip
    rows = [
        UnitResult(u["id"], u["code"], u["name"], depth, figures[u["id"]]) for u, depth in walked
    ]
    return PulseResults(pulse=pulse, total=figures[pulse.unit_id], units=rows)


def _shown_tallies(pulses: Iterable[tuple[int, int]]) -> dict[int, dict[int, Tally]]:
    """{pulse id: {unit id: its subtree's tally}} for the units whose figures each pulse
    (`pulses`: (pulse id, its unit's id) pairs) shows (awareness.shown_units), from two
    queries for every pulse together."""
    pulses = list(pulses)
    if not pulses:
        return {}
    whole = dict(
        OrgUnit.objects.subtree_of(*{top for _, top in pulses}).values_list("id", "parent_id")
    )
    tallies = _answer_tallies(pulse_id for pulse_id, _ in pulses)
    shown: dict[int, dict[int, Tally]] = {}
    for pulse_id, top in pulses:
        tree = _within(whole, top)
        own = _own_answers(tree, top, tallies.get(pulse_id, {}))
        totals = subtree_sums(tree, own)
        visible = shown_units(tree, {unit: tally.answers for unit, tally in own.items()})
        shown[pulse_id] = {unit: totals[unit] for unit in visible}
    return shown


# The trend and the alignment report ----------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """A closed pulse covering a unit, with the awareness of the unit's subtree in it (None
    where it was too few answers to show)."""

    pulse_id: int
    title: str
    closes_on: dt.date
    responses: int
    awareness: Fraction | None


def awareness_trend(unit: OrgUnit, *, today: dt.date | None = None) -> list[TrendPoint]:
    """The pulses closed before `today` whose audience covers `unit` (of it or of a unit
    above it), oldest first, each with the awareness of `unit`'s subtree. Three queries."""
    today = today or timezone.localdate()
    pulses = list(
        Pulse.objects.filter(
            closes_on__lt=today,
            unit__in=OrgUnit.objects.ancestors_of(unit.pk, include_self=True),
        ).order_by("closes_on", "opens_on", "id")
    )
    shown = _shown_tallies((p.pk, p.unit_id) for p in pulses)
    responses = _unit_responses(pulses, unit)
    points = []
    for pulse in pulses:
        tally = shown.get(pulse.pk, {}).get(unit.pk)
        points.append(
            TrendPoint(
                pulse_id=pulse.pk,
                title=pulse.title,
                closes_on=pulse.closes_on,
                responses=responses.get(pulse.pk, 0),
                awareness=None if tally is None else Fraction(tally.aware * 100, tally.answers),
            )
        )
    return points


def _unit_responses(pulses: list[Pulse], unit: OrgUnit) -> dict[int, int]:
    """How many answers each pulse had from `unit`'s subtree (one query)."""
    if not pulses:
        return {}
    rows = (
        PulseAnswer.objects.filter(
            pulse__in=[p.pk for p in pulses], unit__in=OrgUnit.objects.subtree_of(unit.pk)
        )
        .values("pulse_id")
        .annotate(answers=Count("pk"))
        .order_by()
        .values_list("pulse_id", "answers")
    )
    return dict(rows)


def strategy_awareness_tallies(
    top_id: int, parent_of: Mapping[int, int | None], *, closed_by: dt.date
) -> dict[int, Tally]:
    """For the alignment report of `top_id`'s subtree (`parent_of`: every unit of it to its
    parent): each unit's tally of the answers from its subtree to the latest pulse closed
    on or before `closed_by` whose audience covers it (a pulse of the unit or of a unit
    above it), for the units whose figures that pulse shows (the same minimum group as the
    pulse's results, decided over the pulse's whole subtree, so no report shows what the
    results hide). Units without such figures are left out. One query without pulses,
    three with."""
    pulses = list(
        Pulse.objects.filter(closes_on__lte=closed_by)
        .filter(
            Q(unit__in=OrgUnit.objects.ancestors_of(top_id, include_self=True))
            | Q(unit__in=OrgUnit.objects.subtree_of(top_id))
        )
        .order_by("closes_on", "opens_on", "id")
        .values("id", "unit_id")
    )
    if not pulses:
        return {}
    latest_of: dict[int, dict] = {}  # the latest pulse of each unit (later ones win)
    for pulse in pulses:
        latest_of[pulse["unit_id"]] = pulse
    rank = {p["id"]: index for index, p in enumerate(pulses)}
    above = [p for unit, p in latest_of.items() if unit not in parent_of]
    covering: dict[int, dict | None] = {}
    depth = depths(parent_of)
    for unit in sorted(parent_of, key=lambda u: (depth[u], u)):  # parents before children
        inherited = covering.get(parent_of[unit]) if unit != top_id else None
        if unit == top_id and above:
            inherited = max(above, key=lambda p: rank[p["id"]])
        candidates = [p for p in (inherited, latest_of.get(unit)) if p is not None]
        covering[unit] = max(candidates, key=lambda p: rank[p["id"]]) if candidates else None
    needed = {p["id"]: p["unit_id"] for p in covering.values() if p is not None}
    shown = _shown_tallies(needed.items())
    result = {}
    for unit, pulse in covering.items():
        tally = shown.get(pulse["id"], {}).get(unit) if pulse else None
        if tally is not None:
            result[unit] = tally
    return result
