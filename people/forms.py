"""Forms of the people pages: the employee list's filters, goals, incentive components,
goal templates and their apply form, and the choice of unit and year.

The forms check what a form can (types, ranges, choices limited to what the employee may
link to); the services check the rest, and a service's ValidationError is put back on the
form next to its fields."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.clock import current_fiscal_year
from core.validators import positive_weight
from scorecards.display import UnitChoiceField
from scorecards.models import Measure, Objective, OrgUnit

from .models import Employee, Goal, GoalTemplate, IncentiveComponent
from .selectors import job_families, strategy_within_reach

YEAR = {"min_value": 1900, "max_value": 2999}
YEAR_ERRORS = {"invalid": _("Enter a year such as 2026.")}
YEAR_MESSAGE = _("The fiscal year must be between 1900 and 2999.")


def bound_year(field: forms.Field) -> None:
    """A model form's fiscal year checked next to the field (the model's CHECK constraint
    would report it above the form)."""

    def plausible(value):
        if value is not None and not YEAR["min_value"] <= value <= YEAR["max_value"]:
            raise forms.ValidationError(YEAR_MESSAGE)

    field.validators.append(plausible)
    field.widget.attrs.update({"min": YEAR["min_value"], "max": YEAR["max_value"]})


def units_field(**kwargs) -> forms.ModelChoiceField:
    """A unit chosen by code (`?unit=BU`), as on the Alignment page."""
    kwargs.setdefault("required", False)
    return UnitChoiceField(
        queryset=OrgUnit.objects.all(),
        to_field_name="code",
        error_messages={"invalid_choice": _("There is no unit with that code.")},
        **kwargs,
    )


class UnitFilter(django_filters.ModelChoiceFilter):
    """A unit filter whose list shows the units in tree order, by name."""

    field_class = UnitChoiceField


class StrategyChoiceField(forms.ModelChoiceField):
    """An objective or measure shown as UNIT.CODE name."""

    def label_from_instance(self, obj):
        return f"{obj.unit.code}.{obj.code} {obj.name}"


# The employee list ---------------------------------------------------------------------------


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


class EmployeeListFilter(django_filters.FilterSet):
    """The filters of the employee list (`/people/`).

    Not the API's `EmployeeFilter` (people/api.py): there `unit` is the unit itself and
    `manager` and `user` are choices among every row, which a page cannot list; here `unit`
    takes the unit and everything below it, `q` searches names and `fiscal_year` chooses
    the year whose goals and incentives are counted (it filters no row)."""

    unit = UnitFilter(
        queryset=OrgUnit.objects.all(),
        to_field_name="code",
        method="in_subtree",
        label=_("Unit"),
        empty_label=_("All units"),
        help_text=_("With the units below it."),
        error_messages={"invalid_choice": _("There is no unit with that code.")},
    )
    job_family = django_filters.ChoiceFilter(
        label=_("Job family"), empty_label=pgettext_lazy("job families", "All"), choices=[]
    )
    active = django_filters.TypedChoiceFilter(
        label=pgettext_lazy("employee", "Active"),
        choices=[
            ("", _("Any")),
            ("true", pgettext_lazy("employee", "Active")),
            ("false", _("Not active")),
        ],
        coerce=lambda value: value == "true",
    )
    q = django_filters.CharFilter(method="search", label=_("Name"), max_length=100)
    fiscal_year = YearFilter(
        method="for_year", label=_("Fiscal year"), error_messages=YEAR_ERRORS, **YEAR
    )

    class Meta:
        model = Employee
        fields = ["unit", "job_family", "active", "q", "fiscal_year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["job_family"].extra["choices"] = [(j, j) for j in job_families()]

    def in_subtree(self, queryset, name, unit):
        return queryset.filter(unit__in=OrgUnit.objects.subtree_of(unit.pk))

    def search(self, queryset, name, text):
        text = text.strip()
        return queryset.filter(Q(name__icontains=text) | Q(email__icontains=text))

    def for_year(self, queryset, name, year):
        return queryset  # the year of the figures shown, not a filter of rows


class YearForm(forms.Form):
    """`?fiscal_year=YYYY` on an employee's page (default: the current year)."""

    fiscal_year = forms.IntegerField(
        required=False, label=_("Fiscal year"), error_messages=YEAR_ERRORS, **YEAR
    )


class UnitYearForm(YearForm):
    """`?unit=CODE&fiscal_year=YYYY` of the goal alignment page."""

    # No empty choice: the page shows its default unit (the enterprise, or the unit a head
    # heads) selected.
    unit = units_field(label=_("Unit"), empty_label=None)

    field_order = ["unit", "fiscal_year"]


# Goals and incentive components --------------------------------------------------------------


class StrategyLinkForm(forms.ModelForm):
    """A goal or incentive component of `employee`: its objective and measure are chosen
    among those of the employee's unit and the units above it only."""

    def __init__(self, *args, employee: Employee, **kwargs):
        kwargs.setdefault("instance", self._meta.model(employee=employee))
        super().__init__(*args, **kwargs)
        objectives, measures = strategy_within_reach(employee)
        self.fields["objective"].queryset = objectives
        self.fields["measure"].queryset = measures
        chain = gettext("Of %(unit)s or a unit above it.") % {"unit": employee.unit.code}
        self.fields["objective"].help_text = chain
        self.fields["measure"].help_text = chain
        self.fields["weight"].validators.append(positive_weight)
        bound_year(self.fields["fiscal_year"])
        if not self.instance.pk:
            self.initial.setdefault("fiscal_year", current_fiscal_year())


class GoalForm(StrategyLinkForm):
    class Meta:
        model = Goal
        fields = ["fiscal_year", "kind", "title", "weight", "objective", "measure", "progress"]
        field_classes = {"objective": StrategyChoiceField, "measure": StrategyChoiceField}
        widgets = {"progress": forms.NumberInput(attrs={"min": 0, "max": 100})}
        labels = {"progress": _("Progress (%)")}


class IncentiveForm(StrategyLinkForm):
    class Meta:
        model = IncentiveComponent
        fields = ["fiscal_year", "name", "weight", "objective", "measure"]
        field_classes = {"objective": StrategyChoiceField, "measure": StrategyChoiceField}


# Goal templates ------------------------------------------------------------------------------


class GoalTemplateForm(forms.ModelForm):
    """A goal template. Its objective and measure are chosen among those of one unit
    (`link_unit`), so the page never lists every objective of a large organisation: pick
    the unit, then its objective or measure."""

    link_unit = units_field(
        label=_("Strategy of unit"),
        empty_label=_("None: a goal linked to nothing"),
        help_text=_(
            "The unit whose objective or measure the goals serve. Only employees of "
            "this unit or a unit below it can receive them."
        ),
    )

    class Meta:
        model = GoalTemplate
        fields = ["name", "fiscal_year", "kind", "title", "weight", "objective", "measure"]
        field_classes = {"objective": StrategyChoiceField, "measure": StrategyChoiceField}

    field_order = ["name", "fiscal_year", "kind", "title", "weight", "link_unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_year(self.fields["fiscal_year"])
        if not self.instance.pk:
            self.initial.setdefault("fiscal_year", current_fiscal_year())
        link = self.instance.objective if self.instance.objective_id else None
        link = link or (self.instance.measure if self.instance.measure_id else None)
        if link is not None:
            self.initial.setdefault("link_unit", link.unit.code)
        unit = self._chosen_unit()
        self.fields["objective"].queryset = (
            Objective.objects.filter(unit=unit).select_related("unit").order_by("code")
            if unit
            else Objective.objects.none()
        )
        self.fields["measure"].queryset = (
            Measure.objects.filter(unit=unit).select_related("unit").order_by("code")
            if unit
            else Measure.objects.none()
        )
        for name in ("objective", "measure"):
            self.fields[name].help_text = (
                gettext("Of %(unit)s.") % {"unit": unit.code}
                if unit
                else gettext("Choose the unit first, then show its strategy.")
            )

    def _chosen_unit(self) -> OrgUnit | None:
        """The unit posted, else the one of the template's link (None if neither)."""
        code = self.data.get(self.add_prefix("link_unit")) if self.is_bound else None
        if code is None:
            code = self.initial.get("link_unit")
        return OrgUnit.objects.filter(code=code).first() if code else None


class TemplateApplyForm(forms.Form):
    """To whom a template is applied: the active employees of a unit and the units below
    it, of a job family, or of a job family within a unit."""

    unit = units_field(
        label=_("Unit"), empty_label=_("Any unit"), help_text=_("With the units below it.")
    )
    job_family = forms.ChoiceField(label=_("Job family"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_family"].choices = [("", gettext("Any job family"))] + [
            (j, j) for j in job_families()
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("unit") and not cleaned.get("job_family"):
            raise forms.ValidationError(_("Choose a unit, a job family or both."))
        return cleaned
