"""API v1 of the reviews app: review meetings (`reviews/`) and their action items (API.md).
Thin: writes go through the services; reads are everyone's with a role."""

import django_filters
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied

from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet
from scorecards.models import OrgUnit

from . import services
from .models import ActionItem, ReviewMeeting

# Review meetings ---------------------------------------------------------------------------


class ReviewMeetingSerializer(ScopedSerializer):
    """A review meeting of a unit (operational, strategy, or test and adapt), with its chair
    and attendees."""

    class Meta:
        model = ReviewMeeting
        fields = ["id", "kind", "unit", "title", "scheduled_for", "chair", "attendees", "status",
                  "approved_version"]  # fmt: skip
        read_only_fields = ["status"]
        extra_kwargs = {
            "status": {"help_text": "scheduled, held or cancelled (set in the web pages)."},
            "attendees": {"help_text": "User ids of the attendees (on update, the full list)."},
        }


class ReviewMeetingFilter(django_filters.FilterSet):
    scheduled_for = django_filters.DateFromToRangeFilter(
        help_text="On or after `scheduled_for_after`, on or before `scheduled_for_before`."
    )

    class Meta:
        model = ReviewMeeting
        fields = ["kind", "unit", "status", "chair", "attendees"]


class ReviewMeetingViewSet(ServiceViewSet):
    """Review meetings of a unit: operational reviews, strategy reviews, test and adapt."""

    queryset = ReviewMeeting.objects.prefetch_related("attendees")
    serializer_class = ReviewMeetingSerializer
    filterset_class = ReviewMeetingFilter
    ordering_fields = ["scheduled_for", "title", "kind", "status"]
    ordering = ["-scheduled_for", "id"]
    create_service = services.meeting_create
    update_service = services.meeting_update
    delete_service = services.meeting_delete


# Action items ------------------------------------------------------------------------------


class ActionItemSerializer(ScopedSerializer):
    """An action decided in a review meeting: owner, due date and status, about an
    objective if any."""

    class Meta:
        model = ActionItem
        fields = ["id", "meeting", "objective", "owner", "title", "due", "status"]
        extra_kwargs = {
            "objective": {
                "help_text": "Id of the objective it is about (of the meeting's unit or below)."
            },
        }


class ActionItemFilter(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        field_name="meeting__unit",
        queryset=OrgUnit.objects.all(),
        help_text="Action items of meetings of this unit (id).",
    )
    due = django_filters.DateFromToRangeFilter(
        help_text="Due on or after `due_after`, on or before `due_before`."
    )

    class Meta:
        model = ActionItem
        fields = ["meeting", "objective", "owner", "status"]


class ActionItemViewSet(ServiceViewSet):
    """Decisions of review meetings turned into work: owner, due date, status."""

    queryset = ActionItem.objects.all()
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    ordering_fields = ["due", "status", "title"]
    ordering = ["due", "id"]
    create_service = services.action_item_create
    update_service = services.action_item_update
    delete_service = services.action_item_delete

    def check_write(self, action, data, instance=None):
        """Its owner may mark an item done or cancelled; what the item is (title, due date,
        objective, owner, meeting) is for those who run the meeting."""
        super().check_write(action, data, instance)
        user = self.request.user
        if (
            action == "change"
            and instance is not None
            and not user.has_perm("reviews.change_reviewmeeting", instance.meeting)
        ):
            changed = sorted(
                name
                for name, value in data.items()
                if name != "status" and value != getattr(instance, name)
            )
            if changed:
                raise PermissionDenied(
                    _("As its owner you may change the status only, not: %(fields)s.")
                    % {"fields": ", ".join(changed)}
                )

    def parent(self, data, instance=None):
        """New items, and items moving to another meeting, are checked against the meeting;
        an item staying in its meeting against itself, so its owner may update it."""
        meeting = data.get("meeting")
        if instance is None:
            return meeting
        if meeting is None or meeting.pk == instance.meeting_id:
            return instance
        return meeting


ROUTES = [
    ("reviews", ReviewMeetingViewSet, "review"),
    ("action-items", ActionItemViewSet, "actionitem"),
]
