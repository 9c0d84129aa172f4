"""The Alignment page's choice of unit and fiscal year (query parameters)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from scorecards.display import UnitChoiceField
from scorecards.models import OrgUnit


class AlignmentFilterForm(forms.Form):
    """`?unit=CODE&fiscal_year=YYYY`; both optional (the enterprise, the current year)."""

    unit = UnitChoiceField(
        queryset=OrgUnit.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=None,  # the page shows the enterprise then, selected by the view
        label=_("Unit"),
        error_messages={"invalid_choice": _("There is no unit with that code.")},
    )
    fiscal_year = forms.IntegerField(
        required=False,
        min_value=1900,
        max_value=2999,
        label=_("Fiscal year"),
        error_messages={"invalid": _("Enter a year such as 2026.")},
    )
