"""Forms of the scorecard pages: a measure's value, the cascade (objectives, measures,
arrows) and the CSV upload. They check what a field can check alone; the services check
the rest and their errors land next to the fields (`core.forms.add_service_errors`)."""

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.dates import MONTHS, MONTHS_3, MONTHS_ALT, MONTHS_AP

from core.fields import VALUE
from core.forms import DecimalEntryField
from core.numbers import active_number_format, format_plain
from core.validators import positive_weight
from core.widgets import ManyOptionsSelect

from .choices import Frequency
from .models import CauseEffect, Measure, Objective, OrgUnit, Theme
from .periods import add_months, months_in, period_for, period_start, period_text


class CodeNameChoices:
    """Choice labels "UNIT.CODE Name" for objectives and measures of several units."""

    def label_from_instance(self, obj):
        return f"{obj.unit.code}.{obj.code} {obj.name}"


class ObjectiveChoiceField(CodeNameChoices, forms.ModelMultipleChoiceField):
    pass


class MeasureChoiceField(CodeNameChoices, forms.ModelMultipleChoiceField):
    pass


def _user_label(user) -> str:
    return user.get_full_name() or user.username


def _owner_field(field) -> None:
    # every active user (20,000 at scale): options written without a template apiece
    field.widget = ManyOptionsSelect(attrs=field.widget.attrs)
    field.widget.is_required = field.required
    field.queryset = (
        get_user_model()
        .objects.filter(is_active=True)
        .order_by("username")
        .only("pk", "username", "first_name", "last_name")  # the label's; a third faster
    )
    field.label_from_instance = _user_label


class MeasureValueForm(forms.Form):
    """One period's value of a measure. Figures are typed in the person's language
    (`DecimalEntryField`); an empty figure keeps what is stored (clearing one is the Clear
    page's action, never an emptied field). The period is typed as people write it
    (`periods.period_for`: 2026-10, Oct 2026, 10/2026, 2026-Q1, FY2026...) or picked."""

    period = forms.CharField(label="Period", max_length=40)
    actual = DecimalEntryField(required=False, **VALUE)
    target = DecimalEntryField(required=False, **VALUE)
    red_flag = DecimalEntryField(
        required=False,
        label="Red flag",
        help_text="Empty: the stored red flag stays, or without one the default (the target "
        "less the tolerance).",
        **VALUE,
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when the value is off target: why, and what is being done.",
    )

    FIGURES = ("actual", "target", "red_flag")

    def __init__(self, *args, measure: Measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fiscal_start = settings.FISCAL_YEAR_START_MONTH
        self.fields["period"].help_text = PERIOD_HELP[measure.frequency]
        if measure.is_calculated or measure.is_rollup:
            # Their actuals are computed; only targets and red flags are entered.
            del self.fields["actual"]
        # Figures that asked for a confirmation: [(field, figure)], set by the view.
        self.unusual: list[tuple[str, object]] = []

    def clean_period(self):
        try:
            return period_for(
                self.cleaned_data["period"],
                self.measure.frequency,
                self.fiscal_start,
                locale_month_names(),
            )
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def given(self) -> dict:
        """What the service is told: the figures typed (an empty one is left out, so the
        stored figure stays) and the note."""
        data = self.cleaned_data
        given = {name: data[name] for name in self.FIGURES if data.get(name) is not None}
        given["note"] = data["note"]
        return given

    def confirm_token(self) -> str:
        """What the "Yes, save" button confirms: the unusual figures as typed now."""
        return ";".join(f"{name}={figure.normalize()}" for name, figure in self.unusual)

    def confirm_label(self) -> str:
        """The unusual figures as the button names them: "actual 779 and target 1000"."""
        number_format = active_number_format()
        return " and ".join(
            f"{self[name].label.lower()} {format_plain(figure, number_format)}"
            for name, figure in self.unusual
        )

    def confirms(self, token: str) -> bool:
        """Whether `token` (the button's) confirms the figures posted now: each names a
        field and a figure, and the field still holds that figure."""
        if not token:
            return False
        data = self.cleaned_data
        for part in token.split(";"):
            name, _sep, figure = part.partition("=")
            if name not in self.FIGURES or data.get(name) is None:
                return False
            if str(data[name].normalize()) != figure:
                return False
        return True

    def picker(self) -> dict:
        """The period picker beside the text field: a month input for a monthly measure,
        else a list of the fiscal quarters or years around today."""
        frequency = self.measure.frequency
        if frequency == Frequency.MONTHLY:
            return {"kind": "month"}
        today = dt.date.today()
        first = period_start(dt.date(today.year - 3, today.month, 1), frequency, self.fiscal_start)
        choices, period = [], first
        while period.year <= today.year + 1:
            choices.append(period_text(period, frequency, self.fiscal_start))
            period = add_months(period, months_in(frequency))
        return {"kind": "list", "choices": list(reversed(choices))}


PERIOD_HELP = {
    Frequency.MONTHLY: "A month: 2026-10, Oct 2026 or 10/2026.",
    Frequency.QUARTERLY: "A quarter of the fiscal year: 2026-Q1 or Q1 2026 (or its first "
    "month, 2026-01).",
    Frequency.ANNUAL: "A fiscal year: 2026 or FY2026.",
}


def locale_month_names() -> dict[str, int]:
    """The active language's month names and abbreviations, lower case (for "oct. 2026",
    "octobre 2026", "Okt. 2026"), to read periods typed in it."""
    names = {}
    for table in (MONTHS, MONTHS_3, MONTHS_AP, MONTHS_ALT):
        for number, name in table.items():
            names[str(name).lower().rstrip(".")] = number
    return names


class ClearValueForm(forms.Form):
    """Which stored figures of a period's value to clear (the actual unless told)."""

    fields_to_clear = forms.MultipleChoiceField(
        label="Clear",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick what to clear."},
    )

    LABELS = {"actual": "Actual", "target": "Target", "red_flag": "Red flag"}

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


class UnitCodeMixin:
    """Codes are unique within a unit and weights positive: said next to the field (the
    database constraints would answer for the whole form)."""

    def _prepare_weight(self):
        self.fields["weight"].validators.append(positive_weight)

    def clean_code(self):
        code = self.cleaned_data["code"]
        model = type(self.instance)
        taken = model.objects.filter(unit_id=self.instance.unit_id, code=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            name = model._meta.verbose_name
            raise forms.ValidationError(
                f"This unit already has an {name} with this code."
                if name[0] in "aeiou"
                else f"This unit already has a {name} with this code."
            )
        return code


class ObjectiveForm(UnitCodeMixin, forms.ModelForm):
    """An objective of a unit and the objectives of units above it that it supports."""

    supports = ObjectiveChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Objectives of the units above this one that it helps achieve.",
    )

    class Meta:
        model = Objective
        fields = ["code", "name", "description", "perspective", "theme", "owner", "weight"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.unit = unit
        self._prepare_weight()
        self.fields["theme"].queryset = Theme.objects.filter(unit=unit).order_by("name")
        _owner_field(self.fields["owner"])
        self.fields["supports"].queryset = (
            Objective.objects.filter(unit__in=OrgUnit.objects.ancestors_of(unit.pk))
            .select_related("unit")
            .order_by("unit__code", "code")
        )
        if self.instance.pk:
            self.fields["supports"].initial = list(
                self.instance.supports.values_list("pk", flat=True)
            )


class MeasureForm(UnitCodeMixin, forms.ModelForm):
    """A measure of an objective: entered, calculated by a formula, or a rollup of
    measures of the units below."""

    sources = MeasureChoiceField(
        queryset=Measure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For a rollup: the measures of units below that it combines.",
    )

    class Meta:
        model = Measure
        fields = [
            "code",
            "name",
            "description",
            "unit_label",
            "polarity",
            "frequency",
            "aggregation",
            "weight",
            "owner",
            "tolerance",
            "formula",
            "rollup",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "formula": forms.TextInput(),
        }

    def __init__(self, *args, objective: Objective, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.objective = objective
        self.instance.unit_id = objective.unit_id
        self._prepare_weight()
        _owner_field(self.fields["owner"])
        below = OrgUnit.objects.subtree_of(objective.unit_id).exclude(pk=objective.unit_id)
        self.fields["sources"].queryset = (
            Measure.objects.filter(unit__in=below)
            .select_related("unit")
            .order_by("unit__code", "code")
        )
        if self.instance.pk:
            self.fields["sources"].initial = list(
                self.instance.sources.values_list("pk", flat=True)
            )


class CauseEffectForm(forms.ModelForm):
    """An arrow of the unit's strategy map: one objective drives another."""

    class Meta:
        model = CauseEffect
        fields = ["cause", "effect", "rationale"]

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        own = Objective.objects.filter(unit=unit).order_by("code")
        for name in ("cause", "effect"):
            self.fields[name].queryset = own
            self.fields[name].label_from_instance = lambda o: f"{o.code} {o.name}"


class ValuesUploadForm(forms.Form):
    """A CSV of values (measure_code,period,actual,target,red_flag,note; or with semicolons);
    the first post previews it, the second (with the text carried back) saves it."""

    file = forms.FileField(
        required=False,
        label="CSV file",
        help_text="Columns: measure_code (UNIT.CODE) or measure, period, and any of actual, "
        "target, red_flag, note, confirm; separated by commas (decimal points) or semicolons "
        "(decimal commas), as Excel saves them. UTF-8.",
    )
    csv_text = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > settings.BULK_MAX_BYTES:
                self.add_error(
                    "file", f"The file is over {settings.BULK_MAX_BYTES // 1_000_000} MB."
                )
                return data
            raw = upload.read()
            try:
                data["csv_text"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error(
                    "file",
                    'The file is not UTF-8 text: save it as "CSV UTF-8" and upload it again.',
                )
        elif not data.get("csv_text"):
            self.add_error("file", "Choose a CSV file.")
        return data
