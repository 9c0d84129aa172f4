"""API v1's strategy versions (API.md "Strategy versions"): `strategy-versions/` publishes a
frozen copy of a unit's live map (create), renames it or changes its note (update: the
content never changes) and withdraws it; `strategy-versions/compare/?a=&b=&unit=` compares
two versions, or a version and the live map (`b=live`)."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet
from core.clock import current_fiscal_year
from core.scoping import restrict

from .. import services
from ..models import OrgUnit, StrategyVersion
from ..selectors.versions import live_content
from ..versions import compare


class StrategyVersionSerializer(ScopedSerializer):
    """A published version of a unit's strategy map (its content in the detail read)."""

    fiscal_year = serializers.IntegerField(
        required=False, min_value=1900, max_value=2999,
        help_text="Whose targets the version holds (default: the current fiscal year); "
        "set when published.",
    )  # fmt: skip

    class Meta:
        model = StrategyVersion
        fields = ["id", "unit", "name", "note", "fiscal_year", "published_at", "published_by"]
        read_only_fields = ["published_at", "published_by"]
        extra_kwargs = {
            "published_at": {"help_text": "When it was published."},
            "published_by": {"help_text": "Who published it (user id; null if deleted)."},
        }
        validators = []  # unique (unit, name): checked below, naming the field

    def validate(self, attrs):
        if self.instance is not None:
            for field in ("unit", "fiscal_year"):
                given = attrs.get(field)
                stored = getattr(self.instance, field)
                if field in attrs and getattr(given, "pk", given) != getattr(stored, "pk", stored):
                    raise ValidationError({field: [_("A published version keeps its %(field)s.")
                                                   % {"field": field}]})  # fmt: skip
        unit, name = self.current(attrs, "unit"), self.current(attrs, "name")
        if unit is not None:
            taken = StrategyVersion.objects.filter(unit=unit, name=name)
            self.refuse_taken(taken, "name", _("This unit already has a version with this name."))
        return attrs


class StrategyVersionDetailSerializer(StrategyVersionSerializer):
    content = serializers.JSONField(
        read_only=True,
        help_text="The frozen map: perspectives, themes, objectives (code, name, perspective, "
        "theme, weight, supports), links ([cause, effect]) and measures (code, objective, "
        "name, polarity, frequency, weight, targets by YYYY-MM); codes as UNITCODE.CODE.",
    )

    class Meta(StrategyVersionSerializer.Meta):
        fields = [*StrategyVersionSerializer.Meta.fields, "content"]


class StrategyVersionFilter(django_filters.FilterSet):
    class Meta:
        model = StrategyVersion
        fields = ["unit"]


class CompareSerializer(serializers.Serializer):
    objectives = serializers.JSONField(help_text="added, removed (codes), changed.")
    links = serializers.JSONField(help_text="added, removed ([cause, effect]).")
    measures = serializers.JSONField(help_text="added, removed (codes), changed.")


class StrategyVersionViewSet(ServiceViewSet):
    """Published versions of units' strategy maps; `compare/` answers what changed."""

    queryset = StrategyVersion.objects.select_related("published_by")
    serializer_class = StrategyVersionSerializer
    filterset_class = StrategyVersionFilter
    ordering_fields = ["published_at", "name", "id"]
    ordering = ["-published_at", "-id"]
    create_service = services.strategy_version_publish
    update_service = services.strategy_version_update
    delete_service = services.strategy_version_delete

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset if self.action == "retrieve" else queryset.defer("content")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return StrategyVersionDetailSerializer
        return super().get_serializer_class()

    def perform_update(self, serializer):
        serializer.validated_data.pop("unit", None)
        serializer.validated_data.pop("fiscal_year", None)
        super().perform_update(serializer)

    def _content(self, key: str, unit_id: str | None) -> dict:
        if key == "live":
            if not unit_id or not unit_id.isdigit():
                raise ValidationError({"unit": [_("Name the unit whose live map to compare.")]})
            unit = get_object_or_404(restrict(OrgUnit.objects.all(), self.request.user),
                                     pk=int(unit_id))  # fmt: skip
            return live_content(unit, current_fiscal_year())
        if not key.isdigit():
            raise ValidationError({"version": [_("A version id, or live.")]})
        version = get_object_or_404(restrict(StrategyVersion.objects.all(), self.request.user),
                                    pk=int(key))  # fmt: skip
        return version.content

    @extend_schema(
        parameters=[
            OpenApiParameter("a", str, required=True, description="The older: a version id."),
            OpenApiParameter(
                "b",
                str,
                required=True,
                description="The newer: a version id, or live (the unit's map as "
                "it stands; give unit).",
            ),
            OpenApiParameter("unit", int, description="The unit, with b=live."),
        ],
        responses=CompareSerializer,
        summary="Compare two strategy versions, or a version and the live map",
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def compare(self, request):
        a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
        missing = {name: [_("This parameter is required.")] for name, v in (("a", a), ("b", b))
                   if not v}  # fmt: skip
        if missing:
            raise ValidationError(missing)
        unit = request.query_params.get("unit")
        try:
            older = self._content(a, unit)
        except ValidationError as exc:
            raise ValidationError({"a": exc.detail.get("version", exc.detail)}) from None
        newer = self._content(b, unit)
        return Response(compare(older, newer))
