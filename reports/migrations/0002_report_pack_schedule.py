"""The daily report packs (django-celery-beat), created once at 07:00, after the morning's
reminders and notices; the OSM staff change the time in the admin (Periodic tasks). Times
are in TIME_ZONE. Mirrors alignment/migrations/0003_strategy_test_prune_schedule.py."""

import json

from django.conf import settings
from django.db import migrations

NAME = "OSM: report packs"
TASK = "reports.tasks.send_report_packs"
DESCRIPTION = (
    "Daily: each report subscription due today (weekly on its weekday, monthly on its day) "
    "gets its pack by e-mail, composed by a worker task of its own; once per due date."
)


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="7",
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
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
