"""WSGI entry point (gunicorn in production)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osm.settings.production")

application = get_wsgi_application()

# Django imports the URLs (and with them every view) on the first request; a worker does it
# on starting instead, so that no visitor waits a third of a second for it.
get_resolver().url_patterns  # noqa: B018
