"""API v1 of the reporting cycle's months (`reporting-periods/`): everyone with a role reads
which months are closed, with every closing and reopening; OSM staff close a month and
reopen one with a reason, through the services the Reporting months page calls."""

import datetime as dt

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.permissions import HasRulePermission
from core.scoping import restrict

from .. import services
from ..models import ReportingPeriod, ReportingPeriodEvent


class MonthField(serializers.CharField):
    """A month as `2026-03` (or its first day, `2026-03-01`)."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data).strip()
        for pattern in ("%Y-%m", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise serializers.ValidationError(_("Write the month as 2026-03."))

    def to_representation(self, value):
        return value.isoformat()


class EventSerializer(serializers.ModelSerializer):
    """One closing or reopening."""

    class Meta:
        model = ReportingPeriodEvent
        fields = ["action", "by", "at", "reason"]
        extra_kwargs = {
            "action": {"help_text": "`close` or `reopen`."},
            "by": {"help_text": "Id of the user who closed or reopened the month."},
            "at": {"help_text": "When."},
            "reason": {"help_text": "Why a reopened month was reopened (empty for a closing)."},
        }


class ReportingPeriodSerializer(serializers.ModelSerializer):
    """A month that has been closed at least once (a month not listed is open)."""

    events = EventSerializer(
        many=True, read_only=True, help_text="Every closing and reopening, oldest first."
    )

    class Meta:
        model = ReportingPeriod
        fields = ["id", "month", "status", "closed_by", "closed_at", "events"]
        extra_kwargs = {
            "id": {"help_text": "Id of the month's record."},
            "month": {"help_text": "The month, by its first day."},
            "status": {"help_text": "`closed`, or `open` once reopened."},
            "closed_by": {"help_text": "Id of the user who last closed it."},
            "closed_at": {"help_text": "When it was last closed."},
        }


class CloseSerializer(serializers.Serializer):
    month = MonthField(help_text="The month to close, once it is over: 2026-03.")


class ReopenSerializer(serializers.Serializer):
    month = MonthField(help_text="The closed month to reopen: 2026-03.")
    reason = serializers.CharField(help_text="Why it is reopened; kept with the month.")


class ReportingPeriodViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                             viewsets.GenericViewSet):  # fmt: skip
    """The months closed (or closed and reopened), latest first. Writing into a value whose
    period ends in a closed month answers 400 naming the month, through every endpoint."""

    permission_classes = [HasRulePermission]
    queryset = ReportingPeriod.objects.prefetch_related("events").order_by("-month")
    serializer_class = ReportingPeriodSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user)

    def _answer(self, period):
        period = self.get_queryset().get(pk=period.pk)
        return Response(ReportingPeriodSerializer(period).data)

    @extend_schema(
        request=CloseSerializer,
        responses={
            200: ReportingPeriodSerializer,
            400: OpenApiResponse(description="Not a month, not over yet, or closed already."),
        },
        summary="Close a month (OSM staff)",
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def close(self, request):
        """Close a month that is over: no value of a period ending in it can then be
        written, through any door, until it is reopened."""
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        period = services.month_close(actor=request.user, month=body.validated_data["month"])
        return self._answer(period)

    @extend_schema(
        request=ReopenSerializer,
        responses={
            200: ReportingPeriodSerializer,
            400: OpenApiResponse(description="Not a closed month, or no reason."),
        },
        summary="Reopen a closed month (OSM staff)",
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def reopen(self, request):
        """Reopen a closed month so its values can be corrected; the reason is recorded."""
        body = ReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        period = services.month_reopen(actor=request.user, **body.validated_data)
        return self._answer(period)
