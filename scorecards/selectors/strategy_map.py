"""A unit's strategy map as the dashboard draws it and the API serves it: the perspectives,
the themes of the unit and those its objectives use, its objectives with status and score,
and its cause-and-effect arrows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from ..models import CauseEffect, OrgUnit, Perspective, Theme
from .scorecard import ObjectiveReading, ScorecardReading, objective_scores


@dataclass(frozen=True)
class StrategyMapReading:
    perspectives: list  # objects with id, name and order, top to bottom
    themes: list[Theme]  # by name
    objectives: list[ObjectiveReading]  # by perspective, then code
    links: list[tuple[int, int]]  # (cause id, effect id), in the order they were drawn


def strategy_map(unit: OrgUnit, card: ScorecardReading | None = None) -> StrategyMapReading:
    """`unit`'s map, its objectives scored as in `card` (the scorecard a page has read for
    its month) or, without one, as of this month (three queries more than the scores)."""
    if card is not None:
        perspectives, objectives = card.perspectives, card.objectives()
    else:
        perspectives = list(Perspective.objects.order_by("order"))
        position = {p.id: index for index, p in enumerate(perspectives)}
        readings = objective_scores(Q(id__in=OrgUnit.objects.subtree_of(unit.pk)))
        objectives = sorted(
            (r for r in readings.values() if r.unit_id == unit.pk),
            key=lambda r: (position[r.perspective_id], r.code),
        )
    used = {o.theme_id for o in objectives if o.theme_id}
    themes = list(Theme.objects.filter(Q(unit=unit) | Q(id__in=used)).order_by("name"))
    links = list(
        CauseEffect.objects.filter(cause__unit=unit)
        .order_by("id")
        .values_list("cause_id", "effect_id")
    )
    return StrategyMapReading(perspectives, themes, objectives, links)
