"""The nightly pruning of old strategy test runs (django-celery-beat), created once at 03:00,
after the night's run (02:00); the OSM staff change it in the admin (Periodic tasks). Times
are in TIME_ZONE. Mirrors core/migrations/0007_strategy_test_schedule.py."""

import json

from django.conf import settings
from django.db import migrations

NAME = "OSM: prune strategy tests"
TASK = "alignment.tasks.prune_strategy_test_runs"
DESCRIPTION = (
    "Nightly: strategy test runs older than STRATEGY_TEST_RETENTION_DAYS deleted with their "
    "results; the runs the pages show and runs in progress are kept."
)


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="3",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    PeriodicTask.objects.create(
        name=NAME, task=TASK, description=DESCRIPTION, args=json.dumps([]), crontab=crontab
    )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("alignment", "0002_strategy_tests"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
