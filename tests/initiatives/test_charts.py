"""The timeline (Gantt) figure, from plain rows with hand-computed dates (no database)."""

import datetime as dt

from initiatives.charts import DAY_MS, bar_end, timeline
from initiatives.selectors import TimelineMilestone, TimelineRow, milestone_state

TODAY = dt.date(2026, 4, 1)


def row(label, status, start, end, *milestones, percent=0):
    return TimelineRow(
        label=label,
        name=f"Initiative {label}",
        status=status,
        start=start,
        end=end,
        percent_complete=percent,
        milestones=tuple(TimelineMilestone(name, due, done) for name, due, done in milestones),
    )


ROWS = [
    row(
        "B1.LAUNCH", "active", dt.date(2026, 1, 1), dt.date(2026, 12, 31),
        ("Kick-off", dt.date(2026, 2, 1), dt.date(2026, 2, 3)),  # done (late)
        ("Late", dt.date(2026, 3, 1), None),  # due before today, not done: overdue
        ("Beta", dt.date(2026, 6, 30), None),  # due after today: open
        percent=40,
    ),
    row("B2.ELSE", "proposed", dt.date(2026, 9, 1), None,
        ("Pilot", dt.date(2027, 2, 15), None)),  # open-ended
    row("D1.TOOLS", "active", dt.date(2026, 4, 1), dt.date(2026, 4, 1)),  # a one-day bar
]  # fmt: skip


def traces(figure, kind):
    return {t["name"]: t for t in figure["data"] if t["type"] == kind}


def test_bars_from_start_to_end_one_trace_per_status():
    figure = timeline(ROWS, today=TODAY)
    bars = traces(figure, "bar")
    # in the order of the statuses (Proposed before Active), each named by its status
    assert list(bars) == ["Proposed", "Active"]
    active = bars["Active"]
    assert active["y"] == ["B1.LAUNCH", "D1.TOOLS"]
    assert active["base"] == ["2026-01-01", "2026-04-01"]
    # 2026-01-01 to 2026-12-31 = 364 days; 2026-04-01 to itself = 0 days
    assert active["x"] == [364 * 86_400_000, 0] == [31_449_600_000, 0]
    assert active["orientation"] == "h"
    # open-ended ELSE runs to the later of today (2026-04-01) and its last milestone
    # (2027-02-15): from 2026-09-01, 30 (Sep) + 31 + 30 + 31 + 31 (Jan) + 14 = 167 days
    assert bars["Proposed"]["x"] == [167 * DAY_MS] == [14_428_800_000]
    assert bars["Proposed"]["customdata"] == [
        ["Initiative B2.ELSE", "Proposed", "2026-09-01", "open-ended", 0]
    ]
    assert active["customdata"][0] == [
        "Initiative B1.LAUNCH", "Active", "2026-01-01", "2026-12-31", 40,
    ]  # fmt: skip
    assert bars["Active"]["marker"]["color"] != bars["Proposed"]["marker"]["color"]


def test_milestones_done_open_and_overdue_are_told_apart():
    marks = traces(timeline(ROWS, today=TODAY), "scatter")
    assert list(marks) == ["Milestone done", "Milestone open", "Milestone overdue"]
    # done ones where they were done; the others where they are due
    assert (marks["Milestone done"]["x"], marks["Milestone done"]["y"]) == (
        ["2026-02-03"], ["B1.LAUNCH"],
    )  # fmt: skip
    assert marks["Milestone open"]["x"] == ["2026-06-30", "2027-02-15"]
    assert marks["Milestone open"]["y"] == ["B1.LAUNCH", "B2.ELSE"]
    assert marks["Milestone overdue"]["x"] == ["2026-03-01"]
    # by shape as well as by colour
    symbols = {name: t["marker"]["symbol"] for name, t in marks.items()}
    assert symbols == {
        "Milestone done": "diamond", "Milestone open": "diamond-open", "Milestone overdue": "x",
    }  # fmt: skip
    assert marks["Milestone done"]["customdata"] == [["Kick-off", "2026-02-01", "2026-02-03"]]
    assert marks["Milestone overdue"]["customdata"] == [["Late", "2026-03-01", "not yet"]]


def test_the_today_line_the_rows_and_the_window():
    layout = timeline(ROWS, today=TODAY)["layout"]
    (line,) = layout["shapes"]
    assert (line["x0"], line["x1"], line["yref"]) == ("2026-04-01", "2026-04-01", "paper")
    assert layout["annotations"][0]["text"] == "Today"
    assert layout["yaxis"]["categoryarray"] == ["B1.LAUNCH", "B2.ELSE", "D1.TOOLS"]
    assert layout["yaxis"]["autorange"] == "reversed"  # the first row on top
    assert "range" not in layout["xaxis"]
    # 140 + 28 per row = 224, at least 260
    assert layout["height"] == 260
    window = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    layout = timeline(ROWS, today=TODAY, window=window)["layout"]
    assert layout["xaxis"]["range"] == ["2026-01-01", "2026-12-31"]
    # ten rows: 140 + 280 = 420
    assert timeline(ROWS[:1] * 10, today=TODAY)["layout"]["height"] == 420


def test_no_rows_no_traces():
    figure = timeline([], today=TODAY)
    assert figure["data"] == [] and figure["layout"]["shapes"][0]["x0"] == "2026-04-01"


def test_bar_end_and_milestone_state():
    launch, other, _ = ROWS
    assert bar_end(launch, TODAY) == dt.date(2026, 12, 31)
    assert bar_end(other, TODAY) == dt.date(2027, 2, 15)
    # open-ended, no milestone: to today, or to its start if that is later
    bare = row("X.Y", "active", dt.date(2026, 1, 1), None)
    assert bar_end(bare, TODAY) == TODAY
    assert bar_end(bare, dt.date(2025, 1, 1)) == dt.date(2026, 1, 1)
    assert milestone_state(dt.date(2026, 3, 31), None, TODAY) == "overdue"
    assert milestone_state(dt.date(2026, 4, 1), None, TODAY) == "open"  # due today: not late
    assert milestone_state(dt.date(2026, 3, 1), dt.date(2026, 5, 1), TODAY) == "done"
