"""The money that funds initiatives. Budget lines belong to the budgets app, which sits above
this one (its lines link to initiatives), so it registers how to read them here when it
starts (`register_funding` in its AppConfig.ready()); the initiatives pages ask `funding()`
and show no money while nothing is registered."""

from __future__ import annotations

from typing import Protocol

from django.db.models import QuerySet


class Funding(Protocol):
    """The reads of budget lines that the initiatives pages need."""

    def visible_lines(self, user) -> QuerySet | None:
        """The lines `user` may see, or None when he or she may see none at all."""

    def annotate(self, initiatives: QuerySet, lines: QuerySet, *, fiscal_year) -> QuerySet:
        """`initiatives` with `planned_total`, `actual_total` and `line_count` of `lines`."""

    def totals(self, initiatives: QuerySet, lines: QuerySet, *, fiscal_year):
        """Planned, actual and line count over every initiative of `initiatives`."""

    def summary(self, initiative, lines: QuerySet) -> list:
        """`initiative`'s lines of `lines` summed per fiscal year and category."""


_funding: Funding | None = None


def register_funding(source: Funding) -> None:
    """Called by the budgets app in its AppConfig.ready()."""
    global _funding
    _funding = source


def funding() -> Funding | None:
    """The registered funding reads, or None."""
    return _funding
