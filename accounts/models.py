"""The security audit log (`AuditEvent`). Sign-in itself keeps its state in the libraries'
own tables: django-otp's devices, knox's tokens, Django's sessions, django-axes' attempts."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import policies
from core.audit import AuditKind
from core.scoping import Access


class AuditEvent(models.Model):
    """One security event: when, who (`actor`), from which address, what (`kind`, `detail`),
    on whom or what (`target`).

    Written only through `core.audit.audit` (accounts/services/audit.py) and never changed:
    no form, admin or API writes it, and the database refuses an UPDATE (migration 0002's
    trigger). Entries older than `AUDIT_RETENTION_DAYS` are deleted by the nightly prune.
    The names are copied when the entry is written, so the entry still reads right after a
    user is renamed or deleted; the user columns are plain ids (no foreign-key constraint,
    nothing cascades into the log).
    """

    access = Access(policies.AUDIT_LOG)

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("what"), max_length=40, choices=AuditKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("who (name)"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on whom"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    target_name = models.CharField(_("on whom or what"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["kind", "at"]), models.Index(fields=["actor_name", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.actor_name}"


class UserSession(models.Model):
    """A browser session someone signed in with, as its owner sees it on the Security page
    (and OSM staff on the user's page): where from, with what, since when, last seen.

    Django's session store keeps the session itself (whatever the engine); this row only
    indexes it by user, so a person's sessions can be listed and ended. Written at sign-in,
    its key kept in step when Django cycles it, deleted with the session it describes.
    """

    access = Access(policies.STAFF_ONLY, owner="user")

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    method = models.CharField(_("signed in with"), max_length=20, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class SSOIdentity(models.Model):
    """The provider's own, permanent name for a person (the ID token's `iss` and `sub`),
    linked to an OSM user at the first single sign-on (by e-mail address, then never again):
    a changed address at the provider still reaches the same account, and an address
    reused for someone new at the provider does not reach the old one."""

    access = Access(policies.STAFF_ONLY, owner="user")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    issuer = models.CharField(_("provider"), max_length=300)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("linked"), default=timezone.now)
    last_used = models.DateTimeField(_("last used"), default=timezone.now)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="accounts_sso_identity")
        ]

    def __str__(self):
        return f"{self.issuer} {self.subject}"
