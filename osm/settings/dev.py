"""Development: `make run`. DEBUG on unless the environment says otherwise."""

import os

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: F403
from .base import BASE_DIR, DEBUG, INSTALLED_APPS, STORAGES, env

# Static files as production serves them (`make run` collects them first): compressed (gzip,
# Brotli) under hashed names the browser keeps for a year; a file edited since falls back to
# its plain name, served fresh (osm/staticfiles.py). runserver_nostatic leaves /static/ to
# WhiteNoise instead of runserver's own view, which sends every file uncompressed, uncached.
INSTALLED_APPS = ["whitenoise.runserver_nostatic", *INSTALLED_APPS]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "osm.staticfiles.DevelopmentStaticStorage"}}

# On a developer's machine (DEBUG on) the demo company stays easy to try: no second factor
# unless the environment asks for one. With DEBUG off, base.py's default ("staff") holds.
if DEBUG:
    OTP_REQUIRED_FOR = env("OTP_REQUIRED_FOR", default="none")
