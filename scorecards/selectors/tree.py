"""Reads of the unit tree and of a unit's objectives."""

from ..choices import UnitKind
from ..models import OrgUnit


def enterprise_unit() -> OrgUnit | None:
    """The root of the unit tree, or None before any unit exists."""
    return OrgUnit.objects.filter(kind=UnitKind.ENTERPRISE).first()


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
