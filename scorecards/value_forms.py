"""Forms of the pages beside the value entry (value_views.py): which figures of a period's
value to clear, and the upload of many values (a CSV or an Excel workbook). They check what
a field can check alone; the services check the rest."""

import base64
import binascii

from django import forms
from django.conf import settings
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.numbers import active_number_format, format_plain
from core.xlsx import XLSX

from .xlsx_values import is_workbook


class ClearValueForm(forms.Form):
    """Which stored figures of a period's value to clear (the actual unless told)."""

    fields_to_clear = forms.MultipleChoiceField(
        label=pgettext_lazy("figures", "Clear"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick what to clear.")},
    )

    LABELS = {"actual": _("Actual"), "target": _("Target"), "red_flag": _("Red flag")}

    def __init__(self, *args, value, chosen: str = "actual", **kwargs):
        super().__init__(*args, **kwargs)
        stored = [name for name in self.LABELS if getattr(value, name) is not None]
        field = self.fields["fields_to_clear"]
        number_format = active_number_format()
        field.choices = [
            (name, f"{self.LABELS[name]} ({format_plain(getattr(value, name), number_format)})")
            for name in stored
        ]
        field.initial = [chosen if chosen in stored else stored[0]] if stored else []


ACCEPTED_FILES = ".csv,.xlsx,text/csv," + XLSX


class ValuesUploadForm(forms.Form):
    """A CSV (measure_code,period,actual,target,red_flag,note; or with semicolons) or an
    Excel workbook (.xlsx, the same columns in its first sheet); the first post previews
    it, the second saves it. Between the two the page carries the file back as it came:
    a CSV as its text (`csv_text`), a workbook as its bytes in base64 (`workbook`), so the
    save reads the very cells the preview read, numbers still numbers and rows still
    numbered as the sheet numbers them. Both are checked again when saved, as any post."""

    file = forms.FileField(
        required=False,
        label=_("CSV or Excel file"),
        help_text=_(
            "Columns: measure_code (UNIT.CODE) or measure, period, and any of actual, target, "
            "red_flag, note, confirm. A CSV's cells are separated by commas (decimal points) "
            "or semicolons (decimal commas), as Excel saves them, in UTF-8; a workbook (.xlsx) "
            "has them in the first row of its first sheet."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
    )
    csv_text = forms.CharField(required=False, widget=forms.HiddenInput)
    workbook = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        """The file's content as `csv_text` (a CSV's text) or `workbook` (a workbook's
        bytes; None for a CSV), from the upload or from what the preview carried back."""
        data = super().clean()
        upload = data.get("file")
        carried = data.get("workbook") or ""
        data["workbook"] = None
        if upload is not None:
            self._read_upload(upload, data)
        elif carried:
            try:
                data["workbook"] = base64.b64decode(carried, validate=True)
            except binascii.Error:
                self.add_error(
                    "file", gettext("The workbook could not be read back: upload it again.")
                )
        elif not data.get("csv_text"):
            self.add_error("file", gettext("Choose a CSV or Excel file."))
        return data

    def _read_upload(self, upload, data) -> None:
        if upload.size > settings.BULK_MAX_BYTES:
            self.add_error(
                "file",
                gettext("The file is over %(size)s MB.")
                % {"size": settings.BULK_MAX_BYTES // 1_000_000},
            )
            return
        raw = upload.read()
        try:
            if is_workbook(raw, upload.name or ""):
                data["workbook"] = raw
                return
        except ValueError as exc:  # an old .xls workbook
            self.add_error("file", str(exc))
            return
        try:
            data["csv_text"] = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error(
                "file",
                gettext('The file is not UTF-8 text: save it as "CSV UTF-8" and upload it again.'),
            )

    def carried_workbook(self) -> str:
        """The workbook as the preview carries it back (base64), or "" for a CSV."""
        workbook = self.cleaned_data.get("workbook")
        return base64.b64encode(workbook).decode("ascii") if workbook else ""


class ReturnValueForm(forms.Form):
    """Why a submitted value goes back to its owner."""

    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the owner should correct."),
        error_messages={"required": _("Say what the owner should correct.")},
    )
