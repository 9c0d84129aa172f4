"""The review agenda and the briefing book show the red and yellow objectives of the units
below the meeting's, grouped by unit, with the owners' notes next to red measures, and the
subtree's objectives counted by status; overdue values and action items are links.

B1's own figures are meeting_world.py's (CARE 0 and SELL 5/3 red, SHIP 5 yellow, LEARN
green). Added below B1, values of February 2026 (score = 10/3 + (a - r)/(g - r) · 10/3):
- D1.FIX: FX 50, target 100, red flag 90: 10/3 + (-40/10)·10/3 < 0 -> 0, red;
  the note "Press 4 down until the spare part comes".
- D1.FINE: FN 100, 100, 90 -> 20/3, green.
- T1.WATCH: WT 92, 100, 90: 10/3 + (2/10)·10/3 = 4, yellow (no note: not asked for).
- T1.EMPTY: no measure -> no data.
- B2.FAR: 10, 100, 90 -> red, but B2 is not below B1: not on its agenda.
SELL's REV gets the note "Price war in the north".

B1 and below: red CARE, SELL, FIX (3); yellow SHIP, WATCH (2); green LEARN, FINE (2);
no data EMPTY (1).
"""

import datetime as dt
import json

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from reviews.models import ReviewMeeting
from reviews.selectors import agenda_from_json, agenda_to_json, meeting_agenda
from scorecards.models import MeasureValue
from tests import factories as f

from .meeting_world import FEB, TODAY, build_world, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db, settings):
    world = build_world(settings)
    tree = world.tree
    fix = f.ObjectiveFactory(unit=tree.d1, code="FIX", name="Fix the presses")
    world.fx = f.MeasureFactory(objective=fix, code="FX", name="Press uptime")
    value(world.fx, FEB, "50", "100", "90")
    MeasureValue.objects.filter(measure=world.fx).update(
        note="Press 4 down until the spare part comes"
    )
    fine = f.ObjectiveFactory(unit=tree.d1, code="FINE", name="Fine")
    value(f.MeasureFactory(objective=fine, code="FN"), FEB, "100", "100", "90")
    watch = f.ObjectiveFactory(unit=tree.t1, code="WATCH", name="Watch the line")
    value(f.MeasureFactory(objective=watch, code="WT", name="Line speed"), FEB, "92", "100", "90")
    f.ObjectiveFactory(unit=tree.t1, code="EMPTY", name="Empty")
    far = f.ObjectiveFactory(unit=tree.b2, code="FAR", name="Far away")
    value(f.MeasureFactory(objective=far, code="FA"), FEB, "10", "100", "90")
    MeasureValue.objects.filter(measure=world.rev).update(note="Price war in the north")
    world.fix, world.watch = fix, watch
    return world


def test_the_agenda_holds_the_subtree(world):
    agenda = meeting_agenda(world.meeting, today=TODAY)
    assert agenda.counts == {"red": 3, "yellow": 2, "green": 2, "no_data": 1}
    assert (agenda.red_total, agenda.yellow_total) == (3, 2)
    # The unit's own, as before, now with the owners' notes
    assert [o.code for o in agenda.red] == ["CARE", "SELL"]
    assert agenda.red[1].measures[0].note == "Price war in the north"
    assert agenda.red[0].measures[0].note == ""  # NPS: none written
    # The units below, in the tree's order; B2's FAR is not below B1
    assert [(u.code, u.depth, u.red, u.yellow) for u in agenda.below] == [
        ("D1", 1, 1, 0),
        ("T1", 2, 0, 1),
    ]
    (fix,) = agenda.below[0].objectives
    assert (fix.code, fix.status, fix.score, fix.perspective) == ("FIX", "red", 0, "Financial")
    assert [(m.code, m.actual, m.red_flag, m.note) for m in fix.measures] == [
        ("FX", 50, 90, "Press 4 down until the spare part comes")
    ]
    assert [u.code for u in agenda.red_below] == ["D1"]
    assert [u.code for u in agenda.yellow_below] == ["T1"]


def test_the_frozen_copy_keeps_the_subtree_and_old_copies_still_read(world):
    agenda = meeting_agenda(world.meeting, today=TODAY)
    data = json.loads(json.dumps(agenda_to_json(agenda)))
    assert agenda_from_json(data) == agenda
    assert data["below"][0]["objectives"][0]["measures"][0]["note"] == (
        "Press 4 down until the spare part comes"
    )
    # An agenda frozen before the units below and the notes were kept
    for key in ("below", "counts"):
        del data[key]
    for objective in data["red"] + data["yellow"]:
        for measure in objective["measures"]:
            del measure["note"]
    old = agenda_from_json(data)
    assert (old.below, old.counts, old.red_total, old.yellow_total) == ([], {}, 2, 1)
    html = render_to_string("reviews/_agenda.html", {"agenda": old})
    assert "1. Objectives off target <span" in html and "No note" not in html  # nothing claimed


@pytest.fixture
def on_20_march():
    with time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False):
        yield


def test_the_meeting_page_links_every_item(client, world, on_20_march):
    client.force_login(world.head)
    html = client.get(f"/reviews/{world.meeting.pk}/").content.decode()
    assert '1. Objectives off target <span class="muted">(3)</span>' in html
    assert '2. Objectives to watch <span class="muted">(2)</span>' in html
    assert '<a href="/units/D1/">' in html and '<a href="/units/T1/">' in html
    assert f'<a href="/objectives/{world.fix.pk}/">FIX Fix the presses</a>' in html
    assert f'<a href="/objectives/{world.watch.pk}/">WATCH Watch the line</a>' in html
    assert (
        "<strong>Owner's note on Feb 2026:</strong> Press 4 down until the spare part comes" in html
    )
    assert "<strong>Owner's note on Feb 2026:</strong> Price war in the north" in html
    assert "No note on the Feb 2026 value." in html  # NPS, red without a note
    assert "FAR" not in html
    # COURSES' February value is overdue: the link opens its entry for February
    assert f'href="/measures/{world.courses.pk}/?period=2026-02#value-form"' in html


def test_the_briefing_book_shows_the_same(client, world, on_20_march):
    client.force_login(world.head)
    html = client.get(f"/reviews/{world.meeting.pk}/briefing/").content.decode()
    assert "<li>Objectives off target (3 in Unit B1 and the units below it)</li>" in html
    assert "<li>Objectives to watch (2 in Unit B1 and the units below it)</li>" in html
    assert "Press 4 down until the spare part comes" in html
    assert f'<a href="/objectives/{world.fix.pk}/">FIX Fix the presses</a>' in html
    # its open action items link to the meeting where they are followed up
    assert f'<a href="/reviews/{world.earlier.pk}/">Fix pricing</a>' in html


def test_the_reminder_email_has_the_subtree_without_relative_links(world):
    agenda = meeting_agenda(world.meeting, today=TODAY)
    html = render_to_string("reviews/_agenda.html", {"agenda": agenda})
    assert "Unit D1" in html and "Press 4 down until the spare part comes" in html
    assert 'href="/' not in html


def test_queries_do_not_grow_with_the_units_below(world):
    meeting_agenda(world.meeting, today=TODAY)  # warm up
    with CaptureQueriesContext(connection) as small:
        meeting_agenda(ReviewMeeting.objects.get(pk=world.meeting.pk), today=TODAY)
    for i in range(6):
        unit = f.OrgUnitFactory(code=f"N{i}", parent=world.tree.d1, kind="team")
        red = f.ObjectiveFactory(unit=unit, code=f"R{i}")
        measure = f.MeasureFactory(objective=red, code=f"RM{i}")
        value(measure, FEB, "10", "100", "90")
        MeasureValue.objects.filter(measure=measure).update(note=f"Why {i}")
    with CaptureQueriesContext(connection) as big:
        agenda = meeting_agenda(ReviewMeeting.objects.get(pk=world.meeting.pk), today=TODAY)
    assert agenda.red_total == 3 + 6 and len(agenda.below) == 2 + 6
    assert len(big) == len(small), [q["sql"] for q in big]


def test_past_the_limit_the_agenda_names_the_units_counted(world, monkeypatch):
    # The limit counts B1's own red and yellow first (CARE, SELL, SHIP): with 4, FIX of D1
    # is listed and WATCH of T1 only counted.
    monkeypatch.setattr("scorecards.selectors.attention.LIST_LIMIT", 4)
    agenda = meeting_agenda(world.meeting, today=TODAY)
    assert [(u.code, len(u.objectives), u.unlisted) for u in agenda.below] == [
        ("D1", 1, 0),
        ("T1", 0, 1),
    ]
    assert agenda.unlisted == 1 and agenda.yellow_below == []
    html = render_to_string("reviews/_agenda.html", {"agenda": agenda, "agenda_links": True})
    assert (
        "1 more off-target or to-watch objective of the units below Unit B1 is not listed here"
        in html
    )
    assert 'on the dashboards of <a href="/units/T1/">T1</a> (1).' in html
