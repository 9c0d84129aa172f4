"""`SessionIndexMiddleware`: keeps a signed-in session's index row (accounts.models.
UserSession, listed on the Security page) in step with the session itself, after the view
has run:

- when Django gave the session a new key during the request (a password change's
  `update_session_auth_hash`, a rotated secret), the row takes the new key;
- `last_seen` is written at most once every five minutes per session (one UPDATE; the time
  of the last write is kept in the session, so other requests cost no query).

Signing in and out index and forget the session (accounts/receivers.py). Listed after
Django's AuthenticationMiddleware.
"""

from django.contrib.auth import SESSION_KEY

from .services.sessions import session_rekey, session_seen


class SessionIndexMiddleware:
    """Keeps the session's index row's key and last-seen time in step (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        # The key the request came with (read before the view may cycle it; no query).
        key_before = session.session_key if session is not None else None
        response = self.get_response(request)
        if session is None or not session.session_key:
            return response  # no session, or it was signed out (flushed)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if session.get(SESSION_KEY) != str(user.pk):
            return response  # signed in by an API token, not by this session
        if key_before and key_before != session.session_key:
            session_rekey(old_key=key_before, new_key=session.session_key)
        session_seen(request=request, user=user)
        return response
