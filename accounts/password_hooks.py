"""What a new password ends: every API token and every other session of its user.

`EndAccessOnPasswordChange` sits in AUTH_PASSWORD_VALIDATORS for Django's documented hook:
after `set_password()`, every save of the user calls its `password_changed(password,
user)` — the password change and reset pages, the admin's password form, the
`changepassword` command, an invitation's set-password page alike. It validates nothing.

The page that changes the password says which event it is and which session asked
(`password_change_context`): that session survives (Django's `update_session_auth_hash`
gives it a new key, accounts/session_middleware.py moves its index row to it) and the entry
in the audit log names the page's kind (PASSWORD_CHANGED or PASSWORD_RESET) with its client
address. Without a page (the admin, the command), every session ends and the change is
audited as PASSWORD_CHANGED for an account that has signed in before; an account that never
signed in (a user being created, an invitation's first password) has nothing to end.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.audit import AuditKind, audit

from .services.credentials import user_access_end

_CONTEXT = "_osm_password_change"


@dataclass(frozen=True)
class PasswordChange:
    """What the page changing a password tells the hook."""

    kind: AuditKind
    request: object | None = None
    keep_session_key: str | None = None


def password_change_context(
    user, *, kind: AuditKind, request=None, keep_session_key: str | None = None
) -> None:
    """Called by a page before it saves `user`'s new password."""
    setattr(user, _CONTEXT, PasswordChange(kind, request, keep_session_key))


class EndAccessOnPasswordChange:
    """Not a rule on passwords: ends the user's tokens and other sessions after a change."""

    def validate(self, password, user=None):
        return None

    def get_help_text(self):
        return ""

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        change = user.__dict__.pop(_CONTEXT, None)
        if change is None and user.last_login is None:
            # A new account's first password: never signed in, it has no session or token
            # (signing in, by a page or for a token, sets last_login).
            return
        kind = change.kind if change else AuditKind.PASSWORD_CHANGED
        sessions, tokens = user_access_end(
            user=user, keep_session_key=change.keep_session_key if change else None
        )
        audit(
            kind,
            request=change.request if change else None,
            target=user,
            detail=f"{sessions} other sessions and {tokens} API tokens ended",
        )
