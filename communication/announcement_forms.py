"""The form of the announcement pages: the unit it is addressed to (among those the person
may publish to), its title, its text (Markdown) and the objectives it is about (searched as
typed: thousands at scale). It checks the input's shape; the rules are the service's, whose
refusals the view kit puts next to the fields."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.widgets import SearchedSelectMultiple
from scorecards.display import UnitChoiceField
from scorecards.models import OrgUnit
from scorecards.selectors.search import code_name

from .models import Announcement


class ObjectivesField(forms.ModelMultipleChoiceField):
    """Objectives named as everywhere a choice spans units: UNIT.CODE Name."""

    def label_from_instance(self, objective):
        return code_name(objective)


class AnnouncementForm(forms.ModelForm):
    """An announcement's unit, title, text and objectives. `units`: the units the person may
    publish to; `objectives`: those he or she may tie it to."""

    unit = UnitChoiceField(
        queryset=OrgUnit.objects.none(),
        empty_label=_("Choose a unit"),
        label=_("Addressed to"),
        help_text=_("It reaches the people of this unit and of every unit below it."),
    )
    objectives = ObjectivesField(
        queryset=None,
        required=False,
        label=_("Objectives"),
        widget=SearchedSelectMultiple(search_url=reverse_lazy("announcement-objectives")),
        help_text=_("The objectives it is about, if any. Type to search."),
    )

    class Meta:
        model = Announcement
        fields = ("unit", "title", "body", "objectives")
        labels = {"title": _("Title"), "body": _("Text")}
        help_texts = {"body": _("Markdown: **bold**, *italic*, lists, links, tables.")}
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, units, objectives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["objectives"].queryset = objectives

    def _post_clean(self):
        """Model validation is the service's (the stored row is left as it is)."""
