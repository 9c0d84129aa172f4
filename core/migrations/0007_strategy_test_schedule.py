"""The nightly strategy test run (django-celery-beat), created once at 02:00 after the
snapshot (01:15); the OSM staff change it in the admin (Periodic tasks). Times are in
TIME_ZONE."""

import json

from django.conf import settings
from django.db import migrations

NAME = "OSM: strategy tests"
TASK = "alignment.tasks.run_strategy_tests"
DESCRIPTION = (
    "Nightly: every arrow of every strategy map tested against the measures' history "
    "(test and adapt); the pages and the API serve the latest run."
)


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="2",
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
    dependencies = [("osm", "0006_job_schedules")]

    operations = [migrations.RunPython(create, remove)]
