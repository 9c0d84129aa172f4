"""API v1 of the security audit log (API.md "Users and audit"): `GET audit-events/` and
`audit-events/{id}/` for OSM staff, newest first, filtered as the page is
(`?kind=&actor=&actor_contains=&target=&after=&before=&address=`); `?format=csv` gives the
same entries as a CSV file. Read-only: every other method answers 405, for nobody writes or
changes an entry."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from ..audit_export import audit_csv_response
from ..filters import AuditEventFilter
from ..models import AuditEvent
from ..selectors.audit import audit_events

VIEW = "accounts.view_auditevent"


class MayReadAuditLog(BasePermission):
    """OSM staff, whatever the method: a write is then refused as a method the resource
    does not have (405), not as a permission."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(VIEW))


class CsvRenderer(BaseRenderer):
    """Lets `?format=csv` choose the file; the view answers the file itself."""

    media_type = "text/csv"
    format = "csv"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class AuditEventSerializer(serializers.ModelSerializer):
    """One entry of the audit log; the names are as they were when it was written."""

    actor = serializers.CharField(
        source="actor_name",
        read_only=True,
        help_text="Who did it: the username (as typed, for a failed sign-in); empty for the "
        "system.",
    )
    target = serializers.CharField(
        source="target_name",
        read_only=True,
        help_text="On whom or what: a username, a month (YYYY-MM), a unit...",
    )

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "kind", "actor", "address", "target", "detail"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "Id of the entry."},
            "at": {"help_text": "When it happened."},
            "kind": {"help_text": "What happened."},
            "address": {"help_text": "The client's address; null when there was no request."},
            "detail": {"help_text": "More about it: a method, a reason, a change of roles..."},
        }


NOT_STAFF = OpenApiResponse(description="You are not OSM staff.")
FORMAT = OpenApiParameter(
    "format",
    str,
    enum=["csv"],
    description="csv: the entries matching the filters as a CSV file (all of them, newest "
    "first, not paginated; answered with Content-Disposition: attachment).",
)


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The security audit log (OSM staff): sign-ins, lockouts, second factors, passwords,
    tokens, roles and heads, invitations, deactivations, months closed and reopened,
    downloads of pay data. Newest first."""

    permission_classes = [MayReadAuditLog]
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    ordering_fields = ["at", "id"]
    ordering = ["-at", "-id"]
    queryset = audit_events()

    def get_renderers(self):
        return [*super().get_renderers(), CsvRenderer()]

    def perform_content_negotiation(self, request, force=False):
        wanted = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
        if wanted and wanted not in ("csv", "json", "api") and not force:
            raise ValidationError({"format": [_("Choose one of: csv, json.")]})
        return super().perform_content_negotiation(request, force=force)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Errors (and one entry) are answered in JSON whatever the format asked.
        if isinstance(response, Response) and isinstance(
            getattr(response, "accepted_renderer", None), CsvRenderer
        ):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return response

    @extend_schema(
        summary="The audit log",
        parameters=[FORMAT],
        responses={
            (200, "application/json"): AuditEventSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="A bad filter, with field messages."),
            403: NOT_STAFF,
        },
    )
    def list(self, request, *args, **kwargs):
        if request.query_params.get(api_settings.URL_FORMAT_OVERRIDE) == "csv":
            return audit_csv_response(self.filter_queryset(self.get_queryset()))
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="One entry of the audit log",
        parameters=[OpenApiParameter("format", exclude=True)],  # one entry is JSON only
        responses={
            (200, "application/json"): AuditEventSerializer,
            403: NOT_STAFF,
            404: OpenApiResponse(description="There is no such entry (or it was pruned)."),
        },
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


ROUTES = [("audit-events", AuditEventViewSet, "audit-event")]
PATHS: list = []
