"""Plotly figures of budgets, built from the selectors' output (pure: no ORM, no I/O)."""

from collections.abc import Iterable
from decimal import Decimal

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.formatting import money_text
from core.plotly_text import plotly_text, plotly_texts

PLANNED_COLOUR = "#1f5fa8"
ACTUAL_COLOUR = "#e08a00"


def category_split(rows: Iterable[tuple[str, Decimal, Decimal]], title: str) -> dict:
    """Planned and actual side by side for each category; `rows` are (label, planned,
    actual) in the order to show. Amounts are also written on the bars (for those who
    do not tell the colours apart) and in the hover text, as the tables write them."""
    rows = list(rows)
    labels = plotly_texts(label for label, _, _ in rows)
    figure = go.Figure()
    series = (
        (pgettext("money", "Planned"), 1, PLANNED_COLOUR),
        (pgettext("money", "Actual"), 2, ACTUAL_COLOUR),
    )
    for name, index, colour in series:
        amounts = [row[index] for row in rows]
        figure.add_trace(
            go.Bar(
                name=name,
                x=labels,
                y=[float(a) for a in amounts],  # a drawing only: the exact figures are text
                text=[money_text(a) for a in amounts],
                textposition="auto",
                marker_color=colour,
                hovertemplate=f"%{{x}} {name}: %{{text}}<extra></extra>",
            )
        )
    figure.update_layout(
        title=plotly_text(title),
        barmode="group",
        yaxis={"title": _("Amount"), "rangemode": "tozero", "fixedrange": True},
        xaxis={"fixedrange": True},
        legend={"orientation": "h", "y": -0.15},
        margin={"l": 60, "r": 20, "t": 50, "b": 60},
        height=340,
        plot_bgcolor="#ffffff",
    )
    return figure.to_plotly_json()
