"""Plotly figures of initiatives, built from the selectors' plain rows (pure: no ORM, no I/O)."""

import datetime as dt

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.plotly_text import plotly_text, plotly_texts

from .choices import InitiativeStatus
from .selectors import TimelineRow, milestone_state

DAY_MS = 86_400_000  # a date axis measures bar lengths in milliseconds

STATUS_COLOURS = {
    InitiativeStatus.PROPOSED: "#8a96a3",
    InitiativeStatus.APPROVED: "#5b8fd1",
    InitiativeStatus.ACTIVE: "#1f5fa8",
    InitiativeStatus.ON_HOLD: "#a86b00",
    InitiativeStatus.DONE: "#1e7b34",
    InitiativeStatus.CANCELLED: "#b3261e",
}
MILESTONE_STYLES = {
    # state: (name in the legend, marker symbol, colour); done, open and overdue differ
    # in shape, not only in colour
    "done": (gettext_lazy("Milestone done"), "diamond", "#1e7b34"),
    "open": (gettext_lazy("Milestone open"), "diamond-open", "#1d2733"),
    "overdue": (gettext_lazy("Milestone overdue"), "x", "#b3261e"),
}


def bar_end(row: TimelineRow, today: dt.date) -> dt.date:
    """Where a bar stops: the end date; an open-ended initiative runs to today or to its
    last milestone, whichever is later (never before its start)."""
    if row.end is not None:
        return row.end
    return max([row.start, today, *(m.due for m in row.milestones)])


def timeline(
    rows: list[TimelineRow],
    *,
    today: dt.date,
    window: tuple[dt.date, dt.date] | None = None,
    title: str | None = None,
) -> dict:
    """A Gantt chart: one bar per initiative from its start to its end, coloured by status
    (one trace per status, so the legend names it), milestones as markers (done ones where
    they were done, open ones where they are due), and a dotted line at today. `window`
    (first and last day, e.g. of a fiscal year) fixes the visible range."""
    figure = go.Figure()
    for trace in [*status_bars(rows, today), *milestone_markers(rows, today)]:
        figure.add_trace(trace)
    labels = plotly_texts(row.label for row in rows)
    figure.update_layout(
        **timeline_layout(labels, today, window, plotly_text(title or _("Timeline")))
    )
    return figure.to_plotly_json()


def status_bars(rows: list[TimelineRow], today: dt.date) -> list[go.Bar]:
    """One horizontal bar trace per status that `rows` have, in the statuses' order: each
    bar from the initiative's start to `bar_end`, its figures in the hover text."""
    bars = []
    for status in InitiativeStatus:
        chosen = [row for row in rows if row.status == status.value]
        if not chosen:
            continue
        ends = [bar_end(row, today) for row in chosen]
        label = str(status.label)
        bars.append(
            go.Bar(
                orientation="h",
                name=label,
                y=plotly_texts(row.label for row in chosen),
                base=[row.start.isoformat() for row in chosen],
                x=[(end - row.start).days * DAY_MS for row, end in zip(chosen, ends, strict=True)],
                marker_color=STATUS_COLOURS[status],
                customdata=[
                    [
                        plotly_text(row.name),
                        label,
                        row.start.isoformat(),
                        row.end.isoformat() if row.end else _("open-ended"),
                        row.percent_complete,
                    ]
                    for row in chosen
                ],
                hovertemplate=(
                    "%{y} %{customdata[0]}<br>"
                    + _("%(status)s, %(percent)s%% complete")
                    % {"status": "%{customdata[1]}", "percent": "%{customdata[4]}"}
                    + "<br>"
                    + _("%(start)s to %(end)s")
                    % {"start": "%{customdata[2]}", "end": "%{customdata[3]}"}
                    + "<extra></extra>"
                ),
            )
        )
    return bars


def milestone_markers(rows: list[TimelineRow], today: dt.date) -> list[go.Scatter]:
    """One marker trace per milestone state (done, open, overdue) that occurs: a done
    milestone where it was done, the others where they are due."""
    marks: dict[str, list] = {name: [] for name in MILESTONE_STYLES}
    for row in rows:
        for m in row.milestones:
            state = milestone_state(m.due, m.done_on, today)
            marks[state].append((plotly_text(row.label), m.done_on or m.due, m))
    traces = []
    for state, points in marks.items():
        if not points:
            continue
        kind, symbol, colour = MILESTONE_STYLES[state]
        kind = str(kind)
        traces.append(
            go.Scatter(
                mode="markers",
                name=kind,
                y=[label for label, _day, _m in points],
                x=[day.isoformat() for _label, day, _m in points],
                marker={"symbol": symbol, "size": 11, "color": colour, "line": {"width": 2}},
                customdata=[
                    [
                        plotly_text(m.name),
                        m.due.isoformat(),
                        m.done_on.isoformat() if m.done_on else _("not yet"),
                    ]
                    for _label, _day, m in points
                ],
                hovertemplate=(
                    "%{y}: %{customdata[0]}<br>"
                    + _("due %(due)s, done %(done)s")
                    % {"due": "%{customdata[1]}", "done": "%{customdata[2]}"}
                    + "<extra>"
                    + kind
                    + "</extra>"
                ),
            )
        )
    return traces


def timeline_layout(
    labels: list[str], today: dt.date, window: tuple[dt.date, dt.date] | None, title: str
) -> dict:
    """The layout: a date axis (over `window` if given), one row per label in the given
    order from the top, a height that grows with the rows, and the line at today."""
    xaxis = {"type": "date", "title": None}
    if window is not None:
        xaxis["range"] = [window[0].isoformat(), window[1].isoformat()]
    return {
        "title": title,
        "barmode": "overlay",
        "height": max(260, 140 + 28 * len(labels)),
        "margin": {"l": 110, "r": 20, "t": 50, "b": 40},
        "xaxis": xaxis,
        "yaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": labels,
            "autorange": "reversed",
            "fixedrange": True,
        },
        "legend": {"orientation": "h", "y": -0.12},
        "plot_bgcolor": "#ffffff",
        **today_line(today),
    }


def today_line(today: dt.date) -> dict:
    """A dotted vertical line at `today` across the plot, labelled "Today" above it."""
    day = today.isoformat()
    return {
        "shapes": [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": day,
                "x1": day,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#b3261e", "width": 2, "dash": "dot"},
            }
        ],
        "annotations": [
            {
                "x": day,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "text": _("Today"),
                "showarrow": False,
                "font": {"color": "#b3261e"},
            }
        ],
    }
