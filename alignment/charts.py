"""Plotly figures of alignment, built from the selectors' output (pure: no ORM, no I/O)."""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

import plotly.graph_objects as go

from core.formatting import to_decimal
from core.plotly_text import plotly_text
from scorecards.periods import add_months
from scorecards.strategy_map import lag_text

from . import testing
from .metrics import LABELS, METRICS, Metrics

COLOURS = {"good": "#1e7b34", "watch": "#a86b00", "poor": "#b3261e", "mix": "#5b6875"}


def _band(value: Decimal) -> str:
    return "good" if value >= 80 else "watch" if value >= 50 else "poor"


def metrics_bar(metrics: Metrics, title: str) -> dict:
    """Horizontal bars of the metrics (0-100 %); metrics without data are named "n/a"."""
    figures = metrics.as_dict()
    names, values, colours, texts = [], [], [], []
    for name in (*METRICS, "alignment_index"):
        value = to_decimal(figures[name])
        names.append(LABELS[name])
        values.append(float(value) if value is not None else 0)
        texts.append(f"{value}%" if value is not None else "n/a")
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
            name="Alignment index",
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
    frequency, ((_, on_cause, on_effect),) = testing.common_frequency(pair, fiscal_start)
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
    periods = [period.isoformat() for period, _, _ in rows]
    later = [add_months(period, lag * months).strftime("%b %Y") for period, _, _ in rows]
    shift = lag_text(lag, frequency)
    cause_name, effect_name = plotly_text(cause_name), plotly_text(effect_name)
    cause = go.Scatter(
        x=periods, y=[c for _, c, _ in rows], name=f"{cause_name} (cause)",
        mode="lines+markers", line={"color": "#1f5fa8", "width": 3},
        hovertemplate="%{x|%b %Y}: %{y}<extra>cause</extra>",
    )  # fmt: skip
    effect = go.Scatter(
        x=periods, y=[e for _, _, e in rows], name=f"{effect_name}, {shift} later (effect)",
        mode="lines+markers", line={"color": "#a86b00", "width": 2, "dash": "dot"},
        yaxis="y2", customdata=later,
        hovertemplate="%{customdata}: %{y}<extra>effect</extra>",
    )  # fmt: skip
    layout = {
        "title": {"text": plotly_text(title), "font": {"size": 14}},
        "height": 340,
        "margin": {"l": 55, "r": 55, "t": 50, "b": 40},
        "legend": {"orientation": "h", "y": -0.25},
        "xaxis": {"title": f"period of the cause ({frequency})"},
        "yaxis": {"title": {"text": "cause", "font": {"color": "#1f5fa8"}}},
        "yaxis2": {
            "title": {"text": f"effect {shift} later", "font": {"color": "#a86b00"}},
            "overlaying": "y",
            "side": "right",
        },
        "plot_bgcolor": "#ffffff",
    }
    # The figure in one call: update_layout on a built figure costs about five times as
    # much (40 ms a chart), and the page draws one chart per arrow.
    return go.Figure(data=[cause, effect], layout=layout).to_plotly_json()
