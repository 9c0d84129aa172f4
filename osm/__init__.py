"""OSM project package: settings, wiring, and the base every app shares."""

from .celery import app as celery_app

__all__ = ("celery_app",)
