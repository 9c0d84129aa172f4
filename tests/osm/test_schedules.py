"""The job schedules exist with their defaults and name tasks the workers know."""

import pytest
from django_celery_beat.models import PeriodicTask

from osm.celery import app

pytestmark = pytest.mark.django_db


def test_the_default_schedules():
    tasks = {t.name: t for t in PeriodicTask.objects.select_related("crontab", "interval")}
    reminders = tasks["OSM: reminders"]
    assert reminders.task == "reviews.tasks.send_reminders"
    assert (reminders.crontab.minute, reminders.crontab.hour) == ("0", "6")
    reports = tasks["OSM: alignment reports"]
    assert reports.crontab.day_of_week == "1"  # Mondays
    assert tasks["OSM: alignment snapshot"].task == "alignment.tasks.take_alignment_snapshot"
    prune = tasks["OSM: prune strategy tests"]  # alignment/migrations/0003
    assert prune.task == "alignment.tasks.prune_strategy_test_runs"
    assert (prune.crontab.minute, prune.crontab.hour) == ("0", "3")  # after the 02:00 run
    late = tasks["OSM: late initiatives"]  # core/migrations/0012
    assert (late.task, late.crontab.hour, late.crontab.minute) == (
        "initiatives.tasks.notify_late_initiatives", "6", "40",
    )  # fmt: skip
    digests = tasks["OSM: notification digests"]
    assert (digests.task, digests.crontab.hour, digests.crontab.minute) == (
        "osm.tasks.send_notification_digests", "6", "45",
    )  # fmt: skip
    pulses = tasks["OSM: pulse reminders"]  # communication/migrations/0004
    assert (pulses.task, pulses.crontab.hour, pulses.crontab.minute) == (
        "communication.tasks.send_pulse_reminders", "6", "50",
    )  # fmt: skip
    outbox = tasks["OSM: deliver the outbox"]
    assert (outbox.interval.every, outbox.interval.period) == (5, "minutes")


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    names = set(PeriodicTask.objects.values_list("task", flat=True))
    assert names and names <= set(app.tasks)
