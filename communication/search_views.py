"""The search page, `/search/?q=&types=`: what the header's search box finds among the
objectives, measures, initiatives, practices, announcements, meetings' decisions and action
items the user may see, best first, each with its kind, its link and a snippet, and boxes
to keep only some kinds (the engine and what is searchable: core/search.py)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core.search import MAX_QUERY, Found, search, searchable_types
from core.views import NO_ROLE

RESULTS = 50  # on the page: the best ones; a longer list is better narrowed by more words


class SearchForm(forms.Form):
    """The words, and the kinds of thing to look among (none ticked: every kind)."""

    q = forms.CharField(label=_("Search for"), max_length=MAX_QUERY, required=False, strip=True,
                        widget=forms.TextInput(attrs={"type": "search"}))  # fmt: skip
    types = forms.MultipleChoiceField(
        label=_("Only"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["types"].choices = [(kind.name, kind.label) for kind in kinds]


def _asked(request) -> dict | None:
    """The form's data, the types also accepted comma-separated (`types=objective,measure`,
    as the API takes them); None before anything is asked."""
    if "q" not in request.GET and "types" not in request.GET:
        return None
    data = request.GET.copy()
    data.setlist("types", [name for value in request.GET.getlist("types")
                           for name in value.split(",") if name])  # fmt: skip
    return data


@login_required
@require_GET
def search_page(request):
    """The search form and, once words are given, the best matches (400 for a query too long
    or an unknown kind)."""
    kinds = searchable_types(request.user)
    if not kinds:
        raise PermissionDenied(str(NO_ROLE))
    form = SearchForm(_asked(request), kinds=kinds)
    found, status = Found(), 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound and form.cleaned_data["q"]:
        cleaned = form.cleaned_data
        found = search(request.user, cleaned["q"], cleaned["types"] or None, RESULTS)
    q = form.cleaned_data.get("q", "") if form.is_bound and status == 200 else ""
    labels = {kind.name: kind.label for kind in kinds}
    context = {
        "form": form,
        "q": q,
        "found": found,
        "counts": [(labels[name], count) for name, count in found.counts.items()],
        "more": found.count > len(found.hits),
    }
    return render(request, "communication/search/search.html", context, status=status)
