"""API v1 of the people app: employees, goals and incentive components (API.md). Thin:
writes go through the services; reads are scoped by the people policy: OSM staff, executives and
HR see everyone, unit heads the people of their subtree, each employee his or her own rows."""

import django_filters

from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet
from core.validators import positive_weight
from scorecards.models import OrgUnit

from . import services
from .models import Employee, Goal, IncentiveComponent

# Employees ---------------------------------------------------------------------------------


class EmployeeSerializer(ScopedSerializer):
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


ROUTES = [
    ("employees", EmployeeViewSet, "employee"),
    ("goals", GoalViewSet, "goal"),
    ("incentives", IncentiveViewSet, "incentive"),
]
