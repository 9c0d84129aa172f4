"""The filters of the initiatives portfolio, one FilterSet shared by the page and the API
(the API's `InitiativeFilter` adds its own filters to these)."""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.clock import fiscal_year_bounds
from scorecards.models import OrgUnit

from .choices import InitiativeStatus
from .models import Initiative


class YearFilter(django_filters.NumberFilter):
    """A whole year (NumberFilter's field takes decimals)."""

    field_class = forms.IntegerField


def running_during(queryset, fiscal_year: int):
    """Initiatives that run during the fiscal year: start on or before its last day and end
    (if they have an end) on or after its first."""
    first, last = fiscal_year_bounds(fiscal_year, settings.FISCAL_YEAR_START_MONTH)
    return queryset.filter(Q(end__isnull=True) | Q(end__gte=first), start__lte=last)


class InitiativePortfolioFilter(django_filters.FilterSet):
    """`?subtree=<unit id>&status=<status>&fiscal_year=<year>`, each optional."""

    subtree = django_filters.ModelChoiceFilter(
        field_name="unit",  # what it filters on (and the API schema's type: a unit id)
        queryset=OrgUnit.objects.order_by("code"),
        method="filter_subtree",
        label=_("Unit"),
        empty_label=_("All units"),
        help_text="Initiatives of this unit and of the units below it (id).",
    )
    status = django_filters.ChoiceFilter(
        choices=InitiativeStatus.choices,
        label=_("Status"),
        empty_label=_("Any status"),
        help_text="Initiatives in this status.",
    )
    fiscal_year = YearFilter(
        method="filter_fiscal_year",
        label=_("Fiscal year"),
        min_value=1900,
        max_value=2999,
        help_text=(
            "Initiatives running during this fiscal year (named after the calendar year in "
            "which it starts); the page's budget sums then count this year's lines only."
        ),
        error_messages={"invalid": _("Enter a year such as 2026.")},
    )

    class Meta:
        model = Initiative
        fields: list[str] = []

    def filter_subtree(self, queryset, name, unit):
        return queryset.filter(unit__in=OrgUnit.objects.subtree_of(unit.pk))

    def filter_fiscal_year(self, queryset, name, year):
        return running_during(queryset, year)
