"""Plotly figures of measures, from the selectors' series (pure: no ORM, no I/O)."""

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from core.formatting import to_decimal
from core.plotly_text import plotly_text
from scorecards import scoring

from .selectors.series import Series


def _number(value):
    return None if value is None else float(to_decimal(value, 6))


def measure_history(series: Series) -> dict | None:
    """Actual, target and the red-flag band of a measure over its periods: the band runs
    from the red flag (entered, or the default from the tolerance) to the target. None when
    there is nothing to draw (no value yet, or none with a number): the pages then say so
    rather than draw empty axes."""
    info = series.measure
    values = series.ordered()
    periods = [v.period.isoformat() for v in values]
    targets = [_number(v.target) for v in values]
    red_flags = [
        _number(
            v.red_flag
            if v.red_flag is not None or v.target is None
            else scoring.default_red_flag(v.target, info.polarity, info.tolerance)
        )
        for v in values
    ]
    actuals = [_number(v.actual) for v in values]
    if all(y is None for y in (*targets, *red_flags, *actuals)):
        return None
    label = f" ({info.unit_label})" if info.unit_label else ""
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=periods, y=targets, name=_("Target"), mode="lines",
            line={"color": "#1e7b34", "dash": "dash"},
        )
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=periods, y=red_flags, name=_("Red flag"), mode="lines", fill="tonexty",
            fillcolor="rgba(168, 107, 0, 0.12)", line={"color": "#b3261e", "width": 1},
        )
    )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=periods, y=actuals, name=_("Actual"),
            mode="lines+markers", line={"color": "#1f5fa8", "width": 3},
        )
    )  # fmt: skip
    figure.update_layout(
        title=plotly_text(f"{info.code} {info.name}{label}"),
        height=300,
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        plot_bgcolor="#ffffff",
        hovermode="x unified",
        # the figures with the places the measure declares (Plotly's own choice otherwise)
        yaxis={"hoverformat": f",.{info.decimal_places}f"}
        if info.decimal_places is not None
        else {},
    )
    return figure.to_plotly_json()
