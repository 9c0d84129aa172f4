"""The project's wiring: settings, root URLs, the API router, the Celery app, WSGI and ASGI."""

from .celery import app as celery_app

__all__ = ("celery_app",)
