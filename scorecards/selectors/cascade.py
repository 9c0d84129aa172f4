"""The cascade below an objective: the objectives supporting it, recursively, with status."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..models import CascadeLink, Objective, OrgUnit
from .scorecard import ObjectiveReading, chosen_objective_scores


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

    def outline(self) -> list[OutlineRow]:
        """The nodes below this one in reading order, each with its depth (0 for this
        node's supporters) and, for a node with no supporters, how many levels of nested
        list close after it: a template draws the nested lists from it in one loop, not by
        including itself once per level."""
        rows: list[OutlineRow] = []
        stack = [(child, 0) for child in reversed(self.supported_by)]
        while stack:
            node, depth = stack.pop()
            rows.append(OutlineRow(node, depth))
            stack.extend((child, depth + 1) for child in reversed(node.supported_by))
        for row, following in zip(rows, [*rows[1:], None], strict=True):
            if not row.node.supported_by:
                row.closes = range(row.depth - (following.depth if following else 0))
        return rows


@dataclass
class OutlineRow:
    """A node of the cascade in `CascadeNode.outline()`."""

    node: CascadeNode
    depth: int
    closes: range = range(0)


def cascade_tree(top: Objective) -> CascadeNode:
    """The objectives supporting `top`, recursively, each with its status this month."""
    return scored_cascade(top)[0]


def scored_cascade(top: Objective) -> tuple[CascadeNode, dict[int, ObjectiveReading]]:
    """The cascade tree below `top` (see `cascade_tree`) and the readings of the objectives
    in it, `top`'s included. A fixed number of queries: the links below the top's unit are
    read at once, and only the objectives in the cascade are scored (near the root of a big
    company, a small part of the units below)."""
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
    readings = chosen_objective_scores(ids)

    def node(objective_id: int) -> CascadeNode:
        row = rows[objective_id]
        reading = readings.get(objective_id)
        return CascadeNode(
            id=objective_id,
            code=row["code"],
            name=row["name"],
            unit_id=row["unit_id"],
            unit_code=row["unit__code"],
            status=reading.status if reading else "no_data",
        )

    # An explicit stack, not recursion: the cascade may run down a unit tree a thousand
    # deep. An objective already on the path above a node is not repeated below it.
    top_node = node(top.pk)
    stack = [(top_node, frozenset({top.pk}))]
    while stack:
        parent, path = stack.pop()
        for supporter in sorted(supporters[parent.id], key=lambda s: rows[s]["code"]):
            if supporter not in path:
                child = node(supporter)
                parent.supported_by.append(child)
                stack.append((child, path | {supporter}))
    return top_node, readings
