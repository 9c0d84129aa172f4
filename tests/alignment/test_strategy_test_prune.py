"""Pruning old strategy test runs: `strategy_test_runs_prune`, the nightly task and its
schedule, `manage.py prune_strategy_tests`, and the STRATEGY_TEST_RETENTION_DAYS setting.

Today is 27 November 2026 (UTC, the test settings' TIME_ZONE). A run "N days old" is
started at 02:00 on TODAY - N days. With the default 90 days the cut-off is the start of
TODAY - 90 = 29 August 2026: a run started before it (91 days old or more) goes, one of 90
or 89 days stays. Units A and B have one arrow each; a run's results are its verdicts on
them.
"""

import datetime as dt
import importlib
import io
import os
import subprocess
import sys

import pytest
import time_machine
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from alignment import tasks
from alignment.models import StrategyTestResult, StrategyTestRun
from alignment.strategy_tests import latest_strategy_tests, strategy_test_runs_prune
from osm.celery import app
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)
DONE, RUNNING, FAILED = (
    StrategyTestRun.Status.DONE,
    StrategyTestRun.Status.RUNNING,
    StrategyTestRun.Status.FAILED,
)


def started(days_ago: int) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(2, 0))
    )


def run(days_ago: int, *links, status=DONE) -> StrategyTestRun:
    """A run started `days_ago` days before TODAY (its clock frozen then, so `started_at`
    is that moment), with a result for each arrow given."""
    moment = started(days_ago)
    with time_machine.travel(moment, tick=False):
        made = f.StrategyTestRunFactory(
            run_on=moment.date(),
            status=status,
            finished_at=None if status == RUNNING else moment + dt.timedelta(minutes=1),
        )
        for link in links:
            f.StrategyTestResultFactory(run=made, link=link)
    return made


def remaining() -> set[int]:
    return set(StrategyTestRun.objects.values_list("pk", flat=True))


@pytest.fixture
def arrows():
    unit_a = f.OrgUnitFactory(code="A")
    unit_b = f.OrgUnitFactory(code="B")
    return (
        unit_a,
        unit_b,
        f.CauseEffectFactory(cause__unit=unit_a),
        f.CauseEffectFactory(cause__unit=unit_b),
    )


@pytest.fixture
def history(arrows):
    """Five runs over both maps: 400, 91, 90, 89 and 1 day old (the latest)."""
    _, _, link_a, link_b = arrows
    return {age: run(age, link_a, link_b) for age in (400, 91, 90, 89, 1)}


# The service ---------------------------------------------------------------------------------


def test_runs_older_than_90_days_go_with_their_results(history):
    # 400 days (started 2025-10-23) and 91 days (2026-08-28 02:00) are before the cut-off
    # 2026-08-29 00:00: deleted. 90 days (2026-08-29 02:00), 89 and 1: kept.
    assert StrategyTestResult.objects.count() == 10  # 5 runs x 2 arrows
    assert strategy_test_runs_prune(today=TODAY) == 2
    assert remaining() == {history[age].pk for age in (90, 89, 1)}
    # Their results went with them (2 each): 10 - 4 = 6 left, none of the deleted runs'.
    assert StrategyTestResult.objects.count() == 6
    gone = [history[400].pk, history[91].pk]
    assert not StrategyTestResult.objects.filter(run_id__in=gone).exists()


@pytest.mark.parametrize(("age", "kept"), [(91, False), (90, True), (89, True)])
def test_the_cut_off_day(arrows, age, kept):
    _, _, link_a, _ = arrows
    old = run(age, link_a)
    latest = run(1, link_a)
    assert strategy_test_runs_prune(today=TODAY) == (0 if kept else 1)
    assert remaining() == ({old.pk, latest.pk} if kept else {latest.pk})


def test_running_twice_deletes_nothing_more(history):
    assert strategy_test_runs_prune(today=TODAY) == 2
    assert strategy_test_runs_prune(today=TODAY) == 0
    assert len(remaining()) == 3


def test_each_units_latest_run_is_kept_even_when_400_days_old(arrows):
    unit_a, _, link_a, link_b = arrows
    older = run(500, link_a)  # A's, but not its newest: deleted
    kept_for_a = run(400, link_a)  # the newest run with results for A's map
    failed = run(300, status=FAILED)  # no results, not the newest run: deleted
    latest = run(1, link_b)  # the latest run, for B only
    assert strategy_test_runs_prune(today=TODAY) == 2
    assert remaining() == {kept_for_a.pk, latest.pk}
    assert kept_for_a.results.get().unit == unit_a
    assert older.pk not in remaining() and failed.pk not in remaining()


def test_what_the_pages_show_does_not_change(history, arrows):
    unit_a, unit_b, _, _ = arrows
    before = {unit: latest_strategy_tests(unit) for unit in (unit_a, unit_b)}
    strategy_test_runs_prune(today=TODAY)
    after = {unit: latest_strategy_tests(unit) for unit in (unit_a, unit_b)}
    assert after == before
    assert before[unit_a][0] == history[1]


def test_the_run_the_pages_show_is_kept_even_without_results(arrows):
    # The latest done run tested no arrow (every map was empty 200 days ago): it is still
    # the run every page shows ("the run tested no arrow"), so it stays; the older run
    # with results for A stays too, as A's newest; the one before goes.
    _, _, link_a, _ = arrows
    run(250, link_a)
    for_a = run(220, link_a)
    shown = run(200)
    assert strategy_test_runs_prune(today=TODAY) == 1
    assert remaining() == {for_a.pk, shown.pk}


def test_a_run_in_progress_is_never_deleted(arrows):
    _, _, link_a, _ = arrows
    stuck = run(300, status=RUNNING)  # a worker died long ago: still "running"
    run(200, link_a)  # deleted: older than 90 days, and not A's newest
    latest = run(1, link_a)
    assert strategy_test_runs_prune(today=TODAY) == 1
    assert remaining() == {stuck.pk, latest.pk}


def test_failed_runs_go_but_the_newest_run_of_all_stays(arrows):
    # The page warns that the newest run failed while it is newer than the run shown:
    # that run is kept; an older failure is not.
    _, _, link_a, _ = arrows
    run(200, status=FAILED)
    shown = run(120, link_a)
    newest = run(100, status=FAILED)
    assert strategy_test_runs_prune(today=TODAY) == 1
    assert remaining() == {shown.pk, newest.pk}


def test_the_retention_comes_from_the_setting_or_the_argument(history, settings):
    # 30 days: the cut-off is the start of 2026-10-28. The runs of 400, 91, 90 and 89 days
    # are before it, and none is kept otherwise (the latest, 1 day old, is the one shown and
    # A's and B's newest): 4 deleted.
    settings.STRATEGY_TEST_RETENTION_DAYS = 30
    assert strategy_test_runs_prune(today=TODAY) == 4
    assert remaining() == {history[1].pk}


def test_days_zero_keeps_only_what_must_stay(history):
    # The cut-off is the start of TODAY: every run but the latest (1 day) is deleted.
    assert strategy_test_runs_prune(today=TODAY, days=0) == 4
    assert remaining() == {history[1].pk}


def test_a_day_further_back_deletes_less(history):
    # From 2026-09-27 (61 days before TODAY), 90 days back is 2026-06-29: only the run of
    # 400 days (2025-10-23) is before it; the run of 91 days (2026-08-28) is not.
    assert strategy_test_runs_prune(today=TODAY - dt.timedelta(days=61)) == 1
    assert history[400].pk not in remaining() and history[91].pk in remaining()


@pytest.mark.parametrize("days", [-1, 36501])
def test_an_impossible_retention_is_refused(history, days):
    with pytest.raises(ValueError, match="0 to 36500"):
        strategy_test_runs_prune(today=TODAY, days=days)
    assert len(remaining()) == 5


# The task and its schedule -------------------------------------------------------------------


def test_the_task_prunes_and_is_safe_to_run_twice(history):
    # JSON arguments only: the day as a string, the days as a number.
    assert tasks.prune_strategy_test_runs.delay("2026-11-27", 90).get() == 2
    assert tasks.prune_strategy_test_runs.delay("2026-11-27").get() == 0
    assert len(remaining()) == 3


def test_the_task_defaults_to_today(history):
    with time_machine.travel(started(0), tick=False):
        assert tasks.prune_strategy_test_runs.delay().get() == 2


def test_the_task_is_retried_on_database_and_network_errors_within_a_time_limit():
    task = tasks.prune_strategy_test_runs
    assert task.acks_late and task.max_retries == 10
    assert set(task.autoretry_for) >= {OSError} and task.retry_backoff
    assert task.soft_time_limit < task.time_limit == 900


def test_it_is_scheduled_nightly_at_three_after_the_run():
    schedule = PeriodicTask.objects.select_related("crontab").get(name="OSM: prune strategy tests")
    assert schedule.task == "alignment.tasks.prune_strategy_test_runs"
    crontab = schedule.crontab
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("0", "3", "*")
    assert str(crontab.timezone) == settings.TIME_ZONE
    assert (schedule.args, schedule.enabled) == ("[]", True)
    app.loader.import_default_modules()
    assert schedule.task in app.tasks


def test_the_migration_creates_once_and_removes_its_schedule():
    migration = importlib.import_module("alignment.migrations.0003_strategy_test_prune_schedule")
    migration.create(django_apps, None)  # already there (the test database is migrated)
    assert PeriodicTask.objects.filter(name=migration.NAME).count() == 1
    migration.remove(django_apps, None)
    assert not PeriodicTask.objects.filter(name=migration.NAME).exists()
    assert PeriodicTask.objects.filter(name="OSM: strategy tests").exists()  # not others
    migration.create(django_apps, None)
    assert PeriodicTask.objects.get(name=migration.NAME).crontab.hour == "3"


# The command ---------------------------------------------------------------------------------


def test_the_command(history):
    out = io.StringIO()
    call_command("prune_strategy_tests", "--date", "2026-11-27", stdout=out)
    assert out.getvalue().strip() == (
        "Deleted 2 strategy test runs started more than 90 days before 2026-11-27; 3 kept."
    )
    assert remaining() == {history[age].pk for age in (90, 89, 1)}


def test_the_command_with_days_and_today_by_default(history):
    out = io.StringIO()
    with time_machine.travel(started(0), tick=False):
        call_command("prune_strategy_tests", "--days", "89", stdout=out)
    # 89 days back from 2026-11-27 is 2026-08-30: the run of 90 days (08-29) goes too.
    assert "Deleted 3 strategy test runs started more than 89 days before 2026-11-27" in (
        out.getvalue()
    )
    assert remaining() == {history[89].pk, history[1].pk}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--date", "soon"], "--date: 'soon' is not a date: use YYYY-MM-DD."),
        (["--date", "2026-02-30"], "--date: '2026-02-30' is not a date"),
        (["--days", "-1"], "--days must be a number of days from 0 to 36500."),
        (["--days", "36501"], "--days must be a number of days from 0 to 36500."),
        (["--days", "ninety"], "argument --days: invalid int value: 'ninety'"),
    ],
)
def test_the_command_refuses_bad_input_and_deletes_nothing(history, arguments, message):
    with pytest.raises(CommandError) as refused:
        call_command("prune_strategy_tests", *arguments, stdout=io.StringIO())
    assert message in str(refused.value)
    assert len(remaining()) == 5 and StrategyTestResult.objects.count() == 10


def manage(*arguments, **environment):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "osm.settings.test", **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bad_command_input_exits_non_zero_with_a_message():
    # As an operator runs it: the message on stderr, exit status 1 (refused before the
    # database is touched).
    result = manage("prune_strategy_tests", "--days", "-5")
    assert result.returncode == 1
    assert "CommandError: --days must be a number of days from 0 to 36500." in result.stderr
    result = manage("prune_strategy_tests", "--date", "27/11/2026")
    assert result.returncode == 1
    assert "--date: '27/11/2026' is not a date: use YYYY-MM-DD." in result.stderr


def test_the_setting_is_validated():
    result = manage("check", STRATEGY_TEST_RETENTION_DAYS="-1")
    assert result.returncode != 0
    assert "STRATEGY_TEST_RETENTION_DAYS must be 0 to 36500 days." in result.stderr
    assert settings.STRATEGY_TEST_RETENTION_DAYS == 90  # the default
