"""The awareness trend as a Plotly figure, from the selectors' output (pure: no ORM, no I/O),
its words in the active language: a unit's awareness across the closed pulses that asked
it, against the article's baseline (Kaplan & Norton: 5% of employees understand their
company's strategy)."""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.formatting import to_decimal
from core.plotly_text import plotly_text

from .awareness import BASELINE
from .selectors.pulses import TrendPoint

LINE, BASE = "#1f5fa8", "#b3261e"


def awareness_trend(points: list[TrendPoint], title: str) -> dict:
    """The awareness (%) of each closed pulse, oldest first, by its closing day (a gap where
    it had too few answers to show), and a dashed horizontal line at the 5% baseline."""
    days = [point.closes_on.isoformat() for point in points]
    values = [to_decimal(point.awareness) for point in points]
    labels = [
        plotly_text(f"{point.title} ({formats.date_format(point.closes_on)})") for point in points
    ]
    trend = go.Scatter(
        x=days,
        y=[float(v) if v is not None else None for v in values],
        mode="lines+markers",
        line={"color": LINE, "width": 3},
        customdata=labels,
        name=_("Awareness"),
        hovertemplate="%{customdata}: %{y:.2f}%<extra></extra>",
    )
    baseline = float(BASELINE)
    layout = {
        "title": {"text": plotly_text(title), "font": {"size": 14}},
        "height": 320,
        "margin": {"l": 50, "r": 20, "t": 50, "b": 40},
        "yaxis": {"range": [0, 100], "title": "%", "fixedrange": True},
        "xaxis": {"type": "date"},
        "showlegend": False,
        "plot_bgcolor": "#ffffff",
        "shapes": [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": baseline,
                "y1": baseline,
                "line": {"color": BASE, "width": 2, "dash": "dash"},
            }
        ],
        "annotations": [
            {
                "xref": "paper",
                "x": 0,
                "xanchor": "left",
                "yref": "y",
                "y": baseline,
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"color": BASE, "size": 12},
                "text": plotly_text(baseline_label()),
            }
        ],
    }
    return go.Figure(data=[trend], layout=layout).to_plotly_json()


def baseline_share() -> str:
    """The article's 5% as the language writes a percentage ("5 %" in French)."""
    return pgettext("a percentage", "%(number)s%%") % {
        "number": formats.number_format(int(BASELINE))
    }


def baseline_label() -> str:
    """ "Kaplan & Norton: 5% of employees understand their strategy", in the active
    language."""
    return _("Kaplan & Norton: %(share)s of employees understand their strategy") % {
        "share": baseline_share()
    }
