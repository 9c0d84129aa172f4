"""The job schedules (django-celery-beat), created once with their defaults; the OSM staff
change them in the admin (Periodic tasks). Times are in TIME_ZONE."""

import json

from django.conf import settings
from django.db import migrations

# name, task, crontab (minute, hour, day of week) or an interval in minutes, description
SCHEDULES = [
    ("OSM: reminders", "reviews.tasks.send_reminders", ("0", "6", "*"),
     "Data values due or overdue, escalations, review meetings, overdue action items."),
    ("OSM: alignment reports", "alignment.tasks.send_alignment_reports", ("30", "6", "1"),
     "Weekly, on Mondays: the enterprise to the OSM staff, each subtree to its head."),
    ("OSM: alignment snapshot", "alignment.tasks.take_alignment_snapshot", ("15", "1", "*"),
     "Nightly: every unit's alignment metrics, for the trend."),
    ("OSM: deliver the outbox", "osm.tasks.deliver_outbox", 5,
     "Every 5 minutes: sends what is due and retries what failed (nothing is lost)."),
]  # fmt: skip


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    for name, task, when, description in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        schedule = {}
        if isinstance(when, int):
            schedule["interval"], _ = IntervalSchedule.objects.get_or_create(
                every=when, period="minutes"
            )
        else:
            minute, hour, day_of_week = when
            schedule["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=minute, hour=hour, day_of_week=day_of_week, day_of_month="*",
                month_of_year="*", timezone=settings.TIME_ZONE,
            )  # fmt: skip
        PeriodicTask.objects.create(
            name=name, task=task, description=description, args=json.dumps([]), **schedule
        )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("osm", "0005_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
