"""API v1 of the strategy: objectives (with the cascade, `supports`), cause-and-effect links
and measures. Thin: writes go through the services.

Fields that fix where a row lives (an objective's unit, a measure's objective) cannot
change: a PUT may repeat them, a change is a 400 naming the field.
"""

from decimal import Decimal

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api.schema import FIELD_DESCRIPTIONS
from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet
from core.validators import positive_weight

from .. import services
from ..models import CauseEffect, Measure, Objective, OrgUnit

# Objectives --------------------------------------------------------------------------------


class ObjectiveSerializer(ScopedSerializer):
    """An objective of a unit's scorecard and the objectives above it that it supports."""

    supports = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Objective.objects.all(),
        help_text=FIELD_DESCRIPTIONS["supports"],
    )

    class Meta:
        model = Objective
        fields = [
            "id",
            "unit",
            "code",
            "name",
            "description",
            "perspective",
            "theme",
            "owner",
            "weight",
            "supports",
        ]
        validators = []  # unique (unit, code): checked below, naming the field

    def validate_weight(self, value):
        positive_weight(value)
        return value

    def validate(self, attrs):
        unit, code = self.current(attrs, "unit"), self.current(attrs, "code")
        if unit is not None:
            taken = Objective.objects.filter(unit=unit, code=code)
            self.refuse_taken(
                taken, "code", _("This unit already has an objective with this code.")
            )
        return attrs


class ObjectiveFilter(django_filters.FilterSet):
    # One id (not django-filter's multiple choice, whose `IN` query overflows on huge ids).
    supports = django_filters.ModelChoiceFilter(
        queryset=Objective.objects.all(),
        help_text="Id of an objective: those that support it.",
    )

    class Meta:
        model = Objective
        fields = ["unit", "code", "perspective", "theme", "owner", "supports"]


class ObjectiveViewSet(ServiceViewSet):
    """Objectives of the units' scorecards; `supports` is the cascade to objectives of units
    above. An objective stays in the unit it was created in."""

    queryset = Objective.objects.prefetch_related(
        Prefetch("supports", queryset=Objective.objects.order_by("id").only("id"))
    )
    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilter
    ordering_fields = ["code", "name", "unit", "perspective", "weight", "id"]
    ordering = ["unit__code", "code"]
    create_service = services.objective_create
    update_service = services.objective_update
    delete_service = services.objective_delete
    cache_list = True  # the rows in scope are the whole answer

    def parent(self, data, instance=None):
        return instance.unit if instance is not None else data.get("unit")


# Cause-and-effect links --------------------------------------------------------------------


class LinkSerializer(ScopedSerializer):
    """A cause-and-effect arrow between two objectives of the same unit."""

    class Meta:
        model = CauseEffect
        fields = ["id", "cause", "effect", "rationale"]
        validators = []  # unique (cause, effect): checked below, naming the field

    def validate(self, attrs):
        cause, effect = self.current(attrs, "cause"), self.current(attrs, "effect")
        if cause is None or effect is None:
            return attrs
        if cause.pk == effect.pk:
            raise serializers.ValidationError(
                {"effect": _("Cause and effect must be two different objectives.")}
            )
        if cause.unit_id != effect.unit_id:
            raise serializers.ValidationError(
                {"effect": _("Cause and effect must be objectives of the same unit's map.")}
            )
        taken = CauseEffect.objects.filter(cause=cause, effect=effect)
        self.refuse_taken(taken, "effect", _("This cause-and-effect link already exists."))
        return attrs


class LinkFilter(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        field_name="cause__unit",
        queryset=OrgUnit.objects.all(),
        help_text="Id of the unit whose strategy map the links belong to.",
    )

    class Meta:
        model = CauseEffect
        fields = ["cause", "effect", "unit"]


class LinkViewSet(ServiceViewSet):
    """Cause-and-effect arrows of a unit's strategy map (both ends in the same unit)."""

    queryset = CauseEffect.objects.select_related("cause")
    serializer_class = LinkSerializer
    filterset_class = LinkFilter
    ordering_fields = ["id", "cause", "effect"]
    ordering = ["id"]
    create_service = services.cause_effect_create
    update_service = services.cause_effect_update
    delete_service = services.cause_effect_delete

    def parent(self, data, instance=None):
        cause = data.get("cause") or getattr(instance, "cause", None)
        return cause.unit if cause is not None else None


# Measures ----------------------------------------------------------------------------------


class MeasureSerializer(ScopedSerializer):
    """A measure of an objective: entered, calculated (`formula`) or a rollup (`sources`),
    with how its figures are written (`decimal_places`), the range a value must lie in
    (`min_value`, `max_value`) and its `baseline`."""

    sources = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Measure.objects.all(),
        help_text=FIELD_DESCRIPTIONS["sources"],
    )

    class Meta:
        model = Measure
        fields = [
            "id",
            "objective",
            "code",
            "name",
            "unit_label",
            "polarity",
            "frequency",
            "aggregation",
            "weight",
            "owner",
            "tolerance",
            "formula",
            "rollup",
            "sources",
            "decimal_places",
            "min_value",
            "max_value",
            "baseline",
        ]
        validators = []  # unique (unit, code): checked below, naming the field
        extra_kwargs = {
            "tolerance": {"min_value": Decimal("0"), "max_value": Decimal("1")},
            "decimal_places": {"min_value": 0, "max_value": 6},
            "objective": {"help_text": "Id of the objective the measure measures."},
            "unit_label": {"help_text": FIELD_DESCRIPTIONS["unit_label"]},
        }

    def validate_weight(self, value):
        positive_weight(value)
        return value

    def validate(self, attrs):
        low, high = self.current(attrs, "min_value"), self.current(attrs, "max_value")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(
                {"max_value": _("The highest valid value must not be below the lowest.")}
            )
        formula, rollup = self.current(attrs, "formula"), self.current(attrs, "rollup")
        if formula and formula.strip() and rollup not in (None, "none"):
            raise serializers.ValidationError(
                {"formula": _("A measure is either calculated or a rollup, not both.")}
            )
        objective, code = self.current(attrs, "objective"), self.current(attrs, "code")
        if objective is not None:
            # A measure lives in its objective's unit (it cannot move: the service says so).
            unit_id = self.instance.unit_id if self.instance is not None else objective.unit_id
            taken = Measure.objects.filter(unit_id=unit_id, code=code)
            self.refuse_taken(taken, "code", _("This unit already has a measure with this code."))
        return attrs


class MeasureFilter(django_filters.FilterSet):
    class Meta:
        model = Measure
        fields = ["objective", "unit", "code", "owner", "polarity", "frequency", "rollup"]


class MeasureViewSet(ServiceViewSet):
    """Measures of objectives: entered, calculated by `formula`, or rollups of `sources`.
    A measure stays with the objective it was created for."""

    queryset = Measure.objects.prefetch_related(
        Prefetch("sources", queryset=Measure.objects.order_by("id").only("id"))
    )
    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter
    ordering_fields = ["code", "name", "unit", "objective", "weight", "id"]
    ordering = ["unit__code", "code"]
    create_service = services.measure_create
    update_service = services.measure_update
    delete_service = services.measure_delete

    def parent(self, data, instance=None):
        if instance is not None:
            return instance.unit
        objective = data.get("objective")
        return objective.unit if objective is not None else None
