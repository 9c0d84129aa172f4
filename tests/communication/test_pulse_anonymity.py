"""No table links a pulse answer to the person who gave it (issue 17, items 4 and 7): read
from the database itself (its introspection, every table, history tables included), not
from the models, and by counting every table's rows around an answer."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection

from communication.models import PulseAnswer, PulseRespondent
from tests.communication.worlds import pulse_world
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

ANSWERS = PulseAnswer._meta.db_table
RESPONDENTS = PulseRespondent._meta.db_table
USERS = get_user_model()._meta.db_table
# Columns that would tell who answered, or when (a time lines answers up with respondents).
TELLING = ("user", "person", "respondent", "author", "by", "created", "updated", "date", "time",
           "at", "history", "session", "ip", "address", "email")  # fmt: skip


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


def tables() -> list[str]:
    return connection.introspection.table_names()


def columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def references(table: str) -> set[str]:
    """The tables `table` has a foreign key to."""
    with connection.cursor() as cursor:
        relations = connection.introspection.get_relations(cursor, table)
    return {other for _column, (_field, other) in relations.items()}


def test_the_answers_table_names_no_one_and_no_moment():
    assert ANSWERS in tables()
    names = columns(ANSWERS)
    assert names == {"id", "pulse_id", "unit_id", "objective_id", "aware", "understanding"}
    telling = [n for n in names for word in TELLING if word in n.split("_")]
    assert not telling, telling
    assert references(ANSWERS) == {"communication_pulse", "scorecards_orgunit",
                                   "scorecards_objective"}  # fmt: skip


def test_the_respondents_table_holds_no_answer():
    assert columns(RESPONDENTS) == {"id", "pulse_id", "user_id"}
    assert references(RESPONDENTS) == {"communication_pulse", USERS}


def test_no_table_links_answers_to_people():
    # No table refers to the answers (so none can pair an answer with a user or a
    # respondent), and only the answers table holds answers: no history or copy of it.
    linking = [t for t in tables() if ANSWERS in references(t)]
    assert linking == []
    copies = [t for t in tables() if "pulseanswer" in t.lower() and t != ANSWERS]
    assert copies == [], copies
    histories = [t for t in tables() if "historical" in t.lower() and "pulse" in t.lower()]
    assert histories == [], histories
    # Nor does any table refer to both the respondents and anything of the answers.
    for table in tables():
        refs = references(table)
        assert not (RESPONDENTS in refs and ANSWERS in refs), table


def row_counts() -> dict[str, int]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        counts = {}
        for table in tables():
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def test_answering_writes_one_respondent_and_one_answer_and_nothing_else():
    w = pulse_world()
    client = client_for(w.dana)
    before = row_counts()
    response = client.post(f"/api/v1/pulses/{w.pulse.pk}/answer/",
                           {"objective": w.objectives["D1"].pk, "understanding": 4})  # fmt: skip
    assert response.status_code == 201
    after = row_counts()
    grown = {t: after[t] - before[t] for t in after if after[t] != before[t]}
    assert grown == {RESPONDENTS: 1, ANSWERS: 1}
    # The answer's key is random: it does not follow the order of the answers.
    answer = PulseAnswer.objects.get()
    assert isinstance(answer.pk, uuid.UUID) and answer.pk.version == 4


def test_an_objective_from_outside_the_chain_is_not_kept():
    """Dana (DEP) is offered DEP's, BU's and ACME's objectives and as many of OTHER's: which
    of OTHER's she saw is hers alone, so naming one is kept only as "not of her chain"."""
    w = pulse_world()
    question = client_for(w.dana).get(f"/api/v1/pulses/{w.pulse.pk}/question/").json()
    chain = {w.objectives[code].pk for code in ("E1", "E2", "B1", "D1")}
    outside = next(c["objective"] for c in question["choices"]
                   if c["objective"] is not None and c["objective"] not in chain)  # fmt: skip
    response = client_for(w.dana).post(f"/api/v1/pulses/{w.pulse.pk}/answer/",
                                        {"objective": outside, "understanding": 2})  # fmt: skip
    assert response.status_code == 201
    answer = PulseAnswer.objects.get()
    assert (answer.objective_id, answer.aware, answer.understanding) == (None, False, 2)


def test_the_question_is_drawn_with_the_sites_secret(settings):
    """Whoever reads the database, without the secret, cannot redraw a person's question."""
    from communication.selectors.pulses import _seed

    first = _seed(1, 2)
    settings.SECRET_KEY = "another-secret-of-at-least-fifty-characters-for-this-test-x"
    assert _seed(1, 2) != first


def test_the_answers_are_written_again_in_a_random_order():
    """After the daily shuffle the pulse's answers are the same answers (so the same
    figures) under new keys, written in one transaction: nothing of the moment each was
    given is left to match against who answered then."""
    from communication.services.pulses import pulse_answers_shuffle, pulse_answers_shuffle_recent

    w = pulse_world()
    for who, code, understanding in (("dana", "D1", 4), ("bob", "B1", 3), ("nora", None, 1)):
        objective = w.objectives[code].pk if code else None
        data = {"objective": objective, "understanding": understanding}
        client_for(getattr(w, who)).post(f"/api/v1/pulses/{w.pulse.pk}/answer/", data)

    def stored():
        return sorted(PulseAnswer.objects.values_list(
            "unit_id", "objective_id", "aware", "understanding"), key=str)  # fmt: skip

    before, keys = stored(), set(PulseAnswer.objects.values_list("pk", flat=True))
    assert len(before) == 3
    assert pulse_answers_shuffle(w.pulse) == 3
    assert stored() == before
    assert not keys & set(PulseAnswer.objects.values_list("pk", flat=True))
    # The daily job shuffles the pulses open on the day (this one, 20 Nov to 4 Dec) and
    # those closed in the two days before (so on 6 December, not on the 7th).
    assert pulse_answers_shuffle_recent(day=dt.date(2026, 11, 27)) == 1
    assert pulse_answers_shuffle_recent(day=dt.date(2026, 12, 6)) == 1  # closed 2 days ago
    assert pulse_answers_shuffle_recent(day=dt.date(2026, 12, 7)) == 0


def test_a_closed_pulse_with_answers_is_not_opened_again():
    """Its results read before and after would give the late answers away."""
    from django.core.exceptions import ValidationError

    from communication.services.pulses import pulse_update
    from tests.communication.worlds import answers

    w = pulse_world()
    answers(w.pulse, w.dep, [(True, 4)])
    later = dt.date(2026, 12, 20)
    with time_machine.travel(dt.datetime(2026, 12, 10, 9, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ValidationError, match="closed with answers"):
            pulse_update(actor=w.staff, instance=w.pulse, data={"closes_on": later})
        pulse_update(actor=w.staff, instance=w.pulse, data={"title": "Autumn pulse 2026"})
    w.pulse.refresh_from_db()
    assert (w.pulse.title, w.pulse.closes_on) == ("Autumn pulse 2026", dt.date(2026, 12, 4))
