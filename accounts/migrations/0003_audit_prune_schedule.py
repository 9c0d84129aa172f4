"""The nightly prune of the security audit log (django-celery-beat), created once at 02:30;
the OSM staff change the time in the admin (Periodic tasks). Times are in TIME_ZONE.
Mirrors communication/migrations/0004_pulse_reminder_schedule.py."""

import json

from django.conf import settings
from django.db import migrations

NAME = "OSM: audit log prune"
TASK = "accounts.tasks.prune_audit_log"
DESCRIPTION = (
    "Nightly: the security audit log's entries older than AUDIT_RETENTION_DAYS (400 days by "
    "default) are deleted."
)


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
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
    dependencies = [
        ("accounts", "0002_audit_events_never_change"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
