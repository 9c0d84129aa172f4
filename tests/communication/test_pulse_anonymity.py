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
