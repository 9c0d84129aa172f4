"""The strategy calendar's selector and chart: entries worked out by hand for a small world
(due dates written out day by day), events of the units above shown and a sibling's not,
the timeline figure from plain entries."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.calendar import (
    DATA_DUE,
    DEADLINES,
    GOAL_SETTING,
    LANES,
    OTHER,
    REVIEWS,
    STRATEGY_REFRESH,
    TARGET_SETTING,
    Entry,
    due_dates_in,
    strategy_calendar,
    with_links,
)
from reviews.charts import DAY_MS, calendar_timeline
from scorecards.choices import Frequency, Rollup, UnitKind
from tests import factories as f

UTC = dt.UTC


@pytest.fixture(autouse=True)
def calendar_settings(settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    settings.MEASURE_DUE_DAYS = 10
    settings.TIME_ZONE = "UTC"


def at(year, month, day, hour=9) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def cal(db):
    return small_world()


def small_world() -> SimpleNamespace:
    """ENT > (B1 > D1), B2. The calendar is B1's for 2026 (1 January to 31 December).

    Events:
      ENT budget deadline "Group budgets due"    2026-10-30            ancestor: shown
      ENT strategy refresh "Offsite"       2025-12-15 to 2026-01-05    overlaps: shown
      ENT other "Last year"                       2025-06-01            before: not
      B1  strategy refresh "B1 refresh"    2026-02-10 to 2026-02-12    own: shown
      B1  other "Next year"                       2027-01-01            after: not
      D1  goal setting "D1 goals"                 2026-01-20            below: shown
      B2  target setting "B2 targets"             2026-09-01            sibling: not
    Measures: B1 M1, M2 monthly, Q1 quarterly; D1 M3 monthly, A1 annual (entered: counted);
      B1 CALC (formula) and ROLL (rollup of D1.M3) monthly: computed, not counted;
      B2 OUT monthly (sibling) and ENT TOP monthly (above): not in the subtree.
    Meetings: B1 2026-03-05 09:00, D1 2026-12-31 23:00: shown; B2 2026-04-01 and ENT
      2026-05-01 (not the subtree), B1 2027-01-01 00:00 (next year): not.
    """
    ent = f.EnterpriseFactory(code="ENT", name="Enterprise")
    head = f.UserFactory(username="head", roles=["Unit head"])
    b1 = f.OrgUnitFactory(code="B1", name="Business one", parent=ent, head=head)
    d1 = f.OrgUnitFactory(code="D1", name="Department", parent=b1, kind=UnitKind.DEPARTMENT)
    b2 = f.OrgUnitFactory(code="B2", name="Business two", parent=ent)
    ev = SimpleNamespace(
        budget=f.CalendarEventFactory(
            unit=ent, kind="budget_deadline", title="Group budgets due",
            starts_on=dt.date(2026, 10, 30),
        ),
        offsite=f.CalendarEventFactory(
            unit=ent, kind="strategy_refresh", title="Offsite",
            starts_on=dt.date(2025, 12, 15), ends_on=dt.date(2026, 1, 5),
        ),
        last_year=f.CalendarEventFactory(
            unit=ent, kind="other", title="Last year", starts_on=dt.date(2025, 6, 1)
        ),
        refresh=f.CalendarEventFactory(
            unit=b1, kind="strategy_refresh", title="B1 refresh",
            starts_on=dt.date(2026, 2, 10), ends_on=dt.date(2026, 2, 12), notes="Bring data",
        ),
        next_year=f.CalendarEventFactory(
            unit=b1, kind="other", title="Next year", starts_on=dt.date(2027, 1, 1)
        ),
        goals=f.CalendarEventFactory(
            unit=d1, kind="goal_setting", title="D1 goals", starts_on=dt.date(2026, 1, 20)
        ),
        sibling=f.CalendarEventFactory(
            unit=b2, kind="target_setting", title="B2 targets", starts_on=dt.date(2026, 9, 1)
        ),
    )  # fmt: skip
    b1_obj = f.ObjectiveFactory(unit=b1, code="O1")
    d1_obj = f.ObjectiveFactory(unit=d1, code="O2")
    f.MeasureFactory(objective=b1_obj, code="M1")
    f.MeasureFactory(objective=b1_obj, code="M2")
    f.MeasureFactory(objective=b1_obj, code="Q1", frequency=Frequency.QUARTERLY)
    m3 = f.MeasureFactory(objective=d1_obj, code="M3")
    f.MeasureFactory(objective=d1_obj, code="A1", frequency=Frequency.ANNUAL)
    f.MeasureFactory(objective=b1_obj, code="CALC", formula="M1 + M2")
    f.MeasureFactory(objective=b1_obj, code="ROLL", rollup=Rollup.SUM, sources=[m3])
    f.MeasureFactory(objective=f.ObjectiveFactory(unit=b2), code="OUT")
    f.MeasureFactory(objective=f.ObjectiveFactory(unit=ent), code="TOP")
    meetings = SimpleNamespace(
        b1=f.ReviewMeetingFactory(unit=b1, title="B1 review", scheduled_for=at(2026, 3, 5)),
        d1=f.ReviewMeetingFactory(
            unit=d1, kind="strategy", title="D1 year end", scheduled_for=at(2026, 12, 31, 23)
        ),
        b2=f.ReviewMeetingFactory(unit=b2, title="B2 review", scheduled_for=at(2026, 4, 1)),
        ent=f.ReviewMeetingFactory(unit=ent, title="ENT review", scheduled_for=at(2026, 5, 1)),
        late=f.ReviewMeetingFactory(unit=b1, title="Too late", scheduled_for=at(2027, 1, 1, 0)),
    )
    return SimpleNamespace(ent=ent, b1=b1, d1=d1, b2=b2, head=head, ev=ev, meetings=meetings)


def rows(calendar):
    return [(e.start, e.end, e.lane, e.title, e.unit_code) for e in calendar.entries]


def test_the_entries_of_a_year_worked_out_by_hand(cal):
    calendar = strategy_calendar(cal.b1, 2026, today=dt.date(2026, 3, 1))
    assert (calendar.start, calendar.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    d = dt.date
    # Due dates: a value is due 10 days after its period ends.
    #   monthly (M1, M2, M3: 3 measures): Dec 2025 ends 31 Dec -> 10 Jan 2026; Jan ends
    #     31 Jan -> 10 Feb; Feb ends 28 Feb -> 10 Mar; ... Nov ends 30 Nov -> 10 Dec.
    #     Dec 2026 ends 31 Dec -> 10 Jan 2027: next year. So the 10th of every month.
    #   quarterly (Q1): Q4 2025 -> 10 Jan, Q1 ends 31 Mar -> 10 Apr, Q2 ends 30 Jun ->
    #     10 Jul, Q3 ends 30 Sep -> 10 Oct; Q4 2026 -> 10 Jan 2027: next year.
    #   annual (A1): FY2025 ends 31 Dec 2025 -> 10 Jan 2026.
    # Same day: lanes top to bottom, then unit, then monthly, quarterly, annual values.
    monthly = "3 monthly values due"
    expected = [
        (d(2025, 12, 15), d(2026, 1, 5), STRATEGY_REFRESH, "Offsite", "ENT"),
        (d(2026, 1, 10), None, DATA_DUE, monthly, "B1"),
        (d(2026, 1, 10), None, DATA_DUE, "1 quarterly value due", "B1"),
        (d(2026, 1, 10), None, DATA_DUE, "1 annual value due", "B1"),
        (d(2026, 1, 20), None, GOAL_SETTING, "D1 goals", "D1"),
        (d(2026, 2, 10), d(2026, 2, 12), STRATEGY_REFRESH, "B1 refresh", "B1"),
        (d(2026, 2, 10), None, DATA_DUE, monthly, "B1"),
        (d(2026, 3, 5), None, REVIEWS, "B1 review", "B1"),
        (d(2026, 3, 10), None, DATA_DUE, monthly, "B1"),
        (d(2026, 4, 10), None, DATA_DUE, monthly, "B1"),
        (d(2026, 4, 10), None, DATA_DUE, "1 quarterly value due", "B1"),
        (d(2026, 5, 10), None, DATA_DUE, monthly, "B1"),
        (d(2026, 6, 10), None, DATA_DUE, monthly, "B1"),
        (d(2026, 7, 10), None, DATA_DUE, monthly, "B1"),
        (d(2026, 7, 10), None, DATA_DUE, "1 quarterly value due", "B1"),
        (d(2026, 8, 10), None, DATA_DUE, monthly, "B1"),
        (d(2026, 9, 10), None, DATA_DUE, monthly, "B1"),
        (d(2026, 10, 10), None, DATA_DUE, monthly, "B1"),
        (d(2026, 10, 10), None, DATA_DUE, "1 quarterly value due", "B1"),
        (d(2026, 10, 30), None, DEADLINES, "Group budgets due", "ENT"),
        (d(2026, 11, 10), None, DATA_DUE, monthly, "B1"),
        (d(2026, 12, 10), None, DATA_DUE, monthly, "B1"),
        (d(2026, 12, 31), None, REVIEWS, "D1 year end", "D1"),
    ]
    assert rows(calendar) == expected
    # 4 events + 12 monthly + 4 quarterly + 1 annual due dates + 2 meetings = 23
    assert len(calendar.entries) == 23


def test_events_of_the_units_above_apply_a_siblings_do_not(cal):
    titles = {e.title for e in strategy_calendar(cal.b1, 2026).entries}
    assert {"Group budgets due", "Offsite"} <= titles  # the enterprise's
    assert "D1 goals" in titles  # below B1
    assert not {"B2 targets", "B2 review", "ENT review", "Last year", "Next year"} & titles
    # From D1: B1's and the enterprise's events, not B2's; D1's own meeting only.
    d1 = strategy_calendar(cal.d1, 2026)
    events = {e.title for e in d1.entries if e.event is not None}
    assert events == {"Group budgets due", "Offsite", "B1 refresh", "D1 goals"}
    assert [e.title for e in d1.entries if e.lane == REVIEWS] == ["D1 year end"]
    # D1 has M3 (monthly) and A1 (annual): "1 monthly value due" on the 10th of each month
    assert [e.title for e in d1.entries if e.start == dt.date(2026, 1, 10)] == [
        "1 monthly value due", "1 annual value due",
    ]  # fmt: skip


def test_entry_details_and_links(cal):
    calendar = strategy_calendar(cal.b1, 2026)
    by_title = {}
    for entry in calendar.entries:
        by_title.setdefault(entry.title, entry)
    refresh = by_title["B1 refresh"]
    assert refresh.event == cal.ev.refresh and refresh.url == ""  # edit link per user
    assert (refresh.kind_label, refresh.lane_label, refresh.detail) == (
        "Strategy refresh", "Strategy refresh", "Bring data",
    )  # fmt: skip
    assert by_title["Group budgets due"].lane_label == "Budget and STRATEX deadlines"
    review = by_title["B1 review"]
    assert review.url == f"/reviews/{cal.meetings.b1.pk}/"
    assert review.detail == "Operational review at 09:00, scheduled"
    due = [e for e in calendar.entries if e.title == "1 quarterly value due"]
    assert [e.detail for e in due] == [
        "Actuals for the quarter from October 2025, from B1 and the units below it.",
        "Actuals for the quarter from January 2026, from B1 and the units below it.",
        "Actuals for the quarter from April 2026, from B1 and the units below it.",
        "Actuals for the quarter from July 2026, from B1 and the units below it.",
    ]
    assert {e.count for e in due} == {1}
    assert due[0].url == "/units/B1/"
    assert by_title["1 annual value due"].detail == (
        "Actuals for FY2025, from B1 and the units below it."
    )


def test_months_group_entries_an_early_start_under_the_first_month(cal):
    months = strategy_calendar(cal.b1, 2026).months()
    assert [m for m, _ in months] == [dt.date(2026, m, 1) for m in range(1, 13)]
    january = [e.title for e in months[0][1]]
    assert january[0] == "Offsite"  # began 15 Dec 2025
    assert len(january) == 5  # Offsite, the three due on the 10th, D1 goals


def test_the_edit_link_only_for_who_may_change_the_event(cal):
    calendar = strategy_calendar(cal.b1, 2026)
    linked = {e.title: e.url for e in with_links(calendar, cal.head).entries if e.event is not None}
    # the head of B1 changes B1's and D1's events, not the enterprise's
    assert linked == {
        "Offsite": "",
        "D1 goals": f"/calendar/events/{cal.ev.goals.pk}/edit/",
        "B1 refresh": f"/calendar/events/{cal.ev.refresh.pk}/edit/",
        "Group budgets due": "",
    }


def test_fiscal_year_from_april(cal, settings):
    settings.FISCAL_YEAR_START_MONTH = 4
    calendar = strategy_calendar(cal.b1, 2026)
    # FY2026 runs from 1 April 2026 to 31 March 2027
    assert (calendar.start, calendar.end) == (dt.date(2026, 4, 1), dt.date(2027, 3, 31))
    titles = [(e.start, e.title) for e in calendar.entries if e.lane != DATA_DUE]
    assert titles == [(dt.date(2026, 10, 30), "Group budgets due"),
                      (dt.date(2026, 12, 31), "D1 year end"),
                      (dt.date(2027, 1, 1), "Too late"),  # the review lane is above
                      (dt.date(2027, 1, 1), "Next year")]  # fmt: skip
    # the annual value of FY2025 (April 2025 to March 2026) is due 10 April 2026
    assert [e.start for e in calendar.entries if e.title == "1 annual value due"] == [
        dt.date(2026, 4, 10)
    ]


def test_due_dates_arithmetic():
    d = dt.date
    # 45 days: Oct 2025 ends 31 Oct -> 15 Dec 2025 (before); Nov 2025 ends 30 Nov -> +31
    # days of December + 14 = 14 Jan 2026 (the first); Oct 2026 -> 15 Dec 2026 (the last);
    # Nov 2026 -> 14 Jan 2027 (after).
    found = due_dates_in("monthly", d(2026, 1, 1), d(2026, 12, 31), fiscal_start=1, due_days=45)
    assert found[0] == (d(2025, 11, 1), d(2026, 1, 14))
    assert found[-1] == (d(2026, 10, 1), d(2026, 12, 15))
    assert len(found) == 12
    # Quarters of an April year: Jan-Mar 2026 ends 31 Mar -> 10 Apr 2026 ... Oct-Dec 2026
    # ends 31 Dec -> 10 Jan 2027; Jan-Mar 2027 -> 10 Apr 2027, after 31 Mar 2027.
    assert due_dates_in(
        "quarterly", d(2026, 4, 1), d(2027, 3, 31), fiscal_start=4, due_days=10
    ) == [
        (d(2026, 1, 1), d(2026, 4, 10)),
        (d(2026, 4, 1), d(2026, 7, 10)),
        (d(2026, 7, 1), d(2026, 10, 10)),
        (d(2026, 10, 1), d(2027, 1, 10)),
    ]
    # Due on the year's first day counts: Nov 2025 ends 30 Nov, + 32 days = 1 Jan 2026.
    assert due_dates_in("monthly", d(2026, 1, 1), d(2026, 1, 31), fiscal_start=1, due_days=32) == [
        (d(2025, 11, 1), d(2026, 1, 1)),
    ]


def test_queries_do_not_grow_with_the_organisation(cal):
    def count(unit):
        with CaptureQueriesContext(connection) as captured:
            strategy_calendar(unit, 2026)
        return len(captured.captured_queries)

    small = count(cal.ent)
    for k in range(6):
        unit = f.OrgUnitFactory(code=f"X{k}", parent=cal.b1)
        objective = f.ObjectiveFactory(unit=unit)
        for frequency in ("monthly", "quarterly", "annual"):
            f.MeasureFactory(objective=objective, frequency=frequency)
        f.CalendarEventFactory(unit=unit, starts_on=dt.date(2026, 6, k + 1))
        f.ReviewMeetingFactory(unit=unit, scheduled_for=at(2026, 7, k + 1))
    assert count(cal.ent) == small == 3


# The chart ---------------------------------------------------------------------------------

WINDOW = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def entry(lane, kind, start, end=None, title="T", unit="B1"):
    return Entry(lane=lane, kind=kind, start=start, end=end, title=title, unit_code=unit)


ENTRIES = [
    entry(STRATEGY_REFRESH, "strategy_refresh", dt.date(2026, 2, 10), dt.date(2026, 2, 12),
          "Offsite", "ENT"),
    entry(TARGET_SETTING, "target_setting", dt.date(2026, 9, 1), dt.date(2026, 9, 30),
          "Targets", "ENT"),
    entry(DEADLINES, "budget_deadline", dt.date(2026, 10, 30), title="Budgets due", unit="ENT"),
    entry(DEADLINES, "stratex_deadline", dt.date(2026, 10, 3), title="STRATEX due"),
    entry(GOAL_SETTING, "goal_setting", dt.date(2026, 1, 20), title="Goals"),
    entry(DATA_DUE, "data_due", dt.date(2026, 4, 10), title="3 monthly values due"),
    entry(DATA_DUE, "data_due", dt.date(2026, 4, 10), title="1 quarterly value due"),
    entry(DATA_DUE, "data_due", dt.date(2026, 5, 10), title="3 monthly values due"),
    entry(REVIEWS, "meeting", dt.date(2026, 3, 5), title="B1 review"),
    entry(OTHER, "other", dt.date(2026, 6, 1), title="Party"),
]  # fmt: skip


def traces(figure, kind):
    return {t["name"]: t for t in figure["data"] if t["type"] == kind and t.get("name")}


def test_chart_bars_for_several_days_markers_for_one():
    figure = calendar_timeline(ENTRIES, window=WINDOW, today=dt.date(2026, 3, 1))
    bars = traces(figure, "bar")
    assert list(bars) == ["Strategy refresh (days)", "Target setting (days)"]
    offsite = bars["Strategy refresh (days)"]
    assert offsite["base"] == ["2026-02-10"]
    # 10 to 12 February, both days included: 3 days = 259,200,000 ms
    assert offsite["x"] == [3 * DAY_MS] == [259_200_000]
    assert offsite["y"] == ["Strategy refresh"]  # the lane's short name on the axis
    # 1 to 30 September: 30 days
    assert bars["Target setting (days)"]["x"] == [30 * DAY_MS]
    assert offsite["customdata"] == [["Offsite (ENT)", "10 Feb 2026 to 12 Feb 2026",
                                      "Strategy refresh"]]  # fmt: skip

    marks = traces(figure, "scatter")
    assert list(marks) == [
        "Budget deadline", "STRATEX deadline", "Goal setting", "Data due", "Review meeting",
        "Other",
    ]  # fmt: skip
    symbols = [t["marker"]["symbol"] for t in marks.values()]
    assert len(set(symbols)) == len(symbols)  # shape, not only colour, tells them apart
    # budget and STRATEX deadlines share a lane, with their own shapes
    assert marks["Budget deadline"]["y"] == marks["STRATEX deadline"]["y"] == ["Budget, STRATEX"]
    assert marks["Budget deadline"]["marker"]["symbol"] == "square"
    assert marks["STRATEX deadline"]["marker"]["symbol"] == "triangle-up"
    # the two entries due on 10 April are one marker, hover listing both
    due = marks["Data due"]
    assert due["x"] == ["2026-04-10", "2026-05-10"]
    assert due["customdata"] == [
        ["3 monthly values due (B1)<br>1 quarterly value due (B1)", "10 Apr 2026"],
        ["3 monthly values due (B1)", "10 May 2026"],
    ]
    assert marks["Review meeting"]["customdata"] == [["B1 review (B1)", "5 Mar 2026"]]


def test_chart_lanes_window_and_today_line():
    figure = calendar_timeline(ENTRIES, window=WINDOW, today=dt.date(2026, 3, 1))
    layout = figure["layout"]
    # the lanes top to bottom, by short names (the table names them in full)
    assert [lane for lane, _ in LANES] == [
        STRATEGY_REFRESH, TARGET_SETTING, DEADLINES, GOAL_SETTING, DATA_DUE, REVIEWS, OTHER,
    ]  # fmt: skip
    assert layout["yaxis"]["categoryarray"] == [
        "Strategy refresh", "Target setting", "Budget, STRATEX", "Goal setting", "Data due",
        "Reviews", "Other",
    ]  # fmt: skip
    # every lane shown, even an empty one: an invisible point on each
    lanes = [t for t in figure["data"] if t.get("showlegend") is False]
    assert lanes[0]["y"] == layout["yaxis"]["categoryarray"]
    # the year to the end of its last day
    assert layout["xaxis"]["range"] == ["2026-01-01", "2027-01-01"]
    assert [s["x0"] for s in layout["shapes"]] == ["2026-03-01"]
    assert layout["annotations"][0]["text"] == "Today"
    # today outside the year: no line
    other_year = calendar_timeline(ENTRIES, window=WINDOW, today=dt.date(2027, 3, 1))
    assert not other_year["layout"].get("shapes") and not other_year["layout"].get("annotations")


def test_chart_of_an_empty_year():
    figure = calendar_timeline([], window=WINDOW, today=dt.date(2026, 3, 1))
    assert len(figure["data"]) == 1  # the lanes only


# The demo's calendar -------------------------------------------------------------------------


def test_the_demo_places_the_cycle_in_this_fiscal_year_and_the_next():
    from devtools.demo.company import CALENDAR
    from devtools.demo.story import Window, plan_calendar

    window = Window(today=dt.date(2026, 3, 15), fiscal_start=1, due_days=10)
    events = plan_calendar(CALENDAR, window)
    assert len(events) == 2 * len(CALENDAR) == 22
    this_year = {e.title: (e.unit, e.kind, e.starts_on, e.ends_on) for e in events[:11]}
    d = dt.date
    assert this_year == {
        # 12 January 2026 is a Monday; 19 days: to the 30th
        "Goal setting for FY2026": ("MERIDIAN", "goal_setting", d(2026, 1, 12), d(2026, 1, 30)),
        "OSM analysis pack for the strategy refresh": (
            "MERIDIAN", "other", d(2026, 2, 2), d(2026, 2, 13),
        ),
        # in the first quarter: Tuesday 10 to Thursday 12 March
        "Strategy refresh: executive offsite": (
            "MERIDIAN", "strategy_refresh", d(2026, 3, 10), d(2026, 3, 12),
        ),
        "Mid-year development conversations": ("HR", "other", d(2026, 7, 1), d(2026, 7, 31)),
        "Corporate targets for FY2027": (
            "MERIDIAN", "target_setting", d(2026, 9, 1), d(2026, 9, 19),
        ),
        # 22 September + 25 days = 17 October
        "Units cascade their FY2027 targets": (
            "MERIDIAN", "target_setting", d(2026, 9, 22), d(2026, 10, 17),
        ),
        "Field Services target workshop": ("SVC", "target_setting", d(2026, 9, 29), None),
        # Saturday 3 October 2026: the Monday after, the 5th
        "STRATEX requests for FY2027 initiatives due": (
            "MERIDIAN", "stratex_deadline", d(2026, 10, 5), None,
        ),
        # Saturday 24 October: Monday the 26th, a week before the group's deadline
        "Industrial Equipment budget to Group Finance": (
            "IND", "budget_deadline", d(2026, 10, 26), None,
        ),
        # Saturday 31 October: Monday 2 November
        "OPEX and CAPEX budgets for FY2027 due": (
            "MERIDIAN", "budget_deadline", d(2026, 11, 2), None,
        ),
        "Board approves the FY2027 budget": ("MERIDIAN", "budget_deadline", d(2026, 12, 4), None),
    }  # fmt: skip
    assert [e.starts_on for e in events] == sorted(e.starts_on for e in events)
    # next year's: 12 January 2027 is a Tuesday
    assert events[11].title == "Goal setting for FY2027"
    assert events[11].starts_on == d(2027, 1, 12)
    # a fiscal year from April: the goal setting opens in April, the budgets in January
    april = plan_calendar(CALENDAR, Window(today=dt.date(2026, 5, 1), fiscal_start=4, due_days=10))
    firsts = {e.title: e.starts_on for e in april}
    assert firsts["Goal setting for FY2026"] == d(2026, 4, 13)  # Sunday 12 April -> Monday
    # Sunday 31 January 2027: Monday 1 February
    assert firsts["OPEX and CAPEX budgets for FY2027 due"] == d(2027, 2, 1)


def test_dates_as_the_table_writes_them():
    d = dt.date
    assert entry(OTHER, "other", d(2026, 3, 10)).dates_text == "Tue 10 Mar"
    assert entry(OTHER, "other", d(2026, 3, 10), d(2026, 3, 12)).dates_text == "10 to 12 Mar"
    assert entry(OTHER, "other", d(2026, 9, 22), d(2026, 10, 17)).dates_text == "22 Sep to 17 Oct"
    assert (
        entry(OTHER, "other", d(2025, 12, 15), d(2026, 1, 5)).dates_text == "15 Dec 2025 to 5 Jan"
    )
    # an end on the start day is one day
    assert entry(OTHER, "other", d(2026, 3, 10), d(2026, 3, 10)).dates_text == "Tue 10 Mar"
    # the kind is told where a lane holds several
    assert entry(DEADLINES, "stratex_deadline", d(2026, 10, 5)).kind_note == "STRATEX deadline"
    assert entry(DATA_DUE, "data_due", d(2026, 10, 5)).kind_note == ""
