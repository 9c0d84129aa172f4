"""The daily pulse reminders (django-celery-beat), created once at 06:50, before the
morning's other reminders; the OSM staff change the time in the admin (Periodic tasks).
Times are in TIME_ZONE. Mirrors reports/migrations/0002_report_pack_schedule.py."""

import json

from django.conf import settings
from django.db import migrations

NAME = "OSM: pulse reminders"
TASK = "communication.tasks.send_pulse_reminders"
DESCRIPTION = (
    "Daily: the people an awareness pulse asks who have not answered it are reminded in "
    "its last two days (once each, through the outbox)."
)


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="50",
        hour="6",
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
        ("communication", "0003_search_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
