"""Production: DEBUG off, secrets from the environment, HTTPS everywhere.

`manage.py check --deploy` is clean with these settings.

Whether a request came over HTTPS is gunicorn's answer (`wsgi.url_scheme`), not a header's:
gunicorn sets it from `X-Forwarded-Proto` only for a connection from an address in its
`FORWARDED_ALLOW_IPS` (the proxy in front; loopback by default). So there is no
SECURE_PROXY_SSL_HEADER here: with it, Django would believe the header from anyone, and a
client talking to gunicorn directly could send `X-Forwarded-Proto: https` over plain HTTP
and be served as if over HTTPS (no redirect to HTTPS, https:// links built from its request).
"""

import os

os.environ.setdefault("DEBUG", "0")

from .base import *  # noqa: F403
from .base import env

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
