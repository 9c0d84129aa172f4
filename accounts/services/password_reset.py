"""Asking for a password reset by e-mail (Django's reset flow, accounts/security_views.py).

The requester is told the same whatever happens: whether an account has that address, and
whether its own limit was reached. Limits, counted in the cache (shared by every web
instance) over fixed windows: PASSWORD_RESET_RATE_PER_ADDRESS requests per client address
(over it, the page answers 429 and nothing is looked up) and PASSWORD_RESET_RATE_PER_ACCOUNT
mails per account, whatever the address (over it, no mail is sent; the audit log says so).

The mail is queued (core.jobs.enqueue, after commit) and composed by the worker
(accounts/security_tasks.py), which makes the one-time link: the request takes about as
long for an unknown address as for a known one, and the link is never stored.
"""

from __future__ import annotations

import hashlib
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from core.audit import AuditKind, audit
from core.jobs import enqueue

MAIL_TASK = "accounts.security_tasks.password_reset_mail"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """Read a rate: "5/h" is (5, 3600), requests per seconds (s, m, h, d as in DRF)."""
    count, _sep, period = str(rate).partition("/")
    return int(count), PERIODS[period.strip()[:1].lower()]


def _counted(key: str, rate: str) -> bool:
    """Count one more in `key`'s window; whether it is still within `rate`."""
    limit, seconds = parse_rate(rate)
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count <= limit


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def password_reset_address_allowed(*, address: str | None) -> bool:
    """Count a reset request from `address`; False once over PASSWORD_RESET_RATE_PER_ADDRESS."""
    key = "osm:password-reset:address:" + _digest(address or "")
    return _counted(key, settings.PASSWORD_RESET_RATE_PER_ADDRESS)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _same(a: str, b: str) -> bool:
    return _folded(a) == _folded(b)


def reset_accounts(email: str) -> list:
    """The accounts a reset of `email` is for (as Django's PasswordResetForm.get_users):
    active, with a usable password (a single sign-on account has none), the address matched
    without regard to case. With password sign-in switched off (PASSWORD_LOGIN), only the
    break-glass accounts sign in with a password, so only they may reset one."""
    model = get_user_model()
    field = model.get_email_field_name()
    candidates = model._default_manager.filter(**{f"{field}__iexact": email, "is_active": True})
    found = [
        user
        for user in candidates
        if user.has_usable_password() and _same(email, getattr(user, field) or "")
    ]
    if not settings.PASSWORD_LOGIN:
        found = [u for u in found if u.get_username() in settings.BREAK_GLASS_USERNAMES]
    return found


@transaction.atomic
def password_reset_request(*, email: str, request=None, language: str = "") -> int:
    """Someone asked for a reset link for `email`: a mail is queued for each account with
    that address still within PASSWORD_RESET_RATE_PER_ACCOUNT; each request is audited (on
    the account when there is one). Returns how many mails were queued (never shown to the
    requester)."""
    accounts = reset_accounts(email)
    if not accounts:
        audit(
            AuditKind.PASSWORD_RESET_REQUESTED,
            request=request,
            target_name=email[:200],
            detail="no account with this address",
        )
        return 0
    queued = 0
    for user in accounts:
        key = f"osm:password-reset:account:{user.pk}"
        if _counted(key, settings.PASSWORD_RESET_RATE_PER_ACCOUNT):
            enqueue(MAIL_TASK, user.pk, language)
            queued += 1
            detail = "link sent"
        else:
            detail = "limit for this account reached: no mail sent"
        audit(AuditKind.PASSWORD_RESET_REQUESTED, request=request, target=user, detail=detail)
    return queued
