"""Forms of the scorecard pages: a measure's value, the cascade (objectives, measures,
arrows) and the CSV upload. They check what a field can check alone; the services check
the rest and their errors land next to the fields (`core.forms.add_service_errors`)."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from core.fields import VALUE
from core.validators import positive_weight
from core.widgets import ManyOptionsSelect

from .models import CauseEffect, Measure, Objective, OrgUnit, Theme
from .periods import describe_period_starts, is_period_start, parse_period


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
    """One period's value of a measure. Blank figures are stored as blank (the form shows
    what is stored for the period, so blanking a figure clears it)."""

    period = forms.CharField(
        label="Period", help_text="YYYY-MM (the first month of the period)", max_length=10
    )
    actual = forms.DecimalField(required=False, **VALUE)
    target = forms.DecimalField(required=False, **VALUE)
    red_flag = forms.DecimalField(
        required=False,
        label="Red flag",
        help_text="Leave blank for the default (the target less the tolerance).",
        **VALUE,
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when the value is off target: why, and what is being done.",
    )

    def __init__(self, *args, measure: Measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        starts = describe_period_starts(measure.frequency, settings.FISCAL_YEAR_START_MONTH)
        self.fields["period"].help_text = f"YYYY-MM: {starts}"
        if measure.is_calculated or measure.is_rollup:
            # Their actuals are computed; only targets and red flags are entered.
            del self.fields["actual"]

    def clean_period(self):
        try:
            period = parse_period(self.cleaned_data["period"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        fiscal_start = settings.FISCAL_YEAR_START_MONTH
        if not is_period_start(period, self.measure.frequency, fiscal_start):
            raise forms.ValidationError(
                f"A {self.measure.get_frequency_display().lower()} period starts on "
                f"{describe_period_starts(self.measure.frequency, fiscal_start)}."
            )
        return period


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
    """A CSV of values (measure_code,period,actual,target,red_flag,note); the first post
    previews it, the second (with the text carried back) saves it."""

    file = forms.FileField(
        required=False,
        label="CSV file",
        help_text="Columns: measure_code (UNIT.CODE) or measure, period, and any of actual, "
        "target, red_flag, note. UTF-8.",
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
