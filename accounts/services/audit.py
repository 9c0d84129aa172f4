"""Writing and pruning the security audit log (accounts.models.AuditEvent)."""

import datetime as dt
import ipaddress

from django.conf import settings
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.addresses import client_address
from core.audit import AuditKind

from ..models import AuditEvent


def _name(user) -> str:
    return user.get_username() if user is not None else ""


def _current_request():
    """The request being served, when the caller had none to pass (a service called by a
    page, the API or the admin): simple-history's HistoryRequestMiddleware keeps it for
    the request's duration. None in a job or a command."""
    return getattr(HistoricalRecords.context, "request", None)


def _address(request) -> str | None:
    """The client's address, or None when there is none or it is not an address (a proxy
    misconfigured to forward "unknown"): the entry is written anyway, never refused by the
    database's address column (and the event it records with it)."""
    if request is None:
        return None
    raw = client_address(request)
    try:
        return str(ipaddress.ip_address((raw or "").strip()))
    except ValueError:
        return None


def audit_record(
    kind: AuditKind,
    *,
    request=None,
    actor=None,
    actor_name: str = "",
    target=None,
    target_name: str = "",
    detail: str = "",
) -> AuditEvent:
    """Write one entry (`core.audit.audit`'s recorder). The actor defaults to the request's
    signed-in user; the address is the request's (or, for a service called without one, the
    request being served). Names are copied now and cut to their columns' lengths, so an
    entry never fails for a long username or detail."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not actor.is_authenticated:
        actor = None  # an anonymous visitor is named by `actor_name`, if at all
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_name=(actor_name or _name(actor))[:150],
        address=_address(request if request is not None else _current_request()),
        target=target,
        target_name=(target_name or _name(target))[:200],
        detail=str(detail)[:1000],
    )


def audit_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the entries older than `AUDIT_RETENTION_DAYS` (the nightly job); returns how
    many went."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
