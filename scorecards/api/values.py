"""API v1 of measure values: one row per (measure, period) with its actual, target, red flag
and note. Thin: writes go through the services. A value stays with its measure and period:
a PUT may repeat them, a change is a 400 naming the field.
"""

import django_filters
from rest_framework import serializers

from core.api.schema import FIELD_DESCRIPTIONS
from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet

from .. import services
from ..models import MeasureValue, Objective, OrgUnit
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
            "confirm",
        ]
        read_only_fields = ["entered_by", "updated_at"]
        extra_kwargs = {"measure": {"help_text": "Id of the measure."}}
        validators = []  # unique (measure, period): a second create is refused by name


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
        fields = ["measure", "period", "entered_by"]


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

    def parent(self, data, instance=None):
        return instance.measure if instance is not None else data.get("measure")
