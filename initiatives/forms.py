"""Forms of the initiatives pages. They check the input's shape only: the rules (model
validation, constraints, which objectives an initiative may advance) are the services',
whose refusals the view kit puts next to the fields (`core.forms.add_service_errors`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.people import PersonField
from core.widgets import DateInput, SearchableSelectMultiple, SearchedSelectMultiple
from scorecards.display import unit_choices
from scorecards.models import OrgUnit

from .models import Initiative, Milestone


def tree_choices(units: list[tuple[OrgUnit, int]], empty_label: str | None) -> list:
    """Choices of units in tree order, indented by depth (`units` as from
    `scorecards.selectors.unit_tree`), after an empty choice if `empty_label`."""
    return unit_choices(units, empty=empty_label)


class ServiceModelForm(forms.ModelForm):
    """A model form that leaves model validation to the service it feeds (and so does not
    copy its data onto the instance, which the page still shows as it was)."""

    def _post_clean(self):
        pass


class ObjectivesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, objective):
        return f"{objective.unit.code}.{objective.code} {objective.name}"


class InitiativeForm(ServiceModelForm):
    """An initiative's fields and the objectives it advances. `units`: the units the user
    may put it in, with their depths in the tree; `objectives`: those offered (of the
    units within reach)."""

    owner = PersonField(required=False, label=_("Owner"), empty_label=_("No owner"))
    objectives = ObjectivesField(
        queryset=None,
        required=False,
        label=_("Objectives"),
        widget=SearchableSelectMultiple,  # thousands at scale: options written in Python
        help_text=_(
            "The objectives it advances: of its own unit or of the units above or below it."
        ),
    )
    percent_complete = forms.IntegerField(
        min_value=0,
        max_value=100,
        initial=0,
        label=_("Percent complete"),
        help_text=_("0 to 100."),
    )

    class Meta:
        model = Initiative
        fields = (
            "code",
            "name",
            "description",
            "unit",
            "owner",
            "objectives",
            "start",
            "end",
            "status",
            "percent_complete",
        )
        widgets = {
            "start": DateInput,
            "end": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "code": _("A letter, then letters, digits or underscores; unique in the unit."),
            "end": _("Leave empty while open-ended."),
        }

    def __init__(
        self, *args, units, objectives, refresh_url: str = "", search_url: str = "", **kwargs
    ):
        super().__init__(*args, **kwargs)
        if search_url:
            # thousands within reach of the enterprise (4,000 at seed_scale): searched as typed
            field = self.fields["objectives"]
            field.widget = SearchedSelectMultiple(attrs=field.widget.attrs, search_url=search_url)
        unit = self.fields["unit"]
        unit.queryset = OrgUnit.objects.filter(pk__in=[u.pk for u, _ in units])
        # Set after the queryset: the choices shown, in tree order (the queryset validates).
        unit.widget.choices = tree_choices(units, None if len(units) == 1 else _("Choose a unit"))
        self.fields["objectives"].queryset = objectives
        if refresh_url:
            # With htmx, choosing a unit offers that unit's objectives (keeping those chosen
            # that are still within reach); without script the service checks them anyway.
            self.fields["unit"].widget.attrs.update(
                {
                    "hx-get": refresh_url,
                    "hx-trigger": "change",
                    "hx-include": "#id_objectives",
                    "hx-select": "#id_objectives",
                    "hx-target": "#id_objectives",
                    "hx-swap": "outerHTML",
                }
            )


class MilestoneForm(ServiceModelForm):
    """A milestone's name, due date and the day it was done."""

    class Meta:
        model = Milestone
        fields = ("name", "due", "done_on")
        widgets = {"due": DateInput, "done_on": DateInput}
        labels = {"done_on": _("Done on")}
        help_texts = {"done_on": _("Leave empty while it is not done.")}
