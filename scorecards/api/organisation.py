"""API v1 of the organisation: units, perspectives and strategic themes. Thin: writes go
through the services; units and perspectives are OSM staff's, themes a unit's."""

import django_filters
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet

from .. import services
from ..models import OrgUnit, Perspective, Theme
from ..selectors.approval import approval_by_unit

# Units -------------------------------------------------------------------------------------


class UnitSerializer(ScopedSerializer):
    """A unit of the organisation tree."""

    approval_effective = serializers.SerializerMethodField(
        help_text="Whether values entered by measure owners here wait for approval: the "
        "unit's own `approval_required`, else its parent's, up to the root (whose null "
        "means false)."
    )

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "kind", "parent", "head", "approval_required",
                  "approval_effective"]  # fmt: skip
        extra_kwargs = {
            "approval_required": {
                "help_text": "True or false; null inherits the parent's setting (the root's "
                "null means false)."
            }
        }

    def get_approval_effective(self, unit) -> bool:
        # Worked out for every unit at once, the first time a row asks: a constant number
        # of queries for any page.
        known = self.context.setdefault("approval_by_unit", {})
        if unit.pk not in known:
            known.update(approval_by_unit(OrgUnit.objects.values_list("pk", flat=True)))
        return known[unit.pk]


class UnitFilter(django_filters.FilterSet):
    class Meta:
        model = OrgUnit
        fields = ["code", "kind", "parent", "head", "approval_required"]


class UnitViewSet(ServiceViewSet):
    """The organisation's units (a tree under the enterprise)."""

    queryset = OrgUnit.objects.all()
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    ordering_fields = ["code", "name", "kind"]
    ordering = ["code"]
    create_service = services.unit_create
    update_service = services.unit_update
    delete_service = services.unit_delete

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


class PerspectiveViewSet(ServiceViewSet):
    """Balanced Scorecard perspectives, top to bottom (OSM staff maintain them)."""

    queryset = Perspective.objects.all()
    serializer_class = PerspectiveSerializer
    filterset_class = PerspectiveFilter
    ordering_fields = ["order", "name", "id"]
    ordering = ["order"]
    create_service = services.perspective_create
    update_service = services.perspective_update
    delete_service = services.perspective_delete

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
        if unit is not None:
            taken = Theme.objects.filter(unit=unit, name=name)
            self.refuse_taken(taken, "name", _("This unit already has a theme of that name."))
        return attrs


class ThemeFilter(django_filters.FilterSet):
    class Meta:
        model = Theme
        fields = ["unit", "name"]


class ThemeViewSet(ServiceViewSet):
    """Strategic themes of a unit's strategy map."""

    queryset = Theme.objects.all()
    serializer_class = ThemeSerializer
    filterset_class = ThemeFilter
    ordering_fields = ["name", "unit", "id"]
    ordering = ["unit__code", "name"]
    create_service = services.theme_create
    update_service = services.theme_update
    delete_service = services.theme_delete
    # parent(): the unit the theme is in, or moves to (the base class's default)
