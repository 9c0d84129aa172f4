"""API v1 of measure values: one row per (measure, period) with its actual, target, red flag
and note. Thin: writes go through the services. A value stays with its measure and period:
a PUT may repeat them, a change is a 400 naming the field.
"""

import datetime as dt

import django_filters
from django.core.exceptions import ValidationError
from rest_framework import serializers

from core.api.schema import FIELD_DESCRIPTIONS
from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet

from .. import services
from ..models import MeasureValue, Objective, OrgUnit
from ..periods import parse_period

# Measure values ----------------------------------------------------------------------------

PERIOD_INPUT_FORMATS = ["%Y-%m-%d", "%Y-%m"]


class PeriodField(serializers.DateField):
    """A period's first day: `YYYY-MM-DD`, or `YYYY-MM` for the first of the month."""

    def to_internal_value(self, value):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return parse_period(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None


class MeasureValueSerializer(ScopedSerializer):
    """The actual, target and red flag of one measure for one period."""

    period = PeriodField(help_text=FIELD_DESCRIPTIONS["period"])

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


def _value_create(*, by, data):
    measure, period = data["measure"], data["period"]
    existing = MeasureValue.objects.filter(measure=measure, period=period).first()
    if existing is not None:
        raise ValidationError(
            {
                "period": (
                    f"{measure.code} already has a value for {period.isoformat()} "
                    f"(id {existing.pk}); change that one instead."
                )
            }
        )
    value, _created = services.measure_value_record(by=by, **data)
    return value


def _value_update(instance, *, by, data):
    errors = {}
    if "measure" in data and data["measure"].pk != instance.measure_id:
        errors["measure"] = "A value stays with its measure; delete it and create another."
    if "period" in data and data["period"] != instance.period:
        errors["period"] = "A value stays in its period; delete it and create another."
    if errors:
        raise ValidationError(errors)
    changes = {name: data[name] for name in services.VALUE_FIELDS if name in data}
    value, _created = services.measure_value_record(
        measure=instance.measure, period=instance.period, by=by, **changes
    )
    return value


def _value_destroy(instance, *, by):
    services.measure_value_delete(value=instance, by=by)


class MeasureValueViewSet(ServiceViewSet):
    """Actuals, targets and red flags of measures per period; one row per (measure, period).
    A value stays with its measure and period: change the figures, or delete it."""

    queryset = MeasureValue.objects.select_related("measure")
    serializer_class = MeasureValueSerializer
    filterset_class = MeasureValueFilter
    ordering_fields = ["period", "measure", "updated_at", "id"]
    ordering = ["measure_id", "period"]
    create_with = _value_create
    update_with = _value_update
    destroy_with = _value_destroy

    def parent(self, data, instance=None):
        return instance.measure if instance is not None else data.get("measure")
