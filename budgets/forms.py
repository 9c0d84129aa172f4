"""The budget pages' forms: the choice of unit and fiscal year, and a budget line.

The line form only checks the shape of the input and what the page offers; the rules of
a line (a STRATEX line names its initiative, money is never negative...) are the model's,
applied by the services, whose refusals the view puts next to the fields.
"""

from decimal import Decimal

from django import forms
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative
from scorecards.display import UnitChoiceField, unit_choices
from scorecards.models import Objective, OrgUnit

from .choices import BudgetCategory
from .services import outside_chain


class BudgetFilterForm(forms.Form):
    """`?unit=CODE&fiscal_year=YYYY`; both optional (the default unit, the current year).

    Any unit's code is accepted (someone asking for a unit he may not see gets a 403, not
    "no such unit"); the list offers `visible_units` only (in tree order, with depths), the
    unit shown selected (`scorecards.display.show_unit`)."""

    unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.order_by("code"),
        to_field_name="code",
        required=False,
        label=_("Unit"),
        empty_label=None,
        error_messages={"invalid_choice": _("There is no unit with that code.")},
    )
    fiscal_year = forms.IntegerField(
        required=False,
        min_value=1900,
        max_value=2999,
        label=_("Fiscal year"),
        error_messages={"invalid": _("Enter a year such as 2026.")},
    )

    def __init__(self, *args, visible_units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visible_units is not None:
            self.fields["unit"].widget.choices = unit_choices(visible_units, value="code")


class ObjectiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.unit.code} · {obj.code} {obj.name}"


class InitiativeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.unit.code} · {obj.code} {obj.name}"


def _example_amount() -> str:
    return gettext("For example %(amount)s") % {"amount": number_format(Decimal("12500.00"), 2)}


# Amounts are typed as the person's language writes them (12500,00 in French and German).
AMOUNT_INPUT = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def _not_minus_zero(value):
    return abs(value) if value == 0 else value  # "-0" is nothing, not "-0.00"


class BudgetLineForm(forms.Form):
    """A budget line. `units`: where the user may put it; `chain_unit`: the unit whose
    objectives and initiatives (its own and those of the units above it) are offered;
    `line`: the line being changed, if any (its current links stay offered)."""

    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label=_("Unit"))
    fiscal_year = forms.IntegerField(
        min_value=1900,
        max_value=2999,
        label=_("Fiscal year"),
        help_text=_("Named after the calendar year in which it starts."),
        error_messages={"invalid": _("Enter a year such as 2026.")},
    )
    category = forms.ChoiceField(
        choices=BudgetCategory.choices,
        label=_("Category"),
        help_text=_("STRATEX (strategic expenditure) must name the initiative it funds."),
    )
    label = forms.CharField(max_length=200, label=_("Label"))
    planned = forms.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0"),
        localize=True,
        widget=AMOUNT_INPUT,
        label=pgettext_lazy("money", "Planned"),
        help_text=lazy(_example_amount, str)(),
    )
    actual = forms.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0"),
        initial=Decimal("0"),
        localize=True,
        widget=AMOUNT_INPUT,
        label=pgettext_lazy("money", "Actual"),
        help_text=_("Spent so far."),
    )
    objective = ObjectiveChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        label=_("Objective"),
        empty_label=pgettext_lazy("no link", "None"),
        help_text=_("An objective of the unit or of a unit above it that the money serves."),
    )
    initiative = InitiativeChoiceField(
        queryset=Initiative.objects.none(),
        required=False,
        label=_("Initiative"),
        empty_label=pgettext_lazy("no link", "None"),
        help_text=_("The initiative the money funds (of the unit or a unit above it)."),
    )

    def __init__(self, *args, units, chain_unit: OrgUnit, line=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        self.chain_unit = chain_unit
        self.fields["unit"].queryset = units
        chain = OrgUnit.objects.ancestors_of(chain_unit.pk, include_self=True)
        objectives = Objective.objects.filter(unit__in=chain)
        initiatives = Initiative.objects.filter(unit__in=chain)
        if line is not None:  # a link made elsewhere (the API, the admin) is kept as it is
            objectives = objectives | Objective.objects.filter(pk=line.objective_id)
            initiatives = initiatives | Initiative.objects.filter(pk=line.initiative_id)
        self.fields["objective"].queryset = objectives.select_related("unit").order_by(
            "unit__code", "code"
        )
        self.fields["initiative"].queryset = initiatives.select_related("unit").order_by(
            "unit__code", "code"
        )

    def clean_planned(self):
        return _not_minus_zero(self.cleaned_data["planned"])

    def clean_actual(self):
        return _not_minus_zero(self.cleaned_data["actual"])

    def clean(self):
        """An objective or initiative newly chosen must belong to the line's unit or a unit
        above it (one query)."""
        data = super().clean()
        unit = data.get("unit")
        if unit is None:
            return data
        chosen = {
            name: data.get(name)
            for name in ("objective", "initiative")
            if data.get(name) is not None and not self._unchanged(name, unit)
        }
        if chosen:
            chain = unit.ancestor_ids(include_self=True)
            for name, target in chosen.items():
                if target.unit_id not in chain:
                    self.add_error(name, outside_chain(name, unit.code, target.unit.code))
        return data

    def _unchanged(self, name, unit) -> bool:
        line = self.line
        return (
            line is not None
            and line.unit_id == unit.pk
            and getattr(line, f"{name}_id") == self.cleaned_data[name].pk
        )
