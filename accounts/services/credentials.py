"""Ending a user's access: the sessions (Django's store and their UserSession index) and
the API tokens (knox). Called when a password is changed or reset (every other session and
every token ends), when a user is deactivated (all of them end), and from the Security
pages (one at a time)."""

from importlib import import_module

from django.conf import settings
from django.db import transaction
from knox.models import get_token_model

from core.audit import AuditKind, audit

from ..models import UserSession


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_end(*, session: UserSession, request=None) -> None:
    """End one session: its data goes from Django's session store, then its index row."""
    _store()(session_key=session.session_key).delete()
    session.delete()
    audit(AuditKind.SESSION_ENDED, request=request, target=session.user)


def token_revoke(*, token, request=None) -> None:
    """Revoke one API token (a knox AuthToken row)."""
    user = token.user
    token.delete()
    audit(AuditKind.TOKEN_REVOKED, request=request, target=user, detail=token.token_key[:8])


@transaction.atomic
def user_access_end(*, user, keep_session_key: str | None = None, request=None) -> tuple[int, int]:
    """End all of `user`'s sessions (but `keep_session_key`, the one changing its own
    password) and all API tokens; returns (sessions, tokens) ended."""
    store = _store()
    sessions = UserSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    keys = list(sessions.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    sessions.delete()
    tokens, _ = get_token_model().objects.filter(user=user).delete()
    return len(keys), tokens
