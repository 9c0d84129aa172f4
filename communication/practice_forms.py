"""Forms of the practice pages: a practice with its documents, and the list's filters (one
FilterSet, shared by the page and the API). They check the input's shape only: the rules
(which files, how large, how many links) are the services'."""

from __future__ import annotations

import django_filters
from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.scoping import restrict
from core.widgets import SearchedSelect, SearchedSelectMultiple
from people.models import Employee
from scorecards.display import UnitChoiceField
from scorecards.models import Measure, Objective, OrgUnit
from scorecards.selectors.search import code_name

from .models import Practice
from .selectors.practices import matching_text
from .services.practices import allowed_kinds


class MultipleFileInput(forms.ClearableFileInput):
    """`<input type="file" multiple>`: several documents at once."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files (a list; empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": allowed_kinds()}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, (list, tuple)):
            return [one(item, initial) for item in data if item]
        return [one(data, initial)] if data else []


class CodeNameMultipleField(forms.ModelMultipleChoiceField):
    """Objectives or measures of any unit, named "UNIT.CODE name"."""

    def label_from_instance(self, row):
        return code_name(row)


class PracticeForm(forms.ModelForm):
    """A practice: title, unit, Markdown body, the objectives and measures it serves (among
    those `user` may see, searched as typed) and documents to attach."""

    unit = UnitChoiceField(
        queryset=OrgUnit.objects.all(),
        label=_("Unit"),
        empty_label=_("Choose a unit"),
        help_text=_("The unit that practises it."),
    )
    objectives = CodeNameMultipleField(
        queryset=Objective.objects.none(),
        required=False,
        label=_("Objectives"),
        help_text=_("The objectives it serves: type a code or a name."),
    )
    measures = CodeNameMultipleField(
        queryset=Measure.objects.none(),
        required=False,
        label=_("Measures"),
        help_text=_("The measures it moves: type a code or a name."),
    )
    attachments = MultipleFileField(
        required=False,
        label=_("Attach documents"),
        help_text=_("Documents or pictures (%(kinds)s), each at most %(limit)s."),
    )

    class Meta:
        model = Practice
        fields = ("title", "unit", "body", "objectives", "measures")
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}
        help_texts = {
            "title": _("What the practice is, in a few words."),
            "body": _(
                "What is done, how, since when and with what result. Markdown: **bold**, "
                "*italic*, lists, links."
            ),
        }

    def __init__(self, *args, user, limit_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        for name, model in (("objectives", Objective), ("measures", Measure)):
            field = self.fields[name]
            # Thousands at scale: only the chosen ones are written out, the rest searched
            # (`practice-objectives`, `practice-measures`). The widget first: the queryset
            # gives it its choices.
            field.widget = SearchedSelectMultiple(search_url=reverse_lazy(f"practice-{name}"))
            field.queryset = restrict(model.objects.select_related("unit"), user)
        files = self.fields["attachments"]
        files.help_text = files.help_text % {"kinds": allowed_kinds(), "limit": limit_text}
        if self.instance.pk is None and not self.is_bound:
            # A practice is most often one's own unit's.
            own = Employee.objects.filter(user_id=user.pk, active=True).values("unit_id").first()
            if own:
                self.initial.setdefault("unit", own["unit_id"])
        else:
            files.label = _("Attach more documents")

    def _post_clean(self):
        """Model validation is the service's (the page keeps showing the row as stored)."""


class _UnitFilter(django_filters.ModelChoiceFilter):
    field_class = UnitChoiceField


class PracticeFilter(django_filters.FilterSet):
    """`?unit=<id>&objective=<id>&measure=<id>&q=<words>`, each optional."""

    unit = _UnitFilter(
        queryset=OrgUnit.objects.all(),
        label=_("Unit"),
        empty_label=_("All units"),
        help_text="Practices of this unit (id).",
    )
    objective = django_filters.ModelChoiceFilter(
        field_name="objectives",
        queryset=Objective.objects.select_related("unit"),
        label=_("Objective"),
        widget=SearchedSelect(search_url=reverse_lazy("practice-objectives")),
        help_text="Practices serving this objective (id).",
    )
    measure = django_filters.ModelChoiceFilter(
        field_name="measures",
        queryset=Measure.objects.select_related("unit"),
        label=_("Measure"),
        widget=SearchedSelect(search_url=reverse_lazy("practice-measures")),
        help_text="Practices serving this measure (id).",
    )
    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Words"),
        max_length=200,
        help_text="Practices whose title or text holds every one of these words (any case).",
    )

    class Meta:
        model = Practice
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("objective", "measure"):
            field = self.form.fields[name]
            field.label_from_instance = code_name
            field.empty_label = _("Any")

    def filter_text(self, queryset, name, value):
        return matching_text(queryset, value)
