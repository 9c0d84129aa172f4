"""The report packs' pictures, drawn on the server with matplotlib: a measure's history (as
the measure page's Plotly chart shows it) and a unit's strategy map (from the same layout
the dashboard draws, scorecards/strategy_map.py). SVG for the PDFs (vector, its text as
text in the fonts the PDF uses), PNG at 200 dpi for the slides (PowerPoint takes no SVG).

matplotlib's object interface (`Figure`, no pyplot): no global state, safe in threads.
Text from data is drawn with `parse_math=False`: matplotlib would read "$...$" in a name
as a formula to typeset (and fail on a lone "$").
Names in any script: DejaVu Sans for Latin, Greek and Cyrillic, then WenQuanYi Micro Hei
for Chinese, Japanese and Korean (the fonts `make install` adds), glyph by glyph.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence

import matplotlib
from django.utils.translation import gettext as _
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from scorecards.strategy_map import MapLayout

from .tables import scored_history

matplotlib.use("Agg")
# One missing CJK font must not fill the logs with a warning per glyph.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

FONTS = ["DejaVu Sans", "WenQuanYi Micro Hei", "Noto Sans CJK JP", "sans-serif"]
INK, MUTED, LINE = "#1d2733", "#5b6875", "#d5dbe1"
BLUE, GREEN, RED = "#1f5fa8", "#1e7b34", "#b3261e"
# The map's colours, as osm.css draws them on the dashboard.
BOX_COLOURS = {
    "green": ("#e3f4e6", "#1e7b34"),
    "yellow": ("#fdf2d9", "#8a5800"),
    "red": ("#fbe3e1", "#b3261e"),
    "no_data": ("#eef0f2", "#9aa5b1"),
}
ARROW_COLOURS = {
    "supported": "#1e7b34",
    "contradicted": "#b3261e",
    "not_supported": "#8a5800",
    "insufficient_data": "#9aa5b1",
    "untested": "#5b6875",
}
PNG_DPI = 200


def _rc() -> dict:
    # SVG text stays text (the PDF draws it with the same fonts, and it can be searched);
    # outlines would make each chart three times the size and the PDF slower to lay out.
    return {"font.family": FONTS, "svg.fonttype": "none", "font.size": 9}


def _save(figure: Figure, fmt: str) -> bytes:
    out = io.BytesIO()
    with matplotlib.rc_context(_rc()):
        figure.savefig(out, format=fmt, dpi=PNG_DPI if fmt == "png" else 72)
    return out.getvalue()


def _number(value) -> float | None:
    return None if value is None else float(value)


def measure_chart(series, *, fmt: str = "svg", width: float = 6.8, height: float = 2.5):
    """A measure's actual, target and red-flag band over its periods; None when there is
    nothing to draw (no value with a number)."""
    info = series.measure
    values = scored_history(series)  # the red flag scored against: entered, or the default
    periods = [v.period for v in values]
    targets = [_number(v.target) for v in values]
    red_flags = [_number(v.red_flag) for v in values]
    actuals = [_number(v.actual) for v in values]
    if all(y is None for y in (*targets, *red_flags, *actuals)):
        return None
    with matplotlib.rc_context(_rc()):
        figure = Figure(figsize=(width, height), layout="constrained")
        axes = figure.add_subplot()
        band = [
            (p, r, t) for p, r, t in zip(periods, red_flags, targets, strict=True)
            if r is not None and t is not None
        ]  # fmt: skip
        if band:
            axes.fill_between(
                [b[0] for b in band], [b[1] for b in band], [b[2] for b in band],
                color="#a86b00", alpha=0.12, linewidth=0,
            )  # fmt: skip
        _line(axes, periods, red_flags, color=RED, linewidth=1, label=_("Red flag"))
        _line(axes, periods, targets, color=GREEN, linestyle="--", label=_("Target"))
        _line(axes, periods, actuals, color=BLUE, linewidth=2.2, marker="o", markersize=3,
              label=_("Actual"))  # fmt: skip
        unit = f" ({info.unit_label})" if info.unit_label else ""
        axes.set_title(
            f"{info.code} {info.name}{unit}", loc="left", fontsize=10, color=INK, parse_math=False
        )
        axes.grid(axis="y", color=LINE, linewidth=0.6)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.tick_params(labelsize=8, colors=MUTED)
        figure.autofmt_xdate(rotation=0, ha="center")
        axes.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False, fontsize=8)
    return _save(figure, fmt)


def _line(axes, xs: Sequence, ys: Sequence, **style) -> None:
    points = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
    if points:
        axes.plot([p[0] for p in points], [p[1] for p in points], **style)


def strategy_map_chart(layout: MapLayout, *, fmt: str = "svg", status_words: dict) -> bytes:
    """The strategy map as the dashboard draws it: perspective bands, theme names, boxes in
    their status colours with code, name, status and score, and the cause-and-effect arrows
    coloured by the latest strategy test's verdict."""
    width, height = layout.width + 10, layout.height + 10
    scale = 100  # layout units (px) per inch
    with matplotlib.rc_context(_rc()):
        figure = Figure(figsize=(width / scale, height / scale))
        axes = figure.add_axes((0, 0, 1, 1))
        axes.set_xlim(0, width)
        axes.set_ylim(height, 0)  # the layout's y runs down
        axes.axis("off")
        size = 72 / scale  # a layout px in points
        for column in layout.columns:
            if column.name:
                axes.text(column.x, 18, column.label, fontsize=13 * size, fontweight="bold",
                          color=BLUE, va="baseline", parse_math=False)  # fmt: skip
        for band in layout.bands:
            axes.add_patch(Rectangle((0, band.y), layout.width, band.h, facecolor="#f4f7fa",
                                     edgecolor=LINE, linewidth=0.8))  # fmt: skip
            axes.text(10, band.y + 22, "\n".join(band.name_lines), fontsize=13 * size,
                      fontweight="bold", color=MUTED, va="baseline", linespacing=1.25,
                      parse_math=False)  # fmt: skip
        for arrow in layout.arrows_to_draw:
            colour = ARROW_COLOURS.get(arrow.verdict, MUTED)
            axes.add_patch(
                FancyArrowPatch(
                    (arrow.x1, arrow.y1), (arrow.x2, arrow.y2), arrowstyle="-|>",
                    mutation_scale=10, color=colour, linewidth=1.3,
                    linestyle="-" if arrow.test else (0, (4, 3)),
                    shrinkA=0, shrinkB=0,
                )
            )  # fmt: skip
        for box in layout.boxes:
            fill, edge = BOX_COLOURS.get(box.objective.status, BOX_COLOURS["no_data"])
            axes.add_patch(
                FancyBboxPatch(
                    (box.x, box.y), box.w, box.h, boxstyle="round,pad=0,rounding_size=8",
                    facecolor=fill, edgecolor=edge, linewidth=1.6,
                    linestyle="-" if box.objective.status != "no_data" else (0, (4, 3)),
                )
            )  # fmt: skip
            axes.text(box.x + 9, box.y + 18, box.code_text, fontsize=12 * size,
                      fontweight="bold", color=INK, parse_math=False)  # fmt: skip
            for index, line in enumerate(box.name_lines):
                axes.text(box.x + 9, box.y + 35 + 15 * index, line, fontsize=12 * size,
                          color=INK, parse_math=False)  # fmt: skip
            status = status_words.get(box.objective.status, box.objective.status)
            axes.text(box.x + 9, box.y + 68, f"{status} · {box.objective.score_text}",
                      fontsize=11 * size, color=MUTED, parse_math=False)  # fmt: skip
    return _save(figure, fmt)
