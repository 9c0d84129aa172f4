"""API v1 of announcements (API.md "Communication"): `announcements/` lists what the user may
see with `read` (whether he or she has read each), publishes one (the OSM staff; a unit head
to a unit of his or her subtree, 403 elsewhere), changes and withdraws it;
`announcements/{id}/read/` marks one read; `announcements/{id}/reach/` is the read share by
unit, for its author and the OSM staff (403 for anyone else). Thin: writes go through
communication/services/announcements.py."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet

from ..models import Announcement
from ..selectors.announcements import (
    addressed_to_unit,
    employee_unit_id,
    reach_of,
    sees_reach,
    with_read,
)
from ..services import announcements as services

_VIEW = "communication.view_announcement"


class AnnouncementSerializer(ScopedSerializer):
    """An announcement to a unit and every unit below it (its body in Markdown, shown
    sanitised), with whether the current user has read it."""

    read = serializers.BooleanField(
        read_only=True,
        help_text="Whether the current user has read it (opened its page, or marked it read).",
    )

    class Meta:
        model = Announcement
        fields = ["id", "unit", "title", "body", "objectives", "published_at", "author", "read"]
        read_only_fields = ["published_at", "author"]
        extra_kwargs = {
            "id": {"help_text": "Id of the announcement."},
            "unit": {
                "help_text": "Id of the unit it is addressed to: it reaches the people of "
                "this unit and of every unit below it."
            },
            "title": {"help_text": "Its title."},
            "body": {"help_text": "Its text (Markdown; raw HTML is not rendered)."},
            "objectives": {"help_text": "Ids of the objectives it is about (optional)."},
            "published_at": {"help_text": "When it was published."},
            "author": {"help_text": "User id of who published it (null if deleted)."},
        }


class AnnouncementFilter(django_filters.FilterSet):
    unit = django_filters.NumberFilter(field_name="unit_id", help_text="Id of the unit addressed.")
    read = django_filters.BooleanFilter(
        method="filter_read",
        help_text="true: only those the current user has read; false: only the unread ones.",
    )
    addressed = django_filters.BooleanFilter(
        method="filter_addressed",
        help_text="true: only those addressed to the current user (to the unit of his or her "
        "employee record or a unit above it; none without one).",
    )

    author = django_filters.NumberFilter(field_name="author_id", help_text="User id of its author.")

    class Meta:
        model = Announcement
        fields = ["unit", "read", "addressed", "author"]

    def filter_read(self, queryset, name, value):
        return queryset.filter(read=value)

    def filter_addressed(self, queryset, name, value):
        if not value:
            return queryset
        unit_id = employee_unit_id(self.request.user)
        return addressed_to_unit(queryset, unit_id) if unit_id else queryset.none()


class AnnouncementUnitReachSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Id of the unit.")
    code = serializers.CharField(help_text="Code of the unit.")
    readers = serializers.IntegerField(
        help_text="People of this unit (not of the units below it) who have read it."
    )
    audience = serializers.IntegerField(
        help_text="People of this unit (not of the units below it) it reaches: active logins "
        "linked to an active employee record."
    )


class AnnouncementReachSerializer(serializers.Serializer):
    readers = serializers.IntegerField(help_text="People of its audience who have read it.")
    audience = serializers.IntegerField(
        help_text="People it reaches: active logins linked to an active employee record of its "
        "unit or of a unit below it."
    )
    units = AnnouncementUnitReachSerializer(
        many=True,
        help_text="Each unit of the subtree (the unit first, then depth first), its own people "
        "only: the units' figures sum to the totals.",
    )


class MayRead(permissions.BasePermission):
    """Marking an announcement read: whoever may see it (a read, not a write)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(_VIEW))

    def has_object_permission(self, request, view, obj):
        return request.user.has_perm(_VIEW, obj)


class AnnouncementViewSet(ServiceViewSet):
    """Announcements, latest first, with `read` for the current user. Everyone with a role
    reads them; the OSM staff and unit heads (for their subtree) publish, change and delete
    them. Publishing tells its audience in the inbox."""

    queryset = Announcement.objects.prefetch_related("objectives")
    serializer_class = AnnouncementSerializer
    filterset_class = AnnouncementFilter
    ordering_fields = ["published_at", "id"]
    ordering = ["-published_at", "-id"]
    create_service = services.announcement_publish
    update_service = services.announcement_update
    delete_service = services.announcement_delete

    def get_queryset(self):
        return with_read(super().get_queryset(), self.request.user)

    def get_permissions(self):
        if self.action == "read":
            return [MayRead()]
        return super().get_permissions()

    def _reloaded(self, announcement: Announcement) -> Announcement:
        """The row as the list reads it (with `read`), after a write."""
        return self.get_queryset().get(pk=announcement.pk)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        serializer.instance = self._reloaded(serializer.instance)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        serializer.instance = self._reloaded(serializer.instance)

    @extend_schema(request=None, responses={200: AnnouncementSerializer}, summary="Mark read")
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def read(self, request, pk=None):
        """Mark the announcement read by the current user (as opening its page does); marking
        it again changes nothing. Its inbox notification is marked read too."""
        announcement = self.get_object()
        services.announcement_read(actor=request.user, announcement=announcement)
        return Response(self.get_serializer(self._reloaded(announcement)).data)

    @extend_schema(
        responses={
            200: AnnouncementReachSerializer,
            403: OpenApiResponse(description="Neither its author nor OSM staff."),
        },
        summary="Read share by unit",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def reach(self, request, pk=None):
        """How many of the people it reaches have read it, in all and unit by unit; for its
        author and the OSM staff."""
        announcement = self.get_object()
        if not sees_reach(request.user, announcement):
            raise PermissionDenied(
                _("Only its author and the OSM staff see who has read an announcement.")
            )
        return Response(AnnouncementReachSerializer(reach_of(announcement)).data)


ROUTES = [("announcements", AnnouncementViewSet, "announcement")]
PATHS = []
