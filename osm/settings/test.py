"""Tests: the development settings with a fast password hasher and inline tasks.

`DATABASE_URL` and `REDIS_URL` still come from the environment, so CI runs on PostgreSQL.
"""

import os

os.environ.setdefault("DEBUG", "1")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
OSM_WARM_TASKS = []  # with inline tasks (base.py); tests/dashboards/test_warm_caches.py
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Most tests sign people in with force_login and no second factor (the OSM staff included);
# the second factor's own tests (tests/accounts/test_mfa*.py) turn it on with `settings`.
OTP_REQUIRED_FOR = "none"
