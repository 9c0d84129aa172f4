"""A person's browser sessions as the Security page lists them (accounts.models.UserSession)
and their API tokens: indexing a session at sign-in, keeping its key and `last_seen` in step
(accounts/session_middleware.py), forgetting it at sign-out; creating a token; ending
several sessions and tokens at once. Ending one is services/credentials.py's."""

import datetime as dt
import ipaddress
import time

from django.db import transaction
from django.utils import timezone
from knox.models import get_token_model
from knox.settings import knox_settings

from core.addresses import client_address
from core.audit import AuditKind, audit

from ..constants import SIGN_IN_METHOD_SESSION_KEY
from ..models import UserSession
from .credentials import session_end, token_revoke

# Kept in the session: when its `last_seen` was last written (Unix time), so a request
# costs no query at all but once every SEEN_EVERY seconds.
SEEN_KEY = "osm_seen"
SEEN_EVERY = 5 * 60


def _address(request) -> str | None:
    """The client's address if it is one (a misconfigured proxy count could hand on text)."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def _agent(request) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:300]


def session_track(*, request, user, method: str = "password") -> UserSession | None:
    """Index the session `user` just signed in with (Django's `user_logged_in`): its key,
    how (the session's SIGN_IN_METHOD_SESSION_KEY, else `method`), from where, with what."""
    session = request.session
    if session.session_key is None:  # login() flushed another user's session: give it a key
        session.save()
    if not session.session_key:
        return None
    session[SEEN_KEY] = int(time.time())
    now = timezone.now()
    row, _created = UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "method": str(session.get(SIGN_IN_METHOD_SESSION_KEY) or method or "password")[:20],
            "address": _address(request),
            "user_agent": _agent(request),
            "created_at": now,
            "last_seen": now,
        },
    )
    return row


def session_seen(*, request, user) -> bool:
    """Write the session's `last_seen` if it was written more than SEEN_EVERY seconds ago (one
    UPDATE); a signed-in session with no index row (signed in before there were any) gets
    one. Returns whether anything was written."""
    session = request.session
    key = session.session_key
    if not key:
        return False
    now = time.time()
    seen = session.get(SEEN_KEY)
    # A clock set back (time travel in the tests) waits too: nothing is lost but a write.
    if isinstance(seen, (int, float)) and now - seen < SEEN_EVERY:
        return False
    session[SEEN_KEY] = int(now)
    if not UserSession.objects.filter(session_key=key).update(last_seen=timezone.now()):
        UserSession.objects.get_or_create(
            session_key=key,
            defaults={
                "user": user,
                "method": str(session.get(SIGN_IN_METHOD_SESSION_KEY) or "")[:20],
                "address": _address(request),
                "user_agent": _agent(request),
            },
        )
    return True


def session_rekey(*, old_key: str, new_key: str) -> int:
    """Django gave the session a new key (`cycle_key`: a password change's
    update_session_auth_hash, a login over an anonymous session): the index follows."""
    if not old_key or not new_key or old_key == new_key:
        return 0
    if UserSession.objects.filter(session_key=new_key).exists():
        # A sign-in over someone else's session: login() flushed it (no sign-out), the new
        # session has its own row, the old one's session is gone.
        UserSession.objects.filter(session_key=old_key).delete()
        return 0
    return UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def session_forget(*, session_key: str | None) -> None:
    """The session was signed out (Django deletes its data itself)."""
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def token_create(*, user, request=None, days: int | None = None) -> tuple[object, str]:
    """A new API token for `user`, expiring after `days` (API_TOKEN_DAYS by default).
    Returns the stored row and the token itself, which is shown once and never stored."""
    ttl = dt.timedelta(days=days) if days else knox_settings.TOKEN_TTL
    instance, token = get_token_model().objects.create(user=user, expiry=ttl)
    audit(AuditKind.TOKEN_CREATED, request=request, target=user, detail=instance.token_key[:8])
    return instance, token


@transaction.atomic
def sessions_end_others(*, user, keep_session_key: str | None, request=None) -> int:
    """End every session of `user` but `keep_session_key` (the one asking); each is audited.
    Returns how many ended."""
    rows = UserSession.objects.filter(user=user).select_related("user")
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    ended = 0
    for row in rows:
        session_end(session=row, request=request)
        ended += 1
    return ended


@transaction.atomic
def credentials_end_all(
    *, user, request=None, keep_session_key: str | None = None
) -> tuple[int, int]:
    """End every session (but `keep_session_key`) and every API token of `user`, each one
    audited (OSM staff's "end all" on a person's Security page). Returns (sessions, tokens)."""
    sessions = sessions_end_others(user=user, keep_session_key=keep_session_key, request=request)
    tokens = 0
    for token in get_token_model().objects.filter(user=user).select_related("user"):
        token_revoke(token=token, request=request)
        tokens += 1
    return sessions, tokens
