"""The admin of the outgoing-message ledger (OSM staff only, per the rules (core/policies.py)),
and of users, where only superusers grant superuser or staff status."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from rules.contrib.admin import ObjectPermissionsModelAdmin

from .audit import AuditKind, audit
from .models import OutgoingMessage, QueuedTask


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(ObjectPermissionsModelAdmin):
    """Read-mostly: jobs write the ledger, people only read it. Nothing is added or edited
    here (a row claims a message for its job); a row may be deleted, which lets the next
    run of its job send that message again."""

    list_display = ("created_at", "kind", "recipient", "subject_key", "period", "status", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("recipient", "subject_key", "kind")
    date_hierarchy = "period"
    readonly_fields = (
        "kind",
        "recipient",
        "subject_key",
        "period",
        "status",
        "sent_at",
        "user",
        "error",
        "created_at",
        "updated_at",
        "attached",
    )
    # A report pack's attachment is hundreds of kB of base64: named, not shown.
    exclude = ("attachments",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            return queryset.defer("body", "html", "attachments")
        return queryset

    @admin.display(description=_("attachments"))
    def attached(self, obj) -> str:
        """Each attachment's name and size."""
        return ", ".join(
            f"{a.get('name', '?')} ({len(a.get('content', '')):,} characters)"
            for a in obj.attachments
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QueuedTask)
class QueuedTaskAdmin(ObjectPermissionsModelAdmin):
    """Jobs that waited for the broker (Redis down) and when they were handed over; read
    only: the relay hands them over by itself once Redis answers."""

    list_display = ("created_at", "name", "status", "attempts", "sent_at")
    list_filter = ("status", "name")
    readonly_fields = (
        "task_id", "name", "args", "kwargs", "status", "created_at", "sent_at", "attempts",
        "error",
    )  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OSMUserAdmin(UserAdmin):
    """Django's user admin, where only a superuser grants superuser or staff status or a
    single permission: OSM staff manage people's details, roles (groups) and whether they
    are active, and cannot make anyone (themselves included) a superuser (issue 18, from
    the security review of release 1). A superuser's account is changed (password
    included) or deleted by a superuser only, so OSM staff cannot take one over; whether
    someone is active is set on the Users page (accounts), which ends the sessions and
    tokens and records it, not here."""

    GUARDED = ("is_superuser", "is_staff", "user_permissions", "is_active")

    def _guards(self, request, obj) -> bool:
        """Whether `obj` is a superuser the requester (not one) must not change or delete."""
        return obj is not None and obj.is_superuser and not request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return not self._guards(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._guards(request, obj) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else (*fields, *self.GUARDED)

    def save_related(self, request, form, formsets, change):
        """Roles given or taken here go to the security audit log: "+Executive" for a role
        given, the role's name after a minus sign (U+2212) for one taken."""
        user = form.instance
        before = set(user.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(user.groups.values_list("name", flat=True))
        if before != after:
            changes = [f"+{name}" for name in sorted(after - before)]
            changes += [f"\u2212{name}" for name in sorted(before - after)]
            audit(AuditKind.ROLES_CHANGED, request=request, target=user, detail=" ".join(changes))


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), OSMUserAdmin)
