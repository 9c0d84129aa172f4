"""The cascade below an objective: the objectives supporting it, recursively, with status."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from ..models import CascadeLink, Objective, OrgUnit
from .scorecard import objective_scores


@dataclass
class CascadeNode:
    """An objective in the cascade tree, with its supporters below it."""

    id: int
    code: str
    name: str
    unit_id: int
    unit_code: str
    status: str
    supported_by: list[CascadeNode] = field(default_factory=list)

    def ids(self) -> list[int]:
        """This node's and every descendant's objective id."""
        found, stack = [], [self]
        while stack:
            node = stack.pop()
            found.append(node.id)
            stack.extend(node.supported_by)
        return found


def cascade_tree(top: Objective) -> CascadeNode:
    """The objectives supporting `top`, recursively, each with its status this month; a
    fixed number of queries (the links below the top's unit are read at once)."""
    below = OrgUnit.objects.subtree_of(top.unit_id)
    supporters = defaultdict(list)
    for supported, supporting in CascadeLink.objects.filter(supporting__unit__in=below).values_list(
        "supported_id", "supporting_id"
    ):
        supporters[supported].append(supporting)
    ids, frontier = {top.pk}, [top.pk]
    while frontier:
        frontier = [s for o in frontier for s in supporters[o] if s not in ids]
        ids.update(frontier)
    rows = {
        o["id"]: o
        for o in Objective.objects.filter(id__in=ids).values(
            "id", "code", "name", "unit_id", "unit__code"
        )
    }
    readings = objective_scores(Q(id__in=below))

    def node(objective_id: int, seen: frozenset) -> CascadeNode:
        row = rows[objective_id]
        seen = seen | {objective_id}
        reading = readings.get(objective_id)
        return CascadeNode(
            id=objective_id,
            code=row["code"],
            name=row["name"],
            unit_id=row["unit_id"],
            unit_code=row["unit__code"],
            status=reading.status if reading else "no_data",
            supported_by=[
                node(s, seen)
                for s in sorted(supporters[objective_id], key=lambda s: rows[s]["code"])
                if s not in seen
            ],
        )

    return node(top.pk, frozenset())
