"""API v1 of the initiatives app: initiatives and their milestones (API.md). Thin: writes go
through the services; reads are everyone's with a role."""

import django_filters
from rest_framework import serializers

from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet
from scorecards.models import Objective, OrgUnit

from . import services
from .filters import InitiativePortfolioFilter
from .models import Initiative, Milestone

# Initiatives -------------------------------------------------------------------------------


class InitiativeSerializer(ScopedSerializer):
    """A strategic initiative of a unit: its dates, status and progress, and the objectives
    it advances."""

    objectives = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Objective.objects.all(),
        required=False,
        help_text=(
            "Ids of the objectives the initiative advances: of its own unit or of units "
            "above or below it. On update, the full list (omit it to keep the links)."
        ),
    )

    class Meta:
        model = Initiative
        fields = [
            "id",
            "code",
            "name",
            "unit",
            "owner",
            "objectives",
            "start",
            "end",
            "status",
            "percent_complete",
        ]
        extra_kwargs = {"percent_complete": {"min_value": 0, "max_value": 100}}


class InitiativeFilter(InitiativePortfolioFilter):
    """The portfolio page's filters (unit subtree, status, fiscal year) and the API's own."""

    objective = django_filters.ModelChoiceFilter(
        field_name="objectives",
        queryset=Objective.objects.all(),
        help_text="Initiatives advancing this objective (id).",
    )
    start = django_filters.DateFromToRangeFilter(
        help_text="Start on or after `start_after`, on or before `start_before`."
    )
    end = django_filters.DateFromToRangeFilter(
        help_text="End on or after `end_after`, on or before `end_before`."
    )

    class Meta:
        model = Initiative
        fields = ["code", "unit", "owner", "status", "objectives"]


class InitiativeViewSet(ServiceViewSet):
    """Strategic initiatives: action programmes that advance objectives."""

    queryset = Initiative.objects.prefetch_related("objectives")
    serializer_class = InitiativeSerializer
    filterset_class = InitiativeFilter
    ordering_fields = ["code", "name", "start", "end", "status", "percent_complete"]
    ordering = ["code", "id"]
    create_service = services.initiative_create
    update_service = services.initiative_update
    delete_service = services.initiative_delete


# Milestones --------------------------------------------------------------------------------


class MilestoneSerializer(ScopedSerializer):
    """A milestone of an initiative: due on a day, done on another (or not yet)."""

    class Meta:
        model = Milestone
        fields = ["id", "initiative", "name", "due", "done_on"]
        extra_kwargs = {"initiative": {"help_text": "Id of the initiative."}}


class MilestoneFilter(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        field_name="initiative__unit",
        queryset=OrgUnit.objects.all(),
        help_text="Milestones of initiatives of this unit (id).",
    )
    done = django_filters.BooleanFilter(
        field_name="done_on", lookup_expr="isnull", exclude=True, help_text="Done or not."
    )
    due = django_filters.DateFromToRangeFilter(
        help_text="Due on or after `due_after`, on or before `due_before`."
    )
    done_on = django_filters.DateFromToRangeFilter(
        help_text="Done on or after `done_on_after`, on or before `done_on_before`."
    )

    class Meta:
        model = Milestone
        fields = ["initiative"]


class MilestoneViewSet(ServiceViewSet):
    """Dated steps of initiatives; a milestone is done when `done_on` is set."""

    queryset = Milestone.objects.all()
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    ordering_fields = ["due", "done_on", "name"]
    ordering = ["due", "id"]
    create_service = services.milestone_create
    update_service = services.milestone_update
    delete_service = services.milestone_delete

    def parent(self, data, instance=None):
        """Milestones are written by whoever may change their initiative."""
        return data.get("initiative", getattr(instance, "initiative", None))


ROUTES = [
    ("initiatives", InitiativeViewSet, "initiative"),
    ("milestones", MilestoneViewSet, "milestone"),
]
