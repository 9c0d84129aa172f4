"""The admin of report subscriptions (permissions from core/rules.py; see core/admin_kit.py):
the OSM staff see and manage everyone's."""

from django.contrib import admin

from core.admin_kit import RulesAdmin

from .models import ReportSubscription


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(RulesAdmin):
    """Who receives which pack of which unit, when; `last_sent_on` is the job's."""

    list_display = ("user", "unit", "kind", "cadence", "day", "active", "last_sent_on")
    list_display_links = ("user", "unit")
    list_select_related = ("user", "unit")
    list_filter = ("active", "kind", "cadence")
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__code",
                     "unit__name")  # fmt: skip
    autocomplete_fields = ("user", "unit")
    readonly_fields = ("last_sent_on", "created_at", "updated_at")
