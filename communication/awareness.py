"""The awareness pulse's results as pure functions (no ORM): answers counted per unit in,
each unit's figures out, with the minimum group that keeps every answer anonymous.

**Figures.** A unit's figures are those of its subtree (the unit and every unit below it):
`responses` (answers), `audience` (people asked), `response_rate` = responses / audience,
`awareness` = answers naming an objective of the respondent's own unit chain / answers,
`understanding_mean` = the mean of the 1-5 answers. Percentages 0-100, exact `Fraction`s
(callers round for display, as scorecards/scoring.py's scores).

**Minimum group.** A unit's awareness and understanding are shown only when they describe
at least `MIN_GROUP` answers, and only when no other figure shown lets a smaller group be
worked out by subtraction: a business unit of 6 answers shown beside its department of 5
would give away the sixth answer (6 - 5). So the shown units are chosen such that every
*piece* — a shown unit's answers minus those of the shown units nearest below it — holds
none or at least `MIN_GROUP` answers; every figure anyone can derive from the shown ones is
then a sum of such pieces. Where a piece would be too small, the smallest shown units below
are hidden (their answers join the piece) rather than the unit above: the figures of the
larger groups, the pulse's total first, are the ones people read. Response counts (who
took part, never what anyone answered) are shown for every unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

MIN_GROUP = 5  # answers below which a group shows no figures
BASELINE = Fraction(5)  # Kaplan & Norton (HBR, 2005): 5% of employees understand the strategy
UNDERSTANDING = range(1, 6)  # the answers to "how well do you understand the strategy"

# Why a unit shows no figures (the results page says it in words).
FEW = "few"  # fewer than MIN_GROUP answers
COVERS = "covers"  # enough, but its figures would give away a smaller group by subtraction


@dataclass(frozen=True)
class Tally:
    """Answers counted: how many, how many were aware, the sum of their understanding."""

    answers: int = 0
    aware: int = 0
    understanding: int = 0

    def plus(self, other: Tally) -> Tally:
        return Tally(
            self.answers + other.answers,
            self.aware + other.aware,
            self.understanding + other.understanding,
        )


@dataclass(frozen=True)
class Figures:
    """One unit's results (its subtree's): `shown` False means no awareness and no
    understanding, for `hidden_because` (FEW or COVERS)."""

    responses: int
    audience: int
    response_rate: Fraction | None
    awareness: Fraction | None
    understanding_mean: Fraction | None
    shown: bool
    hidden_because: str = ""


def share(part, whole) -> Fraction | None:
    """part / whole as a percentage, or None when the whole is empty."""
    if not whole:
        return None
    return Fraction(part) / Fraction(whole) * 100


def depths(parent_of: Mapping[int, int | None]) -> dict[int, int]:
    """Each unit's depth below the top of `parent_of` (0 at the top), without recursion."""
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


def _deepest_first(parent_of: Mapping[int, int | None]) -> list[int]:
    depth = depths(parent_of)
    return sorted(parent_of, key=lambda u: (-depth[u], u))


def subtree_sums(parent_of: Mapping[int, int | None], own: Mapping[int, Tally]) -> dict[int, Tally]:
    """Each unit's subtree tally: its own answers plus its descendants', summed up the tree
    (a parent id outside `parent_of` is the top)."""
    totals = {unit: own.get(unit, Tally()) for unit in parent_of}
    for unit in _deepest_first(parent_of):
        parent = parent_of[unit]
        if parent in totals:
            totals[parent] = totals[parent].plus(totals[unit])
    return totals


def shown_units(
    parent_of: Mapping[int, int | None], answers: Mapping[int, int], minimum: int = MIN_GROUP
) -> set[int]:
    """The units whose figures may be shown, from each unit's *own* number of answers (see
    the module's docstring): every shown unit has at least `minimum` answers in its subtree,
    and every piece (a shown unit's answers not in a shown unit below it) holds none or at
    least `minimum`. Bottom-up: a unit with enough answers whose piece would be too small
    hides the shown units nearest below it, those whose piece helps and smallest first."""
    children: dict[int, list[int]] = defaultdict(list)
    for unit, parent in parent_of.items():
        if parent in parent_of:
            children[parent].append(unit)
    counted = subtree_sums(parent_of, {unit: Tally(n) for unit, n in answers.items()})
    total = {unit: tally.answers for unit, tally in counted.items()}
    shown: set[int] = set()
    piece: dict[int, int] = {}  # a shown unit's answers not in a shown unit below it
    rest: dict[int, int] = {}  # a unit's answers not in a shown unit of its subtree
    nearest: dict[int, list[int]] = {}  # the shown units nearest below a unit
    for unit in _deepest_first(parent_of):
        below = [v for c in children[unit] for v in ([c] if c in shown else nearest[c])]
        left = answers.get(unit, 0) + sum(rest[c] for c in children[unit])
        if total[unit] >= minimum:
            while 0 < left < minimum:
                # `left` plus the nearest shown units' totals is the unit's total (>= minimum),
                # so `below` is not empty here.
                hidden = min(below, key=lambda v: (piece[v] == 0, total[v], v))
                below.remove(hidden)
                shown.discard(hidden)
                left += piece[hidden]
                below.extend(nearest[hidden])
            shown.add(unit)
            piece[unit], rest[unit] = left, 0
        else:
            rest[unit] = left
        nearest[unit] = below
    return shown


def unit_figures(
    parent_of: Mapping[int, int | None],
    answered: Mapping[int, Tally],
    audience: Mapping[int, int],
    minimum: int = MIN_GROUP,
) -> dict[int, Figures]:
    """Every unit's figures from the answers (`answered`) and the people asked (`audience`)
    of each unit itself: its subtree's responses, response rate (at most 100: people who
    answered and have left since still count as answers), awareness and mean understanding,
    the last two only for the `shown_units`."""
    totals = subtree_sums(parent_of, answered)
    asked = subtree_sums(parent_of, {u: Tally(n) for u, n in audience.items()})
    shown = shown_units(parent_of, {u: t.answers for u, t in answered.items()}, minimum)
    result = {}
    for unit, tally in totals.items():
        people = asked[unit].answers
        rate = share(tally.answers, people)
        visible = unit in shown
        result[unit] = Figures(
            responses=tally.answers,
            audience=people,
            response_rate=None if rate is None else min(rate, Fraction(100)),
            awareness=share(tally.aware, tally.answers) if visible else None,
            understanding_mean=Fraction(tally.understanding, tally.answers) if visible else None,
            shown=visible,
            hidden_because="" if visible else (FEW if tally.answers < minimum else COVERS),
        )
    return result
