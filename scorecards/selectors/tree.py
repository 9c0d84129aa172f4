"""Reads of the unit tree and of a unit's objectives."""

from core.tree import walk

from ..choices import UnitKind
from ..models import OrgUnit


def enterprise_unit() -> OrgUnit | None:
    """The root of the unit tree, or None before any unit exists."""
    return OrgUnit.objects.filter(kind=UnitKind.ENTERPRISE).first()


def unit_tree() -> list[tuple[OrgUnit, int]]:
    """Every unit with its depth, depth first from the root, children by code (one query)."""
    return walk(
        OrgUnit.objects.all(),
        key=lambda u: u.pk,
        parent=lambda u: u.parent_id,
        order=lambda u: u.code,
    )


def breadcrumbs(unit: OrgUnit) -> list[OrgUnit]:
    """The units from the root down to `unit` (one query)."""
    chain = {u.pk: u for u in OrgUnit.objects.ancestors_of(unit.pk, include_self=True)}
    path, node = [], chain.get(unit.pk)
    while node is not None:
        path.append(node)
        node = chain.get(node.parent_id)
    return list(reversed(path))


def headed_subtree_ids(user) -> set[int]:
    """Ids of the units `user` heads and of every unit below them (two queries)."""
    headed = list(OrgUnit.objects.filter(head=user).values_list("id", flat=True))
    return set(OrgUnit.objects.subtree_of(*headed).values_list("id", flat=True))
