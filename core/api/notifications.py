"""API v1 of the notification inbox (core/notifications.py): the current user's notifications
only, read-only but for marking them read; and how he or she hears of each kind."""

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ..models import Notification, NotificationChannel, NotificationKind
from ..notifications import (
    inbox,
    notification_preference_set,
    notifications_read,
    preferences_of,
)


class NotificationSerializer(serializers.ModelSerializer):
    """One notification of the current user."""

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "created_at", "read_at"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "Id of the notification."},
            "kind": {"help_text": "What it is about: " + ", ".join(NotificationKind.values) + "."},
            "text": {"help_text": "What happened, in the user's language."},
            "url": {"help_text": "The path of the page it is about."},
            "created_at": {"help_text": "When it was made."},
            "read_at": {"help_text": "When it was read; null while unread."},
        }


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.ChoiceFilter(
        choices=[("1", "1"), ("true", "true"), ("0", "0"), ("false", "false")],
        method="filter_unread",
        help_text="1 (or true): only the unread ones; 0: only the read ones.",
    )

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value in ("1", "true"))

    class Meta:
        model = Notification
        fields = ["kind", "unread"]


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were unread and are now read.")


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The current user's notifications, latest first (nobody sees another's)."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generation: no user
            return Notification.objects.none()
        return inbox(self.request.user)

    @extend_schema(request=None, responses={200: NotificationSerializer}, summary="Mark read")
    @action(detail=True, methods=["post"], filter_backends=[])
    def read(self, request, pk=None):
        """Mark one notification read."""
        notification = self.get_object()
        notifications_read(actor=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses={200: ReadAllSerializer}, summary="Mark all read")
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[],
            pagination_class=None)  # fmt: skip
    def read_all(self, request):
        """Mark every notification of the current user read."""
        return Response({"marked": notifications_read(actor=request.user)})


class PreferenceSerializer(serializers.Serializer):
    """How the current user hears of one kind of notification."""

    kind = serializers.ChoiceField(
        choices=NotificationKind.choices, read_only=True, help_text="The kind of notification."
    )
    channel = serializers.ChoiceField(
        choices=NotificationChannel.choices,
        help_text="`app` (the inbox only), `email` (also an e-mail at once) or `digest` (also "
        "in the daily e-mail digest).",
    )


class NotificationPreferenceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every kind of notification with the current user's channel for it (`app` unless
    chosen); `PUT notification-preferences/{kind}/` with `{"channel"}` chooses."""

    permission_classes = [IsAuthenticated]
    serializer_class = PreferenceSerializer
    pagination_class = None
    filter_backends = []
    lookup_field = "kind"
    lookup_value_regex = "[a-z_]+"

    def get_queryset(self):
        return Notification.objects.none()  # rows are made per kind below; for the schema

    def _rows(self):
        return [
            {"kind": kind, "channel": channel}
            for kind, _label, channel in preferences_of(self.request.user)
        ]

    def list(self, request):
        return Response(self._rows())

    def retrieve(self, request, kind=None):
        row = next((r for r in self._rows() if r["kind"] == kind), None)
        if row is None:
            raise NotFound()
        return Response(row)

    @extend_schema(
        request=PreferenceSerializer,
        responses={200: PreferenceSerializer, 400: OpenApiResponse(description="No such channel.")},
    )
    def update(self, request, kind=None):
        if kind not in NotificationKind.values:
            raise NotFound()
        body = PreferenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notification_preference_set(
            actor=request.user, kind=kind, channel=body.validated_data["channel"]
        )
        return Response({"kind": kind, "channel": body.validated_data["channel"]})

    def partial_update(self, request, kind=None):
        return self.update(request, kind=kind)
