"""API v1 of the budgets app: budget lines (API.md). Thin: writes go through the services;
reads are for those who steer money (the budget policy)."""

import django_filters

from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet

from . import services
from .models import BudgetLine


class BudgetLineSerializer(ScopedSerializer):
    """A budget line of a unit's fiscal year (OPEX, CAPEX or STRATEX), linked to an objective
    or an initiative where it serves strategy."""

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


class BudgetLineViewSet(ServiceViewSet):
    """Budget lines (OPEX, CAPEX, STRATEX) of a unit's fiscal year, linked to the strategy
    they fund."""

    queryset = BudgetLine.objects.all()
    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilter
    ordering_fields = ["fiscal_year", "category", "label", "planned", "actual"]
    ordering = ["fiscal_year", "category", "label", "id"]
    create_service = services.budget_line_create
    update_service = services.budget_line_update
    delete_service = services.budget_line_delete


ROUTES = [("budget-lines", BudgetLineViewSet, "budgetline")]
