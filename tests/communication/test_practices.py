"""Best practices (issue 17 item 5): who writes, changes and endorses them, the order by
endorsements, the suggestions on a measure Off target or on Watch, and the API.

The world: ACME above three business units A, B and C, each with an objective (CX) measured
by NPS, entered monthly. Today is 27 November 2026; October is each NPS's latest period:
A 70 against a target of 100 and a red flag of 90 (70 < 90: Off target, red), B 105 (≥ 100:
On target, green), C 95 (90 ≤ 95 < 100: Watch, yellow). Ann (Employee) works in A, Bob in
B, Cat in C; Staff is OSM staff; Nora has no role."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communication.models import Endorsement, Practice
from communication.selectors.practices import measure_peers, practices_for, suggested_practices
from communication.services import practices as services
from core.roles import EMPLOYEE, OSM_STAFF
from tests import factories as f
from tests.factories import EndorsementFactory, PracticeFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
OCT = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


def nps_unit(code: str, actual: str, root):
    """A unit with objective CX and its measure NPS, valued in October."""
    unit = f.OrgUnitFactory(code=code, parent=root)
    objective = f.ObjectiveFactory(unit=unit, code="CX")
    measure = f.MeasureFactory(objective=objective, code="NPS")
    f.MeasureValueFactory(measure=measure, period=OCT, actual=Decimal(actual),
                          target=Decimal("100"), red_flag=Decimal("90"))  # fmt: skip
    return unit, objective, measure


@pytest.fixture
def w():
    root = f.EnterpriseFactory(code="ACME")
    world = {"root": root}
    for code, actual in (("A", "70"), ("B", "105"), ("C", "95")):
        unit, objective, measure = nps_unit(code, actual, root)
        world |= {code: unit, f"{code}_cx": objective, f"{code}_nps": measure}
    world |= {
        "ann": f.UserFactory(username="ann", roles=[EMPLOYEE]),
        "bob": f.UserFactory(username="bob", roles=[EMPLOYEE]),
        "cat": f.UserFactory(username="cat", roles=[EMPLOYEE]),
        "staff": f.UserFactory(username="staff", roles=[OSM_STAFF]),
        "nora": f.UserFactory(username="nora"),
    }
    return world


def titles(practices) -> list[str]:
    return [p.title for p in practices]


# Writing and endorsing ---------------------------------------------------------------------


def test_anyone_with_a_role_writes_a_practice(w):
    practice = services.practice_create(
        actor=w["bob"],
        data={"unit": w["B"], "title": "Call back detractors", "body": "Within **48 h**.",
              "objectives": [w["B_cx"]], "measures": [w["B_nps"]]},
    )  # fmt: skip
    assert practice.author == w["bob"]
    assert list(practice.objectives.all()) == [w["B_cx"]]
    assert list(practice.measures.all()) == [w["B_nps"]]


def test_a_practice_needs_a_title_and_a_body(w):
    with pytest.raises(ValidationError) as refused:
        services.practice_create(actor=w["bob"], data={"unit": w["B"], "title": "", "body": ""})
    assert {"title", "body"} <= set(refused.value.message_dict)
    assert not Practice.objects.exists()


def test_listed_by_endorsements_then_newest(w):
    # Written in this order, endorsed 2, 0 and 1 times: 2 > 1 > 0 gives first, third,
    # second. A fourth, newest, with 0 endorsements comes before the older second (tie).
    first = PracticeFactory(unit=w["B"], title="first", author=w["bob"])
    second = PracticeFactory(unit=w["B"], title="second", author=w["bob"])
    third = PracticeFactory(unit=w["B"], title="third", author=w["bob"])
    for who in ("ann", "cat"):
        services.practice_endorse(actor=w[who], practice=first)
    services.practice_endorse(actor=w["ann"], practice=third)
    assert titles(practices_for(w["ann"])) == ["first", "third", "second"]
    PracticeFactory(unit=w["B"], title="fourth", author=w["bob"])
    listed = list(practices_for(w["ann"]))
    assert titles(listed) == ["first", "third", "fourth", "second"]
    assert [p.endorsement_count for p in listed] == [2, 1, 0, 0]
    assert [p.endorsed for p in listed] == [True, True, False, False]  # Ann endorsed two
    assert second.pk  # (kept for the order above)


def test_one_endorsement_per_person_and_never_ones_own(w):
    practice = PracticeFactory(unit=w["B"], author=w["bob"])
    services.practice_endorse(actor=w["ann"], practice=practice)
    with pytest.raises(ValidationError, match="already endorsed"):
        services.practice_endorse(actor=w["ann"], practice=practice)
    with pytest.raises(ValidationError, match="You wrote this practice"):
        services.practice_endorse(actor=w["bob"], practice=practice)
    assert Endorsement.objects.count() == 1
    services.practice_unendorse(actor=w["ann"], practice=practice)
    with pytest.raises(ValidationError, match="not endorsed"):
        services.practice_unendorse(actor=w["ann"], practice=practice)
    assert not Endorsement.objects.exists()


# Suggestions -------------------------------------------------------------------------------


@pytest.fixture
def practices(w):
    """B's practices on NPS (by the measure, by its objective), one of B's on something
    else, C's and A's own on their NPS, and one of C's on B's objective."""
    made = {
        "b_measure": PracticeFactory(unit=w["B"], title="B by measure", author=w["bob"],
                                     measures=[w["B_nps"]]),
        "b_objective": PracticeFactory(unit=w["B"], title="B by objective", author=w["bob"],
                                       objectives=[w["B_cx"]]),
        "b_other": PracticeFactory(unit=w["B"], title="B other", author=w["bob"]),
        "c_own": PracticeFactory(unit=w["C"], title="C own", author=w["cat"],
                                 measures=[w["C_nps"]]),
        "a_own": PracticeFactory(unit=w["A"], title="A own", author=w["ann"],
                                 measures=[w["A_nps"]]),
        # Serves B's objective, but is practised in C (on Watch): not from a unit on target.
        "c_on_b": PracticeFactory(unit=w["C"], title="C on B's objective", author=w["cat"],
                                  objectives=[w["B_cx"]]),
    }  # fmt: skip
    # "B by objective" endorsed once: it comes before "B by measure" (0).
    EndorsementFactory(practice=made["b_objective"], user=w["ann"])
    return made


def test_statuses_worked_by_hand(w):
    # A: 70 < red flag 90 → red; B: 105 ≥ 100 → green; C: 90 ≤ 95 < 100 → yellow.
    status, peers = measure_peers(w["A_nps"])
    assert status == "red" and [p.unit_code for p in peers] == ["B"]
    assert measure_peers(w["C_nps"])[0] == "yellow"
    status, peers = measure_peers(w["B_nps"])
    assert status == "green" and peers == []  # A and C are not on target


def test_suggestions_for_a_red_measure_are_the_green_units_practices(w, practices):
    found = suggested_practices(w["ann"], w["A_nps"])
    assert found.applies and [p.unit_code for p in found.peers] == ["B"]
    assert titles(found.practices) == ["B by objective", "B by measure"]


def test_a_yellow_measure_gets_them_too_and_a_green_one_none(w, practices):
    assert titles(suggested_practices(w["cat"], w["C_nps"]).practices) == [
        "B by objective",
        "B by measure",
    ]
    on_target = suggested_practices(w["bob"], w["B_nps"])
    assert not on_target.applies and list(on_target.practices) == []


def test_no_suggestion_without_data(w, practices):
    unit = f.OrgUnitFactory(code="D", parent=w["root"])
    empty = f.MeasureFactory(objective=f.ObjectiveFactory(unit=unit, code="CX"), code="NPS")
    found = suggested_practices(w["ann"], empty)
    assert found.status == "no_data" and list(found.practices) == []


def test_suggestions_take_the_same_queries_for_more_units(w, practices):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            found = suggested_practices(w["ann"], w["A_nps"])
            list(found.practices)
        return len(queries)

    count()  # warm-up: the user's roles are read once and kept
    few = count()
    for index in range(4):  # four more units on target, each with two practices
        unit, objective, measure = nps_unit(f"G{index}", "120", w["root"])
        PracticeFactory(unit=unit, author=w["bob"], measures=[measure])
        PracticeFactory(unit=unit, author=w["bob"], objectives=[objective])
    assert len(suggested_practices(w["ann"], w["A_nps"]).practices) == 2 + 8
    assert count() == few


# The API -----------------------------------------------------------------------------------


def test_api_create_read_and_refusals(w):
    bob, nora = client_for(w["bob"]), client_for(w["nora"])
    body = {"unit": w["B"].pk, "title": "Call back detractors", "body": "Within 48 h.",
            "objectives": [w["B_cx"].pk], "measures": [w["B_nps"].pk]}  # fmt: skip
    assert nora.post("/api/v1/practices/", body, format="json").status_code == 403
    made = bob.post("/api/v1/practices/", body, format="json")
    assert made.status_code == 201, made.json()
    row = made.json()
    assert (row["author"], row["endorsements"], row["endorsed"], row["attachments"]) == (
        w["bob"].pk, 0, False, []
    )  # fmt: skip
    assert row["objectives"] == [w["B_cx"].pk] and row["measures"] == [w["B_nps"].pk]
    bad = bob.post("/api/v1/practices/", {"unit": 999999, "title": "", "body": "x" * 20_001,
                                          "measures": [999999]}, format="json")  # fmt: skip
    assert bad.status_code == 400
    assert {"unit", "title", "body", "measures"} <= set(bad.json())
    wrong = bob.post("/api/v1/practices/", {**body, "objectives": "CX"}, format="json")
    assert wrong.status_code == 400 and "objectives" in wrong.json()
    assert nora.get("/api/v1/practices/").status_code == 403
    assert client_for(w["ann"]).get("/api/v1/practices/999999/").status_code == 404


def test_api_only_the_author_and_staff_change_and_delete(w):
    practice = PracticeFactory(unit=w["B"], author=w["bob"])
    url = f"/api/v1/practices/{practice.pk}/"
    ann = client_for(w["ann"])
    assert ann.patch(url, {"title": "Mine now"}, format="json").status_code == 403
    assert ann.delete(url).status_code == 403
    changed = client_for(w["bob"]).patch(url, {"title": "Better"}, format="json")
    assert changed.status_code == 200 and changed.json()["title"] == "Better"
    moved = client_for(w["staff"]).patch(url, {"unit": w["C"].pk}, format="json")
    assert moved.status_code == 200 and moved.json()["unit"] == w["C"].pk
    assert client_for(w["staff"]).delete(url).status_code == 204
    assert not Practice.objects.exists()


def test_api_endorse_once_not_ones_own_and_withdraw(w):
    practice = PracticeFactory(unit=w["B"], author=w["bob"])
    url = f"/api/v1/practices/{practice.pk}/endorse/"
    ann = client_for(w["ann"])
    first = ann.post(url)
    assert first.status_code == 200 and first.json() == {"endorsements": 1, "endorsed": True}
    again = ann.post(url)
    assert again.status_code == 400 and "already endorsed" in again.json()["detail"]
    own = client_for(w["bob"]).post(url)
    assert own.status_code == 400 and "You wrote this practice" in own.json()["detail"]
    assert client_for(w["nora"]).post(url).status_code == 403
    assert ann.post("/api/v1/practices/999999/endorse/").status_code == 404
    listed = ann.get(f"/api/v1/practices/{practice.pk}/").json()
    assert (listed["endorsements"], listed["endorsed"]) == (1, True)
    withdrawn = ann.delete(url)
    assert withdrawn.status_code == 200 and withdrawn.json() == {"endorsements": 0,
                                                                  "endorsed": False}  # fmt: skip
    assert ann.delete(url).status_code == 400


def test_api_list_is_ordered_filtered_and_bounded(w, practices):
    ann = client_for(w["ann"])
    rows = ann.get("/api/v1/practices/").json()
    # "B by objective" has the one endorsement; the rest newest first (made in order).
    assert [r["title"] for r in rows["results"]] == [
        "B by objective", "C on B's objective", "A own", "C own", "B other", "B by measure",
    ]  # fmt: skip
    by_unit = ann.get("/api/v1/practices/", {"unit": w["C"].pk}).json()["results"]
    assert [r["title"] for r in by_unit] == ["C on B's objective", "C own"]
    by_objective = ann.get("/api/v1/practices/", {"objective": w["B_cx"].pk}).json()["results"]
    assert [r["title"] for r in by_objective] == ["B by objective", "C on B's objective"]
    by_measure = ann.get("/api/v1/practices/", {"measure": w["C_nps"].pk}).json()["results"]
    assert [r["title"] for r in by_measure] == ["C own"]
    by_words = ann.get("/api/v1/practices/", {"q": "b OBJECTIVE"}).json()["results"]
    assert [r["title"] for r in by_words] == ["B by objective", "C on B's objective"]
    assert ann.get("/api/v1/practices/", {"unit": "x"}).status_code == 400

    def queries() -> int:
        client = client_for(w["ann"])
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/practices/", {"page_size": 100}).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(6):  # six more, each linked, endorsed twice
        extra = PracticeFactory(unit=w["B"], author=w["bob"], objectives=[w["B_cx"]],
                                measures=[w["B_nps"], w["C_nps"]])  # fmt: skip
        EndorsementFactory(practice=extra, user=w["cat"])
        EndorsementFactory(practice=extra)
    assert queries() == few


def test_api_suggested_practices(w, practices):
    ann = client_for(w["ann"])
    url = "/api/v1/measures/{}/suggested-practices/"
    found = ann.get(url.format(w["A_nps"].pk))
    assert found.status_code == 200
    assert [r["title"] for r in found.json()["results"]] == ["B by objective", "B by measure"]
    assert found.json()["count"] == 2
    assert ann.get(url.format(w["B_nps"].pk)).json()["count"] == 0  # on target: none
    assert ann.get(url.format(999999)).status_code == 404
    assert client_for(w["nora"]).get(url.format(w["A_nps"].pk)).status_code == 403
