"""API v1 of awareness pulses (API.md "Communication"): the list and its writes (OSM staff),
`question/` and `answer/` for the people a pulse asks, `results/` with hand-worked figures
and the minimum group, its permissions and its constant number of queries.

The world (tests/communication/worlds.py): ACME > BU > DEP, OTHER beside BU; a
pulse of BU open from 20 November to 4 December 2026. Today is 27 November 2026."""

import datetime as dt
import time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communication.models import Pulse, PulseAnswer, PulseRespondent
from core.roles import EMPLOYEE
from tests import factories as f
from tests.communication.worlds import answers, pulse_world
from tests.factories import PulseFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
CLOSED = {"opens_on": dt.date(2026, 11, 1), "closes_on": dt.date(2026, 11, 20)}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def w():
    return pulse_world()


def url(pulse, what=""):
    return f"/api/v1/pulses/{pulse.pk}/{what + '/' if what else ''}"


def nothing_written():
    return not PulseAnswer.objects.exists() and not PulseRespondent.objects.exists()


# The list and its writes ----------------------------------------------------------------------


def test_the_list_says_where_each_pulse_stands_for_me(w):
    closed = PulseFactory(unit=w.acme, title="Spring", **CLOSED)
    later = PulseFactory(unit=w.other, title="Later", opens_on=dt.date(2026, 12, 1),
                         closes_on=dt.date(2026, 12, 8))  # fmt: skip
    client_for(w.dana).post(url(w.pulse, "answer"), {"objective": None, "understanding": 3})
    body = client_for(w.dana).get("/api/v1/pulses/").json()
    rows = {row["title"]: row for row in body["results"]}
    assert body["count"] == 3
    assert rows["Autumn pulse"] == {
        "id": w.pulse.pk, "unit": w.bu.pk, "title": "Autumn pulse", "opens_on": "2026-11-20",
        "closes_on": "2026-12-04", "status": "open", "asked": True, "answered": True,
    }  # fmt: skip
    assert (rows["Spring"]["status"], rows["Spring"]["asked"]) == ("closed", True)  # ACME's
    assert (rows["Later"]["status"], rows["Later"]["asked"]) == ("scheduled", False)  # OTHER
    assert closed.pk and later.pk


@pytest.mark.parametrize(
    ("status", "titles"), [("open", ["Autumn pulse"]), ("closed", ["Spring"]), ("scheduled", [])]
)
def test_the_list_filters_by_status(w, status, titles):
    PulseFactory(unit=w.acme, title="Spring", **CLOSED)
    body = client_for(w.xena).get("/api/v1/pulses/", {"status": status}).json()
    assert [row["title"] for row in body["results"]] == titles


def test_the_list_takes_the_same_queries_for_more_pulses(w):
    def queries():
        client = client_for(w.dana)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/pulses/").status_code == 200
        return len(captured)

    few = queries()
    for n in range(6):
        PulseFactory(unit=w.dep if n % 2 else w.other, title=f"More {n}")
    assert queries() == few


def test_only_the_osm_staff_open_change_and_delete_pulses(w):
    data = {"unit": w.dep.pk, "title": "Team", "opens_on": "2026-11-27", "closes_on": "2026-12-01"}
    for who in (w.hal, w.xena, w.dana):
        assert client_for(who).post("/api/v1/pulses/", data).status_code == 403
        assert client_for(who).patch(url(w.pulse), {"title": "x"}).status_code == 403
        assert client_for(who).delete(url(w.pulse)).status_code == 403
    created = client_for(w.staff).post("/api/v1/pulses/", data)
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "open" and created.json()["answered"] is False
    assert client_for(w.staff).patch(url(w.pulse), {"title": "Renamed"}).json()["title"] == (
        "Renamed"
    )
    assert client_for(w.staff).delete(url(w.pulse)).status_code == 204


def test_no_role_no_list(w):
    assert client_for(w.nora).get("/api/v1/pulses/").status_code == 403


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"closes_on": "2026-11-01"}, "closes_on"),  # closed before today
        ({"opens_on": "2026-12-09"}, "non_field_errors"),  # opens after it closes
        ({"unit": 999999}, "unit"),
        ({"opens_on": "soon"}, "opens_on"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_pulses_are_400s(w, data, field):
    base = {"unit": w.dep.pk, "title": "T", "opens_on": "2026-11-27", "closes_on": "2026-12-08"}
    response = client_for(w.staff).post("/api/v1/pulses/", {**base, **data})
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body or (field == "non_field_errors" and "closes_on" in body), body


def test_a_pulse_with_answers_keeps_its_unit_and_stays(w):
    client_for(w.dana).post(url(w.pulse, "answer"), {"objective": None, "understanding": 3})
    response = client_for(w.staff).patch(url(w.pulse), {"unit": w.acme.pk})
    assert response.status_code == 400
    assert response.json() == {"unit": ["It has answers: its unit can no longer change."]}
    response = client_for(w.staff).delete(url(w.pulse))
    assert response.status_code == 400
    assert "cannot be deleted: 1 person has answered it" in response.json()["non_field_errors"][0]


# The question and the answer -----------------------------------------------------------------


def test_the_question_for_dana(w):
    body = client_for(w.dana).get(url(w.pulse, "question")).json()
    assert body["answered"] is False and body["status"] == "open"
    choices = body["choices"]
    assert len(choices) == 9  # 4 of her chain, 4 from elsewhere, "I don't know"
    assert choices[-1] == {"objective": None, "code": None, "name": "I don't know"}
    chain = {w.objectives[c].pk for c in ("E1", "E2", "B1", "D1")}
    assert chain <= {c["objective"] for c in choices}
    assert client_for(w.dana).get(url(w.pulse, "question")).json() == body  # the same again


def test_answering_once(w):
    client = client_for(w.dana)
    response = client.post(url(w.pulse, "answer"), {"objective": w.objectives["B1"].pk,
                                                   "understanding": 4})  # fmt: skip
    assert (response.status_code, response.json()) == (201, {"answered": True})
    assert client.get(url(w.pulse, "question")).json()["answered"] is True
    again = client.post(url(w.pulse, "answer"), {"objective": None, "understanding": 1})
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["You have already answered this pulse."]}
    assert list(PulseAnswer.objects.values_list("aware", "understanding")) == [(True, 4)]
    assert PulseRespondent.objects.count() == 1


def test_no_role_but_asked_may_answer(w):
    # nora (DEP) has no role: she cannot list pulses, yet the pulse asks her.
    response = client_for(w.nora).post(url(w.pulse, "answer"), {"objective": None,
                                                                "understanding": 2})  # fmt: skip
    assert response.status_code == 201


def test_an_objective_not_offered_is_a_400(w):
    client = client_for(w.dana)
    offered = {c["objective"] for c in client.get(url(w.pulse, "question")).json()["choices"]}
    not_offered = next(o.pk for o in w.objectives.values() if o.pk not in offered)
    for objective in (not_offered, 999999):
        response = client.post(url(w.pulse, "answer"), {"objective": objective,
                                                        "understanding": 3})  # fmt: skip
        assert response.status_code == 400
        assert list(response.json()) == ["objective"]
    assert nothing_written()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"objective": None, "understanding": 0}, "understanding"),
        ({"objective": None, "understanding": 6}, "understanding"),
        ({"objective": None, "understanding": "much"}, "understanding"),
        ({"objective": None}, "understanding"),
        ({"understanding": 3}, "objective"),
        ({"objective": "D1", "understanding": 3}, "objective"),
        ({"objective": [1], "understanding": 3}, "objective"),
    ],
)
def test_bad_answers_are_400s(w, body, field):
    response = client_for(w.dana).post(url(w.pulse, "answer"), body)
    assert response.status_code == 400
    assert field in response.json()
    assert nothing_written()


def test_a_form_body_is_refused(w):
    response = client_for(w.dana).post(
        url(w.pulse, "answer"),
        "objective=&understanding=3",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert nothing_written()


@pytest.mark.parametrize("dates", [CLOSED, {"opens_on": dt.date(2026, 11, 30),
                                            "closes_on": dt.date(2026, 12, 4)}])  # fmt: skip
def test_a_closed_or_scheduled_pulse_is_a_400(w, dates):
    Pulse.objects.filter(pk=w.pulse.pk).update(**dates)
    response = client_for(w.dana).post(url(w.pulse, "answer"), {"objective": None,
                                                                "understanding": 3})  # fmt: skip
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert nothing_written()


def test_someone_not_asked_gets_a_403_or_a_404(w):
    # olga sees pulses (a role) but OTHER is not asked: 403; a user with neither a role nor
    # a place in the subtree does not see it: 404; no login: 401.
    stranger = f.UserFactory(username="stranger")
    for who, code in ((w.olga, 403), (w.staff, 403), (stranger, 404)):
        assert client_for(who).get(url(w.pulse, "question")).status_code == code
        answer = client_for(who).post(url(w.pulse, "answer"), {"objective": None,
                                                              "understanding": 3})  # fmt: skip
        assert answer.status_code == code
    from rest_framework.test import APIClient

    assert APIClient().get(url(w.pulse, "question")).status_code == 401
    assert client_for(w.dana).get("/api/v1/pulses/999999/question/").status_code == 404
    assert nothing_written()


# Results --------------------------------------------------------------------------------------


def results_world(w):
    """A closed pulse of ACME with answers from BU (3), DEP (3) and OTHER (5); people asked:
    BU 4 (bob and 3 more), DEP 4 (dana, nora and 2 more), OTHER 5 (olga and 4 more)."""
    pulse = PulseFactory(unit=w.acme, title="Spring", **CLOSED)
    for unit, more in ((w.bu, 3), (w.dep, 2), (w.other, 4)):
        for _ in range(more):
            f.EmployeeFactory(user=f.UserFactory(roles=[EMPLOYEE]), unit=unit)
    f.EmployeeFactory(unit=w.other)  # no login: not asked
    # BU: (aware, 3), (aware, 4), (not, 2); DEP: (aware, 5), (aware, 4), (not, 1);
    # OTHER: (aware, 2), (aware, 2), (aware, 3), (not, 4), (not, 5).
    answers(pulse, w.bu, [(True, 3), (True, 4), (False, 2)])
    answers(pulse, w.dep, [(True, 5), (True, 4), (False, 1)])
    answers(pulse, w.other, [(True, 2), (True, 2), (True, 3), (False, 4), (False, 5)])
    return pulse


def test_results_worked_out_by_hand(w):
    pulse = results_world(w)
    body = client_for(w.dana).get(url(pulse, "results")).json()
    # The whole: 11 answers of 13 asked (BU 4 + DEP 4 + OTHER 5): 84.62%; aware 2 + 2 + 3
    # = 7 of 11: 63.64%; understanding (9 + 10 + 16) / 11 = 35/11 = 3.18.
    assert {k: body[k] for k in ("responses", "audience", "response_rate", "awareness",
                                 "understanding_mean")} == {
        "responses": 11, "audience": 13, "response_rate": 84.62, "awareness": 63.64,
        "understanding_mean": 3.18,
    }  # fmt: skip
    units = {u["code"]: u for u in body["units"]}
    assert [u["code"] for u in body["units"]] == ["ACME", "BU", "DEP", "OTHER"]
    # BU: its 3 and DEP's 3 = 6 answers of 8 asked (75%); 4 aware: 66.67%;
    # (3 + 4 + 2 + 5 + 4 + 1) / 6 = 19/6 = 3.17.
    assert units["BU"] == {"id": w.bu.pk, "code": "BU", "responses": 6, "audience": 8,
                           "response_rate": 75.0, "awareness": 66.67,
                           "understanding_mean": 3.17}  # fmt: skip
    # DEP: 3 answers: under 5, no figures (counted in BU's); 3 of 4 asked.
    assert units["DEP"] == {"id": w.dep.pk, "code": "DEP", "responses": 3, "audience": 4,
                            "response_rate": 75.0, "awareness": None,
                            "understanding_mean": None}  # fmt: skip
    # OTHER: exactly 5: 3/5 = 60%; 16/5 = 3.2; 5 of 5 asked.
    assert (units["OTHER"]["awareness"], units["OTHER"]["understanding_mean"]) == (60.0, 3.2)
    assert units["OTHER"]["response_rate"] == 100.0


def test_a_figure_that_would_give_away_a_smaller_group_is_hidden(w):
    # BU has 1 answer of its own and DEP 5: BU's 6 beside DEP's 5 would give away BU's one
    # answer, so DEP (the smaller) shows none, BU shows its 6.
    pulse = PulseFactory(unit=w.bu, title="Small", **CLOSED)
    answers(pulse, w.bu, [(False, 1)])
    answers(pulse, w.dep, [(True, 4)] * 5)
    units = {u["code"]: u for u in client_for(w.xena).get(url(pulse, "results")).json()["units"]}
    assert (units["DEP"]["responses"], units["DEP"]["awareness"]) == (5, None)
    # BU: 5 aware of 6 = 83.33%; (1 + 5 * 4) / 6 = 21/6 = 3.5.
    assert (units["BU"]["awareness"], units["BU"]["understanding_mean"]) == (83.33, 3.5)


def test_results_of_an_open_pulse_are_nobodys(w):
    """Not even the OSM staff's: read twice, one answer apart, they would give that answer
    away by subtraction."""
    for who in (w.staff, w.xena, w.hal, w.dana):
        response = client_for(who).get(url(w.pulse, "results"))
        assert response.status_code == 403
        assert response.json() == {"detail": "The results are shown once the pulse has closed."}
    assert client_for(w.nora).get(url(w.pulse, "results")).status_code == 403  # no role


def test_results_of_a_closed_pulse_for_anyone_with_a_role(w):
    pulse = results_world(w)
    for who in (w.xena, w.hal, w.dana, w.olga, w.staff):
        assert client_for(who).get(url(pulse, "results")).status_code == 200
    assert client_for(w.nora).get(url(pulse, "results")).status_code == 403


def test_results_take_the_same_queries_whatever_the_answers(w):
    pulse = results_world(w)

    def queries():
        client = client_for(w.xena)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(pulse, "results")).status_code == 200
        return len(captured)

    few = queries()
    answers(pulse, w.dep, [(n % 3 == 0, 1 + n % 5) for n in range(500)])
    answers(pulse, f.OrgUnitFactory(code="NEW", parent=w.bu), [(True, 5)] * 50)
    assert queries() == few


def test_results_over_20000_answers_in_under_a_second(w):
    # Issue 17, item 8: 20,000 answers over 60 units, counted in SQL per unit.
    units = [w.acme, w.bu, w.dep, w.other]
    for n in range(56):
        units.append(f.OrgUnitFactory(code=f"X{n}", parent=units[1 + n % 3]))
    pulse = PulseFactory(unit=w.acme, title="Big", **CLOSED)
    PulseAnswer.objects.bulk_create(
        (PulseAnswer(pulse=pulse, unit=units[n % 60], aware=n % 3 == 0, understanding=1 + n % 5)
         for n in range(20000)),
        batch_size=2000,
    )  # fmt: skip
    client = client_for(w.xena)
    start = time.perf_counter()
    body = client.get(url(pulse, "results")).json()
    elapsed = time.perf_counter() - start
    # n % 3 == 0 for n in 0..19999: 6667 aware of 20000 = 33.335 -> 33.34 (half up).
    assert (body["responses"], body["awareness"]) == (20000, 33.34)
    assert elapsed < 1.0, f"{elapsed:.3f} s"
