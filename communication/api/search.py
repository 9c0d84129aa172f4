"""API v1's search (API.md "Practices and search"): `GET search/?q=&types=&limit=` finds the
objectives, measures, initiatives, practices, announcements, meetings' decisions and action
items the user may see, best first, each with a snippet of its text (the engine and what
is searchable: core/search.py, filled by each app)."""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.search import MAX_QUERY, search, search_type, search_types, searchable_types
from core.views import NO_ROLE

MAX_LIMIT = 100


def _type_names() -> str:
    return ", ".join(f"`{kind.name}`" for kind in search_types())


class SearchParameters(serializers.Serializer):
    """What a search is asked: the words, the types, how many results."""

    q = serializers.CharField(
        max_length=MAX_QUERY,
        help_text="The words to find (at most 200 characters). Every word must match (in any "
        'form of it: "customers" finds "customer"); "quoted words" match as a phrase, '
        "`or` between words matches either, `-word` excludes.",
    )
    types = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Only these kinds of thing, comma-separated (default: every kind): "
        "objective, measure, initiative, practice, announcement, decision (a review "
        "meeting's decisions), action_item.",
    )
    limit = serializers.IntegerField(
        required=False,
        default=20,
        min_value=1,
        max_value=MAX_LIMIT,
        help_text=f"How many results, best first (1 to {MAX_LIMIT}; default 20).",
    )

    def validate_types(self, value: str) -> list[str]:
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in names if search_type(name) is None]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown type: %(unknown)s. The types are %(types)s.")
                % {"unknown": ", ".join(unknown), "types": _type_names()}
            )
        return list(dict.fromkeys(names))


class SearchResultSerializer(serializers.Serializer):
    """One thing found."""

    type = serializers.CharField(
        help_text="Its kind: objective, measure, initiative, practice, announcement, decision "
        "(the id is the review meeting's) or action_item."
    )
    id = serializers.IntegerField(help_text="Its id (in the API resource of its kind).")
    title = serializers.CharField(
        help_text="Its title: UNITCODE.CODE and name for objectives, measures and "
        "initiatives; the meeting's title and date for a decision."
    )
    snippet = serializers.CharField(
        help_text="A passage of its text (its title where it has none) as HTML: the text "
        "escaped, each matching word in <mark>...</mark>."
    )
    url = serializers.CharField(help_text="The path of its page in the web app.")
    rank = serializers.FloatField(
        help_text="How well it matches, higher is better (rounded to 4 decimals: the ranks of "
        "close results often differ in the third); the results come sorted by it."
    )


class SearchResponseSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="How many things you may see match, in all (results holds the best of them)."
    )
    results = SearchResultSerializer(many=True, help_text="The best matches, best first.")


class MaySearch(permissions.BasePermission):
    """Signed in, with a role that sees something searchable (403 otherwise)."""

    message = NO_ROLE

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and searchable_types(user))


class SearchView(APIView):
    """Finds what the user may see, best first."""

    permission_classes = [permissions.IsAuthenticated, MaySearch]

    @extend_schema(
        parameters=[SearchParameters],
        responses=SearchResponseSerializer,
        summary="Search what you may see",
        description="Objectives, measures, initiatives, practices, announcements, review "
        "meetings' decisions and action items that you may see and that match the words, "
        "best first, with a snippet of each. A query word matches its other forms (stemming "
        "in the company's language). A common word matching more than 200 things of one "
        "kind ranks the 200 most recent of them (count counts them all).",
    )
    def get(self, request):
        parameters = SearchParameters(data=request.query_params)
        parameters.is_valid(raise_exception=True)
        asked = parameters.validated_data
        found = search(request.user, asked["q"], asked.get("types") or None, asked["limit"])
        results = [
            {"type": hit.type.name, "id": hit.id, "title": hit.title, "snippet": str(hit.snippet),
             "url": hit.url, "rank": round(hit.rank, 4)}
            for hit in found.hits
        ]  # fmt: skip
        return Response({"count": found.count, "results": results})


PATHS = [path("search/", SearchView.as_view(), name="api-search")]
