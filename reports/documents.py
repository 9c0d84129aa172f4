"""The report packs' documents: the unit report and the scorecard as PDF, the briefing book
of a review meeting as PDF, and the executive deck as PowerPoint.

**PDF: WeasyPrint**, from the app's own templates (templates/reports/pdf/) with print CSS:
the same Django templates, filters and translations as the pages, paged media CSS for the
running header (company, date), "Page n / m", a contents page with page numbers and PDF
bookmarks; no browser to start, unlike a headless Chromium, so a pack costs a fraction of
a second of one process. It draws text with Pango: where the native libraries are missing
the PDF endpoints answer `PdfUnavailable`'s message (what to install), not a traceback.

**Slides: python-pptx.** The pictures (map, charts) are PNGs drawn by reports/pictures.py.
"""

from __future__ import annotations

import base64
import datetime as dt
from functools import cache

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from reviews.choices import MeetingStatus
from reviews.models import ReviewMeeting
from reviews.selectors import meeting_agenda
from scorecards.models import OrgUnit

from . import pictures
from .exports import company_name
from .files import PDF, PPTX, PackFile, file_name
from .tables import status_words
from .unit_report import UnitReport, unit_report

PAPERS = {"a4": "A4", "letter": "letter"}
PDF_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"


class PdfUnavailable(Exception):
    """WeasyPrint cannot run here: its native libraries (Pango) are missing."""


@cache
def _weasyprint():
    try:
        import weasyprint
    except OSError as exc:  # cffi could not load Pango or one of its libraries
        raise PdfUnavailable(
            _(
                "PDF files cannot be made on this server: the Pango libraries WeasyPrint "
                "needs are missing (%(error)s). Install them with `make install`, or "
                "`sudo apt-get install %(packages)s` on Debian or Ubuntu."
            )
            % {"error": exc, "packages": PDF_PACKAGES}
        ) from None
    return weasyprint


def pdf_available() -> str | None:
    """None when PDFs can be made here, else the message saying what to install."""
    try:
        _weasyprint()
    except PdfUnavailable as exc:
        return str(exc)
    return None


def _paper(paper: str) -> str:
    return PAPERS.get(paper, PAPERS["a4"])


def render_pdf(template: str, context: dict, *, paper: str = "a4") -> bytes:
    """The template rendered to HTML in the active language, then to PDF on A4 or US
    Letter."""
    weasyprint = _weasyprint()
    html = render_to_string(template, {**context, "paper_css": _paper(paper)})
    # No base URL, and only inline (data:) pictures: an address in user text must never
    # make the server fetch anything.
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols=("data",))
    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    return document.write_pdf()


def _b64(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data else None


def _month(report: UnitReport) -> str:
    return report.as_of.strftime("%Y-%m")


# PDF ------------------------------------------------------------------------------------------


def _report_context(report: UnitReport, *, full: bool, title: str) -> dict:
    words = status_words()
    attention = []
    if full:
        for item in report.attention:
            shown = []
            for measure, series in item.measures:
                svg = pictures.measure_chart(series, fmt="svg")
                if svg:
                    alt = _("%(code)s over time: actual, target and red flag") % {
                        "code": measure.code
                    }
                    shown.append({"svg": _b64(svg), "alt": alt})
            attention.append(
                {
                    "reading": item.reading,
                    "perspective": item.perspective,
                    "analysis": item.analysis,
                    "charts": shown,
                }
            )
    svg = (
        pictures.strategy_map_chart(report.map, fmt="svg", status_words=words)
        if report.map.boxes
        else None
    )
    return {
        "report": report,
        "company": report.company,
        "made_on": report.made_on,
        "full": full,
        "doc_title": title,
        "map_svg": _b64(svg),
        "attention": attention,
    }


def _unit_pdf(report: UnitReport, *, full: bool, title: str, slug: str, paper: str):
    """The unit report's template, whole (`full`) or its map and scorecard only."""
    context = _report_context(report, full=full, title=title)
    content = render_pdf("reports/pdf/unit_report.html", context, paper=paper)
    return PackFile(file_name(report.unit.code, slug, _month(report), ext="pdf"), PDF, content)


def unit_report_pdf(
    unit: OrgUnit, user, *, as_of: dt.date | None = None, paper: str = "a4"
) -> PackFile:
    """The unit report for a month (see reports/unit_report.py) as a PDF."""
    report = unit_report(unit, user, as_of=as_of)
    return _unit_pdf(report, full=True, title=_("Unit report"), slug="unit-report", paper=paper)


def scorecard_pdf(
    unit: OrgUnit, user, *, as_of: dt.date | None = None, paper: str = "a4"
) -> PackFile:
    """The unit's strategy map and scorecard table for a month as a PDF."""
    report = unit_report(unit, user, as_of=as_of)
    return _unit_pdf(report, full=False, title=_("Scorecard"), slug="scorecard", paper=paper)


def briefing_book_pdf(meeting: ReviewMeeting, *, paper: str = "a4") -> PackFile:
    """A review meeting's briefing book (as /reviews/<id>/briefing/ shows it) as a PDF."""
    agenda = meeting_agenda(meeting)
    context = {
        "meeting": meeting,
        "attendees": list(meeting.attendees.order_by("first_name", "last_name", "username")),
        "agenda": agenda,
        "held": meeting.status == MeetingStatus.HELD,
        "company": company_name(),
        "made_on": timezone.localdate(),
    }
    content = render_pdf("reports/pdf/briefing_book.html", context, paper=paper)
    day = timezone.localtime(meeting.scheduled_for).date().isoformat()
    name = file_name(meeting.unit.code, "briefing-book", day, ext="pdf")
    return PackFile(name, PDF, content)


# The executive deck ---------------------------------------------------------------------------


def executive_deck(unit: OrgUnit, user, *, as_of: dt.date | None = None) -> PackFile:
    """The executive deck of a unit for a month (see reports/deck.py)."""
    from .deck import deck_bytes

    report = unit_report(unit, user, as_of=as_of)
    content = deck_bytes(report, status_words())
    name = file_name(unit.code, "executive-deck", _month(report), ext="pptx")
    return PackFile(name, PPTX, content)
