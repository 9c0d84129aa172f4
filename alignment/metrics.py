"""Alignment metrics (DESIGN.md "Alignment metrics") as pure functions: counts in,
percentages out, no ORM.

Every metric but cascade coverage and strategy awareness is a ratio of sums that add up
over units, so a unit's subtree figures are its own counts plus its children's subtree
figures: one pass up the tree gives every unit's metrics. Cascade coverage is about the
unit's own objectives only, and a unit with no units below it (a leaf) has none: nothing
could cascade to it. Strategy awareness comes from the latest closed awareness pulse
covering the unit, which may differ from its parent's, so its counts are the unit's
subtree's already (communication/selectors/pulses.py), kept as they are when summing, and
shown only for a group of at least `MIN_GROUP` answers (communication/awareness.py).
A metric whose denominator is empty is None ("n/a"), never 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from communication.awareness import MIN_GROUP

METRICS = (
    "objective_linkage",
    "cascade_coverage",
    "budget_linkage",
    "stratex_share",
    "initiative_linkage",
    "goal_alignment",
    "incentive_linkage",
    "data_timeliness",
    "strategy_awareness",
)
# The alignment index is the plain mean of these (STRATEX share is a mix, not a linkage).
INDEX_METRICS = tuple(m for m in METRICS if m != "stratex_share")

# The metrics' names as people read them (in the reader's language when shown).
LABELS = {
    "objective_linkage": _("Objective linkage"),
    "cascade_coverage": _("Cascade coverage"),
    "budget_linkage": _("Budget linkage"),
    "stratex_share": _("STRATEX share"),
    "initiative_linkage": _("Initiative linkage"),
    "goal_alignment": _("Goal alignment"),
    "incentive_linkage": _("Incentive linkage"),
    "data_timeliness": _("Data timeliness"),
    "strategy_awareness": _("Strategy awareness"),
    "alignment_index": _("Alignment index"),
}


# Counts a subtree sum leaves as the unit's own (see Counts.plus).
_KEPT = frozenset(
    ("own_objectives", "own_objectives_cascaded", "leaf", "pulse_answers", "pulse_answers_aware")
)


@dataclass
class Counts:
    """The numerators and denominators of one unit's own rows (or of a whole subtree).

    objectives*: objectives other than the enterprise root's; own_*: the unit's own
    objectives (cascade coverage); `leaf`: the unit has no units below it, so it has no
    cascade coverage (None, whatever its own objectives); money and weights are Decimals;
    pulse_*: the answers of the unit's subtree to the latest closed awareness pulse covering
    it, and how many named an objective of the respondent's own unit chain (both 0 where
    there is no such pulse or it shows no figures for the unit).
    """

    objectives: int = 0
    objectives_linked: int = 0
    own_objectives: int = 0
    own_objectives_cascaded: int = 0
    planned: Decimal = Decimal(0)
    planned_linked: Decimal = Decimal(0)
    planned_stratex: Decimal = Decimal(0)
    initiatives: int = 0
    initiatives_linked: int = 0
    employees: int = 0
    employees_aligned: int = 0
    incentive_weight: Decimal = Decimal(0)
    incentive_weight_linked: Decimal = Decimal(0)
    periods_due: int = 0
    periods_timely: int = 0
    leaf: bool = False
    pulse_answers: int = 0
    pulse_answers_aware: int = 0

    def plus(self, other: Counts) -> Counts:
        """Subtree sum; the own-objective counts, `leaf` and the pulse counts (a subtree's
        already) stay this unit's."""
        kept = {f.name: getattr(self, f.name) for f in fields(self) if f.name in _KEPT}
        summed = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(self)
            if f.name not in _KEPT
        }
        return Counts(**summed, **kept)


def share(part, whole) -> Fraction | None:
    """part / whole as a percentage, or None when the whole is empty."""
    if not whole:
        return None
    return Fraction(part) / Fraction(whole) * 100


@dataclass(frozen=True)
class Metrics:
    """The alignment metrics of a unit's subtree for a fiscal year (percentages 0-100)."""

    objective_linkage: Fraction | None
    cascade_coverage: Fraction | None
    budget_linkage: Fraction | None
    stratex_share: Fraction | None
    initiative_linkage: Fraction | None
    goal_alignment: Fraction | None
    incentive_linkage: Fraction | None
    data_timeliness: Fraction | None
    alignment_index: Fraction | None
    # Release 2's metric: last, with a default, so release 1's nine figures still build one
    # by position; `as_dict` puts it in METRICS' order.
    strategy_awareness: Fraction | None = None

    def as_dict(self) -> dict[str, Fraction | None]:
        """The metrics in METRICS' order, then the index."""
        return {name: getattr(self, name) for name in (*METRICS, "alignment_index")}


def metrics(c: Counts) -> Metrics:
    """The metrics from a subtree's counts; a leaf unit's cascade coverage is None, so it
    is left out of the index like any metric without data."""
    values = {
        "objective_linkage": share(c.objectives_linked, c.objectives),
        "cascade_coverage": None if c.leaf else share(c.own_objectives_cascaded, c.own_objectives),
        "budget_linkage": share(c.planned_linked, c.planned),
        "stratex_share": share(c.planned_stratex, c.planned),
        "initiative_linkage": share(c.initiatives_linked, c.initiatives),
        "goal_alignment": share(c.employees_aligned, c.employees),
        "incentive_linkage": share(c.incentive_weight_linked, c.incentive_weight),
        "data_timeliness": share(c.periods_timely, c.periods_due),
        # Too few answers are never shown, whatever the caller counted.
        "strategy_awareness": (
            share(c.pulse_answers_aware, c.pulse_answers) if c.pulse_answers >= MIN_GROUP else None
        ),
    }
    present = [values[m] for m in INDEX_METRICS if values[m] is not None]
    index = sum(present, Fraction(0)) / len(present) if present else None
    return Metrics(**values, alignment_index=index)


def subtree_counts(
    parent_of: Mapping[int, int | None], own: Mapping[int, Counts]
) -> dict[int, Counts]:
    """Each unit's subtree counts: its own plus its descendants', summed up the tree.

    `parent_of` maps every unit of the tree (or subtree) to its parent id (None, or an id
    outside the mapping, for the top). Units deepest first, so children are done before
    their parents; no recursion.
    """
    depth = depths(parent_of)
    totals = {unit: own.get(unit, Counts()) for unit in parent_of}
    for unit in sorted(parent_of, key=lambda u: -depth[u]):
        parent = parent_of[unit]
        if parent in totals:
            totals[parent] = totals[parent].plus(totals[unit])
    return totals


def depths(parent_of: Mapping[int, int | None]) -> dict[int, int]:
    """Each unit's depth below the top of `parent_of` (the top is 0), without recursion."""
    depth: dict[int, int] = {}
    for unit in parent_of:
        chain, node = [], unit
        while node in parent_of and node not in depth:
            chain.append(node)
            node = parent_of[node]
        base = depth.get(node, -1)
        for offset, item in enumerate(reversed(chain), start=1):
            depth[item] = base + offset
    return depth
