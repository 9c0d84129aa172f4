"""API v1 of the budgets app: budget lines (API.md). Thin: writes go through the services;
reads are for those who steer money (the budget policy)."""

import django_filters

from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet

from . import services
from .models import BudgetLine


class BudgetLineSerializer(ScopedSerializer):
    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "unit",
            "fiscal_year",
            "category",
            "label",
            "planned",
            "actual",
            "objective",
            "initiative",
        ]
        extra_kwargs = {
            "fiscal_year": {"min_value": 1900, "max_value": 2999},
            "planned": {"min_value": 0},
            "actual": {"min_value": 0, "help_text": "Spent so far (decimal string)."},
            "initiative": {
                "help_text": "Id of the initiative the line funds; required for stratex lines."
            },
        }

    def _money(self, value):
        return abs(value) if value == 0 else value  # "-0" is nothing spent, not "-0.00"

    validate_planned = validate_actual = _money


class BudgetLineFilter(django_filters.FilterSet):
    class Meta:
        model = BudgetLine
        fields = ["unit", "fiscal_year", "category", "objective", "initiative"]


def _line_create(*, by, data):
    return services.budget_line_create(by=by, **data)


def _line_update(instance, *, by, data):
    return services.budget_line_update(line=instance, by=by, **data)


def _line_destroy(instance, *, by):
    services.budget_line_delete(line=instance, by=by)


class BudgetLineViewSet(ServiceViewSet):
    """Budget lines (OPEX, CAPEX, STRATEX) of a unit's fiscal year, linked to the strategy
    they fund."""

    queryset = BudgetLine.objects.all()
    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilter
    ordering_fields = ["fiscal_year", "category", "label", "planned", "actual"]
    ordering = ["fiscal_year", "category", "label", "id"]
    create_with = _line_create
    update_with = _line_update
    destroy_with = _line_destroy


ROUTES = [("budget-lines", BudgetLineViewSet, "budgetline")]
