"""gunicorn's access log without password reset tokens: `gunicorn --logger-class
accounts.access_log.TokenRedactingLogger`.

The link in a password reset mail carries a one-time token in its path
(`/accounts/reset/<uid>/<token>/`), as does an invitation's
(`/accounts/users/invitation/<uid>/<token>/`). Django's confirmation view moves it into the
session at that first request and redirects to `.../<uid>/set-password/`, so no later
address (nor a Referer) holds it; only the access line of that first request would, and
this logger writes it with the token replaced by `[token]`. The app itself logs no request
that succeeds (django.request logs 4xx and 5xx answers, and the confirmation answers 302,
or 200 for a link that no longer works, whose token is then useless).
"""

import re

from gunicorn.glogging import Logger

# A password reset's link, and an invitation's (accounts/users_urls.py), which works alike.
RESET_PATH = re.compile(
    r"(/accounts/(?:reset|users/invitation)/[^/\s?]+/)(?!set-password/)[^/\s?]+"
)
REDACTED = r"\1[token]"


def redact(text):
    """`text` with the token of any password reset link replaced by `[token]`."""
    return RESET_PATH.sub(REDACTED, text) if isinstance(text, str) else text


class TokenRedactingLogger(Logger):
    """gunicorn's logger, its access line's request, path and referrer redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "U", "f", "{raw_uri}e", "{path_info}e", "{http_referer}e"):
            if name in atoms:
                atoms[name] = redact(atoms[name])
        for name in [key for key in atoms if key.endswith("}i") and "referer" in key]:
            atoms[name] = redact(atoms[name])
        return atoms
