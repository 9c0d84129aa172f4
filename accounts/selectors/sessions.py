"""A person's sessions and API tokens, as the Security page and `auth/sessions/` list them:
one list, the sessions first (latest seen first), then the tokens (newest first).

A session whose last sign of life is older than SESSION_COOKIE_AGE has expired in Django's
store (each write of `last_seen` saves the session, which moves its expiry on), so it is not
listed; an expired token neither."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import get_token_model

from ..models import UserSession

SESSION_PREFIX = "session-"
TOKEN_PREFIX = "token-"


@dataclass(frozen=True)
class Credential:
    """One way someone is signed in: a browser session or an API token."""

    id: str  # "session-<pk>" or "token-<token_key>"
    kind: str  # "session" or "token"
    created: dt.datetime
    last_seen: dt.datetime | None  # sessions
    expiry: dt.datetime | None  # tokens (None: never expires)
    address: str | None
    browser: str
    method: str
    current: bool
    row: object  # the UserSession or AuthToken

    @property
    def short_key(self) -> str:
        """A token's first 8 characters, which its owner can match against the token."""
        return self.row.token_key[:8] if self.kind == "token" else ""


# (pattern, name) in the order they are tried: Edge and Opera say "Chrome" too, Chrome says
# "Safari", so the more particular come first.
BROWSERS = (
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
    (r"curl/", "curl"),
    (r"python-requests|python-httpx|Python-urllib", "Python"),
)
SYSTEMS = (
    (r"Android", "Android"),
    (r"iPhone|iPad|iPod", "iOS"),
    (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"CrOS", "ChromeOS"),
    (r"Linux", "Linux"),
)


def describe_browser(user_agent: str) -> str:
    """Say "Firefox on Linux", "Chrome on Android", or the raw string cut short if unknown."""
    agent = user_agent or ""
    browser = next((name for pattern, name in BROWSERS if re.search(pattern, agent)), "")
    system = next((name for pattern, name in SYSTEMS if re.search(pattern, agent)), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or agent[:60]


def live_sessions(user):
    """The user's sessions that may still be in use, latest seen first."""
    since = timezone.now() - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return UserSession.objects.filter(user=user, last_seen__gte=since).order_by("-last_seen", "-id")


def live_tokens(user):
    """The user's API tokens that still work, newest first."""
    model = get_token_model()
    now = timezone.now()
    return (
        model.objects.filter(user=user)
        .filter(Q(expiry__isnull=True) | Q(expiry__gt=now))
        .order_by("-created")
    )


def credentials_of(
    user, *, current_session_key: str | None = None, current_token_key: str | None = None
) -> list[Credential]:
    """Every session and token of `user` (two queries), the one making the request marked."""
    found = [
        Credential(
            id=f"{SESSION_PREFIX}{row.pk}",
            kind="session",
            created=row.created_at,
            last_seen=row.last_seen,
            expiry=None,
            address=row.address,
            browser=describe_browser(row.user_agent),
            method=row.method,
            current=bool(current_session_key) and row.session_key == current_session_key,
            row=row,
        )
        for row in live_sessions(user)
    ]
    found += [
        Credential(
            id=f"{TOKEN_PREFIX}{token.token_key}",
            kind="token",
            created=token.created,
            last_seen=None,
            expiry=token.expiry,
            address=None,
            browser="",
            method="token",
            current=bool(current_token_key) and token.token_key == current_token_key,
            row=token,
        )
        for token in live_tokens(user)
    ]
    return found


def credential_get(user, credential_id: str):
    """The session or token `credential_id` ("session-<pk>", "token-<key>") of `user`, or
    None (someone else's, ended, or no such thing)."""
    if credential_id.startswith(SESSION_PREFIX):
        pk = credential_id[len(SESSION_PREFIX) :]
        if not (pk.isascii() and pk.isdigit()) or len(pk) > 18:  # "²" is a digit too
            return None
        return live_sessions(user).select_related("user").filter(pk=int(pk)).first()
    if credential_id.startswith(TOKEN_PREFIX):
        key = credential_id[len(TOKEN_PREFIX) :]
        if not key:
            return None
        return live_tokens(user).select_related("user").filter(token_key=key).first()
    return None
