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
