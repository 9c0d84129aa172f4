"""Plotly figures of alignment, built from the selectors' output (pure: no ORM, no I/O)."""

import datetime as dt
from decimal import Decimal

import plotly.graph_objects as go

from scorecards.scoring import to_decimal

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
        title=title,
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
        title=title,
        yaxis={"range": [0, 100], "title": "%"},
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        height=300,
        plot_bgcolor="#ffffff",
    )
    return figure.to_plotly_json()
