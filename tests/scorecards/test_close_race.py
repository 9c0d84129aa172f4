"""Closing a month while values are being written, on real PostgreSQL in two threads with
two connections: a write that has checked its month holds the months' lock shared, so the
closing waits for it to commit; a write that comes while a month is closing waits, then sees
the month closed and is refused. Never a value written into a month that closed before it
committed. Skips without PostgreSQL (DATABASE_URL), fails then under OSM_REQUIRE_SERVICES=1.
"""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.roles import OSM_STAFF
from scorecards import services
from scorecards.models import MeasureValue
from scorecards.services import reporting, values
from tests import factories as f
from tests.scorecards.test_bulk_race import Runner

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
MAR = dt.date(2026, 3, 1)


@pytest.fixture
def world(on_postgres):
    measure = f.MeasureFactory(code="REV")
    f.MeasureValueFactory(measure=measure, period=MAR)  # 95 against 100
    return measure, f.UserFactory(roles=[OSM_STAFF])


@pytest.fixture
def on_postgres(postgres):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("The race needs the PostgreSQL test database (DATABASE_URL).")


def run_both(first, second):
    one, two = Runner(first), Runner(second)
    one.start()
    two.start()
    one.join(60)
    two.join(60)
    return one, two


def test_a_closing_waits_for_the_write_in_progress(world, monkeypatch):
    measure, staff = world
    checked = threading.Event()
    ensure_open = values.ensure_open

    def slow_check(*args):
        ensure_open(*args)
        checked.set()  # the write has found March open...
        time.sleep(1.5)  # ...and commits only now

    monkeypatch.setattr(values, "ensure_open", slow_check)

    def write():
        services.measure_value_enter(actor=staff, measure=measure, period=MAR,
                                     data={"actual": Decimal(96)})  # fmt: skip

    def close():
        assert checked.wait(20), "the write never checked its month"
        services.month_close(actor=staff, month=MAR)

    writing, closing = run_both(write, close)
    for runner in (writing, closing):
        if runner.error:
            raise runner.error
    assert closing.ended >= writing.ended  # the closing waited for the write's commit
    assert MeasureValue.objects.get(measure=measure, period=MAR).actual == Decimal(96)


def test_a_write_during_a_closing_waits_and_is_refused(world, monkeypatch):
    measure, staff = world
    closing_now = threading.Event()
    save_validated = reporting.save_validated

    def slow_save(period, actor):
        save_validated(period, actor=actor)
        closing_now.set()  # March is being closed...
        time.sleep(1.5)  # ...and the closing commits only now

    monkeypatch.setattr(reporting, "save_validated", slow_save)

    def close():
        services.month_close(actor=staff, month=MAR)

    def write():
        assert closing_now.wait(20), "the closing never started"
        services.measure_value_enter(actor=staff, measure=measure, period=MAR,
                                     data={"actual": Decimal(96)})  # fmt: skip

    closing, writing = run_both(close, write)
    if closing.error:
        raise closing.error
    assert isinstance(writing.error, ValidationError)
    assert "Mar 2026 is closed" in str(writing.error)
    assert writing.ended >= closing.ended  # it waited for the closing to commit
    assert MeasureValue.objects.get(measure=measure, period=MAR).actual == Decimal(95)
