"""The strategy test run as a job: the Celery task, its nightly schedule, and
`manage.py run_strategy_tests` for on-demand runs without a worker."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from alignment import strategy_tests, tasks
from alignment.models import StrategyTestRun
from osm.celery import app
from tests import factories as f
from tests.alignment.test_strategy_tests import company  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def test_the_task_stores_a_run_of_the_day(company):  # noqa: F811
    run_id = tasks.run_strategy_tests.delay("2026-01-20").get()
    run = StrategyTestRun.objects.get(pk=run_id)
    assert (run.run_on, run.status) == (dt.date(2026, 1, 20), StrategyTestRun.Status.DONE)
    # 3 arrows and the significant candidates (LEARN → PROC in B1 and B2, at least).
    assert run.results.filter(exploratory=False).count() == 3
    assert run.results.filter(exploratory=True).count() >= 2


def test_the_task_names_who_asked_and_runs_twice_into_two_runs(company, caplog):  # noqa: F811
    user = f.UserFactory(username="sophie")
    caplog.set_level("INFO", logger="alignment.strategy_tests")
    first = tasks.run_strategy_tests.delay("2026-01-20", user.pk).get()
    second = tasks.run_strategy_tests.delay().get()
    assert first != second
    assert "started by sophie" in caplog.text and "started by the schedule" in caplog.text
    assert StrategyTestRun.objects.filter(status="done").count() == 2


def test_the_task_is_retried_on_database_and_network_errors_within_a_time_limit():
    task = tasks.run_strategy_tests
    assert task.acks_late and task.max_retries == 10
    assert set(task.autoretry_for) >= {OSError} and task.retry_backoff
    assert task.soft_time_limit < task.time_limit == 1800


def test_a_failing_task_raises_and_marks_its_run(monkeypatch):
    def broken(inputs, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(strategy_tests, "strategy_test_results", broken)
    with pytest.raises(ZeroDivisionError):
        tasks.run_strategy_tests.delay("2026-01-20").get()
    assert StrategyTestRun.objects.get().status == StrategyTestRun.Status.FAILED


def test_it_is_scheduled_nightly_at_two():
    schedule = PeriodicTask.objects.select_related("crontab").get(name="OSM: strategy tests")
    assert schedule.task == "alignment.tasks.run_strategy_tests"
    crontab = schedule.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("0", "2", "*")
    app.loader.import_default_modules()
    assert schedule.task in app.tasks


def test_the_command(company):  # noqa: F811
    out = io.StringIO()
    call_command("run_strategy_tests", "--date", "2026-01-20", stdout=out)
    run = StrategyTestRun.objects.get()
    assert run.run_on == dt.date(2026, 1, 20)
    text = out.getvalue()
    assert f"Strategy test of 2026-01-20 (run {run.pk})" in text
    # The three arrows of the company fixture, by verdict; 14 p-values (2 pairs x 7 lags).
    assert "3 arrows (1 contradicted, 1 insufficient data, 1 supported)" in text
    assert "14 p-values adjusted together" in text


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError, match="--date: 'soon' is not a date"):
        call_command("run_strategy_tests", "--date", "soon")
    assert not StrategyTestRun.objects.exists()


def test_the_command_says_when_the_run_failed(monkeypatch):
    def broken(inputs, **kwargs):
        raise ValueError("no luck")

    monkeypatch.setattr(strategy_tests, "strategy_test_results", broken)
    with pytest.raises(CommandError, match="The strategy test run failed: no luck"):
        call_command("run_strategy_tests", stdout=io.StringIO())
    assert StrategyTestRun.objects.get().error == "ValueError: no luck"
