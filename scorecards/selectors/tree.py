"""Reads of the unit tree and of a unit's objectives."""

from django.db.models import Prefetch

from ..choices import UnitKind
from ..models import Objective, OrgUnit, Perspective


def enterprise_unit() -> OrgUnit | None:
    """The root of the unit tree, or None before any unit exists."""
    return OrgUnit.objects.filter(kind=UnitKind.ENTERPRISE).first()


def objectives_by_perspective(unit: OrgUnit) -> list[Perspective]:
    """Every perspective in order, each with `unit_objectives`: the unit's objectives in
    it with their theme and measures (three queries whatever the size)."""
    objectives = (
        Objective.objects.filter(unit=unit)
        .select_related("theme", "owner")
        .prefetch_related("measures")
        .order_by("code")
    )
    return list(
        Perspective.objects.order_by("order").prefetch_related(
            Prefetch("objectives", queryset=objectives, to_attr="unit_objectives")
        )
    )


def unit_tree() -> list[tuple[OrgUnit, int]]:
    """Every unit with its depth, depth first from the root, children by code (one query)."""
    units = list(OrgUnit.objects.order_by("code"))
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered, stack = [], [(u, 0) for u in reversed(children.get(None, []))]
    while stack:
        unit, depth = stack.pop()
        ordered.append((unit, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(unit.pk, [])))
    return ordered


def breadcrumbs(unit: OrgUnit) -> list[OrgUnit]:
    """The units from the root down to `unit` (one query)."""
    chain = {u.pk: u for u in OrgUnit.objects.ancestors_of(unit.pk, include_self=True)}
    path, node = [], chain.get(unit.pk)
    while node is not None:
        path.append(node)
        node = chain.get(node.parent_id)
    return list(reversed(path))
