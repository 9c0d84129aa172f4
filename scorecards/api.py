"""API v1 of the scorecards app: units, perspectives, themes, objectives, cause-and-effect
links, measures and measure values (API.md). Thin: writes go through the services.

Each resource is a serializer (fields exactly as API.md names them), a FilterSet (query
parameters named after fields) and a `ServiceViewSet` whose `create_with`, `update_with` and
`destroy_with` call the services and whose `parent()` names the object the add or change
rule is asked about (osm/rules.py): the unit for themes, objectives, measures and links, the
measure for values. Fields that fix where a row lives (an objective's unit, a measure's
objective, a value's measure and period) cannot change: a PUT may repeat them, a change is
a 400 naming the field.
"""

import datetime as dt
from decimal import Decimal

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from rest_framework import serializers

from osm.permissions import Scope, ServiceViewSet, scope_queryset
from osm.utils import FIELD_DESCRIPTIONS, positive_weight

from . import services
from .models import CauseEffect, Measure, MeasureValue, Objective, OrgUnit, Perspective, Theme
from .periods import parse_period


class DescribedSerializer(serializers.ModelSerializer):
    """A model serializer whose fields all carry a description for the OpenAPI schema."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if not field.help_text and name in FIELD_DESCRIPTIONS:
                field.help_text = FIELD_DESCRIPTIONS[name]
        return fields

    def current(self, attrs: dict, name: str):
        """The value `name` will have: the posted one, else the stored one (partial update)."""
        if name in attrs:
            return attrs[name]
        return getattr(self.instance, name, None) if self.instance is not None else None


class ScopedSerializer(DescribedSerializer):
    """A described model serializer whose related-id fields accept only rows the requesting
    user may see: an id of a row out of sight is refused as if it did not exist ("Invalid
    pk"). `related_scopes` maps a field name to `(scope, unit_path, own_path)` as for
    `scope_queryset`; other related fields point at the strategy (Scope.STRATEGY)."""

    related_scopes: dict[str, tuple[str, str, str]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        for name, field in self.fields.items():
            relation = getattr(field, "child_relation", field)
            if not isinstance(relation, serializers.PrimaryKeyRelatedField):
                continue
            # Ids are integers: 1.5 or true is a wrong type, not a rounded or cast id.
            relation.pk_field = serializers.IntegerField()
            if user is None or relation.queryset is None:
                continue
            scope, unit_path, own_path = self.related_scopes.get(name, (Scope.STRATEGY, "", ""))
            relation.queryset = scope_queryset(
                user, relation.queryset, scope, unit_path=unit_path, own_path=own_path
            )


def _without_repeated(instance, data: dict, *names: str) -> dict:
    """`data` without those foreign keys of `names` that repeat the stored one (a PUT sends
    every field); a changed one stays in, for the service to refuse by name."""
    kept = dict(data)
    for name in names:
        if name in kept and getattr(kept[name], "pk", None) == getattr(instance, f"{name}_id"):
            del kept[name]
    return kept


# Units -------------------------------------------------------------------------------------


class UnitSerializer(ScopedSerializer):
    """A unit of the organisation tree."""

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "kind", "parent", "head"]


class UnitFilter(django_filters.FilterSet):
    class Meta:
        model = OrgUnit
        fields = ["code", "kind", "parent", "head"]


def _unit_create(*, by, data):
    return services.unit_create(**data)


def _unit_update(instance, *, by, data):
    return services.unit_update(unit=instance, **data)


def _unit_destroy(instance, *, by):
    services.unit_delete(unit=instance)


class UnitViewSet(ServiceViewSet):
    """The organisation's units (a tree under the enterprise)."""

    queryset = OrgUnit.objects.all()
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    ordering_fields = ["code", "name", "kind"]
    ordering = ["code"]
    scope = Scope.STRATEGY
    create_with = _unit_create
    update_with = _unit_update
    destroy_with = _unit_destroy

    def parent(self, data, instance=None):
        return None  # units are OSM staff's: the rule needs no object


# Perspectives ------------------------------------------------------------------------------


class PerspectiveSerializer(ScopedSerializer):
    """A Balanced Scorecard perspective; `order` puts it top to bottom."""

    class Meta:
        model = Perspective
        fields = ["id", "name", "order"]


class PerspectiveFilter(django_filters.FilterSet):
    class Meta:
        model = Perspective
        fields = ["name", "order"]


def _perspective_create(*, by, data):
    return services.perspective_create(**data)


def _perspective_update(instance, *, by, data):
    return services.perspective_update(perspective=instance, **data)


def _perspective_destroy(instance, *, by):
    services.perspective_delete(perspective=instance)


class PerspectiveViewSet(ServiceViewSet):
    """Balanced Scorecard perspectives, top to bottom (OSM staff maintain them)."""

    queryset = Perspective.objects.all()
    serializer_class = PerspectiveSerializer
    filterset_class = PerspectiveFilter
    ordering_fields = ["order", "name", "id"]
    ordering = ["order"]
    scope = Scope.STRATEGY
    create_with = _perspective_create
    update_with = _perspective_update
    destroy_with = _perspective_destroy

    def parent(self, data, instance=None):
        return None  # perspectives are OSM staff's: the rule needs no object


# Themes ------------------------------------------------------------------------------------


class ThemeSerializer(ScopedSerializer):
    """A strategic theme of a unit's strategy map."""

    class Meta:
        model = Theme
        fields = ["id", "unit", "name", "description"]
        validators = []  # unique (unit, name): checked below, naming the field

    def validate(self, attrs):
        unit, name = self.current(attrs, "unit"), self.current(attrs, "name")
        taken = Theme.objects.filter(unit=unit, name=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if unit is not None and taken.exists():
            raise serializers.ValidationError(
                {"name": "This unit already has a theme of that name."}
            )
        return attrs


class ThemeFilter(django_filters.FilterSet):
    class Meta:
        model = Theme
        fields = ["unit", "name"]


def _theme_create(*, by, data):
    return services.theme_create(**data)


def _theme_update(instance, *, by, data):
    return services.theme_update(theme=instance, **data)


def _theme_destroy(instance, *, by):
    services.theme_delete(theme=instance)


class ThemeViewSet(ServiceViewSet):
    """Strategic themes of a unit's strategy map."""

    queryset = Theme.objects.all()
    serializer_class = ThemeSerializer
    filterset_class = ThemeFilter
    ordering_fields = ["name", "unit", "id"]
    ordering = ["unit__code", "name"]
    scope = Scope.STRATEGY
    create_with = _theme_create
    update_with = _theme_update
    destroy_with = _theme_destroy
    # parent(): the unit the theme is in, or moves to (the base class's default)


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
        taken = Objective.objects.filter(unit=unit, code=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if unit is not None and taken.exists():
            raise serializers.ValidationError(
                {"code": "This unit already has an objective with this code."}
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


def _objective_create(*, by, data):
    return services.objective_create(by=by, **data)


def _objective_update(instance, *, by, data):
    data = _without_repeated(instance, data, "unit")
    return services.objective_update(objective=instance, by=by, **data)


def _objective_destroy(instance, *, by):
    services.objective_delete(objective=instance, by=by)


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
    scope = Scope.STRATEGY
    create_with = _objective_create
    update_with = _objective_update
    destroy_with = _objective_destroy

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
                {"effect": "Cause and effect must be two different objectives."}
            )
        if cause.unit_id != effect.unit_id:
            raise serializers.ValidationError(
                {"effect": "Cause and effect must be objectives of the same unit's map."}
            )
        taken = CauseEffect.objects.filter(cause=cause, effect=effect)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise serializers.ValidationError(
                {"effect": "This cause-and-effect link already exists."}
            )
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


def _link_create(*, by, data):
    return services.cause_effect_link(**data)


def _link_update(instance, *, by, data):
    return services.cause_effect_update(link=instance, **data)


def _link_destroy(instance, *, by):
    services.cause_effect_delete(link=instance)


class LinkViewSet(ServiceViewSet):
    """Cause-and-effect arrows of a unit's strategy map (both ends in the same unit)."""

    queryset = CauseEffect.objects.select_related("cause")
    serializer_class = LinkSerializer
    filterset_class = LinkFilter
    ordering_fields = ["id", "cause", "effect"]
    ordering = ["id"]
    scope = Scope.STRATEGY
    unit_path = "cause__unit"
    create_with = _link_create
    update_with = _link_update
    destroy_with = _link_destroy

    def parent(self, data, instance=None):
        cause = data.get("cause") or getattr(instance, "cause", None)
        return cause.unit if cause is not None else None


# Measures ----------------------------------------------------------------------------------


class MeasureSerializer(ScopedSerializer):
    """A measure of an objective: entered, calculated (`formula`) or a rollup (`sources`)."""

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
        ]
        validators = []  # unique (unit, code): checked below, naming the field
        extra_kwargs = {
            "tolerance": {"min_value": Decimal("0"), "max_value": Decimal("1")},
            "objective": {"help_text": "Id of the objective the measure measures."},
            "unit_label": {"help_text": FIELD_DESCRIPTIONS["unit_label"]},
        }

    def validate_weight(self, value):
        positive_weight(value)
        return value

    def validate(self, attrs):
        formula, rollup = self.current(attrs, "formula"), self.current(attrs, "rollup")
        if formula and formula.strip() and rollup not in (None, "none"):
            raise serializers.ValidationError(
                {"formula": "A measure is either calculated or a rollup, not both."}
            )
        objective, code = self.current(attrs, "objective"), self.current(attrs, "code")
        if objective is not None:
            # A measure lives in its objective's unit (it cannot move: the service says so).
            unit_id = self.instance.unit_id if self.instance is not None else objective.unit_id
            taken = Measure.objects.filter(unit_id=unit_id, code=code)
            if self.instance is not None:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                raise serializers.ValidationError(
                    {"code": "This unit already has a measure with this code."}
                )
        return attrs


class MeasureFilter(django_filters.FilterSet):
    class Meta:
        model = Measure
        fields = ["objective", "unit", "code", "owner", "polarity", "frequency", "rollup"]


def _measure_create(*, by, data):
    return services.measure_create(by=by, **data)


def _measure_update(instance, *, by, data):
    data = _without_repeated(instance, data, "objective")
    return services.measure_update(measure=instance, by=by, **data)


def _measure_destroy(instance, *, by):
    services.measure_delete(measure=instance, by=by)


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
    scope = Scope.STRATEGY
    create_with = _measure_create
    update_with = _measure_update
    destroy_with = _measure_destroy

    def parent(self, data, instance=None):
        if instance is not None:
            return instance.unit
        objective = data.get("objective")
        return objective.unit if objective is not None else None


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
    scope = Scope.STRATEGY
    unit_path = "measure__unit"
    create_with = _value_create
    update_with = _value_update
    destroy_with = _value_destroy

    def parent(self, data, instance=None):
        return instance.measure if instance is not None else data.get("measure")


ROUTES = [
    ("units", UnitViewSet, "unit"),
    ("perspectives", PerspectiveViewSet, "perspective"),
    ("themes", ThemeViewSet, "theme"),
    ("objectives", ObjectiveViewSet, "objective"),
    ("links", LinkViewSet, "causeeffect"),
    ("measures", MeasureViewSet, "measure"),
    ("measure-values", MeasureValueViewSet, "measurevalue"),
]
