"""Pages and words of value entry beside the measure page (views.py): the Clear action, the
removal of a period's value, the upload of many values (a CSV or a workbook), and the
messages saying what a save changed.

What a person types never changes a value by accident: figures are read in their language
(`core.forms.DecimalEntryField`), an emptied field keeps the stored figure (clearing is its
own page, confirmed), every refusal is a field error and leaves the stored value as it was,
a figure far from the measure's history is saved only once confirmed, and the message after
a save says exactly what changed. Thin: the rules are the services'.
"""

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from core.numbers import active_number_format
from core.templatetags.osm_format import status_label
from core.uploads import takes_large_body
from core.views import Crumb, ServiceDeleteView, ServiceFormView, require

from . import display, services
from .crumbs import unit_crumbs
from .csv_values import rows_from_csv
from .models import Measure, MeasureValue
from .periods import parse_period, period_text
from .selectors.measure import measure_detail
from .services.values import FIELD_LABELS, number_text
from .value_forms import ClearValueForm, ValuesUploadForm
from .value_inputs import read_rows
from .xlsx_values import rows_from_xlsx

ROLE = "scorecards.view_objective"  # any role reads the strategy


# Words of the messages ------------------------------------------------------------------------


def period_label(measure: Measure, period) -> str:
    """A period as the messages write it: "Nov 2026", "2026-Q1", "FY2026"."""
    return display.period_label(period, measure.frequency, settings.FISCAL_YEAR_START_MONTH)


def period_status(measure: Measure, period) -> str:
    """The status of one period of the measure (calculated and rollup actuals included)."""
    row = next((r for r in measure_detail(measure).rows if r.period == period), None)
    return row.status if row else "no_data"


def change_message(measure: Measure, period, change, before: str, after: str) -> str:
    """What a save did, field by field, and the period's status before and after: "OEE, Nov
    2026: actual 77.9 → 79.2; status Watch → On target"; or that nothing changed."""
    where = {"measure": measure.code, "period": period_label(measure, period)}
    if not change.changes:
        return _("%(measure)s, %(period)s: nothing changed; the value is as it was stored.") % where
    parts = []
    for name, (old, new) in change.changes.items():
        if name == "note":
            parts.append(
                _("note added") if not old else _("note removed") if not new else _("note changed")
            )
        elif old is None:
            parts.append(
                _("%(field)s set to %(new)s")
                % {"field": FIELD_LABELS[name], "new": number_text(new)}
            )
        elif new is None:
            parts.append(
                _("%(field)s %(old)s cleared")
                % {"field": FIELD_LABELS[name], "old": number_text(old)}
            )
        else:
            parts.append(
                _("%(field)s %(old)s → %(new)s")
                % {"field": FIELD_LABELS[name], "old": number_text(old), "new": number_text(new)}
            )
    if change.submitted:
        return _(
            "%(measure)s, %(period)s: %(changes)s; submitted for approval by a unit head "
            "(the scorecard shows it once approved)."
        ) % {**where, "changes": ", ".join(parts)}
    if before == after:
        status = _("status %(status)s, unchanged") % {"status": status_label(after)}
    else:
        status = _("status %(before)s → %(after)s") % {
            "before": status_label(before),
            "after": status_label(after),
        }
    return _("%(measure)s, %(period)s: %(changes)s; %(status)s.") % {
        **where,
        "changes": ", ".join(parts),
        "status": status,
    }


def measure_url(measure: Measure, period=None) -> str:
    url = reverse("measure", args=[measure.pk])
    if period is None:
        return url
    text = period_text(period, measure.frequency, settings.FISCAL_YEAR_START_MONTH)
    return f"{url}?{urlencode({'period': text})}"


# A measure and its data entry -----------------------------------------------------------------


class _OnePeriod:
    """A page about one period's stored value: `/measures/<pk>/values/<YYYY-MM-DD>/...`."""

    def get_object(self):
        measure = get_object_or_404(
            Measure.objects.select_related("unit", "objective"), pk=self.kwargs["pk"]
        )
        try:
            day = parse_period(self.kwargs["period"])
        except ValueError:
            raise Http404(_("No such period.")) from None
        value = get_object_or_404(MeasureValue, measure=measure, period=day)
        value.measure = measure
        return value


class MeasureValueClear(_OnePeriod, ServiceFormView):
    """Clear figures of a period's value (its owner, the heads of its unit, the OSM staff):
    its own page, asking which, because emptying a field of the value form never clears
    one. The value's history keeps what was there."""

    form_class = ClearValueForm
    permission = "scorecards.change_measurevalue"
    submit_label = pgettext_lazy("figures", "Clear")
    novalidate = True
    lead = gettext_lazy(
        "Emptying a field of the value form keeps the stored figure; here you clear one. "
        "The value's history keeps what was there."
    )

    def get_form_kwargs(self):
        chosen = self.request.GET.get("field", "actual")
        return {**super().get_form_kwargs(), "value": self.object, "chosen": chosen}

    def title(self):
        measure = self.object.measure
        return _("Clear figures of %(measure)s for %(period)s") % {
            "measure": measure.code,
            "period": period_label(measure, self.object.period),
        }

    def crumbs(self):
        measure = self.object.measure
        return unit_crumbs(
            measure.unit,
            Crumb(measure.objective.code, reverse("objective", args=[measure.objective_id])),
            Crumb(measure.code, measure_url(measure)),
            Crumb(pgettext("figures", "Clear")),
        )

    def save(self, form):
        measure, period = self.object.measure, self.object.period
        before = period_status(measure, period)
        change = services.measure_value_clear(
            actor=self.request.user,
            instance=self.object,
            fields=form.cleaned_data["fields_to_clear"],
        )
        self.message = change_message(
            measure, period, change, before, period_status(measure, period)
        )
        return change

    def success_message(self, saved):
        return self.message

    def success_url(self, saved):
        return measure_url(self.object.measure, self.object.period)

    def cancel_url(self):
        return measure_url(self.object.measure, self.object.period)


class MeasureValueDelete(_OnePeriod, ServiceDeleteView):
    """Remove a period's value (unit heads and OSM staff; its history stays): a button on
    the measure's page."""

    permission = "scorecards.delete_measurevalue"
    service = services.measure_value_delete
    http_method_names = ["post"]

    def permission_object(self):
        return self.object.measure

    def back_url(self):
        return reverse("measure", args=[self.object.measure_id])

    def success_message(self, deleted):
        return _("Removed %(measure)s's value for %(period)s.") % {
            "measure": deleted.measure.code,
            "period": display.month_text(deleted.period),
        }


# Many values from a CSV or a workbook ---------------------------------------------------------

PREVIEW_ROWS = 50


@takes_large_body("BULK_MAX_BYTES")  # the file is refused over it, unread (core/uploads.py)
@login_required
def values_upload(request):
    """Upload a CSV or an Excel workbook of values: the first post shows a preview (every
    row's problems, or what would be created and corrected, with the figures far from their
    measure's history to confirm), the second saves it, all or nothing. Both kinds end as
    the same rows (csv_values.py, xlsx_values.py), numbered as the spreadsheet numbers
    them."""
    user = request.user
    require(user, ROLE)
    require(user, "scorecards.add_measurevalue")
    form = ValuesUploadForm(request.POST or None, request.FILES or None)
    language = active_number_format()  # figures typed as text are read in it
    context = {"form": form, "example": language.write("1250.5")}
    if request.method != "POST":
        return render(request, "scorecards/upload.html", context)
    if getattr(request, "upload_too_large", False):  # see core/uploads.py
        form.is_valid()
        form.errors.clear()
        form.add_error(
            "file",
            _("The file is over %(size)s MB: split it into smaller files.")
            % {"size": settings.BULK_MAX_BYTES // 1_000_000},
        )
        return render(request, "scorecards/upload.html", context, status=413)
    if not form.is_valid():
        return render(request, "scorecards/upload.html", context, status=400)
    text, workbook = form.cleaned_data["csv_text"], form.cleaned_data["workbook"]
    try:
        if workbook is not None:
            table = rows_from_xlsx(workbook, language)
        else:
            table = rows_from_csv(text.encode("utf-8"), language)
    except ValueError as exc:
        form.add_error("file", str(exc))
        return render(request, "scorecards/upload.html", context, status=400)
    confirm_unusual = request.POST.get("confirm_unusual") == "1"
    counts, errors = _upload(user, table, save="confirm" in request.POST, confirm=confirm_unusual)
    unusual = [e for e in errors if e.get("code") == services.UNUSUAL]
    if errors and len(unusual) == len(errors):  # only figures to confirm: count as if confirmed
        counts, _none = _upload(user, table, save=False, confirm=True)
    if "confirm" in request.POST and not errors:
        messages.success(request, upload_message(counts))
        return redirect("my-updates")
    problems = [e for e in errors if e.get("code") != services.UNUSUAL]
    by_line = defaultdict(list)
    for error in errors:
        by_line[error["line"]].append(error)
    rows = list(zip(table.lines, table.rows, strict=True))
    context.update(
        preview=[
            {"line": line, "row": row, "errors": by_line.get(line, [])}
            for line, row in rows[:PREVIEW_ROWS]
        ],
        errors=problems,
        unusual=[] if problems else unusual,
        general=by_line.get(None, []),
        row_count=len(table.rows),
        counts=counts,
        csv_text="" if workbook is not None else text,
        workbook=form.carried_workbook(),
        more=max(len(table.rows) - PREVIEW_ROWS, 0),
    )
    return render(request, "scorecards/upload.html", context, status=400 if problems else 200)


def _upload(user, table, *, save: bool, confirm: bool):
    """Record the file's rows (or only try, rolling back); (counts or None, errors each
    with its line in the file, or its row in the sheet)."""
    try:
        with transaction.atomic():
            counts = services.measure_values_bulk_record(
                actor=user,
                rows=read_rows(table.rows, table.number_format),
                may_enter=lambda m: user.has_perm("scorecards.add_measurevalue", m),
                confirm_all=confirm,
            )
            if not save:
                transaction.set_rollback(True)  # a preview writes nothing
    except services.BulkError as exc:
        errors = [
            {**e, "line": table.lines[e["row"] - 1] if e["row"] else None} for e in exc.errors
        ]
        return None, sorted(errors, key=lambda e: e["line"] or 0)
    return counts, []


def upload_message(counts) -> str:
    """ "Saved 2 new values and 1 correction; 1 row was as stored."."""
    created, updated, unchanged = counts
    numbers = {
        "values": ngettext("%(number)s new value", "%(number)s new values", created)
        % {"number": created},
        "corrections": ngettext("%(number)s correction", "%(number)s corrections", updated)
        % {"number": updated},
    }
    if not unchanged:
        return _("Saved %(values)s and %(corrections)s.") % numbers
    numbers["rows"] = ngettext(
        "%(number)s row was as stored", "%(number)s rows were as stored", unchanged
    ) % {"number": unchanged}
    return _("Saved %(values)s and %(corrections)s; %(rows)s.") % numbers
