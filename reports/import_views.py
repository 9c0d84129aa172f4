"""The page importing a scorecard workbook into a unit (`/reports/units/<code>/scorecard-
import/`) and the download of its template. The first post of a workbook shows what the
import would create and change and every refused row; the second (the workbook carried in
the page, base64 in a hidden field, as the values upload carries its CSV) imports it, all
or nothing, and leads to the unit's dashboard. For who may change the unit's strategy (the
OSM staff, the heads of the unit and of the units above). Thin: reports/scorecard_import.py
does it.
"""

from __future__ import annotations

import base64
import binascii

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.uploads import takes_large_body
from core.views import Crumb, require
from scorecards.crumbs import unit_crumbs, unit_url
from scorecards.models import OrgUnit

from .files import as_download
from .scorecard_import import ImportResult, import_scorecard, result_message
from .scorecard_plan import CREATE, KINDS
from .scorecard_workbook import definition_file

PERMISSION = "scorecards.add_objective"  # who changes the unit's strategy
PREVIEW_ROWS = 200  # changes listed on the page; the counts cover them all
KIND_LABELS = {
    "themes": gettext_lazy("Themes"),
    "objectives": gettext_lazy("Objectives"),
    "links": gettext_lazy("Arrows"),
    "measures": gettext_lazy("Measures"),
    "targets": gettext_lazy("Targets"),
}
KIND_LABEL = {
    "themes": pgettext_lazy("what an import writes", "Theme"),
    "objectives": pgettext_lazy("what an import writes", "Objective"),
    "links": pgettext_lazy("what an import writes", "Arrow"),
    "measures": pgettext_lazy("what an import writes", "Measure"),
    "targets": pgettext_lazy("what an import writes", "Target"),
}


class ScorecardImportForm(forms.Form):
    """The workbook: uploaded, or carried back from the preview (`workbook`, base64)."""

    file = forms.FileField(
        required=False,
        label=gettext_lazy("Workbook (.xlsx)"),
        help_text=gettext_lazy(
            "The template filled in, or a workbook exported from a unit: sheets Objectives, "
            "Arrows, Measures and Targets."
        ),
    )
    workbook = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload, carried = data.get("file"), data.get("workbook")
        if upload is not None:
            if upload.size > max_bytes():
                self.add_error("file", too_large())
            else:
                data["body"] = upload.read()
        elif carried:
            try:
                data["body"] = base64.b64decode(carried, validate=True)
            except (binascii.Error, ValueError):
                self.add_error("file", _("The workbook did not come back whole: upload it again."))
        else:
            self.add_error("file", _("Choose the workbook (.xlsx) to import."))
        return data


def max_bytes() -> int:
    """The largest workbook the page takes: one whose base64 (a third larger) still fits in
    a request when the preview carries it back."""
    return settings.BULK_MAX_BYTES * 3 // 4


def too_large() -> str:
    return _("The file is over %(size)s MB.") % {"size": max_bytes() // 1_000_000}


def _unit(request, code: str) -> OrgUnit:
    unit = get_object_or_404(OrgUnit, code=code)
    require(request.user, PERMISSION, unit)
    return unit


@login_required
@require_GET
def scorecard_template(request, code: str):
    """The workbook template of the unit, filled with its scorecard when it has one."""
    return as_download(definition_file(_unit(request, code)))


def _context(unit: OrgUnit, form: ScorecardImportForm) -> dict:
    return {
        "unit": unit,
        "form": form,
        "title": _("Import a scorecard into %(unit)s") % {"unit": unit.name},
        "lead": _(
            "One workbook holds the unit's objectives, the arrows of its strategy map, its "
            "measures and their targets. Codes match what the unit has: a second import "
            "updates, it never duplicates, and nothing is deleted. You first see what would "
            "be created and changed and every row refused; then you import all of it, or "
            "nothing."
        ),
        "crumbs": unit_crumbs(
            unit,
            Crumb(_("Cascade"), reverse("unit-cascade", args=[unit.code])),
            Crumb(_("Import a scorecard")),
        ),
        "template_url": reverse("reports:scorecard-import-template", args=[unit.code]),
        "submit_label": _("Preview"),
        "cancel_url": unit_url(unit),
        "novalidate": True,
        "result": None,
    }


def _preview(result: ImportResult) -> dict:
    """What the page shows of a plan: the counts by kind, the first changes, the refusals."""
    counts = [
        (KIND_LABELS[k], result.create[k], result.update[k], result.unchanged[k]) for k in KINDS
    ]
    changes = [
        {
            "kind": KIND_LABEL[step.kind],
            "sheet": step.sheet,
            "row": step.row,
            "label": step.label,
            "new": step.action == CREATE,
            "changes": step.changes,
        }
        for step in result.changes[:PREVIEW_ROWS]
    ]
    return {
        "result": result,
        "counts": [c for c in counts if any(c[1:])],
        "changes": changes,
        "more_changes": max(len(result.changes) - PREVIEW_ROWS, 0),
        "writes": sum(result.create.values()) + sum(result.update.values()),
    }


@takes_large_body("BULK_MAX_BYTES")  # the file is refused over it, unread (core/uploads.py)
@login_required
@require_http_methods(["GET", "POST"])
def scorecard_import(request, code: str):
    """GET: the explanation, the template's link and the upload form; POST a workbook: its
    preview; POST `apply` with the workbook carried back: the import, then the unit's
    dashboard with what was done."""
    unit = _unit(request, code)
    posted = request.method == "POST"
    form = ScorecardImportForm(request.POST, request.FILES) if posted else ScorecardImportForm()
    context = _context(unit, form)
    page = "reports/scorecard_import.html"
    if not posted:
        return render(request, page, context)
    if getattr(request, "upload_too_large", False):  # see core/uploads.py
        form.is_valid()
        form.errors.clear()
        form.add_error("file", too_large())
        return render(request, page, context, status=413)
    if not form.is_valid():
        return render(request, page, context, status=400)
    body = form.cleaned_data["body"]
    result = import_scorecard(unit, body, request.user, dry_run="apply" not in request.POST)
    if not result.readable:
        for error in result.errors:
            form.add_error("file", error["message"])
        return render(request, page, context, status=400)
    if result.applied:
        messages.success(request, result_message(result, unit))
        return redirect(unit_url(unit))
    context.update(_preview(result), workbook=base64.b64encode(body).decode("ascii"))
    return render(request, page, context, status=400 if result.errors else 200)
