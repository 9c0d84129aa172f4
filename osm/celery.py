"""The Celery application: Redis broker, JSON only, late acks, time limits (settings `CELERY_*`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osm.settings.production")

app = Celery("osm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
