"""What each page's download menu offers (core/downloads.py), registered by ReportsConfig:
the files of what the page shows, as the person may read them."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from core.downloads import Download, register_downloads
from core.scoping import headed_subtree_ids, restrict
from scorecards.models import OrgUnit
from scorecards.selectors.tree import enterprise_unit

from .choices import PackKind


def _url(name: str, *args, **query) -> str:
    query = {k: v for k, v in query.items() if v not in (None, "", False)}
    return reverse(f"reports:{name}", args=args) + (f"?{urlencode(query)}" if query else "")


def _month(as_of) -> str | None:
    return as_of.strftime("%Y-%m") if as_of else None


def unit_files(user, *, unit, as_of=None, ytd=False) -> list[Download]:
    """A unit's dashboard: its report, deck and scorecard, its alignment."""
    if not unit or not user.has_perm("scorecards.view_objective"):
        return []  # a page refusing its parameters has no unit to offer
    month = _month(as_of)
    items = [
        Download(_("Unit report"), "PDF", _url("unit-report", unit.code, as_of=month)),
        Download(_("Unit report, US Letter"), "PDF",
                 _url("unit-report", unit.code, as_of=month, paper="letter")),
        Download(_("Executive deck"), "PowerPoint",
                 _url("unit-report", unit.code, format="pptx", as_of=month)),
        Download(_("Scorecard"), "PDF", _url("scorecard", unit.code, format="pdf", as_of=month)),
        Download(_("Scorecard"), "Excel",
                 _url("scorecard", unit.code, format="xlsx", as_of=month, ytd=ytd and "1")),
        Download(_("Scorecard"), "CSV",
                 _url("scorecard", unit.code, format="csv", as_of=month, ytd=ytd and "1")),
        Download(_("Alignment"), "Excel", _url("alignment", unit=unit.code)),
        # Standing orders for the same packs, by e-mail (reports/subscriptions.py).
        Download(_("Receive the unit report by e-mail, every month"), _("Subscription"),
                 _url("subscription-new", unit=unit.code, kind=PackKind.UNIT_REPORT_PDF),
                 file=False),
        Download(_("Your report subscriptions"), _("Subscriptions"), _url("subscriptions"),
                 file=False),
    ]  # fmt: skip
    if user.has_perm("scorecards.add_objective", unit):
        # Who may change the unit's strategy: its definition as a workbook, and the import.
        items += [
            Download(_("Scorecard definition (import template)"), "Excel",
                     _url("scorecard-import-template", unit.code)),
            Download(_("Import a scorecard workbook"), _("Page"),
                     _url("scorecard-import", unit.code), file=False),
        ]  # fmt: skip
    return items


def objective_files(user, *, objective) -> list[Download]:
    """An objective's page: its unit's report and scorecard, each measure's history."""
    unit = unit_files(user, unit=objective.unit)
    items = [unit[0], unit[4]] if unit else []  # its unit's report and scorecard workbook
    for pk, code in objective.measures.order_by("code").values_list("pk", "code"):
        items.append(
            Download(_("History of %(code)s") % {"code": code}, "Excel", _url("history", pk))
        )
    return items


def measure_files(user, *, measure) -> list[Download]:
    if not user.has_perm("scorecards.view_measurevalue"):
        return []
    return [
        Download(_("History"), "Excel", _url("history", measure.pk)),
        Download(_("History"), "CSV", _url("history", measure.pk, format="csv")),
    ]


def alignment_files(user, *, unit, fiscal_year=None) -> list[Download]:
    if not unit:
        return []
    return [
        Download(_("Alignment report"), "Excel",
                 _url("alignment", unit=unit.code, fiscal_year=fiscal_year)),
        Download(_("Each unit's alignment"), "CSV",
                 _url("alignment", unit=unit.code, fiscal_year=fiscal_year, format="csv")),
    ]  # fmt: skip


def budget_files(user, *, unit, fiscal_year=None) -> list[Download]:
    if not unit or not user.has_perm("budgets.view_budgetline", unit):
        return []
    return [Download(_("Budget"), "Excel", _url("budget", unit=unit.code, fiscal_year=fiscal_year))]


def initiative_files(user, *, initiative) -> list[Download]:
    unit = initiative.unit
    return [
        Download(_("Initiatives of %(unit)s") % {"unit": unit.code}, "Excel",
                 _url("portfolio", unit=unit.code)),
        *unit_files(user, unit=unit)[:1],
    ]  # fmt: skip


def portfolio_files(user, *, unit=None, fiscal_year=None) -> list[Download]:
    code = unit.code if unit else None
    return [
        Download(_("Initiative portfolio"), "Excel",
                 _url("portfolio", unit=code, fiscal_year=fiscal_year or None))
    ]  # fmt: skip


def meeting_files(user, *, meeting) -> list[Download]:
    return [
        Download(_("Briefing book"), "PDF", _url("briefing-book", meeting.pk)),
        Download(_("Briefing book, US Letter"), "PDF",
                 _url("briefing-book", meeting.pk, paper="letter")),
        *unit_files(user, unit=meeting.unit)[2:3],
    ]  # fmt: skip


def _people_units(user, unit) -> list:
    """The units whose people's files the people page offers: the unit chosen (an OrgUnit
    or its code) if the user may see its people; else the enterprise for who sees everyone,
    or the highest units the user heads."""
    if unit:
        if isinstance(unit, str):
            unit = restrict(OrgUnit.objects.all(), user).filter(code=unit).first()
        return [unit] if unit and user.has_perm("people.view_employee", unit) else []
    root = enterprise_unit()
    if root is not None and user.has_perm("people.view_employee", root):
        return [root]
    subtree = headed_subtree_ids(user)
    return [
        u
        for u in OrgUnit.objects.filter(head=user).order_by("code")
        if u.parent_id not in subtree and user.has_perm("people.view_employee", u)
    ]


def people_files(user, *, unit=None, fiscal_year=None) -> list[Download]:
    """The people page: the goals and the incentive components of the year of a unit's
    subtree (pay data; each download is recorded in the audit log)."""
    if not user.has_perm("people.view_employee"):
        return []
    items = []
    for u in _people_units(user, unit):
        scope = {"unit": u.code, "year": fiscal_year}
        for name, label in (
            ("goals", _("Goals of %(unit)s, fiscal year %(year)s")
             if fiscal_year else _("Goals of %(unit)s")),
            ("incentives", _("Incentive components of %(unit)s, fiscal year %(year)s")
             if fiscal_year else _("Incentive components of %(unit)s")),
        ):  # fmt: skip
            items += [
                Download(label % scope, "Excel", _url(name, u.code, fiscal_year=fiscal_year)),
                Download(label % scope, "CSV",
                         _url(name, u.code, fiscal_year=fiscal_year, format="csv")),
            ]  # fmt: skip
    return items


def register() -> None:
    register_downloads("unit", unit_files)
    register_downloads("objective", objective_files)
    register_downloads("measure", measure_files)
    register_downloads("alignment", alignment_files)
    register_downloads("budget", budget_files)
    register_downloads("initiative", initiative_files)
    register_downloads("initiatives", portfolio_files)
    register_downloads("meeting", meeting_files)
    register_downloads("people", people_files)
