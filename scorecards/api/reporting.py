"""API v1 of the reporting cycle's months (`reporting-periods/`): everyone with a role reads
which months are closed, with every closing and reopening; OSM staff close a month and
reopen one with a reason, through the services the Reporting months page calls."""

import datetime as dt

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api.permissions import HasRulePermission
from core.scoping import restrict

from .. import services
from ..models import OrgUnit, ReportingPeriod, ReportingPeriodEvent
from ..selectors.reporting import close_checklist


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


class ChecklistQuerySerializer(serializers.Serializer):
    month = MonthField(help_text="The month to check: 2026-10.")
    unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(),
        required=False,
        help_text="Id of a unit: only it and the units below it.",
    )


class ChecklistMeasureSerializer(serializers.Serializer):
    measure = serializers.IntegerField(help_text="Id of the measure.")
    code = serializers.CharField(help_text="The measure's code.")
    name = serializers.CharField(help_text="The measure's name.")
    period = serializers.DateField(help_text="The period that ends in the month.")


class ChecklistObjectiveSerializer(serializers.Serializer):
    objective = serializers.IntegerField(help_text="Id of the objective.")
    code = serializers.CharField(help_text="The objective's code.")
    name = serializers.CharField(help_text="The objective's name.")


class ChecklistUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Id of the unit.")
    code = serializers.CharField(help_text="The unit's code.")
    missing_values = ChecklistMeasureSerializer(
        many=True, help_text="Actuals owed for the periods ending in the month and not in."
    )
    awaiting_approval = ChecklistMeasureSerializer(
        many=True, help_text="Values of those periods submitted and not yet approved."
    )
    red_without_analysis = ChecklistObjectiveSerializer(
        many=True, help_text="Objectives red as of the month without its analysis."
    )


class ChecklistSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The month checked, by its first day.")
    units = ChecklistUnitSerializer(many=True, help_text="The units with something to see to.")


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
        parameters=[ChecklistQuerySerializer],
        responses={200: ChecklistSerializer, 400: OpenApiResponse(description="No such month.")},
        summary="What to see to before closing a month (OSM staff)",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def checklist(self, request):
        """By unit in tree order: values still missing for the periods ending in the month,
        values awaiting approval, red objectives without the month's analysis."""
        if not request.user.has_perm("scorecards.add_reportingperiod"):
            raise PermissionDenied(_("The close checklist is the OSM staff's."))
        query = ChecklistQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month, unit = query.validated_data["month"], query.validated_data.get("unit")
        units = None
        if unit is not None:
            units = set(OrgUnit.objects.subtree_of(unit.pk).values_list("pk", flat=True))

        def measures(rows):
            return [{"measure": m, "code": c, "name": n, "period": p} for m, c, n, p in rows]

        body = {
            "month": month.replace(day=1),
            "units": [
                {
                    "id": row.id,
                    "code": row.code,
                    "missing_values": measures(row.missing),
                    "awaiting_approval": measures(row.awaiting),
                    "red_without_analysis": [
                        {"objective": o, "code": c, "name": n} for o, c, n in row.red_unanalysed
                    ],
                }
                for row in close_checklist(month.replace(day=1), units)
            ],
        }
        return Response(ChecklistSerializer(body).data)

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
