"""The sign-in events Django and django-axes announce, written to the audit log. Connected
in `AccountsConfig.ready()`; each receiver only records (no other logic rides on them)."""

from django.contrib.auth import signals as auth_signals
from django.utils.translation import gettext_noop

from core.audit import AuditKind, audit

from .lockout import lockout_counted


def _method(user) -> str:
    backend = getattr(user, "backend", "") or ""
    return "sso" if backend.endswith("SSOBackend") else "password"


def logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    via = _method(user)
    api = request.path.startswith("/api/")
    detail = gettext_noop("API token") if api else via
    kind = AuditKind.LOGIN_SSO if via == "sso" else AuditKind.LOGIN
    audit(kind, request=request, actor=user, target=user, detail=detail)


def login_failed(sender, credentials, request=None, **kwargs):
    # Django cleanses the password out of `credentials`; the username is what was typed.
    username = str(credentials.get("username") or "")
    audit(AuditKind.LOGIN_FAILED, request=request, actor_name=username, target_name=username)


def logged_out(sender, request, user, **kwargs):
    if user is not None and request is not None:
        audit(AuditKind.LOGOUT, request=request, actor=user, target=user)


def locked_out(sender, request, username, ip_address, **kwargs):
    lockout_counted(username=username or "", address=ip_address)
    audit(
        AuditKind.LOCKED_OUT,
        request=request,
        actor_name=username or "",
        target_name=username or "",
        detail=f"{ip_address}",
    )


def connect() -> None:
    from axes.signals import user_locked_out

    auth_signals.user_logged_in.connect(logged_in, dispatch_uid="accounts-audit-login")
    auth_signals.user_login_failed.connect(login_failed, dispatch_uid="accounts-audit-failed")
    auth_signals.user_logged_out.connect(logged_out, dispatch_uid="accounts-audit-logout")
    user_locked_out.connect(locked_out, dispatch_uid="accounts-audit-locked-out")
