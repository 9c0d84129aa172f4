"""The alignment trend is simply there: its snapshots are taken by the nightly job (whose
schedule a fresh database gets from its migrations), and an empty trend says when its first
point comes, from that schedule (alignment/trend.py), never to run a command."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from alignment.trend import SNAPSHOT_TASK, first_snapshot_on, next_run_after
from core.roles import EXECUTIVE
from tests import factories as f

UTC = dt.UTC
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(*args, tz=UTC) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)


# The next run of a crontab (pure) -----------------------------------------------------------


def test_a_nightly_job_runs_next_tonight_or_tomorrow_night():
    nightly = {"minute": "15", "hour": "1", "tz": UTC}
    # Sunday 6 Dec 2026, 23:37: tonight's 01:15 is Monday the 7th.
    assert next_run_after(at(2026, 12, 6, 23, 37), **nightly) == at(2026, 12, 7, 1, 15)
    # 00:30: still today's 01:15.
    assert next_run_after(at(2026, 12, 7, 0, 30), **nightly) == at(2026, 12, 7, 1, 15)
    # At 01:15 itself: strictly after, so the next night's.
    assert next_run_after(at(2026, 12, 7, 1, 15), **nightly) == at(2026, 12, 8, 1, 15)
    # The last night of the year, into the next.
    assert next_run_after(at(2026, 12, 31, 2, 0), **nightly) == at(2027, 1, 1, 1, 15)


def test_days_of_the_week_are_crons():
    # "30 6 * * 1": Mondays at 06:30. Wednesday 9 Dec 2026 -> Monday 14 Dec.
    mondays = {"minute": "30", "hour": "6", "day_of_week": "1", "tz": UTC}
    assert next_run_after(at(2026, 12, 9, 12, 0), **mondays) == at(2026, 12, 14, 6, 30)
    # "0" and "7" are both Sunday: Sunday 13 Dec.
    for sunday in ("0", "7"):
        when = next_run_after(at(2026, 12, 9), minute="0", hour="9", day_of_week=sunday, tz=UTC)
        assert when == at(2026, 12, 13, 9, 0)


def test_lists_ranges_and_steps():
    # Every 20 minutes from 10:00 to 11:59 on weekdays ("1-5"): Friday 11 Dec 2026 11:45 ->
    # Monday 14 Dec 10:00 (11:45 is past the last, 11:40; the weekend is skipped).
    spec = {"minute": "*/20", "hour": "10,11", "day_of_week": "1-5", "tz": UTC}
    assert next_run_after(at(2026, 12, 11, 11, 45), **spec) == at(2026, 12, 14, 10, 0)
    assert next_run_after(at(2026, 12, 11, 10, 5), **spec) == at(2026, 12, 11, 10, 20)


def test_day_of_month_and_of_week_both_set_match_either():
    # Like cron: "0 8 1 * 5" is the 1st of the month and every Friday. From Sat 5 Dec 2026
    # the next is Friday 11 Dec; from Sat 26 Dec it is Friday 1 Jan 2027 (both at once).
    spec = {"minute": "0", "hour": "8", "day_of_month": "1", "day_of_week": "5", "tz": UTC}
    assert next_run_after(at(2026, 12, 5), **spec) == at(2026, 12, 11, 8, 0)
    assert next_run_after(at(2026, 12, 26), **spec) == at(2027, 1, 1, 8, 0)
    # Day of the month alone: the 1st only.
    only = {"minute": "0", "hour": "8", "day_of_month": "1", "tz": UTC}
    assert next_run_after(at(2026, 12, 5), **only) == at(2027, 1, 1, 8, 0)


def test_the_schedule_s_own_time_zone():
    # 01:15 in Paris is 00:15 UTC in winter: at 00:30 UTC on 7 Dec it has just passed.
    when = next_run_after(at(2026, 12, 7, 0, 30), minute="15", hour="1", tz=PARIS)
    assert when == at(2026, 12, 8, 1, 15, tz=PARIS)
    assert when.astimezone(UTC) == at(2026, 12, 8, 0, 15)


def test_a_crontab_that_never_matches():
    # 31 February does not exist.
    never = {"minute": "0", "hour": "0", "day_of_month": "31", "month_of_year": "2", "tz": UTC}
    assert next_run_after(at(2026, 1, 1), **never) is None


# The first snapshot of a fiscal year (the stored schedule) ----------------------------------


@pytest.fixture
def job(db):
    """The nightly snapshot job as a fresh database has it (core/migrations/0006): 01:15."""
    task = PeriodicTask.objects.get(task=SNAPSHOT_TASK)
    assert (task.crontab.minute, task.crontab.hour, task.enabled) == ("15", "1", True)
    return task


def test_the_first_snapshot_of_this_year_is_tonight_s(job, settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    assert first_snapshot_on(2026, now=at(2026, 12, 6, 23, 37)) == dt.date(2026, 12, 7)
    assert first_snapshot_on(2026, now=at(2026, 12, 7, 0, 30)) == dt.date(2026, 12, 7)


def test_the_first_snapshot_of_a_coming_year_is_its_first_night(job, settings):
    settings.FISCAL_YEAR_START_MONTH = 4  # FY2027 starts on 1 April 2027
    assert first_snapshot_on(2027, now=at(2026, 12, 6, 23, 37)) == dt.date(2027, 4, 1)


def test_a_job_switched_off_takes_none(job):
    job.enabled = False
    job.save()
    assert first_snapshot_on(2026, now=at(2026, 12, 6, 23, 37)) is None
    job.delete()
    assert first_snapshot_on(2026, now=at(2026, 12, 6, 23, 37)) is None


def test_a_job_on_an_interval(job):
    every_six_hours, _ = IntervalSchedule.objects.get_or_create(every=6, period="hours")
    job.crontab, job.interval = None, every_six_hours
    job.save()
    assert first_snapshot_on(2026, now=at(2026, 12, 6, 20, 0)) == dt.date(2026, 12, 7)
    assert first_snapshot_on(2026, now=at(2026, 12, 6, 12, 0)) == dt.date(2026, 12, 6)


def test_a_schedule_moved_by_the_staff(job):
    weekly, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="1", day_of_month="*", month_of_year="*",
        timezone="UTC",
    )  # fmt: skip
    job.crontab = weekly
    job.save()
    # Sunday 6 Dec 2026 -> Monday 7 Dec; Monday at noon -> the next Monday, 14 Dec.
    assert first_snapshot_on(2026, now=at(2026, 12, 6, 23, 37)) == dt.date(2026, 12, 7)
    assert first_snapshot_on(2026, now=at(2026, 12, 7, 12, 0)) == dt.date(2026, 12, 14)


# The page --------------------------------------------------------------------------------------


@pytest.fixture
def page(client, job, settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    f.EnterpriseFactory(code="ACME", name="Acme")
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))

    def get(query=""):
        html = client.get(f"/alignment/{query}").content.decode()
        assert "manage.py" not in html and "<code>" not in html  # never a command to run
        return html

    return get


@time_machine.travel(at(2026, 12, 6, 23, 37), tick=False)
def test_an_empty_trend_says_when_it_starts(page):
    html = page()
    assert "The first snapshot of FY2026 is taken on 7 December 2026" in html
    assert 'id="trend-chart-data"' not in html


@time_machine.travel(at(2026, 12, 6, 23, 37), tick=False)
def test_an_empty_trend_of_a_past_or_coming_year(page):
    assert "No snapshot was taken in FY2024, so it has no trend." in page("?fiscal_year=2024")
    assert "The first snapshot of FY2027 is taken on 1 January 2027" in page("?fiscal_year=2027")


@time_machine.travel(at(2026, 12, 6, 23, 37), tick=False)
def test_an_empty_trend_without_the_job(page, job):
    job.enabled = False
    job.save()
    assert "none is scheduled: the nightly job “OSM: alignment snapshot” is switched off" in page()
