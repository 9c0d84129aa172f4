"""Searches behind the form boxes that offer too many choices to write out (issue 14: a
rollup at the top of a large company may combine any of 7,960 measures below it, an
initiative of the enterprise may advance any of 4,000 objectives)."""

from django.db.models import Q, QuerySet

from ..models import Measure, OrgUnit

SEARCH_LIMIT = 20  # answers per search


def measures_below(unit_id: int) -> QuerySet[Measure]:
    """The measures of the units below `unit_id` (its own excluded), which a rollup of it
    may combine, by unit code and code."""
    below = OrgUnit.objects.subtree_of(unit_id).exclude(pk=unit_id)
    return Measure.objects.filter(unit__in=below).order_by("unit__code", "code")


def matching(rows: QuerySet, query: str, *, limit: int = SEARCH_LIMIT) -> QuerySet:
    """The first `limit` of `rows` (objectives or measures: a unit, a code, a name) whose
    unit code, code or name contains every word of `query` (any case); "UNIT.CODE" as one
    word matches too, and so does its beginning ("SALES.RE")."""
    rows = rows.select_related("unit")
    for word in query.split()[:5]:  # five words name anything; more only cost time
        unit_code, dot, code = word.partition(".")
        match = Q(code__icontains=word) | Q(name__icontains=word) | Q(unit__code__icontains=word)
        if dot:
            match |= Q(unit__code__iexact=unit_code, code__istartswith=code)
        rows = rows.filter(match)
    return rows[:limit]


def code_name(row) -> str:
    """How an objective or a measure of several units is named in a choice."""
    return f"{row.unit.code}.{row.code} {row.name}"
