"""A unit's strategy map laid out for drawing, each arrow with the latest strategy test's
verdict: the dashboard draws it as SVG, the report packs as a picture (reports/pictures.py)."""

from core.templatetags.osm_format import score
from scorecards.selectors.strategy_map import strategy_map
from scorecards.strategy_map import ArrowTest, MapLayout, MapObjective, layout

from .strategy_tests import latest_strategy_tests


def tested_map(unit, card) -> MapLayout:
    """The unit's strategy map laid out from the scorecard just read, each arrow with the
    latest strategy test's verdict (four more queries: the themes, the arrows, the run and
    its results)."""
    read = strategy_map(unit, card)
    objectives = [
        MapObjective(
            id=o.id,
            code=o.code,
            name=o.name,
            perspective_id=o.perspective_id,
            theme_id=o.theme_id,
            status=o.status,
            score_text=score(o.score),
        )
        for o in read.objectives
    ]
    _, results = latest_strategy_tests(unit)
    verdicts = {
        (r.cause_id, r.effect_id): ArrowTest(
            verdict=r.verdict,
            frequency=r.frequency,
            lag=r.lag,
            r=r.effect_size,
            p_adjusted=r.p_adjusted,
            periods=r.periods,
            units=r.units,
        )
        for r in results
        if not r.exploratory
    }
    return layout(
        [(p.id, p.name) for p in read.perspectives],
        [(t.id, t.name) for t in read.themes],
        objectives,
        read.links,
        verdicts,
    )
