"""Choosing a person in a form (an owner, a unit's head): the field, and the search behind
it. A company has tens of thousands of people (20,000 at seed_scale), too many to write
into every form as options: the field writes the chosen person only, and the box asks
`/people/search/?q=` as the person types (core.widgets.SearchedSelect)."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET

from .roles import ROLES, has_role
from .views import NO_ROLE
from .widgets import SearchedSelect

SEARCH_LIMIT = 20  # answers per search: enough to see the name looked for, little to send
LABEL_FIELDS = ("pk", "username", "first_name", "last_name")


def person_label(user) -> str:
    """How a person is named in a choice: the full name, else the username."""
    return user.get_full_name() or user.username


def active_people():
    """Everyone who may be chosen: the active users, with what their label needs."""
    return get_user_model().objects.filter(is_active=True).only(*LABEL_FIELDS)


def people_matching(query: str, *, limit: int = SEARCH_LIMIT):
    """The active people whose username, first or last name contains every word of
    `query` (any case), by name; the first `limit` (with no words, the first by name)."""
    people = active_people()
    for word in query.split()[:5]:  # five words name anyone; more only cost time
        people = people.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
        )
    return people.order_by("first_name", "last_name", "username")[:limit]


@require_GET
@login_required
def people_search(request):
    """JSON for the person boxes: `{"results": [{"value": id, "text": name}]}`. For people
    with a role only: someone OSM has not given one sees no page, nor the list of names."""
    if not (request.user.is_superuser or has_role(request.user, *ROLES)):
        raise PermissionDenied(str(NO_ROLE))
    query = request.GET.get("q", "")[:100]
    results = [{"value": user.pk, "text": person_label(user)} for user in people_matching(query)]
    return JsonResponse({"results": results})


class PersonField(forms.ModelChoiceField):
    """One active person, searched by name (see the module's docstring); an inactive or
    unknown one is refused as Django refuses any choice not offered."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", active_people())
        kwargs.setdefault("widget", SearchedSelect(search_url=reverse_lazy("people-search")))
        super().__init__(**kwargs)

    def label_from_instance(self, obj):
        return person_label(obj)


def make_person_field(field: forms.ModelChoiceField) -> None:
    """Turn a model form's user field (a `ModelChoiceField`) into a person search, in
    place: its label, help text, requiredness and empty label stay as they are."""
    field.widget = SearchedSelect(
        attrs=field.widget.attrs, search_url=reverse_lazy("people-search")
    )
    field.widget.is_required = field.required
    field.queryset = active_people()  # also gives the widget its choices
    field.label_from_instance = person_label
