"""The admin of budget lines (permissions from core/rules.py; see core/admin_kit.py)."""

from django.contrib import admin

from core.admin_kit import TrackedAdmin

from .models import BudgetLine


@admin.register(BudgetLine)
class BudgetLineAdmin(TrackedAdmin):
    """Budget lines of a fiscal year; a STRATEX line must name its initiative (model clean)."""

    list_display = (
        "fiscal_year",
        "unit",
        "category",
        "label",
        "planned",
        "actual",
        "objective",
        "initiative",
    )
    list_display_links = ("label",)
    list_select_related = ("unit", "objective", "initiative")
    list_filter = ("fiscal_year", "category", "unit__kind")
    search_fields = (
        "label",
        "unit__code",
        "unit__name",
        "objective__code",
        "initiative__code",
        "initiative__name",
    )
    autocomplete_fields = ("unit", "objective", "initiative")
