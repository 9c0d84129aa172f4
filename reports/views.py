"""The downloads of the web app (the pages' download menus, reports/downloads.py): the same
files as the API's, for the signed-in person, named after what they hold and their date.
A bad parameter is a 400 page saying which; a PDF where Pango is missing, a 503 saying what
to install."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.clock import current_fiscal_year
from core.scoping import restrict
from core.views import require
from reviews.models import ReviewMeeting
from scorecards.models import Measure, OrgUnit
from scorecards.periods import parse_period

from . import exports
from .files import as_download


class BadParameter(ValueError):
    """A query parameter the download cannot use; its message says which and why."""


def _problem(request, message: str, *, status: int) -> HttpResponse:
    title = _("This file cannot be made") if status == 503 else _("Check the link")
    return render(request, "reports/file_error.html", {"title": title, "message": message},
                  status=status)  # fmt: skip


def _choice(request, name: str, choices: tuple[str, ...], default: str) -> str:
    value = request.GET.get(name, "") or default
    if value not in choices:
        raise BadParameter(
            _("%(name)s: choose one of %(choices)s.")
            % {"name": name, "choices": ", ".join(choices)}
        )
    return value


def _month(request):
    text = request.GET.get("as_of", "")
    if not text:
        return None
    try:
        return parse_period(text)
    except ValueError as exc:
        raise BadParameter(f"as_of: {exc}") from None


def _year(request) -> int | None:
    text = request.GET.get("fiscal_year", "")
    if not text:
        return None
    if not text.isdigit() or not 1900 <= int(text) <= 2999:
        raise BadParameter(_("fiscal_year: a year such as 2026."))
    return int(text)


def _unit(request, code: str | None) -> OrgUnit:
    require(request.user, "scorecards.view_orgunit")
    if code is None:
        code = request.GET.get("unit", "")
        if not code:
            root = restrict(OrgUnit.objects.all(), request.user).filter(parent__isnull=True)
            return get_object_or_404(root)
    return get_object_or_404(restrict(OrgUnit.objects.all(), request.user), code=code)


def _download(view):
    """Signed in, GET only; BadParameter → 400 page; PdfUnavailable → 503 page."""

    @login_required
    @require_GET
    def wrapped(request, *args, **kwargs):
        from .documents import PdfUnavailable

        try:
            return view(request, *args, **kwargs)
        except BadParameter as exc:
            return _problem(request, str(exc), status=400)
        except PdfUnavailable as exc:
            return _problem(request, str(exc), status=503)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_download
def scorecard_download(request, code: str):
    """`/reports/units/<code>/scorecard/?format=xlsx|csv|pdf&as_of=YYYY-MM&ytd=1`."""
    unit = _unit(request, code)
    require(request.user, "scorecards.view_objective")
    fmt = _choice(request, "format", ("xlsx", "csv", "pdf"), "xlsx")
    as_of, ytd = _month(request), request.GET.get("ytd") in ("1", "true", "on")
    if fmt == "pdf":
        from .documents import scorecard_pdf

        paper = _choice(request, "paper", ("a4", "letter"), "a4")
        return as_download(scorecard_pdf(unit, request.user, as_of=as_of, paper=paper))
    return as_download(exports.scorecard_file(unit, as_of=as_of, ytd=ytd, fmt=fmt))


@_download
def unit_report_download(request, code: str):
    """`/reports/units/<code>/report/?format=pdf|pptx&as_of=YYYY-MM&paper=a4|letter`."""
    from .documents import executive_deck, unit_report_pdf

    unit = _unit(request, code)
    require(request.user, "scorecards.view_objective")
    fmt = _choice(request, "format", ("pdf", "pptx"), "pdf")
    as_of = _month(request)
    if fmt == "pptx":
        return as_download(executive_deck(unit, request.user, as_of=as_of))
    paper = _choice(request, "paper", ("a4", "letter"), "a4")
    return as_download(unit_report_pdf(unit, request.user, as_of=as_of, paper=paper))


@_download
def history_download(request, pk: int):
    """`/reports/measures/<id>/history/?format=xlsx|csv`."""
    require(request.user, "scorecards.view_measurevalue")
    measure = get_object_or_404(
        restrict(Measure.objects.select_related("unit"), request.user), pk=pk
    )
    fmt = _choice(request, "format", ("xlsx", "csv"), "xlsx")
    return as_download(exports.history_file(measure, fmt=fmt))


@_download
def alignment_download(request):
    """`/reports/alignment/?unit=CODE&fiscal_year=YYYY&format=xlsx|csv`."""
    unit = _unit(request, None)
    fmt = _choice(request, "format", ("xlsx", "csv"), "xlsx")
    year = _year(request)
    pack = exports.alignment_file(unit, fiscal_year=year, user=request.user, fmt=fmt)
    exports.alignment_download_audit(request, unit, fiscal_year=year, fmt=fmt)
    return as_download(pack)


@_download
def budget_download(request):
    """`/reports/budget/?unit=CODE&fiscal_year=YYYY`: who may see the unit's budget."""
    unit = _unit(request, None)
    require(request.user, "budgets.view_budgetline", unit)
    return as_download(exports.budget_file(unit, fiscal_year=_year(request)))


@_download
def portfolio_download(request):
    """`/reports/initiatives/?unit=CODE&fiscal_year=YYYY` (both optional)."""
    require(request.user, "initiatives.view_initiative")
    unit = _unit(request, None) if request.GET.get("unit") else None
    return as_download(exports.portfolio_file(request.user, unit=unit, fiscal_year=_year(request)))


def _pay_data(request, code: str, export: str, make) -> HttpResponse:
    """A pay data file of a unit's subtree (`make`: `exports.goals_file` or
    `exports.incentives_file`) for who may see the unit's people, recorded in the audit
    log once it is made."""
    unit = _unit(request, code)
    require(request.user, "people.view_employee", unit)
    fmt = _choice(request, "format", ("xlsx", "csv"), "xlsx")
    year = _year(request) or current_fiscal_year()
    pack = make(unit, fiscal_year=year, user=request.user, fmt=fmt)
    exports.pay_data_download_audit(request, export, unit, fiscal_year=year, fmt=fmt)
    return as_download(pack)


@_download
def goals_download(request, code: str):
    """`/reports/units/<code>/goals/?fiscal_year=YYYY&format=xlsx|csv`: the goals of the
    unit's subtree (pay data: recorded in the audit log)."""
    return _pay_data(request, code, "goals", exports.goals_file)


@_download
def incentives_download(request, code: str):
    """`/reports/units/<code>/incentives/?fiscal_year=YYYY&format=xlsx|csv`: the incentive
    components of the unit's subtree (pay data: recorded in the audit log)."""
    return _pay_data(request, code, "incentives", exports.incentives_file)


@_download
def briefing_book_download(request, pk: int):
    """`/reports/meetings/<id>/briefing-book/?paper=a4|letter`."""
    from .documents import briefing_book_pdf

    require(request.user, "reviews.view_reviewmeeting")
    meeting = get_object_or_404(
        restrict(ReviewMeeting.objects.select_related("unit", "chair"), request.user), pk=pk
    )
    paper = _choice(request, "paper", ("a4", "letter"), "a4")
    return as_download(briefing_book_pdf(meeting, paper=paper))
