"""API v1 `report-subscriptions/` (API.md "Files"): who receives which pack of which unit by
e-mail, weekly or monthly. Thin: writes go through reports/subscriptions.py.

Who: anyone with a role lists, adds, changes and deletes his or her own subscriptions; the
OSM staff everyone's. Naming another person as `user` is for the OSM staff only: anyone
else gets a 403 (as for any write the rules refuse), and `user` left out means oneself."""

import django_filters

from core.api.permissions import HasRulePermission
from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet

from .. import subscriptions as services
from ..models import ReportSubscription


class ReportSubscriptionSerializer(ScopedSerializer):
    """A person's standing order for a pack of a unit, by e-mail, weekly on a weekday or
    monthly on a day of the month."""

    class Meta:
        model = ReportSubscription
        fields = ["id", "user", "unit", "kind", "cadence", "day", "active", "last_sent_on"]
        read_only_fields = ["last_sent_on"]
        # One per (user, unit, kind, cadence): the service refuses a second with a message
        # (DRF's validator would also make `user`, which defaults to oneself, required).
        validators = []
        extra_kwargs = {
            "user": {
                "required": False,
                "help_text": "User id of the subscriber; default: yourself. Only the OSM staff "
                "may name someone else (403 otherwise).",
            },
            "unit": {"help_text": "Id of the org unit whose pack is sent."},
            "kind": {
                "help_text": "The pack: scorecard_pdf, unit_report_pdf, executive_deck, "
                "scorecard_xlsx or alignment_xlsx."
            },
            "cadence": {"help_text": "weekly or monthly."},
            "day": {
                "help_text": "Weekly: the ISO weekday, 1 (Monday) to 7 (Sunday). Monthly: the "
                "day of the month, 1 to 28. Another day is a 400 on `day`."
            },
            "active": {"help_text": "Whether packs are sent (false: paused)."},
            "last_sent_on": {
                "help_text": "The last due date a pack was composed for, or null (read-only)."
            },
        }


class ReportSubscriptionFilter(django_filters.FilterSet):
    user = django_filters.NumberFilter(
        field_name="user", help_text="Subscriptions of this user (id); OSM staff see everyone's."
    )
    unit = django_filters.NumberFilter(
        field_name="unit", help_text="Subscriptions to this unit (id)."
    )

    class Meta:
        model = ReportSubscription
        fields = ["user", "unit", "kind", "cadence", "active"]


class SubscriberPermission(HasRulePermission):
    """Anyone who may subscribe (anyone with a role) lists his or her own subscriptions,
    even before having any; the rows and each object are then the rules' (others' are 404
    to those who may not see them)."""

    def has_permission(self, request, view):
        user = request.user
        if user and user.is_authenticated and user.has_perm("reports.add_reportsubscription"):
            return True
        return super().has_permission(request, view)


class ReportSubscriptionViewSet(ServiceViewSet):
    """Report packs by e-mail: your subscriptions (the OSM staff: everyone's). A pack holds
    the figures of the last complete month before its due date, and is sent once per due
    date through the outbox."""

    queryset = ReportSubscription.objects.all()
    serializer_class = ReportSubscriptionSerializer
    filterset_class = ReportSubscriptionFilter
    permission_classes = [SubscriberPermission]
    ordering_fields = ["id", "unit", "kind", "cadence", "day", "last_sent_on"]
    ordering = ["id"]
    create_service = services.subscription_create
    update_service = services.subscription_update
    delete_service = services.subscription_delete

    def parent(self, data, instance=None):
        """Adding is anyone's with a role (whom for is the service's); a change is checked
        against the subscription itself, so its owner may make it."""
        return instance
