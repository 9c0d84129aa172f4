"""Searches behind the form boxes that offer too many choices to write out (issue 14: a
rollup at the top of a large company may combine any of 7,960 measures below it)."""

from django.db.models import Q, QuerySet

from ..models import Measure, OrgUnit

SEARCH_LIMIT = 20  # answers per search


def measures_below(unit_id: int) -> QuerySet[Measure]:
    """The measures of the units below `unit_id` (its own excluded), which a rollup of it
    may combine, by unit code and code."""
    below = OrgUnit.objects.subtree_of(unit_id).exclude(pk=unit_id)
    return Measure.objects.filter(unit__in=below).order_by("unit__code", "code")


def measures_below_matching(unit_id: int, query: str, *, limit: int = SEARCH_LIMIT):
    """The first `limit` of `measures_below(unit_id)` whose unit code, code or name contains
    every word of `query` (any case); "UNIT.CODE" as one word matches too."""
    measures = measures_below(unit_id).select_related("unit")
    for word in query.split()[:5]:
        unit_code, dot, code = word.partition(".")
        match = Q(code__icontains=word) | Q(name__icontains=word) | Q(unit__code__icontains=word)
        if dot:
            match |= Q(unit__code__iexact=unit_code, code__istartswith=code)
        measures = measures.filter(match)
    return measures[:limit]
