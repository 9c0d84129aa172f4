"""The admin of accounts: the audit log and the sign-in sessions, to read only (OSM staff,
per the rules). An audit entry is written by `core.audit` alone and never changed (the
database refuses an UPDATE); a session is ended from the Security pages, which also end it
in Django's session store, not by deleting its row here."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rules.contrib.admin import ObjectPermissionsModelAdmin

from .models import AuditEvent, SSOIdentity, UserSession


class ReadOnlyAdmin(ObjectPermissionsModelAdmin):
    """Seen by who may view the rows (the rules); nobody adds, changes or deletes one here,
    and every field shows as text."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The security audit log (its own page, /accounts/audit/, filters and exports it)."""

    list_display = ("at", "actor_name", "address", "kind", "target_name", "detail")
    list_filter = ("kind",)
    search_fields = ("actor_name", "target_name", "address", "detail")
    date_hierarchy = "at"
    ordering = ("-at", "-id")


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdmin):
    """Who is signed in where, with what, since when."""

    list_display = ("user", "method", "address", "created_at", "last_seen")
    list_filter = ("method",)
    search_fields = ("user__username", "address")
    list_select_related = ("user",)
    exclude = ("session_key",)  # the session's secret: a cookie's worth of access

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f != "session_key"]


@admin.register(SSOIdentity)
class SSOIdentityAdmin(ReadOnlyAdmin):
    """Which provider identity signs in as which user. Read-only, but OSM staff may delete
    a link (then the next single sign-on links by e-mail address again), e.g. when a
    provider account was re-created for the same person."""

    list_display = ("user", "issuer", "subject", "created_at", "last_used")
    search_fields = ("user__username", "subject")
    list_select_related = ("user",)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("accounts.delete_ssoidentity")


# django-otp's own admin would show each person's secret key, QR code and recovery codes to
# the OSM staff and let a device be added without the audit log: the second factor is
# managed on its own pages instead (accounts/mfa_views.py, where the OSM staff remove a lost
# one, recorded).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
