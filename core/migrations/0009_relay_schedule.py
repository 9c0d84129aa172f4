"""Every minute the beat hands the jobs that waited in the database (Redis was down) to
the broker (osm/queue.py); the OSM staff may change it in the admin (Periodic tasks)."""

import json

from django.db import migrations

NAME = "OSM: hand waiting jobs to the broker"
TASK = "osm.tasks.relay_queued_tasks"


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.create(
        name=NAME,
        task=TASK,
        description="Every minute: jobs asked for while Redis was down, handed over once.",
        args=json.dumps([]),
        interval=every_minute,
    )


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("osm", "0008_queued_tasks")]

    operations = [migrations.RunPython(create, remove)]
