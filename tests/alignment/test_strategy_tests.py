"""Test and adapt with the database (alignment/strategy_tests.py): the inputs gathered for
the statistics (the arrows, their measure pairs and their replicates down the cascade), the
run that stores the verdicts, and the latest results served for a unit's map."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alignment.models import StrategyTestRun
from alignment.strategy_tests import latest_strategy_tests
from tests import factories as f

pytestmark = pytest.mark.django_db


# The latest results of a unit's map ----------------------------------------------------------


def test_latest_results_come_from_the_latest_done_run_and_the_unit_only():
    arrow = f.CauseEffectFactory()
    other = f.CauseEffectFactory()  # another unit's map
    old = f.StrategyTestRunFactory(run_on=dt.date(2026, 10, 1))
    f.StrategyTestResultFactory(run=old, link=arrow)
    done = f.StrategyTestRunFactory(run_on=dt.date(2026, 11, 1))
    mine = f.StrategyTestResultFactory(run=done, link=arrow, verdict="contradicted")
    f.StrategyTestResultFactory(run=done, link=other)
    # Later runs that did not finish are never served.
    f.StrategyTestRunFactory(run_on=dt.date(2026, 11, 2), status=StrategyTestRun.Status.RUNNING)
    f.StrategyTestRunFactory(run_on=dt.date(2026, 11, 3), status=StrategyTestRun.Status.FAILED)
    run, results = latest_strategy_tests(arrow.cause.unit)
    assert run == done
    assert results == [mine]


def test_arrows_come_before_exploratory_candidates():
    arrow = f.CauseEffectFactory(cause__code="B", effect__code="C")
    unit = arrow.cause.unit
    run = f.StrategyTestRunFactory()
    a = f.ObjectiveFactory(unit=unit, code="A")
    candidate = f.StrategyTestResultFactory(
        run=run, link=None, unit=unit, cause=a, effect=arrow.effect, exploratory=True
    )
    tested = f.StrategyTestResultFactory(run=run, link=arrow)
    assert latest_strategy_tests(unit)[1] == [tested, candidate]


def test_no_run_yet():
    assert latest_strategy_tests(f.OrgUnitFactory()) == (None, [])


def test_latest_results_take_two_queries_whatever_the_size():
    def measured(n):
        unit = f.OrgUnitFactory()
        run = f.StrategyTestRunFactory()
        for _ in range(n):
            arrow = f.CauseEffectFactory(cause__unit=unit)
            f.StrategyTestResultFactory(
                run=run,
                link=arrow,
                cause_measure=f.MeasureFactory(objective=arrow.cause),
                effect_measure=f.MeasureFactory(objective=arrow.effect),
            )
        with CaptureQueriesContext(connection) as queries:
            _, results = latest_strategy_tests(unit)
            names = [
                (r.cause.name, r.effect.name, r.cause_measure.name, r.effect_measure.name, r.link)
                for r in results
            ]
        assert len(names) == n
        return len(queries)

    assert measured(1) == measured(6) == 2
