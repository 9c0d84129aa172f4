"""Layout of a strategy map, as pure geometry (no ORM, no drawing): perspectives are
horizontal bands in order, objectives boxes grouped in columns by theme, cause-and-effect
arrows from a box's edge to another's, each with the verdict of the latest strategy test on
it when one is given (plain data: this app may not import alignment's models). The
template draws it as SVG.

The boxes share the drawing's width: as many columns as the widest theme groups need,
each box as wide as `MAP_WIDTH` allows (between `MIN_BOX_W` and `MAX_BOX_W`), so seven
boxes side by side still fit the dashboard at 1440 px without scrolling. Names are broken
into two lines here (SVG does not wrap text), with "…" only past the second.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.formats import get_format
from django.utils.translation import gettext, gettext_lazy, ngettext

from .svg_text import ellipsize, wrap

# The drawing's width in SVG units (px at scale 1) without its 10-unit margin: the
# dashboard's column is 1,147 px wide at 1440 px (main's 1,200 less its padding and the
# map's frame), and the template draws the map at most this wide, smaller on a narrower
# screen (viewBox, width 100 %).
MAP_WIDTH = 1130
MIN_BOX_W, MAX_BOX_W = 120, 200
BOX_W = MAX_BOX_W  # the width of a box when there is room
BOX_H = 78  # the code, two lines of name, the status
GAP_X, GAP_Y = 16, 22
LABEL_W = 120  # the band's name on the left, in up to three lines
BAND_PAD = 14
THEME_H = 28  # the theme names on top
PAD = 9  # text inside a box, from its left and right edges
NAME_SIZE, CODE_SIZE, LABEL_SIZE = 12, 12, 13  # font sizes of .map's texts (osm.css)
NAME_LINES, LABEL_LINES = 2, 3


def box_width(columns: int, width: int = MAP_WIDTH) -> int:
    """The width of each of `columns` boxes side by side (a gap after each) beside the
    band names within `width`: as wide as fits, within [MIN_BOX_W, MAX_BOX_W]; past the
    columns that fit at MIN_BOX_W, the drawing grows wider and the page draws it smaller."""
    if columns <= 0:
        return MAX_BOX_W
    return max(MIN_BOX_W, min(MAX_BOX_W, (width - LABEL_W) // columns - GAP_X))


@dataclass(frozen=True)
class MapObjective:
    id: int
    code: str
    name: str
    perspective_id: int
    theme_id: int | None
    status: str
    score_text: str


@dataclass
class Box:
    objective: MapObjective
    x: int
    y: int
    w: int = BOX_W
    h: int = BOX_H
    name_lines: list[str] = field(default_factory=list)  # the name in at most two lines
    code_text: str = ""  # the code, with "…" if it is wider than the box

    def __post_init__(self):
        room = self.w - 2 * PAD
        self.name_lines = self.name_lines or wrap(
            self.objective.name, room, NAME_SIZE, lines=NAME_LINES
        )
        self.code_text = self.code_text or ellipsize(
            self.objective.code, room, CODE_SIZE, bold=True
        )

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2


@dataclass
class Band:
    id: int
    name: str
    y: int
    h: int

    @property
    def name_lines(self) -> list[str]:
        """The band's name in up to three lines beside its boxes."""
        return wrap(self.name, LABEL_W - 20, LABEL_SIZE, lines=LABEL_LINES, bold=True)


UNTESTED = "untested"
VERDICT_LABELS = {
    "supported": gettext_lazy("Supported"),
    "contradicted": gettext_lazy("Contradicted"),
    "not_supported": gettext_lazy("Not supported"),
    "insufficient_data": gettext_lazy("Insufficient data"),
    UNTESTED: gettext_lazy("Not tested"),
}
DRAW_ORDER = {"supported": 1, "contradicted": 2}


@dataclass(frozen=True)
class ArrowTest:
    """The latest strategy test's verdict on an arrow and the figures behind it (from
    alignment's StrategyTestResult, passed in as plain data)."""

    verdict: str  # supported | contradicted | not_supported | insufficient_data
    frequency: str = ""  # monthly | quarterly
    lag: int | None = None
    r: float | None = None
    p_adjusted: float | None = None
    periods: int = 0
    units: int = 0


def lag_text(lag: int | None, frequency: str) -> str:
    """The lag in words: "2 months", "1 quarter"; "" when there is none."""
    if lag is None:
        return ""
    if frequency == "monthly":
        text = ngettext("%(number)s month", "%(number)s months", lag)
    elif frequency == "quarterly":
        text = ngettext("%(number)s quarter", "%(number)s quarters", lag)
    else:
        text = ngettext("%(number)s period", "%(number)s periods", lag)
    return text % {"number": lag}


def _decimals(value: float, places: int) -> str:
    """A figure rounded to `places` decimals, with the active language's decimal separator
    ("0.62", "0,62")."""
    return f"{value:.{places}f}".replace(".", get_format("DECIMAL_SEPARATOR"))


def p_text(p: float | None) -> str:
    """An adjusted p-value as people read it: three decimals, "< 0.001" below that."""
    if p is None:
        return ""
    return f"< {_decimals(0.001, 3)}" if p < 0.001 else _decimals(p, 3)


def _counts(test: ArrowTest) -> str:
    """ "30 periods, 1 unit"."""
    periods = ngettext("%(number)s period", "%(number)s periods", test.periods) % {
        "number": test.periods
    }
    units = ngettext("%(number)s unit", "%(number)s units", test.units) % {"number": test.units}
    return f"{periods}, {units}"


def verdict_figures(test: ArrowTest) -> str:
    """The figures behind a verdict: "r 0.62 at lag 2 months, adjusted p 0.002, 30
    periods, 1 unit"."""
    if test.r is None or test.lag is None:  # no lag had enough paired periods
        if not test.periods:
            return gettext("too few paired periods to test")
        return gettext("too few paired periods to test (%(counts)s)") % {"counts": _counts(test)}
    return gettext("r %(r)s at lag %(lag)s, adjusted p %(p)s, %(counts)s") % {
        "r": _decimals(test.r, 2),
        "lag": lag_text(test.lag, test.frequency),
        "p": p_text(test.p_adjusted),
        "counts": _counts(test),
    }


def verdict_text(test: ArrowTest | None) -> str:
    """The verdict in words with its figures, e.g. "Supported: r 0.62 at lag 2 months,
    adjusted p 0.002, 30 periods, 1 unit"; "Not tested yet" without a test."""
    if test is None:
        return gettext("Not tested yet")
    return gettext("%(verdict)s: %(figures)s") % {
        "verdict": VERDICT_LABELS.get(test.verdict, test.verdict),
        "figures": verdict_figures(test),
    }


@dataclass
class Arrow:
    cause: Box
    effect: Box
    x1: int
    y1: int
    x2: int
    y2: int
    test: ArrowTest | None = None

    @property
    def verdict(self) -> str:
        """The CSS and legend key: a verdict, or "untested"."""
        return self.test.verdict if self.test else UNTESTED

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS.get(self.verdict, self.verdict)

    @property
    def figures(self) -> str:
        return verdict_figures(self.test) if self.test else ""

    @property
    def hover(self) -> str:
        """The arrow's hover text: what it claims, then the verdict with its figures."""
        claim = gettext("%(cause)s drives %(effect)s.") % {
            "cause": self.cause.objective.code,
            "effect": self.effect.objective.code,
        }
        return f"{claim} {verdict_text(self.test)}"


@dataclass(frozen=True)
class Column:
    """A theme's group of columns: its name over them (with "…" if wider), where it starts
    and how wide it is."""

    name: str
    x: int
    w: int

    @property
    def label(self) -> str:
        return ellipsize(self.name, self.w, LABEL_SIZE, bold=True)


@dataclass
class MapLayout:
    width: int
    height: int
    bands: list[Band] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)

    @property
    def arrows_to_draw(self) -> list[Arrow]:
        """The arrows in drawing order: where two overlap, the one whose verdict matters
        more is drawn last, on top (contradicted above supported above the rest)."""
        return sorted(self.arrows, key=lambda a: DRAW_ORDER.get(a.verdict, 0))


def layout(
    perspectives: list[tuple[int, str]],
    themes: list[tuple[int, str]],
    objectives: list[MapObjective],
    links: list[tuple[int, int]],
    verdicts: Mapping[tuple[int, int], ArrowTest] | None = None,
) -> MapLayout:
    """Place the boxes: one band per perspective (in the given order), one column group
    per theme (then "no theme"); within a group, a band's objectives side by side. An
    arrow (cause id, effect id) carries its entry of `verdicts`, if any."""
    groups = [(theme_id, name) for theme_id, name in themes] + [(None, "")]
    # How many boxes each (band, theme) cell holds; a theme's width is its widest cell.
    cells: dict[tuple[int, int | None], list[MapObjective]] = {}
    for objective in sorted(objectives, key=lambda o: o.code):
        cells.setdefault((objective.perspective_id, objective.theme_id), []).append(objective)
    widths = {}
    for theme_id, _ in groups:
        most = max((len(cells.get((p, theme_id), [])) for p, _ in perspectives), default=0)
        widths[theme_id] = most
    used = [(t, n) for t, n in groups if widths[t]]
    box_w = box_width(sum(widths[t] for t, _ in used))
    result = MapLayout(width=0, height=0)
    x = LABEL_W
    starts = {}
    for theme_id, name in used:
        span = widths[theme_id] * (box_w + GAP_X)
        starts[theme_id] = x
        result.columns.append(Column(name, x, span - GAP_X))
        x += span
    result.width = max(x, LABEL_W + box_w + GAP_X)
    y = THEME_H if any(name for _, name in used) else 0
    boxes_by_id = {}
    for perspective_id, name in perspectives:
        band = Band(perspective_id, name, y, BOX_H + 2 * BAND_PAD)
        result.bands.append(band)
        for theme_id, _ in used:
            for i, objective in enumerate(cells.get((perspective_id, theme_id), [])):
                box = Box(objective, starts[theme_id] + i * (box_w + GAP_X), y + BAND_PAD, box_w)
                result.boxes.append(box)
                boxes_by_id[objective.id] = box
        y += band.h + GAP_Y
    result.height = max(y - GAP_Y, 0)
    for cause_id, effect_id in links:
        cause, effect = boxes_by_id.get(cause_id), boxes_by_id.get(effect_id)
        if cause is None or effect is None:
            continue
        arrow = _arrow(cause, effect)
        arrow.test = (verdicts or {}).get((cause_id, effect_id))
        result.arrows.append(arrow)
    return result


def _arrow(cause: Box, effect: Box) -> Arrow:
    """From the cause's edge facing the effect to the effect's facing edge."""
    if cause.y == effect.y:  # the same band: side to side
        if cause.x < effect.x:
            return Arrow(cause, effect, cause.x + cause.w, cause.cy, effect.x, effect.cy)
        return Arrow(cause, effect, cause.x, cause.cy, effect.x + effect.w, effect.cy)
    if cause.y > effect.y:  # the usual direction: up the map
        return Arrow(cause, effect, cause.cx, cause.y, effect.cx, effect.y + effect.h)
    return Arrow(cause, effect, cause.cx, cause.y + cause.h, effect.cx, effect.y)
