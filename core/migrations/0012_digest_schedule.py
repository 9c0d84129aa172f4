"""Every morning the beat notifies the late initiatives and composes the notification
digests (core/notifications.py); the OSM staff may change the times in the admin (Periodic
tasks)."""

import json

from django.conf import settings
from django.db import migrations

# name, task, (minute, hour), description
SCHEDULES = [
    ("OSM: late initiatives", "initiatives.tasks.notify_late_initiatives", ("40", "6"),
     "Daily: milestones past due and end dates passed, to owners and unit heads, once each."),
    ("OSM: notification digests", "osm.tasks.send_notification_digests", ("45", "6"),
     "Daily: yesterday's unread notifications, to those who chose a digest."),
]  # fmt: skip


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    for name, task, (minute, hour), description in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        morning, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*",
            timezone=settings.TIME_ZONE,
        )  # fmt: skip
        PeriodicTask.objects.create(
            name=name, task=task, description=description, args=json.dumps([]), crontab=morning
        )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("osm", "0011_notifications"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
