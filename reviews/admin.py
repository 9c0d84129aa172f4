"""The admin of review meetings and their action items (permissions from the rules;
the building blocks are core/admin_kit.py's)."""

from django import forms
from django.contrib import admin

from core.admin_kit import RulesAdmin, RulesTabularInline

from .models import ActionItem, CalendarEvent, ReviewMeeting


class ActionItemForm(forms.ModelForm):
    """An action item's objective must be of the meeting's unit or a unit below it:
    `ActionItem.clean` checks it against the meeting on the form, saved or not."""

    class Meta:
        model = ActionItem
        fields = ("meeting", "title", "objective", "owner", "due", "status")


class ActionItemInline(RulesTabularInline):
    """The meeting's action items. Editing them here is for whoever may change the meeting:
    an item's owner edits his or her own item on its own page (the `owns_action_item` rule
    is about one item, not a meeting's list)."""

    model = ActionItem
    form = ActionItemForm
    fields = ("title", "objective", "owner", "due", "status")
    autocomplete_fields = ("objective", "owner")

    def has_change_permission(self, request, obj=None):
        if isinstance(obj, ReviewMeeting):
            return request.user.has_perm("reviews.change_reviewmeeting", obj)
        return super().has_change_permission(request, obj)


@admin.register(ReviewMeeting)
class ReviewMeetingAdmin(RulesAdmin):
    """Review meetings of a unit with their decisions as action items."""

    list_display = ("title", "kind", "unit", "scheduled_for", "chair", "status")
    list_select_related = ("unit", "chair")
    list_filter = ("kind", "status", "unit__kind")
    search_fields = ("title", "unit__code", "unit__name", "minutes")
    date_hierarchy = "scheduled_for"
    autocomplete_fields = ("unit", "chair", "attendees")
    exclude = ("approved_version",)  # set when a strategy review is held (its page, the API)
    inlines = (ActionItemInline,)


@admin.register(ActionItem)
class ActionItemAdmin(RulesAdmin):
    form = ActionItemForm
    list_display = ("title", "meeting", "objective", "owner", "due", "status")
    list_select_related = ("meeting", "objective", "owner")
    list_filter = ("status", "meeting__kind")
    search_fields = ("title", "meeting__title", "objective__code", "owner__username")
    date_hierarchy = "due"
    autocomplete_fields = ("meeting", "objective", "owner")


@admin.register(CalendarEvent)
class CalendarEventAdmin(RulesAdmin):
    """The steps of the units' strategy calendars."""

    list_display = ("title", "kind", "unit", "starts_on", "ends_on")
    list_select_related = ("unit",)
    list_filter = ("kind", "unit__kind")
    search_fields = ("title", "unit__code", "unit__name", "notes")
    date_hierarchy = "starts_on"
    autocomplete_fields = ("unit",)
