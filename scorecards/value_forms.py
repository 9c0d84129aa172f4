"""Forms of the pages beside the value entry (value_views.py): which figures of a period's
value to clear, and the CSV upload of many values. They check what a field can check alone;
the services check the rest."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.numbers import active_number_format, format_plain


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


class ValuesUploadForm(forms.Form):
    """A CSV of values (measure_code,period,actual,target,red_flag,note; or with semicolons);
    the first post previews it, the second (with the text carried back) saves it."""

    file = forms.FileField(
        required=False,
        label=_("CSV file"),
        help_text=_(
            "Columns: measure_code (UNIT.CODE) or measure, period, and any of actual, target, "
            "red_flag, note, confirm; separated by commas (decimal points) or semicolons "
            "(decimal commas), as Excel saves them. UTF-8."
        ),
    )
    csv_text = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > settings.BULK_MAX_BYTES:
                self.add_error(
                    "file",
                    gettext("The file is over %(size)s MB.")
                    % {"size": settings.BULK_MAX_BYTES // 1_000_000},
                )
                return data
            raw = upload.read()
            try:
                data["csv_text"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error(
                    "file",
                    gettext(
                        'The file is not UTF-8 text: save it as "CSV UTF-8" and upload it again.'
                    ),
                )
        elif not data.get("csv_text"):
            self.add_error("file", gettext("Choose a CSV file."))
        return data


class ReturnValueForm(forms.Form):
    """Why a submitted value goes back to its owner."""

    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the owner should correct."),
        error_messages={"required": _("Say what the owner should correct.")},
    )
