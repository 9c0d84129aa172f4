"""API v1 of measure values: one row per (measure, period) with its actual, target, red flag
and note. Thin: writes go through the services. A value stays with its measure and period:
a PUT may repeat them, a change is a 400 naming the field. In a unit that requires approval
a measure owner's actual and note are submitted (`state`, `submitted_actual`,
`submitted_note`) until a reviewer approves or returns them (`approve/`, `return/`).
"""

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.schema import FIELD_DESCRIPTIONS
from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet

from .. import services
from ..models import MeasureValue, Objective, OrgUnit
from ..services.values import APPROVAL_FIELDS
from ..value_inputs import PeriodField

PERIOD_INPUT_FORMATS = ["%Y-%m-%d", "%Y-%m"]


class MeasureValueSerializer(ScopedSerializer):
    """The actual, target and red flag of one measure for one period. A figure far from the
    measure's history is refused unless the write says `"confirm": true`."""

    period = PeriodField(help_text=FIELD_DESCRIPTIONS["period"])
    confirm = serializers.BooleanField(
        write_only=True,
        required=False,
        help_text="True saves figures far from the measure's history (more than ten times "
        "its usual size, or a robust z-score over 6); without it they are refused.",
    )

    class Meta:
        model = MeasureValue
        fields = [
            "id",
            "measure",
            "period",
            "actual",
            "target",
            "red_flag",
            "note",
            "entered_by",
            "updated_at",
            *APPROVAL_FIELDS,
            "confirm",
        ]
        read_only_fields = ["entered_by", "updated_at", *APPROVAL_FIELDS]
        extra_kwargs = {
            "measure": {"help_text": "Id of the measure."},
            "actual": {"help_text": "The approved actual: what every computed figure reads."},
            "note": {"help_text": "The approved note."},
            "state": {
                "help_text": "`approved`; `submitted` (a measure owner's actual and note wait "
                "for a unit head above or the OSM staff); `returned` (sent back with "
                "`review_comment`; the owner's next write submits again)."
            },
            "submitted_actual": {"help_text": "The actual submitted for approval."},
            "submitted_note": {"help_text": "The note submitted for approval."},
            "submitted_by": {"help_text": "Id of the user who submitted the pending actual."},
            "submitted_at": {"help_text": "When it was submitted."},
            "reviewed_by": {"help_text": "Id of the user who last approved or returned it."},
            "reviewed_at": {"help_text": "When."},
            "review_comment": {"help_text": "Why it was returned."},
        }
        validators = []  # unique (measure, period): a second create is refused by name


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="What the owner should correct (required).")


class MeasureValueFilter(django_filters.FilterSet):
    period = django_filters.DateFilter(
        field_name="period", input_formats=PERIOD_INPUT_FORMATS, help_text="Exactly this period."
    )
    period_after = django_filters.DateFilter(
        field_name="period",
        lookup_expr="gte",
        input_formats=PERIOD_INPUT_FORMATS,
        help_text="Periods on or after this day (YYYY-MM-DD or YYYY-MM).",
    )
    period_before = django_filters.DateFilter(
        field_name="period",
        lookup_expr="lte",
        input_formats=PERIOD_INPUT_FORMATS,
        help_text="Periods on or before this day (YYYY-MM-DD or YYYY-MM).",
    )
    objective = django_filters.ModelChoiceFilter(
        field_name="measure__objective",
        queryset=Objective.objects.all(),
        help_text="Id of the objective whose measures' values to list.",
    )
    unit = django_filters.ModelChoiceFilter(
        field_name="measure__unit",
        queryset=OrgUnit.objects.all(),
        help_text="Id of the unit whose measures' values to list.",
    )

    class Meta:
        model = MeasureValue
        fields = ["measure", "period", "entered_by", "state", "submitted_by"]


class MeasureValueViewSet(ServiceViewSet):
    """Actuals, targets and red flags of measures per period; one row per (measure, period).
    A value stays with its measure and period: change the figures, or delete it."""

    queryset = MeasureValue.objects.select_related("measure")
    serializer_class = MeasureValueSerializer
    filterset_class = MeasureValueFilter
    ordering_fields = ["period", "measure", "updated_at", "id"]
    ordering = ["measure_id", "period"]
    create_service = services.measure_value_create
    update_service = services.measure_value_update
    delete_service = services.measure_value_delete
    cache_list = True  # the rows in scope are the whole answer

    def parent(self, data, instance=None):
        return instance.measure if instance is not None else data.get("measure")

    @extend_schema(
        request=None,
        responses={
            200: MeasureValueSerializer,
            400: OpenApiResponse(description="Not waiting for approval, or its month is closed."),
            403: OpenApiResponse(description="Not a unit head above the measure nor OSM staff."),
        },
        summary="Approve a submitted value",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request, pk=None):
        """The submitted actual and note become the value's approved ones."""
        value = services.measure_value_approve(actor=request.user, instance=self.get_object())
        return Response(self.get_serializer(value).data)

    @extend_schema(
        request=ReturnSerializer,
        responses={
            200: MeasureValueSerializer,
            400: OpenApiResponse(
                description="No comment, not waiting for approval, or its month is closed."
            ),
            403: OpenApiResponse(description="Not a unit head above the measure nor OSM staff."),
        },
        summary="Return a submitted value with a comment",
    )
    @action(detail=True, methods=["post"], url_path="return", filter_backends=[])
    def return_(self, request, pk=None):
        """Send a submitted value back to its owner with a comment saying what to correct;
        the approved value stays as it was."""
        value = self.get_object()
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        value = services.measure_value_return(
            actor=request.user, instance=value, comment=body.validated_data["comment"]
        )
        return Response(self.get_serializer(value).data)
