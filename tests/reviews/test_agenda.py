"""A review meeting's agenda from the scorecard (reviews.selectors.meeting_agenda), its JSON
copy, and holding and cancelling meetings (reviews.services). Figures by hand in
meeting_world.py's docstring."""

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from reviews import services
from reviews.choices import MeetingStatus
from reviews.models import ReviewMeeting
from reviews.selectors import (
    Agenda,
    agenda_from_json,
    agenda_to_json,
    meeting_agenda,
)
from scorecards import services as scorecard_services
from scorecards.models import MeasureValue
from tests import factories as f
from tests.helpers import refused

from .meeting_world import FEB, TODAY, WHEN, build_world, grow, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db, settings):
    return build_world(settings)


def test_red_objectives_come_first_worst_first_then_yellow(world):
    agenda = meeting_agenda(world.meeting, today=TODAY)
    assert isinstance(agenda, Agenda)
    # CARE scores 0, SELL 5/3: both red, worst first; SHIP 5 is yellow; LEARN (20/3) green.
    assert [o.code for o in agenda.red] == ["CARE", "SELL"]
    assert [o.code for o in agenda.yellow] == ["SHIP"]
    assert [o.code for o in agenda.objectives] == ["CARE", "SELL", "SHIP"]
    assert [(o.score, o.status) for o in agenda.objectives] == [
        (Fraction(0), "red"),
        (Fraction(5, 3), "red"),
        (Fraction(5), "yellow"),
    ]
    assert [o.perspective for o in agenda.objectives] == [
        "Customer", "Financial", "Internal Process",
    ]  # fmt: skip
    # The unit: mean(5/3, 0, 5, 20/3) = 10/3, yellow.
    assert (agenda.score, agenda.status) == (Fraction(10, 3), "yellow")
    assert (agenda.unit_code, agenda.as_of, agenda.prepared_on) == (
        "B1", dt.date(2026, 3, 1), TODAY,
    )  # fmt: skip
    assert agenda.frozen is False


def test_each_objective_carries_its_measures_figures(world):
    agenda = meeting_agenda(world.meeting, today=TODAY)
    (rev,) = agenda.red[1].measures
    assert (rev.code, rev.period, rev.actual, rev.target, rev.red_flag) == (
        "REV", FEB, Fraction(85), Fraction(100), Fraction(90),
    )  # fmt: skip
    assert (rev.score, rev.status, rev.red_flag_is_default, rev.overdue) == (
        Fraction(5, 3), "red", False, False,
    )  # fmt: skip
    assert rev.unit_label == "kEUR"
    (otd,) = agenda.yellow[0].measures
    # No red flag entered: 100 - 10% · 100 = 90, the default; score 10/3 + 5/10 · 10/3 = 5.
    assert (otd.actual, otd.target, otd.red_flag, otd.red_flag_is_default, otd.score) == (
        Fraction(95), Fraction(100), Fraction(90), True, Fraction(5),
    )  # fmt: skip


def test_overdue_values_name_the_missing_period_its_due_date_and_owner(world):
    agenda = meeting_agenda(world.meeting, today=TODAY)
    # COURSES has January only; February was due 28 Feb + 10 days = 10 March < 20 March.
    overdue = [(o.measure_code, o.objective_code, o.owner, o.period, o.due) for o in agenda.overdue]
    assert overdue == [("COURSES", "LEARN", "Olive Owner", FEB, dt.date(2026, 3, 10))]


def test_overdue_the_day_a_value_falls_due_is_the_period_before(world):
    # On 10 March itself February's value is not late yet (a due date passes at the day's
    # end): January's (31 Jan + 10 days = 10 Feb) is the latest due. COURSES has it; the
    # four others have February only. Ordered by due date, objective, measure.
    agenda = meeting_agenda(world.meeting, today=dt.date(2026, 3, 10))
    jan, due = dt.date(2026, 1, 1), dt.date(2026, 2, 10)
    assert [(o.objective_code, o.measure_code, o.period, o.due) for o in agenda.overdue] == [
        ("CARE", "NPS", jan, due),
        ("LEARN", "TRAIN", jan, due),
        ("SELL", "REV", jan, due),
        ("SHIP", "OTD", jan, due),
    ]
    assert agenda.overdue[0].owner == ""  # NPS has no owner


def test_open_action_items_this_meetings_and_carried_over(world):
    agenda = meeting_agenda(world.meeting, today=TODAY)
    # Late: due before min(20 March, the meeting's 10 March) = 10 March.
    assert [(i.title, i.owner, i.due, i.late, i.objective) for i in agenda.action_items] == [
        ("Call customers", "Olive Owner", dt.date(2026, 3, 15), False, "B1.SELL Sell more"),
    ]
    assert [(i.title, i.due, i.late, i.meeting_title) for i in agenda.carried_over] == [
        ("Fix pricing", dt.date(2026, 3, 1), True, "February review"),
        ("Plan training", dt.date(2026, 4, 30), False, "February review"),
    ]
    # Not listed: the done one, the April meeting's, and B2's.
    titles = {i.title for i in agenda.open_items}
    assert titles.isdisjoint({"Old done", "Future thing", "Other unit's"})


def test_lateness_counts_from_today_before_the_meeting(world):
    # A reminder sent on 5 March: items due before 5 March are late, not those due on 8.
    agenda = meeting_agenda(world.meeting, today=dt.date(2026, 3, 5))
    assert [(i.title, i.late) for i in agenda.carried_over] == [
        ("Fix pricing", True),
        ("Plan training", False),
    ]


def test_the_last_held_meetings_decisions(world):
    last = meeting_agenda(world.meeting, today=TODAY).last_meeting
    assert (last.title, last.date, last.decisions) == (
        "February review", dt.date(2026, 2, 10), "Hire two sales reps.",
    )  # fmt: skip
    # The first meeting of the unit has none before it.
    assert meeting_agenda(world.oldest, today=TODAY).last_meeting is None


def test_json_round_trip_is_exact_and_plain(world):
    agenda = meeting_agenda(world.meeting, today=TODAY)
    data = agenda_to_json(agenda)
    text = json.dumps(data)  # nothing but JSON types
    assert agenda_from_json(json.loads(text)) == agenda
    sell = data["red"][1]
    assert sell["score"] == "5/3"  # exact: no decimal could hold it
    assert sell["measures"][0]["actual"] == "85"
    assert data["as_of"] == "2026-03-01"
    assert data["version"] == 1


def test_json_numbers_with_finite_decimals_are_written_as_decimals():
    agenda = Agenda(
        meeting_id=1, unit_code="U", unit_name="U", as_of=dt.date(2026, 1, 1),
        prepared_on=dt.date(2026, 1, 2), score=Fraction(25, 2), status="green",
    )  # fmt: skip
    for number, text in [
        (Fraction(25, 2), "12.5"),
        (Fraction(-1, 8), "-0.125"),
        (Fraction(Decimal("0.05")), "0.05"),
        (Fraction(7), "7"),
        (Fraction(20, 3), "20/3"),
    ]:
        agenda.score = number
        data = agenda_to_json(agenda)
        assert data["score"] == text
        assert agenda_from_json(data).score == number


def test_agenda_queries_do_not_grow_with_objectives_measures_or_items(world):
    meeting_agenda(world.meeting, today=TODAY)  # warm up
    with CaptureQueriesContext(connection) as small:
        meeting_agenda(ReviewMeeting.objects.get(pk=world.meeting.pk), today=TODAY)
    grow(world, 6)
    with CaptureQueriesContext(connection) as big:
        agenda = meeting_agenda(ReviewMeeting.objects.get(pk=world.meeting.pk), today=TODAY)
    assert len(agenda.red) == 2 + 6 and len(agenda.open_items) == 3 + 12
    assert len(big) == len(small), [q["sql"] for q in big]


# Holding and cancelling ---------------------------------------------------------------------


def test_holding_freezes_the_agenda_and_later_changes_do_not_touch_it(world):
    staff = f.UserFactory(roles=["OSM staff"])
    services.meeting_hold(
        meeting=world.meeting,
        minutes="We met.",
        decisions="Raise prices.",
        today=TODAY,
        actor=staff,
    )
    held = ReviewMeeting.objects.get(pk=world.meeting.pk)
    assert (held.status, held.minutes, held.decisions) == ("held", "We met.", "Raise prices.")
    assert held.agenda["frozen"] is True
    # Now REV's February value becomes 100 (green) and a new red objective's item is added.
    scorecard_services.measure_value_record(
        measure=world.rev, period=FEB, actual=Decimal(100), target=Decimal(100), actor=None
    )
    world.fix.status = "done"
    world.fix.save()
    live = meeting_agenda(world.later, today=TODAY)  # the April meeting sees the change
    assert "SELL" not in [o.code for o in live.objectives]
    frozen = meeting_agenda(held, today=dt.date(2026, 6, 1))
    assert frozen.frozen is True
    assert [o.code for o in frozen.red] == ["CARE", "SELL"]
    assert frozen.red[1].measures[0].actual == Fraction(85)
    assert frozen.prepared_on == TODAY
    assert [i.title for i in frozen.carried_over] == ["Fix pricing", "Plan training"]
    assert MeasureValue.objects.get(measure=world.rev, period=FEB).actual == 100


def test_a_held_meeting_cannot_be_held_again_or_cancelled(world):
    services.meeting_hold(meeting=world.meeting, minutes="", decisions="", today=TODAY, actor=None)
    before = ReviewMeeting.objects.get(pk=world.meeting.pk).agenda
    with refused({"__all__": ["This meeting has already been held."]}):
        services.meeting_hold(
            meeting=world.meeting, minutes="x", decisions="y", today=TODAY, actor=None
        )
    with refused({"__all__": ["A meeting that was held cannot be cancelled."]}):
        services.meeting_cancel(meeting=world.meeting, actor=None)
    after = ReviewMeeting.objects.get(pk=world.meeting.pk)
    assert (after.status, after.minutes, after.agenda) == ("held", "", before)


def test_a_cancelled_meeting_cannot_be_held(world):
    services.meeting_cancel(meeting=world.meeting, actor=None)
    assert ReviewMeeting.objects.get(pk=world.meeting.pk).status == MeetingStatus.CANCELLED
    with refused({"__all__": ["A cancelled meeting cannot be held."]}):
        services.meeting_hold(
            meeting=world.meeting, minutes="x", decisions="y", today=TODAY, actor=None
        )
    with refused({"__all__": ["This meeting is already cancelled."]}):
        services.meeting_cancel(meeting=world.meeting, actor=None)
    after = ReviewMeeting.objects.get(pk=world.meeting.pk)
    assert (after.status, after.minutes, after.agenda) == ("cancelled", "", None)


def test_a_meeting_cannot_be_held_before_its_day(world):
    with refused(
        {
            "__all__": [
                "This meeting is scheduled for 10 Mar 2026: it can be held from that day on "
                "(change its date if it met earlier)."
            ]
        }
    ):
        services.meeting_hold(
            meeting=world.meeting, minutes="x", decisions="y", today=dt.date(2026, 3, 9), actor=None
        )
    assert ReviewMeeting.objects.get(pk=world.meeting.pk).status == "scheduled"


# The partial the reminder emails use --------------------------------------------------------


def test_the_agenda_partial_renders_every_figure_without_links_or_scripts(world):
    agenda = meeting_agenda(world.meeting, today=TODAY)
    html = render_to_string("reviews/_agenda.html", {"agenda": agenda})
    assert "<script" not in html and "<link" not in html and "href=" not in html
    # Figures as the site writes them (osm_format): scores with two decimals.
    for text in ["CARE Delight customers", "0.00", "SELL Sell more", "1.67", "SHIP Ship on time",
                 "5.00", "85", "90*", "Off target", "Watch", "COURSES Courses", "Olive Owner",
                 "Feb 2026", "10 Mar 2026", "Fix pricing", "Late", "Call customers",
                 "Hire two sales reps.", "Live agenda", "3.33"]:  # fmt: skip
        assert text in html, text
    assert html.index("CARE Delight customers") < html.index("SELL Sell more")
    assert html.index("SELL Sell more") < html.index("SHIP Ship on time")
    assert "LEARN Learn" not in html  # green: only named as the overdue measure's objective


# Test and adapt: the arrows the data contradict or do not support ----------------------------


def adapt_world(world):
    """B1's test-and-adapt meeting (12 March 2026) and the strategy test of 1 March 2026 on
    B1's map: SHIP → SELL contradicted (lag 1 quarter, r -0.5 in (-0.75, -0.12), adjusted p
    0.01, 14 periods over 3 units, measures OTD → REV), LEARN → SHIP not supported (lag 0
    months, r 0.1, adjusted p 0.4, 40 periods, 1 unit), CARE → SELL supported (the factory's),
    LEARN → CARE insufficient data; an exploratory pair "not supported" (never on the agenda);
    an older run's contradicted verdict on CARE → SELL (superseded)."""
    w = world
    meeting = f.ReviewMeetingFactory(
        unit=w.tree.b1, kind="test_adapt", title="Test and adapt",
        scheduled_for=dt.datetime(2026, 3, 12, 9, tzinfo=dt.UTC),
    )  # fmt: skip
    arrow = {
        (cause.code, effect.code): f.CauseEffectFactory(cause=cause, effect=effect)
        for cause, effect in [(w.ship, w.sell), (w.learn, w.ship), (w.care, w.sell),
                              (w.learn, w.care)]
    }  # fmt: skip
    old = f.StrategyTestRunFactory(run_on=dt.date(2026, 2, 1))
    f.StrategyTestResultFactory(run=old, link=arrow["CARE", "SELL"], verdict="contradicted")
    run = f.StrategyTestRunFactory(run_on=dt.date(2026, 3, 1))
    f.StrategyTestResultFactory(
        run=run, link=arrow["SHIP", "SELL"], verdict="contradicted", frequency="quarterly",
        lag=1, effect_size=-0.5, ci_low=-0.75, ci_high=-0.12, p_adjusted=0.01, periods=14,
        units=3, cause_measure=w.otd, effect_measure=w.rev,
    )  # fmt: skip
    f.StrategyTestResultFactory(
        run=run, link=arrow["LEARN", "SHIP"], verdict="not_supported", lag=0, effect_size=0.1,
        ci_low=-0.2, ci_high=0.38, p_adjusted=0.4, periods=40,
    )  # fmt: skip
    f.StrategyTestResultFactory(run=run, link=arrow["CARE", "SELL"])
    f.StrategyTestResultFactory(
        run=run, link=arrow["LEARN", "CARE"], verdict="insufficient_data", lag=None,
        effect_size=None, ci_low=None, ci_high=None, p_adjusted=None, periods=0,
    )  # fmt: skip
    f.StrategyTestResultFactory(
        run=run, link=None, unit=w.tree.b1, cause=w.ship, effect=w.care, exploratory=True,
        verdict="not_supported",
    )  # fmt: skip
    return meeting, run


def test_a_test_and_adapt_agenda_lists_the_contradicted_and_unsupported_arrows(world):
    meeting, _ = adapt_world(world)
    tests = meeting_agenda(meeting, today=TODAY).strategy_tests
    assert tests.run_on == dt.date(2026, 3, 1)
    assert tests.arrows_tested == 4  # the exploratory pair is no arrow
    contradicted, unsupported = tests.links  # contradicted first
    assert (contradicted.cause_code, contradicted.effect_code) == ("SHIP", "SELL")
    assert (contradicted.verdict, contradicted.label) == ("contradicted", "Contradicted")
    assert (contradicted.lag_text, contradicted.r, contradicted.p_text) == ("1 quarter", -0.5,
                                                                            "0.010")  # fmt: skip
    assert (contradicted.ci_low, contradicted.ci_high) == (-0.75, -0.12)
    assert (contradicted.periods, contradicted.units) == (14, 3)
    assert contradicted.cause_measure == "OTD On-time delivery"
    assert contradicted.effect_measure == "REV Revenue"
    assert (unsupported.cause_code, unsupported.effect_code) == ("LEARN", "SHIP")
    assert (unsupported.label, unsupported.lag_text) == ("Not supported", "0 months")
    assert unsupported.cause_measure == ""  # no measure pair stored


def test_the_strategy_tests_section_is_rendered_for_test_and_adapt_only(world):
    meeting, _ = adapt_world(world)
    html = render_to_string(
        "reviews/_agenda.html", {"agenda": meeting_agenda(meeting, today=TODAY)}
    )
    part = html[html.index("Strategy tests") :]
    assert "strategy test of 1 Mar 2026" in part
    assert "(2 of the 4 arrows it judged)" in part
    assert "SHIP Ship on time → SELL Sell more" in part and "Contradicted" in part
    assert "-0.50 (-0.75 to -0.12)" in part and "1 quarter" in part and "0.010" in part
    assert "OTD On-time delivery → REV Revenue" in part
    assert "LEARN Learn → SHIP Ship on time" in part and "Not supported" in part
    assert "CARE Delight customers → SELL" not in part  # supported
    assert "href=" not in html  # the emails' partial: no links
    # the meeting page links to the unit's strategy test page
    linked = render_to_string(
        "reviews/_agenda.html",
        {"agenda": meeting_agenda(meeting, today=TODAY), "agenda_links": True},
    )
    assert 'href="/units/B1/strategy-test/"' in linked
    # an operational review has no such section, and reads no strategy test
    operational = meeting_agenda(world.meeting, today=TODAY)
    assert operational.strategy_tests is None
    assert "Strategy tests" not in render_to_string("reviews/_agenda.html", {"agenda": operational})


def test_before_any_strategy_test_the_section_says_so(world):
    meeting = f.ReviewMeetingFactory(unit=world.tree.b1, kind="test_adapt", scheduled_for=WHEN)
    agenda = meeting_agenda(meeting, today=TODAY)
    assert agenda.strategy_tests.run_on is None and agenda.strategy_tests.links == []
    html = render_to_string("reviews/_agenda.html", {"agenda": agenda})
    assert "No strategy test has run yet" in html


def test_the_strategy_tests_round_trip_through_json_and_old_agendas_still_read(world):
    meeting, _ = adapt_world(world)
    agenda = meeting_agenda(meeting, today=TODAY)
    data = json.loads(json.dumps(agenda_to_json(agenda)))
    assert data["strategy_tests"]["run_on"] == "2026-03-01"
    assert data["strategy_tests"]["links"][0]["r"] == -0.5
    assert agenda_from_json(data) == agenda
    # an agenda frozen before the field existed
    old = agenda_to_json(meeting_agenda(world.meeting, today=TODAY))
    del old["strategy_tests"]
    assert agenda_from_json(old).strategy_tests is None


def test_holding_a_test_and_adapt_meeting_freezes_its_strategy_tests(world):
    meeting, run = adapt_world(world)
    services.meeting_hold(
        meeting=meeting, minutes="We met.", decisions="Redraw SHIP.", today=TODAY, actor=world.head
    )
    run.results.all().delete()  # a later run would replace them; the frozen copy stays
    frozen = meeting_agenda(ReviewMeeting.objects.get(pk=meeting.pk), today=dt.date(2026, 6, 1))
    assert [(t.cause_code, t.verdict) for t in frozen.strategy_tests.links] == [
        ("SHIP", "contradicted"), ("LEARN", "not_supported"),
    ]  # fmt: skip


def test_test_and_adapt_agenda_queries_do_not_grow_with_the_arrows(world):
    meeting, run = adapt_world(world)
    meeting_agenda(meeting, today=TODAY)  # warm up
    with CaptureQueriesContext(connection) as small:
        meeting_agenda(ReviewMeeting.objects.get(pk=meeting.pk), today=TODAY)
    for i in range(6):
        cause = f.ObjectiveFactory(unit=world.tree.b1, code=f"C{i}")
        measure = f.MeasureFactory(objective=cause)
        value(measure, FEB, "100", "100")  # green: the scorecard's part stays the same
        f.StrategyTestResultFactory(
            run=run, link=f.CauseEffectFactory(cause=cause, effect=world.sell),
            verdict="contradicted", cause_measure=measure, effect_measure=world.rev,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as big:
        agenda = meeting_agenda(ReviewMeeting.objects.get(pk=meeting.pk), today=TODAY)
    assert len(agenda.strategy_tests.links) == 2 + 6
    assert len(big) == len(small), [q["sql"] for q in big]


def test_the_agenda_carries_the_months_analyses_and_freezes_them(world):
    """SELL's March analysis (the agenda's month) shows with it; CARE has none. Held, the
    agenda keeps the analysis as it was, whatever is written afterwards."""
    from communication.models import Analysis

    Analysis.objects.create(
        subject_type="objective", subject_id=world.sell.pk, month=dt.date(2026, 3, 1),
        analysis="Prices too **high**.", recommendations="Cut them by 5%.",
    )  # fmt: skip
    Analysis.objects.create(  # another month: not this agenda's
        subject_type="objective", subject_id=world.care.pk, month=dt.date(2026, 2, 1),
        analysis="February",
    )  # fmt: skip
    agenda = meeting_agenda(world.meeting, today=TODAY)
    by_code = {o.code: o for o in agenda.objectives}
    assert (by_code["SELL"].analysis, by_code["SELL"].recommendations) == (
        "Prices too **high**.", "Cut them by 5%.",
    )  # fmt: skip
    assert (by_code["CARE"].analysis, by_code["CARE"].recommendations) == ("", "")
    html = render_to_string("reviews/_agenda.html", {"agenda": agenda})
    assert "Prices too <strong>high</strong>." in html
    services.meeting_hold(meeting=world.meeting, minutes="", decisions="", today=TODAY, actor=None)
    Analysis.objects.filter(subject_id=world.sell.pk).update(analysis="Rewritten later")
    frozen = meeting_agenda(ReviewMeeting.objects.get(pk=world.meeting.pk), today=TODAY)
    assert {o.code: o.analysis for o in frozen.objectives}["SELL"] == "Prices too **high**."
