"""Forms of the strategy calendar pages: the choice of unit and year, and a calendar event.

The event form checks the input's shape only; the rules of an event (it cannot end before
it starts...) are the model's, applied by the services, whose refusals the views put next
to the fields (`core.forms.add_service_errors`)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput
from scorecards.display import unit_choices
from scorecards.models import OrgUnit

from .models import CalendarEvent


class CalendarFilterForm(forms.Form):
    """`?unit=CODE&year=YYYY`, both optional (the default unit, the current fiscal year).
    Every unit is offered, in tree order: everyone with a role reads every calendar."""

    unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.all(),
        to_field_name="code",
        required=False,
        label=_("Unit"),
        empty_label=None,  # the page shows the default unit then, selected by the view
        error_messages={"invalid_choice": _("There is no unit with that code.")},
    )
    year = forms.IntegerField(
        required=False,
        min_value=1900,
        max_value=2999,
        label=_("Fiscal year"),
        help_text=_("Named after the calendar year in which it starts."),
        error_messages={"invalid": _("Enter a year such as 2026.")},
    )

    def __init__(self, *args, tree: list[tuple[OrgUnit, int]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = unit_choices(tree, value="code")


class CalendarEventForm(forms.ModelForm):
    """An event's unit, kind, title, dates and notes. `units`: the units the user may put
    it in, with their depths in the tree (a unit head: his headed subtree)."""

    class Meta:
        model = CalendarEvent
        fields = ("unit", "kind", "title", "starts_on", "ends_on", "notes")
        labels = {"starts_on": _("Starts on"), "ends_on": _("Ends on")}
        help_texts = {
            "unit": _("The event applies to this unit and every unit below it."),
            "ends_on": _("Leave empty for a one-day event."),
        }
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, units: list[tuple[OrgUnit, int]], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = OrgUnit.objects.filter(pk__in=[u.pk for u, _ in units])
        # Set after the queryset: the choices shown, in tree order (the queryset validates).
        field.widget.choices = unit_choices(
            units, empty=None if len(units) == 1 else gettext("Choose a unit")
        )

    def _post_clean(self):
        """Model validation is the service's (the page still shows the event as stored)."""
