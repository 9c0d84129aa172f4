"""API v1 of the scorecards app: units, perspectives, themes, objectives, cause-and-effect
links, measures and measure values (API.md). Thin: writes go through the services."""

import django_filters
from rest_framework import serializers

from osm.permissions import Scope, ServiceViewSet
from osm.utils import FIELD_DESCRIPTIONS

from . import services
from .models import OrgUnit


class DescribedSerializer(serializers.ModelSerializer):
    """A model serializer whose fields all carry a description for the OpenAPI schema."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if not field.help_text and name in FIELD_DESCRIPTIONS:
                field.help_text = FIELD_DESCRIPTIONS[name]
        return fields


# Units -------------------------------------------------------------------------------------


class UnitSerializer(DescribedSerializer):
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


ROUTES = [("units", UnitViewSet, "unit")]
