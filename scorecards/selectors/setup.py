"""The reads of the Setup pages: the unit tree with each unit's themes and what depends on
it, and the perspectives with their objectives counted (a fixed number of queries)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from core.tree import walk

from ..models import Objective, OrgUnit, Perspective, Theme


@dataclass
class SetupUnit:
    """A unit of the tree as the Setup page lists it."""

    unit: OrgUnit
    depth: int
    children: int = 0
    objectives: int = 0
    themes: list[Theme] = field(default_factory=list)


def setup_tree() -> list[SetupUnit]:
    """Every unit depth first from the root (children by code), with its head, its themes,
    and how many units and objectives are directly in it (three queries)."""
    units = list(OrgUnit.objects.select_related("head"))
    rows = {
        unit.pk: SetupUnit(unit, depth)
        for unit, depth in walk(
            units, key=lambda u: u.pk, parent=lambda u: u.parent_id, order=lambda u: u.code
        )
    }
    for unit in units:
        if unit.parent_id in rows:
            rows[unit.parent_id].children += 1
    counts = Objective.objects.values_list("unit_id").annotate(n=Count("id")).order_by()
    for unit_id, n in counts:
        rows[unit_id].objectives = n
    themes: dict[int, list[Theme]] = defaultdict(list)
    for theme in Theme.objects.order_by("name"):
        themes[theme.unit_id].append(theme)
    for unit_id, row in rows.items():
        row.themes = themes.get(unit_id, [])
    return list(rows.values())


def setup_perspectives() -> list[Perspective]:
    """The perspectives top to bottom, each with `objective_count` (one query)."""
    return list(Perspective.objects.annotate(objective_count=Count("objectives")).order_by("order"))
