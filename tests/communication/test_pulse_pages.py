"""The awareness pulse pages: the list, opening, changing and deleting a pulse (OSM staff),
the two questions (on a phone too: plain radio buttons with labels), and the results with
the minimum group explained and the trend against the article's 5%.

The world (tests/communication/worlds.py): ACME > BU > DEP, OTHER beside BU; a
pulse of BU open from 20 November to 4 December 2026. Today is 27 November 2026."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communication.models import Pulse, PulseAnswer, PulseRespondent
from communication.selectors.pulses import pulse_question
from tests import factories as f
from tests.communication.worlds import answers, pulse_world
from tests.factories import PulseFactory

pytestmark = pytest.mark.django_db
CLOSED = {"opens_on": dt.date(2026, 11, 1), "closes_on": dt.date(2026, 11, 20)}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def w():
    return pulse_world()


def page(client, user, path, **kwargs):
    client.force_login(user)
    return client.get(path, **kwargs)


# The list -------------------------------------------------------------------------------------


def test_the_list_offers_dana_the_question(client, w):
    html = page(client, w.dana, "/pulses/").content.decode()
    assert "Autumn pulse" in html and "Open" in html
    assert f'href="/pulses/{w.pulse.pk}/answer/"' in html
    assert f"/pulses/{w.pulse.pk}/results/" not in html  # open: not hers to see yet
    assert "/pulses/new/" not in html and "/edit/" not in html


def test_after_answering_the_list_says_so(client, w):
    PulseRespondent.objects.create(pulse=w.pulse, user=w.dana)
    html = page(client, w.dana, "/pulses/").content.decode()
    assert "Answered" in html and f"/pulses/{w.pulse.pk}/answer/" not in html


def test_the_staff_see_the_writes_and_no_results_of_an_open_pulse(client, w):
    html = page(client, w.staff, "/pulses/").content.decode()
    for link in ("/pulses/new/", f"/pulses/{w.pulse.pk}/edit/", f"/pulses/{w.pulse.pk}/delete/"):
        assert link in html
    assert f"/pulses/{w.pulse.pk}/results/" not in html  # open: results once it closes
    assert "Not asked" in html


def test_a_closed_pulse_shows_its_results_to_everyone(client, w):
    spring = PulseFactory(unit=w.acme, title="Spring", **CLOSED)
    html = page(client, w.olga, "/pulses/").content.decode()
    assert f"/pulses/{spring.pk}/results/" in html and "Closed" in html


def test_the_list_needs_a_role(client, w):
    assert page(client, w.nora, "/pulses/").status_code == 403


def test_the_list_takes_the_same_queries_for_more_pulses(client, w):
    client.force_login(w.dana)
    client.get("/pulses/")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/pulses/").status_code == 200
        return len(captured)

    few = queries()
    for n in range(6):
        PulseFactory(unit=w.dep if n % 2 else w.other, title=f"More {n}", **CLOSED)
    assert queries() == few


# Opening, changing, deleting -----------------------------------------------------------------


def test_the_staff_open_a_pulse(client, w):
    assert page(client, w.staff, f"/pulses/new/?unit={w.dep.code}").status_code == 200
    response = client.post("/pulses/new/", {"unit": w.dep.pk, "title": "Team pulse",
                           "opens_on": "2026-11-27", "closes_on": "2026-12-03"})  # fmt: skip
    assert response.status_code == 302
    pulse = Pulse.objects.get(title="Team pulse")
    assert (pulse.unit, pulse.created_by) == (w.dep, w.staff)


def test_a_bad_pulse_shows_the_form_again(client, w):
    client.force_login(w.staff)
    response = client.post("/pulses/new/", {"unit": w.dep.pk, "title": "Late",
                           "opens_on": "2026-11-01", "closes_on": "2026-11-02"})  # fmt: skip
    assert response.status_code == 400
    assert "A new pulse closes today or later." in response.content.decode()


@pytest.mark.parametrize("who", ["hal", "xena", "dana"])
def test_others_may_not_open_change_or_delete(client, w, who):
    user = getattr(w, who)
    for path in ("/pulses/new/", f"/pulses/{w.pulse.pk}/edit/", f"/pulses/{w.pulse.pk}/delete/"):
        assert page(client, user, path).status_code == 403


def test_editing_a_pulse_with_answers_keeps_its_unit(client, w):
    answers(w.pulse, w.dep, [(True, 3)])
    html = page(client, w.staff, f"/pulses/{w.pulse.pk}/edit/").content.decode()
    assert "It has answers: its unit can no longer change." in html
    assert re.search(r'<select name="unit"[^>]*disabled', html)
    response = client.post(f"/pulses/{w.pulse.pk}/edit/", {"unit": w.acme.pk, "title": "New",
                           "opens_on": "2026-11-20", "closes_on": "2026-12-11"})  # fmt: skip
    assert response.status_code == 302
    w.pulse.refresh_from_db()
    assert (w.pulse.unit, w.pulse.title, w.pulse.closes_on) == (w.bu, "New", dt.date(2026, 12, 11))


def test_deleting(client, w):
    answers(w.pulse, w.dep, [(True, 3)])
    client.force_login(w.staff)
    response = client.post(f"/pulses/{w.pulse.pk}/delete/")
    assert response.status_code == 400
    assert "cannot be deleted: 1 person has answered it" in response.content.decode()
    PulseAnswer.objects.all().delete()
    assert page(client, w.staff, f"/pulses/{w.pulse.pk}/delete/").status_code == 200
    assert client.post(f"/pulses/{w.pulse.pk}/delete/").status_code == 302
    assert not Pulse.objects.exists()


# The question ---------------------------------------------------------------------------------


def test_the_question_page(client, w):
    response = page(client, w.dana, f"/pulses/{w.pulse.pk}/answer/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<legend>Which objective does your work serve most?</legend>" in html
    assert "<legend>How well do you understand the strategy?</legend>" in html
    question = pulse_question(w.pulse, w.dana, w.dep.pk)
    # Every objective offered, in the question's order, then "I don't know"; each radio
    # button inside its label (a large target on a phone).
    offered = re.findall(r'name="objective" value="([^"]+)"', html)
    assert offered == [str(c.objective) for c in question.choices] + ["none"]
    assert "I don&#x27;t know" in html
    for label in ("1 · Not at all", "2 · A little", "3 · Partly", "4 · Well", "5 · Very well"):
        assert label in html
    assert re.search(r'<label for="id_understanding_0"><input type="radio"', html)
    assert "never with your name" in html


def test_answering_on_the_page(client, w):
    client.force_login(w.dana)
    d1 = w.objectives["D1"].pk
    response = client.post(f"/pulses/{w.pulse.pk}/answer/", {"objective": d1, "understanding": 4})
    assert response.status_code == 302 and response["Location"] == "/pulses/"
    assert list(PulseAnswer.objects.values_list("unit", "aware", "understanding")) == [
        (w.dep.pk, True, 4)
    ]
    again = client.post(f"/pulses/{w.pulse.pk}/answer/", {"objective": "none",
                                                          "understanding": 2})  # fmt: skip
    assert again.status_code == 400
    assert "You have already answered this pulse." in again.content.decode()
    assert PulseAnswer.objects.count() == 1
    assert "already answered" in client.get(f"/pulses/{w.pulse.pk}/answer/").content.decode()


def test_i_dont_know_on_the_page(client, w):
    client.force_login(w.nora)  # no role: the pulse asks her all the same
    response = client.post(f"/pulses/{w.pulse.pk}/answer/", {"objective": "none",
                                                             "understanding": 1})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/"
    assert list(PulseAnswer.objects.values_list("objective", "aware")) == [(None, False)]


@pytest.mark.parametrize(
    "data",
    [{}, {"objective": "none"}, {"understanding": 3}, {"objective": "none", "understanding": 9},
     {"objective": "999999", "understanding": 3}],
)  # fmt: skip
def test_an_incomplete_answer_shows_the_form_again(client, w, data):
    client.force_login(w.dana)
    response = client.post(f"/pulses/{w.pulse.pk}/answer/", data)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not PulseAnswer.objects.exists()


def test_a_closed_pulse_asks_nothing(client, w):
    Pulse.objects.filter(pk=w.pulse.pk).update(**CLOSED)
    html = page(client, w.dana, f"/pulses/{w.pulse.pk}/answer/").content.decode()
    assert "This pulse closed on" in html and 'name="objective"' not in html
    response = client.post(f"/pulses/{w.pulse.pk}/answer/", {"objective": "none",
                                                             "understanding": 3})  # fmt: skip
    assert response.status_code == 400 and not PulseAnswer.objects.exists()


def test_someone_not_asked_reads_why_and_cannot_answer(client, w):
    for who in (w.olga, w.staff):
        response = page(client, who, f"/pulses/{w.pulse.pk}/answer/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "This pulse does not ask you: it is for Business and the units below it." in html
        assert 'name="objective"' not in html
        posted = client.post(f"/pulses/{w.pulse.pk}/answer/", {"objective": "none",
                                                               "understanding": 3})  # fmt: skip
        assert posted.status_code == 403
    assert not PulseAnswer.objects.exists()
    stranger = f.UserFactory(username="stranger")  # neither a role nor asked
    assert page(client, stranger, f"/pulses/{w.pulse.pk}/answer/").status_code == 404
    assert page(client, w.dana, "/pulses/999999/answer/").status_code == 404


# Results --------------------------------------------------------------------------------------


def spring(w):
    """A closed pulse of ACME: BU 3 answers, DEP 3, OTHER 5 (as in test_pulse_api)."""
    pulse = PulseFactory(unit=w.acme, title="Spring", **CLOSED)
    answers(pulse, w.bu, [(True, 3), (True, 4), (False, 2)])
    answers(pulse, w.dep, [(True, 5), (True, 4), (False, 1)])
    answers(pulse, w.other, [(True, 2), (True, 2), (True, 3), (False, 4), (False, 5)])
    return pulse


def test_the_results_page(client, w):
    pulse = spring(w)
    response = page(client, w.olga, f"/pulses/{pulse.pk}/results/")
    html = response.content.decode()
    assert response.status_code == 200
    # The whole: 7 of 11 aware (63.64%), understanding 35/11 (3.18).
    assert "63.64%" in html and "3.18" in html
    # BU: 4 of 6 aware (66.67%), 19/6 (3.17); DEP: 3 answers, no figures.
    assert "66.67%" in html and "3.17" in html
    assert "fewer than 5 answers" in html
    assert "Kaplan &amp; Norton: 5% of employees understand their strategy" in html
    figure = json.loads(re.search(r'id="pulse-trend-data"[^>]*>(.*?)</script>', html,
                                  re.S).group(1))  # fmt: skip
    assert figure["data"][0]["y"] == [63.64]  # one closed pulse of ACME so far
    assert figure["layout"]["shapes"][0]["y0"] == 5.0
    assert "plotly-basic.min.js" in html


def test_the_results_of_an_open_pulse(client, w):
    """Nobody's until it closes, the OSM staff's neither (two readings one answer apart
    would give that answer away)."""
    for who in (w.staff, w.dana, w.nora):
        assert page(client, who, f"/pulses/{w.pulse.pk}/results/").status_code == 403


def test_a_hidden_group_is_explained(client, w):
    pulse = PulseFactory(unit=w.bu, title="Small", **CLOSED)
    answers(pulse, w.bu, [(False, 1)])
    answers(pulse, w.dep, [(True, 4)] * 5)
    html = page(client, w.xena, f"/pulses/{pulse.pk}/results/").content.decode()
    assert "hidden: it would give away a smaller group" in html
    assert "83.33%" in html  # BU: 5 of 6 aware
