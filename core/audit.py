"""The security audit log's door for every app (DESIGN.md: the log itself lives in
`accounts`, which nothing imports). An app below it names what happened with `audit(...)`;
`accounts` registers the one recorder in its `ready()`, which writes the entry in the
caller's transaction. With no recorder registered (an app used on its own), nothing is
written: the audit log is then simply not installed.

Kinds are a closed list so the log's page can filter on them and a reader knows every
entry's meaning; a new kind is added here (and translated), never made up at a call site.
"""

from collections.abc import Callable

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    """What an audit entry records."""

    LOGIN = "login", _("Signed in")
    LOGIN_SSO = "login_sso", _("Signed in through single sign-on")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    SSO_FAILED = "sso_failed", _("Single sign-on refused")
    LOCKED_OUT = "locked_out", _("Locked out")
    UNLOCKED = "unlocked", _("Unlocked")
    LOGOUT = "logout", _("Signed out")
    MFA_ENROLLED = "mfa_enrolled", _("Second factor set up")
    MFA_REMOVED = "mfa_removed", _("Second factor removed")
    MFA_FAILED = "mfa_failed", _("Second factor refused")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset asked for")
    PASSWORD_RESET = "password_reset", _("Password reset")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    SESSION_ENDED = "session_ended", _("Session ended")
    ROLES_CHANGED = "roles_changed", _("Roles changed")
    HEAD_CHANGED = "head_changed", _("Unit head changed")
    USER_INVITED = "user_invited", _("User invited")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    USER_REACTIVATED = "user_reactivated", _("User reactivated")
    MONTH_CLOSED = "month_closed", _("Month closed")
    MONTH_REOPENED = "month_reopened", _("Month reopened")
    PAY_DATA_DOWNLOADED = "pay_data_downloaded", _("Pay data downloaded")


# recorder(kind, *, request, actor, actor_name, target, target_name, detail)
Recorder = Callable[..., None]
_recorders: list[Recorder] = []


def register_audit_recorder(recorder: Recorder) -> None:
    """Called once by `accounts` in its `ready()`."""
    if recorder not in _recorders:
        _recorders.append(recorder)


def audit(
    kind: AuditKind,
    *,
    request=None,
    actor=None,
    actor_name: str = "",
    target=None,
    target_name: str = "",
    detail: str = "",
) -> None:
    """Record a security event: `actor` (a user; by default the request's) did `kind` on
    `target` (a user, or a thing named by `target_name`), from the request's client address.
    `actor_name` names an actor with no account (a failed login's username)."""
    for recorder in _recorders:
        recorder(
            kind,
            request=request,
            actor=actor,
            actor_name=actor_name,
            target=target,
            target_name=target_name,
            detail=detail,
        )
