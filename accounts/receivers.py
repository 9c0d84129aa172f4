"""The sign-in events Django and django-axes announce: each written to the audit log, and a
web sign-in's session indexed for the Security page (accounts/services/sessions.py).
Connected in `AccountsConfig.ready()`; the receivers only record (the rules are in the
services they call)."""

from django.contrib.auth import signals as auth_signals
from django.utils.translation import gettext_noop

from core.addresses import client_address
from core.audit import AuditKind, audit

from .lockout import lockout_counted, lockouts_forgotten
from .services.sessions import session_forget, session_track


def _method(user) -> str:
    backend = getattr(user, "backend", "") or ""
    return "sso" if backend.endswith("SSOBackend") else "password"


def _is_api(request) -> bool:
    return (getattr(request, "path", "") or "").startswith("/api/")


def logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    via = _method(user)
    api = _is_api(request)
    detail = gettext_noop("API token") if api else via
    kind = AuditKind.LOGIN_SSO if via == "sso" else AuditKind.LOGIN
    audit(kind, request=request, actor=user, target=user, detail=detail)
    # A success from the pair ends its progressive lockouts (django-axes forgets its failures).
    lockouts_forgotten(username=user.get_username(), address=client_address(request))
    if not api and hasattr(request, "session"):
        session_track(request=request, user=user, method=via)


def login_failed(sender, credentials, request=None, **kwargs):
    # Django cleanses the password out of `credentials`; the username is what was typed.
    username = str(credentials.get("username") or "")
    audit(AuditKind.LOGIN_FAILED, request=request, actor_name=username, target_name=username)


def logged_out(sender, request, user, **kwargs):
    if request is None:
        return
    if hasattr(request, "session"):
        session_forget(session_key=request.session.session_key)
    if user is not None:
        audit(AuditKind.LOGOUT, request=request, actor=user, target=user)


def locked_out(sender, request, username, ip_address, **kwargs):
    number = lockout_counted(username=username or "", address=ip_address)
    if number is None:
        return  # a failure during the lockout only extends it (its failure is audited)
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
