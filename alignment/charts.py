"""Plotly figures of alignment, built from the selectors' output (pure: no ORM, no I/O), their
words in the active language."""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

import plotly.graph_objects as go
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core.formatting import to_decimal
from core.plotly_text import plotly_text
from scorecards.periods import add_months
from scorecards.strategy_map import lag_text

from . import testing
from .metrics import LABELS, METRICS, Metrics

# The time axis of a strategy test's chart, by the frequency the pair was compared on.
FREQUENCY_AXIS = {
    "monthly": gettext_lazy("period of the cause (monthly)"),
    "quarterly": gettext_lazy("period of the cause (quarterly)"),
}
COLOURS = {"good": "#1e7b34", "watch": "#a86b00", "poor": "#b3261e", "mix": "#5b6875"}


def _band(value: Decimal) -> str:
    return "good" if value >= 80 else "watch" if value >= 50 else "poor"


def metrics_bar(metrics: Metrics, title: str) -> dict:
    """Horizontal bars of the metrics (0-100 %); metrics without data are named "n/a"."""
    figures = metrics.as_dict()
    names, values, colours, texts = [], [], [], []
    for name in (*METRICS, "alignment_index"):
        value = to_decimal(figures[name])
        names.append(str(LABELS[name]))
        values.append(float(value) if value is not None else 0)
        texts.append(f"{value}%" if value is not None else _("n/a"))
        band = "mix" if name == "stratex_share" or value is None else _band(value)
        colours.append(COLOURS[band])
    figure = go.Figure(
        go.Bar(
            x=values,
            y=names,
            orientation="h",
            text=texts,
            textposition="outside",
            marker_color=colours,
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    figure.update_layout(
        title=plotly_text(title),
        xaxis={"range": [0, 110], "title": "%", "fixedrange": True},
        yaxis={"autorange": "reversed", "fixedrange": True},
        margin={"l": 150, "r": 20, "t": 50, "b": 40},
        height=380,
        plot_bgcolor="#ffffff",
    )
    return figure.to_plotly_json()


def index_trend(points: list[tuple[dt.date, Decimal | None]], title: str) -> dict:
    """The alignment index over the snapshots taken (gaps where it had no data)."""
    figure = go.Figure(
        go.Scatter(
            x=[day.isoformat() for day, _ in points],
            y=[float(v) if v is not None else None for _, v in points],
            mode="lines+markers",
            line={"color": "#1f5fa8"},
            hovertemplate="%{x}: %{y:.2f}%<extra></extra>",
            name=str(LABELS["alignment_index"]),
        )
    )
    figure.update_layout(
        title=plotly_text(title),
        yaxis={"range": [0, 100], "title": "%"},
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        height=300,
        plot_bgcolor="#ffffff",
    )
    return figure.to_plotly_json()


# Test and adapt -------------------------------------------------------------------------------


def aligned_pair(
    cause: Mapping[dt.date, float],
    effect: Mapping[dt.date, float],
    *,
    cause_frequency: str,
    effect_frequency: str,
    cause_aggregation: str = "average",
    effect_aggregation: str = "average",
    lag: int,
    fiscal_start: int = 1,
) -> tuple[str, list[tuple[dt.date, float, float]]]:
    """A tested pair's two series (one unit's actuals by period) as the test compared them:
    on one frequency (a monthly series beside a quarterly one combined into quarters by its
    aggregation, as `testing.common_frequency` does), then each cause period with the
    effect `lag` periods later (`testing.aligned`). Returns (frequency, rows)."""
    pair = testing.PairInput(
        key=None,
        cause_polarity="increase",
        effect_polarity="increase",
        cause_frequency=cause_frequency,
        effect_frequency=effect_frequency,
        replicates=[testing.Replicate("", dict(cause), dict(effect))],
        cause_aggregation=cause_aggregation,
        effect_aggregation=effect_aggregation,
    )
    frequency, ((_unit, on_cause, on_effect),) = testing.common_frequency(pair, fiscal_start)
    return frequency, testing.aligned(on_cause, on_effect, lag, frequency)


def strategy_test_chart(
    rows: list[tuple[dt.date, float, float]],
    *,
    lag: int,
    frequency: str,
    cause_name: str,
    effect_name: str,
    title: str,
) -> dict:
    """The cause's values and the effect's `lag` periods later, on one time axis (the
    cause's periods) and two value axes: if the arrow holds, the effect line echoes the
    cause's movements. The effect's own period is in its hover text."""
    months = testing.MONTHS[frequency]
    periods = [period.isoformat() for period, _c, _e in rows]
    # Each period as the language writes a month: the cause's, and the effect's `lag` later.
    shown = [formats.date_format(period, "M Y") for period, _c, _e in rows]
    later = [formats.date_format(add_months(p, lag * months), "M Y") for p, _c, _e in rows]
    shift = lag_text(lag, frequency)
    cause_name, effect_name = plotly_text(cause_name), plotly_text(effect_name)
    cause_word = pgettext("strategy test chart", "cause")
    effect_word = pgettext("strategy test chart", "effect")
    cause = go.Scatter(
        x=periods, y=[c for _p, c, _e in rows],
        name=_("%(measure)s (cause)") % {"measure": cause_name},
        mode="lines+markers", line={"color": "#1f5fa8", "width": 3}, customdata=shown,
        hovertemplate=f"%{{customdata}}: %{{y}}<extra>{cause_word}</extra>",
    )  # fmt: skip
    effect = go.Scatter(
        x=periods, y=[e for _p, _c, e in rows],
        name=_("%(measure)s, %(lag)s later (effect)") % {"measure": effect_name, "lag": shift},
        mode="lines+markers", line={"color": "#a86b00", "width": 2, "dash": "dot"},
        yaxis="y2", customdata=later,
        hovertemplate=f"%{{customdata}}: %{{y}}<extra>{effect_word}</extra>",
    )  # fmt: skip
    layout = {
        "title": {"text": plotly_text(title), "font": {"size": 14}},
        "height": 340,
        "margin": {"l": 55, "r": 55, "t": 50, "b": 40},
        "legend": {"orientation": "h", "y": -0.25},
        "xaxis": {"title": str(FREQUENCY_AXIS.get(frequency, _("period of the cause")))},
        "yaxis": {"title": {"text": cause_word, "font": {"color": "#1f5fa8"}}},
        "yaxis2": {
            "title": {
                "text": _("effect %(lag)s later") % {"lag": shift},
                "font": {"color": "#a86b00"},
            },
            "overlaying": "y",
            "side": "right",
        },
        "plot_bgcolor": "#ffffff",
    }
    # The figure in one call: update_layout on a built figure costs about five times as
    # much (40 ms a chart), and the page draws one chart per arrow.
    return go.Figure(data=[cause, effect], layout=layout).to_plotly_json()
