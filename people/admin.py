"""The admin of employees, their goals and incentive components (permissions from the
rules; the building blocks are core/admin_kit.py's)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.admin_kit import RulesAdmin, RulesTabularInline, TrackedAdmin

from .models import Employee, Goal, GoalTemplate, IncentiveComponent, validate_strategy_link


class StrategyLinkForm(forms.ModelForm):
    """A goal or incentive links only to an objective or measure of the employee's unit or a
    unit above it (`validate_strategy_link`). The model's `clean` skips this while the
    employee is not saved yet (the employee's add page); this checks against the employee
    on the form."""

    def clean(self):
        cleaned = super().clean()
        employee = cleaned.get("employee")
        if employee is not None and employee.unit_id:
            try:
                validate_strategy_link(employee, cleaned.get("objective"), cleaned.get("measure"))
            except ValidationError as exc:
                self.add_error(None, exc)  # keyed "objective" / "measure", fields of the form
        return cleaned


class GoalForm(StrategyLinkForm):
    class Meta:
        model = Goal
        fields = (
            "employee",
            "fiscal_year",
            "kind",
            "title",
            "weight",
            "objective",
            "measure",
            "progress",
        )


class IncentiveComponentForm(StrategyLinkForm):
    class Meta:
        model = IncentiveComponent
        fields = ("employee", "fiscal_year", "name", "weight", "objective", "measure")


class AlignedFilter(admin.SimpleListFilter):
    """Linked to strategy: names an objective or a measure."""

    title = _("linked to strategy")
    parameter_name = "linked"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        linked = Q(objective__isnull=False) | Q(measure__isnull=False)
        if self.value() == "yes":
            return queryset.filter(linked)
        if self.value() == "no":
            return queryset.exclude(linked)
        return queryset


class GoalInline(RulesTabularInline):
    model = Goal
    form = GoalForm
    fields = ("fiscal_year", "kind", "title", "weight", "objective", "measure", "progress")
    autocomplete_fields = ("objective", "measure")


class IncentiveComponentInline(RulesTabularInline):
    model = IncentiveComponent
    form = IncentiveComponentForm
    fields = ("fiscal_year", "name", "weight", "objective", "measure")
    autocomplete_fields = ("objective", "measure")


@admin.register(Employee)
class EmployeeAdmin(RulesAdmin):
    """Employees with their goals and incentive components."""

    list_display = ("name", "email", "unit", "manager", "job_family", "active", "user")
    list_select_related = ("unit", "manager", "user")
    list_filter = ("active", "unit__kind", "job_family")
    search_fields = ("name", "email", "job_family", "unit__code", "unit__name")
    autocomplete_fields = ("user", "unit", "manager")
    inlines = (GoalInline, IncentiveComponentInline)


@admin.register(Goal)
class GoalAdmin(TrackedAdmin):
    form = GoalForm
    list_display = (
        "title",
        "employee",
        "fiscal_year",
        "kind",
        "weight",
        "objective",
        "measure",
        "progress",
    )
    list_select_related = ("employee", "objective", "measure")
    list_filter = ("fiscal_year", "kind", AlignedFilter)
    search_fields = ("title", "employee__name", "employee__email", "objective__code")
    autocomplete_fields = ("employee", "objective", "measure")
    readonly_fields = ("template",)  # set when a template is applied (people/services.py)


@admin.register(IncentiveComponent)
class IncentiveComponentAdmin(TrackedAdmin):
    form = IncentiveComponentForm
    list_display = ("name", "employee", "fiscal_year", "weight", "objective", "measure")
    list_select_related = ("employee", "objective", "measure")
    list_filter = ("fiscal_year", AlignedFilter)
    search_fields = ("name", "employee__name", "employee__email", "objective__code")
    autocomplete_fields = ("employee", "objective", "measure")


@admin.register(GoalTemplate)
class GoalTemplateAdmin(RulesAdmin):
    """Goals HR gives many employees at once; applied from the web app
    (/people/templates/) or the API (goal-templates/{id}/apply/), which check who may
    receive them. Goals applied keep their
    values when a template changes; deleting one leaves its goals in place."""

    list_display = ("name", "fiscal_year", "kind", "title", "weight", "objective", "measure")
    list_select_related = ("objective__unit", "measure__unit")
    list_filter = ("fiscal_year", "kind", AlignedFilter)
    search_fields = ("name", "title", "objective__code", "measure__code")
    autocomplete_fields = ("objective", "measure")
