"""The weekly alignment report by email: to the OSM staff for the enterprise and to each
unit head for the subtree of each unit he or she heads. An HTML table of the metrics (the
same figures as the Alignment page it links to) and a CSV of the lists behind them.

Composed into the outbox (core/outbox.py), once per recipient, unit and week (the ledger's
period is the week's Monday): the job may run again, or be retried, without sending twice.
"""

from __future__ import annotations

import datetime as dt
import io

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import get_template

from core import csv_safe
from core.clock import current_fiscal_year, week_of
from core.formatting import status_word
from core.outbox import Draft, messages_compose
from core.roles import OSM_STAFF
from scorecards.models import OrgUnit
from scorecards.selectors import enterprise_unit

from .metrics import LABELS, METRICS
from .selectors import AlignmentReport, cached_alignment_report

ALIGNMENT_REPORT = "alignment_report"
LISTS = (
    ("not_cascaded", "Objectives not cascaded"),
    ("unlinked_objectives", "Objectives linked to nothing above"),
    ("unfunded_gaps", "Unfunded gaps"),
    ("overdue_measures", "Overdue measures"),
    ("unlinked_budget_lines", "Budget lines not linked"),
    ("unaligned_employees", "Employees with no aligned goal"),
    ("unlinked_incentives", "Incentive components not linked"),
)


def lists_csv(report: AlignmentReport) -> str:
    """Every list of the report as one CSV: list, unit, what, detail (an objective's status
    in the words the pages use)."""
    out = io.StringIO()
    writer = csv_safe.writer(out)  # labels typed by people: never run as formulas
    writer.writerow(["list", "unit", "item", "detail"])
    for name, title in LISTS:
        for item in getattr(report.lists, name):
            detail = status_word(item.status) if item.status else item.detail
            writer.writerow([title, item.unit_code, item.label, detail])
    return out.getvalue()


def _recipients(root: OrgUnit) -> list[tuple[object, OrgUnit]]:
    """(user, unit) pairs: each OSM staff member with the enterprise, each head with each
    unit he or she heads. Only active users with an address."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    staff = users.filter(Q(is_superuser=True) | Q(groups__name=OSM_STAFF)).distinct()
    pairs = [(user, root) for user in staff.order_by("pk")]
    for unit in OrgUnit.objects.filter(head__in=users).select_related("head").order_by("code"):
        pairs.append((unit.head, unit))
    return pairs


def alignment_reports_compose(*, day: dt.date) -> int:
    """Compose the week's alignment reports (see the module's docstring); the number new."""
    root = enterprise_unit()
    if root is None:
        return 0
    year = current_fiscal_year(day)
    text = get_template("email/alignment_report.txt")
    html = get_template("email/alignment_report.html")
    reports: dict[int, tuple[AlignmentReport, str]] = {}
    drafts = []
    for user, unit in _recipients(root):
        if unit.pk not in reports:
            report = cached_alignment_report(unit, fiscal_year=year, today=day)
            reports[unit.pk] = (report, lists_csv(report))
        report, lists = reports[unit.pk]
        figures = report.metrics.as_dict()
        context = {
            "name": user.get_full_name() or user.username,
            "unit": unit,
            "year": year,
            "report": report,
            "rows": [(LABELS[m], figures[m]) for m in (*METRICS, "alignment_index")],
            "lists": [(title, len(getattr(report.lists, name))) for name, title in LISTS],
            "link": f"{settings.SITE_URL}/alignment/?unit={unit.code}&fiscal_year={year}",
        }
        drafts.append(
            Draft(
                kind=ALIGNMENT_REPORT,
                recipient=user.email,
                subject_key=f"unit:{unit.pk}",
                period=week_of(day),
                subject=f"OSM: alignment of {unit.name}, FY{year}, week of {week_of(day):%d %b}",
                body=text.render(context),
                html=html.render(context),
                attachments=(
                    {
                        "name": f"alignment-{unit.code}-FY{year}-{day:%Y-%m-%d}.csv",
                        "content": lists,
                        "mimetype": "text/csv",
                    },
                ),
                user_id=user.pk,
            )
        )
    return messages_compose(drafts)
