"""Writing and pruning the security audit log (accounts.models.AuditEvent)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from core.addresses import client_address
from core.audit import AuditKind

from ..models import AuditEvent


def _name(user) -> str:
    return user.get_username() if user is not None else ""


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
    signed-in user; names are copied now and cut to their columns' lengths, so an entry
    never fails for a long username or detail."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_name=(actor_name or _name(actor))[:150],
        address=client_address(request) if request is not None else None,
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
