"""The admin of the outgoing-message ledger (OSM staff only, per the rules (core/policies.py))."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from rules.contrib.admin import ObjectPermissionsModelAdmin

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
