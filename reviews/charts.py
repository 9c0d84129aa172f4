"""Plotly figures of the reviews app, built from the selectors' plain entries (pure: no ORM,
no I/O)."""

import datetime as dt
from collections.abc import Sequence

import plotly.graph_objects as go
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.plotly_text import plotly_text

from .calendar import DATA_DUE, DATA_DUE_KIND, KIND_LABELS, LANES, Entry

DAY_MS = 86_400_000  # a date axis measures bar lengths in milliseconds

# One colour per lane (bars and markers of a lane share it) and one marker symbol per
# kind, so that colour is never the only cue: budget and STRATEX deadlines share a lane
# and differ in shape.
LANE_COLOURS = {
    "strategy_refresh": "#1f5fa8",
    "target_setting": "#6a3d9a",
    "deadlines": "#b3261e",
    "goal_setting": "#1e7b34",
    "data_due": "#a86b00",
    "reviews": "#13407a",
    "other": "#5b6875",
}
KIND_SYMBOLS = {
    "strategy_refresh": "star",
    "target_setting": "diamond",
    "budget_deadline": "square",
    "stratex_deadline": "triangle-up",
    "goal_setting": "pentagon",
    "data_due": "circle",
    "meeting": "hexagon",
    "other": "x",
}
TODAY_COLOUR = "#b3261e"
# The lanes' names on the axis: short, so the timeline keeps its width on a phone (the
# table under the chart names them in full).
AXIS_LABELS = {
    "strategy_refresh": gettext_lazy("Strategy refresh"),
    "target_setting": gettext_lazy("Target setting"),
    "deadlines": gettext_lazy("Budget, STRATEX"),
    "goal_setting": gettext_lazy("Goal setting"),
    "data_due": gettext_lazy("Data due"),
    "reviews": gettext_lazy("Reviews"),
    "other": gettext_lazy("Other"),
}


def _axis(lane: str) -> str:
    return str(AXIS_LABELS[lane])


def _dates(entry: Entry) -> str:
    if entry.is_span:
        return _("%(first)s to %(last)s") % {
            "first": date_format(entry.start),
            "last": date_format(entry.end),
        }
    return date_format(entry.start)


def _hover(entry: Entry) -> str:
    # Escaped: the data due dates of a day are joined with Plotly's own <br>.
    return plotly_text(f"{entry.title} ({entry.unit_code})")


def calendar_timeline(
    entries: Sequence[Entry],
    *,
    window: tuple[dt.date, dt.date],
    today: dt.date,
    title: str | None = None,
) -> dict:
    """A timeline of the year: one row per lane (`calendar.LANES`, top to bottom, all of
    them shown even when empty); events lasting several days as bars from their first day
    to the end of their last; one-day entries as markers, one trace per kind with its own
    symbol; data due dates falling on the same day as one marker listing them all; a
    dotted line at today when today is in `window` (first and last day of the year)."""
    lanes = [_axis(lane) for lane, _label in LANES]
    figure = go.Figure()
    figure.add_trace(_lanes_trace(lanes, window))
    for trace in [*_span_traces(entries), *_marker_traces(entries)]:
        figure.add_trace(trace)
    shapes, annotations = _today_line(window, today)
    figure.update_layout(
        title=plotly_text(title or _("Strategy calendar")),
        barmode="overlay",
        height=420,
        margin={"l": 20, "r": 20, "t": 50, "b": 40},
        xaxis={
            "type": "date",
            "range": [window[0].isoformat(), (window[1] + dt.timedelta(days=1)).isoformat()],
            "title": None,
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": lanes,
            "autorange": "reversed",
            "fixedrange": True,
            "automargin": True,
        },
        legend={"orientation": "h", "y": -0.12},
        hovermode="closest",
        plot_bgcolor="#ffffff",
        shapes=shapes,
        annotations=annotations,
    )
    return figure.to_plotly_json()


def _lanes_trace(lanes: list[str], window: tuple[dt.date, dt.date]) -> go.Scatter:
    """Every lane on the axis, even an empty one: the cycle's steps are all named (an
    invisible point per lane on the first day)."""
    return go.Scatter(
        x=[window[0].isoformat()] * len(lanes),
        y=lanes,
        mode="markers",
        marker={"opacity": 0},
        showlegend=False,
        hoverinfo="skip",
    )


def _span_traces(entries: Sequence[Entry]) -> list[go.Bar]:
    """One trace of bars per lane with events lasting several days, in the lanes' order."""
    traces = []
    for lane, label in LANES:
        spans = [e for e in entries if e.lane == lane and e.is_span]
        if not spans:
            continue
        traces.append(
            go.Bar(
                orientation="h",
                name=_("%(lane)s (days)") % {"lane": label},
                legendgroup=lane,
                y=[_axis(lane)] * len(spans),
                base=[e.start.isoformat() for e in spans],
                # to the end of the last day: a 3-day event is 3 days long
                x=[((e.end - e.start).days + 1) * DAY_MS for e in spans],
                width=0.5,
                marker={"color": LANE_COLOURS[lane], "opacity": 0.75},
                customdata=[[_hover(e), _dates(e), str(e.kind_label)] for e in spans],
                hovertemplate="%{customdata[0]}<br>%{customdata[2]}, %{customdata[1]}"
                "<extra></extra>",
            )
        )
    return traces


def _marker_traces(entries: Sequence[Entry]) -> list[go.Scatter]:
    """One trace of markers per kind of one-day entry, each kind with its own symbol."""
    traces = []
    for kind, points in _markers(entries).items():
        lane = points[0][1]
        traces.append(
            go.Scatter(
                mode="markers",
                name=str(KIND_LABELS[kind]),
                legendgroup=lane,
                y=[_axis(lane)] * len(points),
                x=[day.isoformat() for day, _lane, _text in points],
                marker={
                    "symbol": KIND_SYMBOLS[kind],
                    "size": 12,
                    "color": LANE_COLOURS[lane],
                    "line": {"width": 1, "color": "#ffffff"},
                },
                customdata=[[text, date_format(day)] for day, _lane, text in points],
                hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
            )
        )
    return traces


def _today_line(window: tuple[dt.date, dt.date], today: dt.date) -> tuple[list, list]:
    """The layout's shapes and annotations: a dotted line labelled "Today" when today is in
    `window`, else none."""
    if not window[0] <= today <= window[1]:
        return [], []
    line = {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": today.isoformat(),
        "x1": today.isoformat(),
        "y0": 0,
        "y1": 1,
        "line": {"color": TODAY_COLOUR, "width": 2, "dash": "dot"},
    }
    label = {
        "x": today.isoformat(),
        "xref": "x",
        "y": 1,
        "yref": "paper",
        "yanchor": "bottom",
        "text": _("Today"),
        "showarrow": False,
        "font": {"color": TODAY_COLOUR},
    }
    return [line], [label]


def _markers(entries: Sequence[Entry]) -> dict[str, list[tuple[dt.date, str, str]]]:
    """The one-day entries by kind, in the order of the lanes: (day, lane, hover text).
    Data due dates of the same day (monthly and quarterly values, say) are one marker."""
    order = {lane: index for index, (lane, _label) in enumerate(LANES)}
    by_kind: dict[str, list[tuple[dt.date, str, str]]] = {}
    due: dict[dt.date, list[str]] = {}
    for entry in sorted(entries, key=lambda e: (order[e.lane], e.start)):
        if entry.is_span:
            continue
        if entry.kind == DATA_DUE_KIND:
            due.setdefault(entry.start, []).append(_hover(entry))
            continue
        by_kind.setdefault(entry.kind, []).append((entry.start, entry.lane, _hover(entry)))
    if due:
        by_kind[DATA_DUE_KIND] = [(day, DATA_DUE, "<br>".join(texts)) for day, texts in due.items()]
    kinds = list(KIND_SYMBOLS)
    return dict(
        sorted(by_kind.items(), key=lambda item: (order[item[1][0][1]], kinds.index(item[0])))
    )
