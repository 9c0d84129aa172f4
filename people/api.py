"""API v1 of the people app: employees, goals, incentive components and goal templates
(API.md). Thin: writes go through the services; reads are scoped by the people policy: OSM
staff, executives and HR see everyone, unit heads the people of their subtree, each employee
his or her own rows. Goal templates belong to no unit and no one: OSM staff, executives and
HR read them, OSM staff and HR write and apply them."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet
from core.scoping import restrict
from core.validators import positive_weight
from scorecards.models import OrgUnit

from . import services
from .models import Employee, Goal, GoalTemplate, IncentiveComponent
from .selectors import job_families

# Employees ---------------------------------------------------------------------------------


class EmployeeSerializer(ScopedSerializer):
    """A person working in a unit, with a manager and a job family, and a login if any."""

    class Meta:
        model = Employee
        fields = ["id", "name", "email", "unit", "manager", "job_family", "user", "active"]


class EmployeeFilter(django_filters.FilterSet):
    class Meta:
        model = Employee
        fields = ["unit", "manager", "job_family", "user", "active", "email"]


class EmployeeViewSet(ServiceViewSet):
    """The people of the organisation; `user` is set for those who log in to OSM."""

    queryset = Employee.objects.all()
    serializer_class = EmployeeSerializer
    filterset_class = EmployeeFilter
    ordering_fields = ["name", "email", "job_family", "active"]
    ordering = ["name", "id"]
    create_service = services.employee_create
    update_service = services.employee_update
    delete_service = services.employee_delete


# Goals and incentive components ------------------------------------------------------------


class EmployeeRowFilter(django_filters.FilterSet):
    """Filters shared by goals and incentives: `unit` is the employee's unit."""

    unit = django_filters.ModelChoiceFilter(
        field_name="employee__unit",
        queryset=OrgUnit.objects.all(),
        help_text="Rows of the employees of this unit (id).",
    )


class GoalSerializer(ScopedSerializer):
    """A personal goal of an employee for a fiscal year (performance or development), linked
    to an objective or measure of his or her unit or a unit above it."""

    class Meta:
        model = Goal
        fields = [
            "id",
            "employee",
            "fiscal_year",
            "kind",
            "title",
            "weight",
            "objective",
            "measure",
            "progress",
        ]
        extra_kwargs = {
            "fiscal_year": {"min_value": 1900, "max_value": 2999},
            "progress": {"min_value": 0, "max_value": 100},
            "weight": {"validators": [positive_weight]},
            "objective": {
                "help_text": "Id of the objective it serves (of the employee's unit or above)."
            },
            "measure": {
                "help_text": "Id of the measure it serves (of the employee's unit or above)."
            },
        }


class GoalFilter(EmployeeRowFilter):
    class Meta:
        model = Goal
        fields = ["employee", "fiscal_year", "kind", "objective", "measure"]


class GoalViewSet(ServiceViewSet):
    """Personal goals of employees (performance or development) for a fiscal year."""

    queryset = Goal.objects.all()
    serializer_class = GoalSerializer
    filterset_class = GoalFilter
    ordering_fields = ["fiscal_year", "kind", "title", "weight", "progress"]
    ordering = ["fiscal_year", "title", "id"]
    create_service = services.goal_create
    update_service = services.goal_update  # a changed employee moves the goal
    delete_service = services.goal_delete

    def parent(self, data, instance=None):
        """Goals are written for an employee."""
        return data.get("employee", getattr(instance, "employee", None))


class IncentiveSerializer(ScopedSerializer):
    """A component of an employee's variable pay for a fiscal year, with its weight, linked
    to the objective or measure it rewards."""

    class Meta:
        model = IncentiveComponent
        fields = ["id", "employee", "fiscal_year", "name", "weight", "objective", "measure"]
        extra_kwargs = {
            "fiscal_year": {"min_value": 1900, "max_value": 2999},
            "weight": {"validators": [positive_weight]},
            "objective": {
                "help_text": "Id of the objective it rewards (of the employee's unit or above)."
            },
            "measure": {
                "help_text": "Id of the measure it rewards (of the employee's unit or above)."
            },
        }


class IncentiveFilter(EmployeeRowFilter):
    class Meta:
        model = IncentiveComponent
        fields = ["employee", "fiscal_year", "objective", "measure"]


class IncentiveViewSet(ServiceViewSet):
    """Weighted components of employees' variable pay for a fiscal year."""

    queryset = IncentiveComponent.objects.all()
    serializer_class = IncentiveSerializer
    filterset_class = IncentiveFilter
    ordering_fields = ["fiscal_year", "name", "weight"]
    ordering = ["fiscal_year", "name", "id"]
    create_service = services.incentive_create
    update_service = services.incentive_update  # a changed employee moves the component
    delete_service = services.incentive_delete

    def parent(self, data, instance=None):
        """Incentive components are written for an employee."""
        return data.get("employee", getattr(instance, "employee", None))


# Goal templates ------------------------------------------------------------------------------

TEMPLATE_LINK = (
    "Id of the {what} the goals serve, or null. Only employees of its unit or a unit below it "
    "can receive the goal; with both an objective and a measure, one's unit must be the "
    "other's or above it."
)


class GoalTemplateSerializer(ScopedSerializer):
    """A goal HR gives many employees at once (`POST goal-templates/{id}/apply/`)."""

    class Meta:
        model = GoalTemplate
        fields = ["id", "name", "fiscal_year", "kind", "title", "weight", "objective", "measure"]
        validators = []  # unique (fiscal_year, name): checked below, naming the field
        extra_kwargs = {
            "name": {"help_text": "How HR finds the template; unique within its fiscal year."},
            "fiscal_year": {"min_value": 1900, "max_value": 2999},
            "title": {"help_text": "The title of the goals it gives."},
            "weight": {"validators": [positive_weight]},
            "objective": {"help_text": TEMPLATE_LINK.format(what="objective")},
            "measure": {"help_text": TEMPLATE_LINK.format(what="measure")},
        }

    def validate(self, attrs):
        year, name = self.current(attrs, "fiscal_year"), self.current(attrs, "name")
        if year is not None and name:
            taken = GoalTemplate.objects.filter(fiscal_year=year, name=name)
            self.refuse_taken(
                taken, "name", _("A template of this fiscal year already has this name.")
            )
        return attrs


class GoalTemplateFilter(django_filters.FilterSet):
    class Meta:
        model = GoalTemplate
        fields = ["fiscal_year", "kind", "objective", "measure"]


class TemplateApplySerializer(serializers.Serializer):
    """To whom a template is applied: the active employees of a unit and the units below
    it, of a job family, or of a job family within a unit."""

    unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(),
        pk_field=serializers.IntegerField(),
        required=False,
        allow_null=True,
        help_text="Id of the unit: its active employees and those of the units below it.",
    )
    job_family = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=100,
        help_text="A job family in use: only its active employees (within the unit, if given). "
        "Empty, null or left out: any job family.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        if user is not None:
            self.fields["unit"].queryset = restrict(OrgUnit.objects.all(), user)

    def validate_job_family(self, value):
        if value and value not in job_families():
            raise serializers.ValidationError(
                _("No employee has the job family “%(family)s”.") % {"family": value}
            )
        return value

    def validate(self, attrs):
        if attrs.get("unit") is None and not attrs.get("job_family"):
            raise serializers.ValidationError(_("Choose a unit, a job family or both."))
        return attrs


class TemplateAppliedSerializer(serializers.Serializer):
    """What an apply did (all or nothing)."""

    matched = serializers.IntegerField(
        help_text="Active employees matching the unit and job family."
    )
    created = serializers.IntegerField(help_text="Goals created: employees who received the goal.")
    skipped = serializers.IntegerField(
        help_text="Employees skipped: they already have a goal from the template for its year."
    )


class MayApply(permissions.BasePermission):
    """Applying a template, as on its web page: who may add goals and sees the template."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("people.add_goal"))

    def has_object_permission(self, request, view, obj):
        return request.user.has_perm("people.view_goaltemplate", obj)


class GoalTemplateViewSet(ServiceViewSet):
    """Goal templates: a goal (year, kind, title, weight, link to the strategy) that HR gives
    every active employee of a unit's subtree and/or of a job family in one step. The goals
    given keep their values when the template later changes or is deleted."""

    queryset = GoalTemplate.objects.all()
    serializer_class = GoalTemplateSerializer
    filterset_class = GoalTemplateFilter
    ordering_fields = ["name", "fiscal_year", "kind", "title", "weight", "id"]
    ordering = ["-fiscal_year", "name", "id"]
    create_service = services.goal_template_create
    update_service = services.goal_template_update
    delete_service = services.goal_template_delete

    def parent(self, data, instance=None):
        """Templates belong to no unit: the rules answer for anywhere."""
        return None

    def get_permissions(self):
        if self.action == "apply":
            return [MayApply()]
        return super().get_permissions()

    @extend_schema(
        request=TemplateApplySerializer,
        responses={
            200: TemplateAppliedSerializer,
            400: OpenApiResponse(
                description="Bad input, or a refusal: nobody matches, or someone matching "
                "is out of the template's reach (nothing is applied)."
            ),
        },
        summary="Give a template's goal to many employees",
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def apply(self, request, pk=None):
        """Give the template's goal to every active employee of `unit`'s subtree and/or of
        `job_family`, all or nothing. Those who already have a goal from the template for
        its fiscal year are skipped, so applying twice gives nobody a second goal. If the
        template serves an objective or measure, every employee matching must be of its unit
        or a unit below it; otherwise nothing is applied (400)."""
        template = self.get_object()
        body = TemplateApplySerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        done = services.goal_template_apply(
            actor=request.user,
            template=template,
            unit=body.validated_data.get("unit"),
            job_family=body.validated_data.get("job_family") or "",
        )
        return Response(TemplateAppliedSerializer(done).data)


ROUTES = [
    ("employees", EmployeeViewSet, "employee"),
    ("goals", GoalViewSet, "goal"),
    ("incentives", IncentiveViewSet, "incentive"),
    ("goal-templates", GoalTemplateViewSet, "goal-template"),
]
