"""The Strategy test page draws its charts once per state of the data: the second request
is served from the cache (no series read, the same figures), a change to a measure's
values draws them afresh. Outside a test transaction, as in production (inside one the page
never caches: what it sees may be rolled back)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection

from alignment import views
from core.roles import EXECUTIVE
from scorecards import services
from tests.alignment.test_strategy_test_page import URL, figure_of, login, month, world

__all__ = ["world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db(transaction=True)


def count_queries(call):
    """(the SQL statements `call` sent, its result)."""
    sent = []

    def counter(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        result = call()
    return len(sent), result


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_second_request_is_served_from_the_cache(client, world, monkeypatch):
    login(client, [EXECUTIVE])
    chart_id = f"pair-{world['supported'].pk}"
    first_queries, first = count_queries(lambda: client.get(URL))
    drawn = []
    monkeypatch.setattr(views, "_charts", lambda *a: drawn.append(a) or {})
    second_queries, second = count_queries(lambda: client.get(URL))
    assert drawn == []  # nothing drawn: the cache had it
    assert figure_of(second.content.decode(), chart_id) == figure_of(
        first.content.decode(), chart_id
    )
    # the series of HRS and REV (and their dependencies) are not read again
    assert second_queries < first_queries


def test_a_changed_value_draws_the_chart_again(client, world):
    login(client, [EXECUTIVE])
    chart_id = f"pair-{world['supported'].pk}"
    before = figure_of(client.get(URL).content.decode(), chart_id)
    assert before["data"][0]["y"][0] == 1  # HRS of January 2026
    hrs = world["supported"].cause_measure
    services.measure_value_record(measure=hrs, period=month(1), actual=Decimal(5), actor=None)
    after = figure_of(client.get(URL).content.decode(), chart_id)
    assert after["data"][0]["y"] == [5, 2, 4, 8, 16, 32]  # January now 5, the rest as before
    assert after["data"][0]["x"][0] == dt.date(2026, 1, 1).isoformat()
