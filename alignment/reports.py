"""The weekly alignment report by email: to the OSM staff for the enterprise and to each
unit head for the subtree of each unit he or she heads. An HTML table of the metrics (the
same figures as the Alignment page it links to) and a CSV of the lists behind them.

Composed into the outbox (core/outbox.py), once per recipient, unit and week (the ledger's
period is the week's Monday): the job may run again, or be retried, without sending twice.

Each message, its subject and its CSV are written in the recipient's language
(`core.i18n.speaking_to`: his or her choice, else English), whoever or whatever ran the job;
the figures are the same for everyone (one report per unit).
"""

from __future__ import annotations

import datetime as dt
import io

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import get_template
from django.utils import dateformat
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from core import csv_safe
from core.clock import current_fiscal_year, week_of
from core.formatting import status_word
from core.i18n import languages_of, speaking_to
from core.outbox import Draft, messages_compose
from core.roles import OSM_STAFF
from scorecards.models import OrgUnit
from scorecards.selectors import enterprise_unit

from .metrics import LABELS, METRICS
from .selectors import AlignmentReport, cached_alignment_report

ALIGNMENT_REPORT = "alignment_report"
LISTS = (
    ("not_cascaded", gettext_lazy("Objectives not cascaded")),
    ("unlinked_objectives", gettext_lazy("Objectives linked to nothing above")),
    ("unfunded_gaps", gettext_lazy("Unfunded gaps")),
    ("overdue_measures", gettext_lazy("Overdue measures")),
    ("unlinked_budget_lines", gettext_lazy("Budget lines not linked")),
    ("unaligned_employees", gettext_lazy("Employees with no aligned goal")),
    ("unlinked_incentives", gettext_lazy("Incentive components not linked")),
)


def lists_csv(report: AlignmentReport) -> str:
    """Every list of the report as one CSV: list, unit, what, detail (an objective's status
    in the words the pages use), in the active language: the file is read by people, no
    upload reads it back, so its header is in their language too."""
    out = io.StringIO()
    writer = csv_safe.writer(out)  # labels typed by people: never run as formulas
    writer.writerow(
        [
            pgettext("alignment report CSV column", "list"),
            pgettext("alignment report CSV column", "unit"),
            pgettext("alignment report CSV column", "item"),
            pgettext("alignment report CSV column", "detail"),
        ]
    )
    for name, title in LISTS:
        for item in getattr(report.lists, name):
            detail = status_word(item.status) if item.status else item.detail
            writer.writerow([str(title), item.unit_code, item.label, detail])
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
    monday = week_of(day)
    text = get_template("email/alignment_report.txt")
    html = get_template("email/alignment_report.html")
    recipients = _recipients(root)
    languages = languages_of(user.pk for user, _unit in recipients)
    reports: dict[int, AlignmentReport] = {}
    csv_files: dict[tuple[int, str], str] = {}  # a unit's lists in one language
    drafts = []
    for user, unit in recipients:
        if unit.pk not in reports:
            reports[unit.pk] = cached_alignment_report(unit, fiscal_year=year, today=day)
        report = reports[unit.pk]
        figures = report.metrics.as_dict()
        with speaking_to(languages.get(user.pk)):
            lists = csv_files.get((unit.pk, get_language()))
            if lists is None:
                lists = csv_files[unit.pk, get_language()] = lists_csv(report)
            context = {
                "name": user.get_full_name() or user.username,
                "unit": unit,
                "year": year,
                "report": report,
                "rows": [(LABELS[m], figures[m]) for m in (*METRICS, "alignment_index")],
                "lists": [(title, len(getattr(report.lists, name))) for name, title in LISTS],
                "link": f"{settings.SITE_URL}/alignment/?unit={unit.code}&fiscal_year={year}",
            }
            # Django's date format letters of the week's Monday, in each language's order.
            week = pgettext("e-mail subject: the Monday of a week", "d M")
            drafts.append(
                Draft(
                    kind=ALIGNMENT_REPORT,
                    recipient=user.email,
                    subject_key=f"unit:{unit.pk}",
                    period=monday,
                    subject=_("OSM: alignment of %(unit)s, FY%(year)s, week of %(monday)s")
                    % {
                        "unit": unit.name,
                        "year": year,
                        "monday": dateformat.format(monday, week),
                    },
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
