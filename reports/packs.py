"""The packs a subscription delivers, by kind: one function from (kind, unit, reader, month)
to a file, so the scheduled job and the downloads make the same documents."""

from __future__ import annotations

import datetime as dt

from core.clock import fiscal_year_of
from scorecards.models import OrgUnit

from . import exports
from .choices import PackKind
from .files import PackFile


def build_pack(kind: str, unit: OrgUnit, user, *, as_of: dt.date | None = None) -> PackFile:
    """The pack `kind` of `unit` as `user` may read it, with the figures as of the month
    `as_of` (the latest by default)."""
    if kind == PackKind.SCORECARD_XLSX:
        return exports.scorecard_file(unit, as_of=as_of, ytd=False, fmt="xlsx")
    if kind == PackKind.ALIGNMENT_XLSX:
        year = fiscal_year_of(as_of) if as_of else None
        return exports.alignment_file(unit, fiscal_year=year, user=user, fmt="xlsx")
    from . import documents  # WeasyPrint and python-pptx load only when a document is made

    if kind == PackKind.SCORECARD_PDF:
        return documents.scorecard_pdf(unit, user, as_of=as_of)
    if kind == PackKind.UNIT_REPORT_PDF:
        return documents.unit_report_pdf(unit, user, as_of=as_of)
    if kind == PackKind.EXECUTIVE_DECK:
        return documents.executive_deck(unit, user, as_of=as_of)
    raise ValueError(f"unknown pack {kind!r}")
