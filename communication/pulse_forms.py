"""Forms of the awareness pulse pages: a pulse (OSM staff), and the two questions a person
answers. They check the input's shape; the rules (who is asked, when, once) are the
services', whose refusals the views put next to the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput
from scorecards.display import UnitChoiceField
from scorecards.models import OrgUnit

from .models import Pulse
from .selectors.pulses import Question

DONT_KNOW = "none"  # the value of "I don't know" (no objective)

# "How well do you understand the strategy?", each answer in words.
UNDERSTANDING_CHOICES = [
    (1, _("1 · Not at all")),
    (2, _("2 · A little")),
    (3, _("3 · Partly")),
    (4, _("4 · Well")),
    (5, _("5 · Very well")),
]


class PulseForm(forms.ModelForm):
    """A pulse's unit (its people and those of every unit below are asked), title and days."""

    unit = UnitChoiceField(
        queryset=OrgUnit.objects.all(),
        label=_("Unit"),
        help_text=_("Everyone with a login in this unit and in every unit below it is asked."),
    )

    class Meta:
        model = Pulse
        fields = ["unit", "title", "opens_on", "closes_on"]
        labels = {"title": _("Title"), "opens_on": _("Opens on"), "closes_on": _("Closes on")}
        help_texts = {
            "title": _('For example "Strategy awareness, spring 2027".'),
            "opens_on": _("The first day answers are taken."),
            "closes_on": _(
                "The last day answers are taken; people who have not answered are reminded "
                "in the last two days. The results are shown to everyone after it."
            ),
        }
        widgets = {"opens_on": DateInput, "closes_on": DateInput}


class PulseAnswerForm(forms.Form):
    """The two questions: the objective one's work serves most (among those `question`
    offers, or "I don't know"), and how well one understands the strategy (1 to 5)."""

    objective = forms.ChoiceField(
        label=_("Which objective does your work serve most?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose an objective, or “I don't know”.")},
    )
    understanding = forms.TypedChoiceField(
        label=_("How well do you understand the strategy?"),
        choices=UNDERSTANDING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose from 1 (not at all) to 5 (very well).")},
    )

    def __init__(self, *args, question: Question, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].choices = [
            (str(choice.objective), choice.name) for choice in question.choices
        ] + [(DONT_KNOW, _("I don't know"))]

    def objective_id(self) -> int | None:
        """The objective chosen (a valid form's), None for "I don't know"."""
        value = self.cleaned_data["objective"]
        return None if value == DONT_KNOW else int(value)
