"""A unit's live strategy map as a version's content (scorecards/versions.py describes it),
in a fixed number of queries whatever the map's size; and the versions of a unit."""

from __future__ import annotations

from django.db.models import Q

from core.clock import fiscal_year_bounds

from ..models import (
    CascadeLink,
    CauseEffect,
    Measure,
    MeasureValue,
    Objective,
    OrgUnit,
    Perspective,
    StrategyVersion,
    Theme,
)


def _decimal(value) -> str:
    """A stored Decimal as the API writes it: "95.5", "2" (no trailing zeros, no exponent)."""
    return format(value.normalize(), "f")


def live_content(unit: OrgUnit, fiscal_year: int) -> dict:
    """The unit's map as it stands, with the targets of `fiscal_year`'s periods (seven
    queries)."""
    objectives = list(
        Objective.objects.filter(unit=unit)
        .select_related("perspective", "theme")
        .order_by("perspective__order", "code")
    )
    supports: dict[int, list[str]] = {}
    for supporting_id, code, unit_code in CascadeLink.objects.filter(
        supporting__unit=unit
    ).values_list("supporting_id", "supported__code", "supported__unit__code"):
        supports.setdefault(supporting_id, []).append(f"{unit_code}.{code}")
    links = sorted(
        [f"{unit.code}.{cause}", f"{effect_unit}.{effect}"]
        for cause, effect, effect_unit in CauseEffect.objects.filter(cause__unit=unit).values_list(
            "cause__code", "effect__code", "effect__unit__code"
        )
    )
    start, end = fiscal_year_bounds(fiscal_year)
    targets: dict[int, dict[str, str]] = {}
    for measure_id, period, target in MeasureValue.objects.filter(
        measure__unit=unit, period__gte=start, period__lte=end, target__isnull=False
    ).values_list("measure_id", "period", "target"):
        targets.setdefault(measure_id, {})[period.strftime("%Y-%m")] = _decimal(target)
    measures = Measure.objects.filter(unit=unit).select_related("objective").order_by("code")
    used_themes = {o.theme_id for o in objectives if o.theme_id}
    themes = Theme.objects.filter(Q(unit=unit) | Q(id__in=used_themes)).values_list(
        "name", flat=True
    )
    return {
        "unit": unit.code,
        "fiscal_year": fiscal_year,
        "perspectives": list(Perspective.objects.order_by("order").values_list("name", flat=True)),
        "themes": sorted(themes),
        "objectives": [
            {
                "code": f"{unit.code}.{o.code}",
                "name": o.name,
                "perspective": o.perspective.name,
                "theme": o.theme.name if o.theme else None,
                "weight": _decimal(o.weight),
                "supports": sorted(supports.get(o.pk, [])),
            }
            for o in objectives
        ],
        "links": links,
        "measures": [
            {
                "code": f"{unit.code}.{m.code}",
                "objective": f"{unit.code}.{m.objective.code}",
                "name": m.name,
                "polarity": m.polarity,
                "frequency": m.frequency,
                "weight": _decimal(m.weight),
                "targets": dict(sorted(targets.get(m.pk, {}).items())),
            }
            for m in measures
        ],
    }


def versions_of(unit: OrgUnit):
    """The unit's published versions, the latest first (content deferred)."""
    return (
        StrategyVersion.objects.filter(unit=unit)
        .defer("content")
        .select_related("published_by")
        .order_by("-published_at", "-id")
    )
