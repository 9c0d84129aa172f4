"""The dashboard's choices: which month, and whether year to date."""

from django import forms
from django.utils.translation import gettext_lazy as _

from scorecards.periods import parse_period


class DashboardForm(forms.Form):
    """`?as_of=YYYY-MM&ytd=1` (both optional: this month, the month's own figures)."""

    as_of = forms.CharField(required=False, label=_("As of"), help_text=_("YYYY-MM"))
    ytd = forms.BooleanField(required=False, label=_("Year to date"))

    def clean_as_of(self):
        text = self.cleaned_data["as_of"].strip()
        if not text:
            return None
        try:
            return parse_period(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
