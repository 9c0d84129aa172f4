"""Answering an awareness pulse (issue 17, item 4): who is asked, the question each person
gets (his or her unit chain's objectives shuffled with as many of other units, the same
each time), and the answer: once, while open, among the choices offered, stored with the
unit and never with the person. Opening, changing and deleting pulses.

The world (tests/communication/worlds.py): ACME > BU > DEP, OTHER beside BU; a
pulse of BU open from 20 November to 4 December 2026. Today is 27 November 2026."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from communication.models import Pulse, PulseAnswer, PulseRespondent
from communication.selectors.pulses import (
    audience_of,
    pulse_question,
    respondent_unit,
)
from communication.services.pulses import (
    pulse_answer,
    pulse_create,
    pulse_delete,
    pulse_update,
)
from scorecards.models import Objective
from tests.communication.worlds import pulse_world
from tests.factories import PulseAnswerFactory, PulseFactory
from tests.helpers import refused

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def w():
    return pulse_world()


def codes(question) -> list[str]:
    """The codes of the objectives a question offers, in its order."""
    by_id = dict(Objective.objects.values_list("id", "code"))
    return [by_id[c.objective] for c in question.choices]


# Who is asked ---------------------------------------------------------------------------------


def test_the_audience_is_the_active_logins_of_the_subtree(w):
    # dana, nora (DEP) and bob (BU); not olga (OTHER), nor ivan (inactive record), nor the
    # people without an employee record (staff, hal, xena).
    assert {u.username for u in audience_of(w.pulse)} == {"dana", "nora", "bob"}
    assert respondent_unit(w.pulse, w.dana) == w.dep.pk
    assert respondent_unit(w.pulse, w.bob) == w.bu.pk
    assert respondent_unit(w.pulse, w.olga) is None
    assert respondent_unit(w.pulse, w.ivan) is None


def test_an_inactive_login_is_not_asked(w):
    w.dana.is_active = False
    w.dana.save()
    assert respondent_unit(w.pulse, w.dana) is None
    assert "dana" not in {u.username for u in audience_of(w.pulse)}


# The question ---------------------------------------------------------------------------------


def test_dana_gets_her_chain_and_as_many_from_elsewhere(w):
    question = pulse_question(w.pulse, w.dana, w.dep.pk)
    chain = {"E1", "E2", "B1", "D1"}  # DEP's, BU's and ACME's objectives
    offered = codes(question)
    assert {w.objectives[c].pk for c in chain} == set(question.chain)
    assert chain <= set(offered)
    others = set(offered) - chain
    # 4 of OTHER's: O1..O6 (O7 is named like E1, "Grow revenue": never offered)
    assert len(others) == 4 and others <= {f"O{n}" for n in range(1, 7)}
    assert len(offered) == 8 == len(set(offered))


def test_the_same_question_each_time_and_another_for_someone_else(w):
    first = pulse_question(w.pulse, w.dana, w.dep.pk)
    assert pulse_question(w.pulse, w.dana, w.dep.pk) == first  # reloading: the same
    nora = pulse_question(w.pulse, w.nora, w.dep.pk)
    assert set(nora.chain) == set(first.chain)
    # The same chain for the same unit, but drawn and shuffled for each person: with 4 of 6
    # drawn and 8 places, the two match only by a chance this seed does not take.
    assert nora.choices != first.choices


def test_bob_of_bu_has_a_shorter_chain(w):
    question = pulse_question(w.pulse, w.bob, w.bu.pk)
    assert set(codes(question)) >= {"E1", "E2", "B1"}
    assert len(question.choices) == 6  # 3 of the chain (E1, E2, B1) and 3 others
    # DEP, below BU, is not bob's chain: its D1 may be drawn among the others.
    assert w.objectives["D1"].pk not in question.chain
    assert set(codes(question)) - {"E1", "E2", "B1"} <= {"D1", *(f"O{n}" for n in range(1, 7))}


# Answering ------------------------------------------------------------------------------------


def answer(w, who="dana", objective="D1", understanding=4, **kwargs):
    chosen = w.objectives[objective] if isinstance(objective, str) else objective
    return pulse_answer(actor=getattr(w, who), pulse=w.pulse, objective=chosen,
                        understanding=understanding, **kwargs)  # fmt: skip


def test_an_answer_is_stored_with_the_unit_never_with_the_person(w):
    answer(w, objective="D1", understanding=4)
    stored = PulseAnswer.objects.get()
    assert (stored.unit, stored.objective, stored.aware, stored.understanding) == (
        w.dep,
        w.objectives["D1"],
        True,
        4,
    )
    assert list(PulseRespondent.objects.values_list("pulse", "user")) == [(w.pulse.pk, w.dana.pk)]
    # Nothing on the answer names a person or a time.
    assert {f.name for f in PulseAnswer._meta.concrete_fields} == {
        "id", "pulse", "unit", "objective", "aware", "understanding"
    }  # fmt: skip


def test_an_objective_of_the_chain_above_is_aware_one_elsewhere_is_not(w):
    answer(w, who="dana", objective="E1", understanding=2)  # ACME's: her chain
    offered = pulse_question(w.pulse, w.nora, w.dep.pk)
    elsewhere = next(c.objective for c in offered.choices if c.objective not in offered.chain)
    answer(w, who="nora", objective=elsewhere, understanding=5)
    assert sorted(PulseAnswer.objects.values_list("aware", "understanding")) == [
        (False, 5), (True, 2)
    ]  # fmt: skip


def test_i_dont_know_is_not_aware(w):
    answer(w, objective=None, understanding=1)
    stored = PulseAnswer.objects.get()
    assert (stored.objective, stored.aware, stored.understanding) == (None, False, 1)


def test_an_objective_id_is_taken_as_well_as_an_objective(w):
    answer(w, objective=w.objectives["B1"].pk)
    assert PulseAnswer.objects.get().aware


def nothing_written():
    return not PulseAnswer.objects.exists() and not PulseRespondent.objects.exists()


def test_a_second_answer_is_refused_and_writes_nothing(w):
    answer(w)
    with refused({"__all__": ["You have already answered this pulse."]}):
        answer(w, objective="E2", understanding=5)
    assert PulseAnswer.objects.count() == 1 and PulseRespondent.objects.count() == 1


def test_an_objective_not_offered_is_refused(w):
    offered = {c.objective for c in pulse_question(w.pulse, w.dana, w.dep.pk).choices}
    not_offered = next(o for o in w.objectives.values() if o.pk not in offered)
    with refused({"objective": ["Choose one of the objectives offered, or “I don't know”."]}):
        answer(w, objective=not_offered)
    assert nothing_written()


@pytest.mark.parametrize("understanding", [0, 6, -1, True, "3", None])
def test_an_understanding_out_of_1_to_5_is_refused(w, understanding):
    with refused({"understanding": ["Choose from 1 (not at all) to 5 (very well)."]}):
        answer(w, understanding=understanding)
    assert nothing_written()


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (dt.date(2026, 11, 28), dt.date(2026, 12, 4), "This pulse opens on 28 Nov 2026."),
        (dt.date(2026, 11, 1), dt.date(2026, 11, 26), "This pulse closed on 26 Nov 2026."),
    ],
)
def test_a_scheduled_or_closed_pulse_takes_no_answer(w, opens, closes, message):
    Pulse.objects.filter(pk=w.pulse.pk).update(opens_on=opens, closes_on=closes)
    w.pulse.refresh_from_db()
    with refused({"__all__": [message]}):
        answer(w)
    assert nothing_written()


def test_its_first_and_last_days_take_answers(w):
    answer(w, who="dana", today=dt.date(2026, 11, 20))
    answer(w, who="nora", objective=None, today=dt.date(2026, 12, 4))
    assert PulseAnswer.objects.count() == 2


@pytest.mark.parametrize("who", ["olga", "ivan", "staff", "xena"])
def test_someone_the_pulse_does_not_ask_is_refused(w, who):
    with pytest.raises(PermissionDenied):
        answer(w, who=who, objective=None)
    assert nothing_written()


# Opening, changing, deleting -----------------------------------------------------------------


def test_opening_a_pulse_records_who(w):
    pulse = pulse_create(actor=w.staff, data={"unit": w.dep, "title": "Team pulse",
                         "opens_on": TODAY, "closes_on": TODAY + dt.timedelta(days=7)})  # fmt: skip
    assert (pulse.unit, pulse.created_by, pulse.status_on(TODAY)) == (w.dep, w.staff, "open")


def test_a_new_pulse_closes_today_or_later_and_after_it_opens(w):
    data = {"unit": w.dep, "title": "Late", "opens_on": TODAY - dt.timedelta(days=9),
            "closes_on": TODAY - dt.timedelta(days=1)}  # fmt: skip
    with refused({"closes_on": ["A new pulse closes today or later."]}):
        pulse_create(actor=w.staff, data=data)
    data = {**data, "opens_on": TODAY + dt.timedelta(days=3), "closes_on": TODAY}
    with pytest.raises(ValidationError) as info:
        pulse_create(actor=w.staff, data=data)
    assert "A pulse closes on or after the day it opens." in str(info.value)


def test_a_pulse_with_answers_keeps_its_unit(w):
    answer(w)
    with refused({"unit": ["It has answers: its unit can no longer change."]}):
        pulse_update(actor=w.staff, instance=w.pulse, data={"unit": w.acme})
    # A copy already carrying the new unit (as a form hands it over) is refused too.
    copy = Pulse.objects.get(pk=w.pulse.pk)
    copy.unit = w.acme
    with refused({"unit": ["It has answers: its unit can no longer change."]}):
        pulse_update(actor=w.staff, instance=copy, data={"unit": w.acme, "title": "x"})
    # Its title and days still change; the same unit sent again is no change.
    pulse_update(actor=w.staff, instance=w.pulse, data={"unit": w.bu, "title": "Renamed",
                 "closes_on": dt.date(2026, 12, 11)})  # fmt: skip
    w.pulse.refresh_from_db()
    assert (w.pulse.unit, w.pulse.title, w.pulse.closes_on) == (w.bu, "Renamed",
                                                               dt.date(2026, 12, 11))  # fmt: skip
    with refused({"opens_on": ["It has answers: it cannot open later than today."]}):
        pulse_update(actor=w.staff, instance=w.pulse, data={"opens_on": dt.date(2026, 11, 30)})


def test_a_pulse_without_answers_changes_unit_and_is_deleted(w):
    pulse_update(actor=w.staff, instance=w.pulse, data={"unit": w.acme})
    w.pulse.refresh_from_db()
    assert w.pulse.unit == w.acme
    pulse_delete(actor=w.staff, instance=w.pulse)
    assert not Pulse.objects.exists()


def test_a_pulse_with_answers_is_not_deleted(w):
    PulseAnswerFactory(pulse=w.pulse)
    PulseAnswerFactory(pulse=w.pulse, aware=False)
    message = (
        "Awareness pulse 'Autumn pulse' cannot be deleted: 2 people have answered it, and "
        "its results are part of the awareness trend and the alignment report."
    )
    with refused({"__all__": [message]}):
        pulse_delete(actor=w.staff, instance=w.pulse)
    assert Pulse.objects.filter(pk=w.pulse.pk).exists()


def test_the_factory_pulse_is_open_today():
    assert PulseFactory().status_on(TODAY) == "open"
