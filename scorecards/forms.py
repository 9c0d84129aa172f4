"""Forms of the scorecard pages: a measure's value and the cascade (objectives, measures,
arrows); the Clear page's and the CSV upload's are in value_forms.py. They check what a field
can check alone; the services check the rest and their errors land next to the fields
(`core.forms.add_service_errors`)."""

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.dates import MONTHS, MONTHS_3, MONTHS_ALT, MONTHS_AP
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.clock import current_fiscal_year
from core.fields import VALUE, WEIGHT
from core.forms import DecimalEntryField
from core.numbers import active_number_format, format_plain
from core.people import make_person_field
from core.validators import positive_weight
from core.widgets import SearchableSelectMultiple, SearchedSelectMultiple

from .choices import Frequency
from .display import month_text, period_label
from .models import CauseEffect, Measure, MeasureValue, Objective, OrgUnit, Theme
from .periods import (
    add_months,
    months_in,
    period_for,
    period_start,
    period_text,
)
from .selectors.search import measures_below
from .services.values import FIELD_LABELS
from .targets import EVEN, LINEAR, SHAPE, year_periods


def number_field(**kwargs) -> forms.DecimalField:
    """A number typed as text in the reader's own format (a decimal comma in French),
    parsed on the server by the strict locale-aware `core.forms.DecimalEntryField` ("12,5"
    is refused in English, never read as 125): every number field of these forms."""
    return DecimalEntryField(**kwargs)


def _plain(value):
    """A stored decimal as people write it: 36.3, not 36.300000."""
    return value.normalize() if isinstance(value, Decimal) else value


def _plain_initial(form, *names) -> None:
    """Write the stored figures of a bound row plainly (a new row keeps its fields' own
    initial values)."""
    for name in names:
        if form.initial.get(name) is not None:
            form.initial[name] = _plain(form.initial[name])


class CodeNameChoices:
    """Choice labels "UNIT.CODE Name" for objectives and measures of several units."""

    def label_from_instance(self, obj):
        return f"{obj.unit.code}.{obj.code} {obj.name}"


class ObjectiveChoiceField(CodeNameChoices, forms.ModelMultipleChoiceField):
    pass


class MeasureChoiceField(CodeNameChoices, forms.ModelMultipleChoiceField):
    pass


class MeasureValueForm(forms.Form):
    """One period's value of a measure. Figures are typed in the person's language
    (`DecimalEntryField`); an empty figure keeps what is stored (clearing one is the Clear
    page's action, never an emptied field). The period is typed as people write it
    (`periods.period_for`: 2026-10, Oct 2026, 10/2026, 2026-Q1, FY2026...) or picked."""

    period = forms.CharField(label=_("Period"), max_length=40)
    actual = DecimalEntryField(required=False, label=_("Actual"), **VALUE)
    target = DecimalEntryField(required=False, label=_("Target"), **VALUE)
    red_flag = DecimalEntryField(
        required=False,
        label=_("Red flag"),
        help_text=_(
            "Empty: the stored red flag stays, or without one the default (the target less "
            "the tolerance)."
        ),
        **VALUE,
    )
    note = forms.CharField(
        required=False,
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the value is off target: why, and what is being done."),
    )

    FIGURES = ("actual", "target", "red_flag")

    def __init__(self, *args, measure: Measure, sets_targets: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        self.fiscal_start = settings.FISCAL_YEAR_START_MONTH
        self.fields["period"].help_text = PERIOD_HELP[measure.frequency]
        if measure.is_calculated or measure.is_rollup:
            # Their actuals are computed; only targets and red flags are entered.
            del self.fields["actual"]
        # A measure's owner enters actuals and notes; its unit's heads set the targets
        # (`services.may_set_targets`).
        self.targets_by_heads = not sets_targets
        if self.targets_by_heads:
            del self.fields["target"], self.fields["red_flag"]
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
        named = [
            gettext("%(field)s %(figure)s")
            % {"field": FIELD_LABELS[name], "figure": format_plain(figure, number_format)}
            for name, figure in self.unusual
        ]
        text = named[0] if named else ""
        for more in named[1:]:
            text = gettext("%(first)s and %(second)s") % {"first": text, "second": more}
        return text

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
        else a list of the fiscal quarters or years around today, each (the text the field
        reads, the period as the reader's language names it)."""
        frequency = self.measure.frequency
        if frequency == Frequency.MONTHLY:
            return {"kind": "month"}
        today = dt.date.today()
        first = period_start(dt.date(today.year - 3, today.month, 1), frequency, self.fiscal_start)
        choices, period = [], first
        while period.year <= today.year + 1:
            choices.append(
                (
                    period_text(period, frequency, self.fiscal_start),
                    period_label(period, frequency, self.fiscal_start),
                )
            )
            period = add_months(period, months_in(frequency))
        return {"kind": "list", "choices": list(reversed(choices))}


PERIOD_HELP = {
    Frequency.MONTHLY: _("A month: 2026-10, Oct 2026 or 10/2026."),
    Frequency.QUARTERLY: _(
        "A quarter of the fiscal year: 2026-Q1 or Q1 2026 (or its first month, 2026-01)."
    ),
    Frequency.ANNUAL: _("A fiscal year: 2026 or FY2026."),
}


def locale_month_names() -> dict[str, int]:
    """The active language's month names and abbreviations, lower case (for "oct. 2026",
    "octobre 2026", "Okt. 2026"), to read periods typed in it."""
    names = {}
    for table in (MONTHS, MONTHS_3, MONTHS_AP, MONTHS_ALT):
        for number, name in table.items():
            names[str(name).lower().rstrip(".")] = number
    return names


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
            raise forms.ValidationError(self.code_taken)
        return code


class ObjectiveForm(UnitCodeMixin, forms.ModelForm):
    """An objective of a unit and the objectives of units above it that it supports. The
    themes offered are the unit's and those of the units above it (a theme is a slice
    across the strategy of its unit and of the units below)."""

    supports = ObjectiveChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        label=_("Supports"),
        widget=SearchableSelectMultiple,
        help_text=_("Objectives of the units above this one that it helps achieve."),
    )
    weight = number_field(**WEIGHT, label=_("Weight"), initial=Decimal("1"))
    code_taken = _("This unit already has an objective with this code.")

    class Meta:
        model = Objective
        fields = ["code", "name", "description", "perspective", "theme", "owner", "weight"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.unit = unit
        self._prepare_weight()
        _plain_initial(self, "weight")
        theme = self.fields["theme"]
        theme.queryset = (
            Theme.objects.filter(unit__in=OrgUnit.objects.ancestors_of(unit.pk, include_self=True))
            .select_related("unit")
            .order_by("unit__code", "name")
        )
        theme.label_from_instance = lambda t: (
            t.name if t.unit_id == unit.pk else f"{t.name} ({t.unit.code})"
        )
        theme.help_text = gettext("A theme of %(unit)s or of a unit above it.") % {
            "unit": unit.code
        }
        make_person_field(self.fields["owner"])
        self.fields["supports"].queryset = (
            Objective.objects.filter(unit__in=OrgUnit.objects.ancestors_of(unit.pk))
            .select_related("unit")
            .order_by("unit__code", "code")
        )
        if self.instance.pk:
            self.fields["supports"].initial = list(
                self.instance.supports.values_list("pk", flat=True)
            )


TARGET_METHODS = [
    (EVEN, _("Evenly")),
    (LINEAR, _("In equal steps from the baseline")),
    (SHAPE, _("In the shape of last year's actuals")),
]
TARGET_CELL = "target_"  # + YYYY_MM: one cell of the period-by-period table
TARGET_CELL_NAME = re.compile(r"^target_\d{4}_\d{2}$")
TARGET_SETTINGS = ("targets_year", "annual_target", "target_method")


class MeasureForm(UnitCodeMixin, forms.ModelForm):
    """A measure of an objective: entered, calculated by a formula, or a rollup of
    measures of the units below; how its figures are written (decimal places, valid range,
    baseline); and, in one go, its targets for a fiscal year: an annual target spread over
    the year's periods, or a table of the periods' targets.

    The table is built for the frequency and year posted (or, unbound, those of the
    measure or `initial`), one cell per period, filled with the stored targets. After
    `is_valid()`, `targets_request` says what to do with the targets: None (nothing
    changed), ("spread", method, annual target) or ("table", {period: target})."""

    sources = MeasureChoiceField(
        queryset=Measure.objects.none(),
        required=False,
        label=_("Sources"),
        widget=SearchableSelectMultiple,
        help_text=_("For a rollup: the measures of units below that it combines."),
    )
    weight = number_field(**WEIGHT, label=_("Weight"), initial=Decimal("1"))
    tolerance = number_field(
        label=_("Tolerance (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        initial=Decimal("10"),
        help_text=_(
            "Where the red flag lies by default: this percentage of the target below it "
            "(above it when lower is better). 10 means 10%."
        ),
    )
    decimal_places = forms.TypedChoiceField(
        label=_("Decimal places"),
        choices=[("", _("As entered")), *((n, str(n)) for n in range(7))],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("How many decimals its figures are shown and entered with."),
    )
    min_value = number_field(
        **VALUE, required=False, label=_("Lowest valid value"), help_text=_("Empty: no limit.")
    )
    max_value = number_field(
        **VALUE,
        required=False,
        label=_("Highest valid value"),
        # xgettext:no-python-format
        help_text=_("Empty: no limit (a measure in % is held to 0 to 100 unless you set a range)."),
    )
    baseline = number_field(
        **VALUE,
        required=False,
        label=_("Baseline"),
        help_text=_(
            "Where the measure stood before the strategy: the level the targets start from "
            "in equal steps."
        ),
    )
    targets_year = forms.IntegerField(
        label=_("Fiscal year of the targets"),
        required=False,
        min_value=1900,
        max_value=2999,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": _("Enter a year such as 2026.")},
        help_text=_("Named after the calendar year in which it starts."),
    )
    annual_target = number_field(
        **VALUE,
        required=False,
        label=_("Annual target"),
        help_text=_(
            "The year's figure as the measure combines its periods: their sum, their average, "
            "or the last period's. Leave empty to type each period's target below."
        ),
    )
    target_method = forms.ChoiceField(
        label=_("Spread the annual target"),
        choices=TARGET_METHODS,
        initial=EVEN,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Whichever way, the periods combined as the measure combines them make the annual "
            "target."
        ),
    )
    code_taken = _("This unit already has a measure with this code.")

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
            "decimal_places",
            "min_value",
            "max_value",
            "baseline",
            "formula",
            "rollup",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "formula": forms.TextInput(),
        }

    def __init__(self, *args, objective: Objective, refresh_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.objective = objective
        self.instance.unit_id = objective.unit_id
        self._prepare_weight()
        make_person_field(self.fields["owner"])
        # thousands at the top of a large company (7,960 at seed_scale): searched as typed
        sources = self.fields["sources"]
        sources.widget = SearchedSelectMultiple(
            attrs=sources.widget.attrs,
            search_url=reverse("measures-below", args=[objective.unit.code]),
        )
        sources.queryset = measures_below(objective.unit_id).select_related("unit")
        if self.instance.pk:
            self.fields["sources"].initial = list(
                self.instance.sources.values_list("pk", flat=True)
            )
        _plain_initial(self, "weight", "min_value", "max_value", "baseline")
        if self.initial.get("tolerance") is not None:
            self.initial["tolerance"] = _plain(Decimal(self.initial["tolerance"]) * 100)
        self.initial.setdefault("targets_year", current_fiscal_year())
        self._add_target_cells()
        if refresh_url:
            # With htmx, another frequency or year redraws the table of targets; without
            # script, a table posted for other periods is refused and drawn again.
            for name in ("frequency", "targets_year"):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-get": refresh_url,
                        "hx-trigger": "change",
                        "hx-include": "[name=frequency],[name=targets_year]",
                        "hx-select": "#targets",
                        "hx-target": "#targets",
                        "hx-swap": "outerHTML",
                    }
                )

    # The table of targets ------------------------------------------------------------------

    def _chosen(self, name: str, valid) -> str:
        """What the form is for: the posted value if valid, else the initial one."""
        if self.is_bound:
            posted = self.data.get(self.add_prefix(name))
            if valid(posted):
                return posted
        return self.initial.get(name)

    def table_frequency(self) -> str:
        return self._chosen("frequency", lambda v: v in Frequency.values) or Frequency.MONTHLY

    def table_year(self) -> int:
        year = self._chosen("targets_year", lambda v: v and v.isdigit() and 1900 <= int(v) <= 2999)
        return int(year)

    def _add_target_cells(self) -> None:
        periods = year_periods(
            self.table_year(), self.table_frequency(), settings.FISCAL_YEAR_START_MONTH
        )
        stored = {}
        if self.instance.pk:
            stored = dict(
                MeasureValue.objects.filter(
                    measure=self.instance, period__in=periods, target__isnull=False
                ).values_list("period", "target")
            )
        self.table = {}
        for period in periods:
            name = f"{TARGET_CELL}{period:%Y_%m}"
            annual = self.table_frequency() == Frequency.ANNUAL
            label = (
                gettext("Fiscal year %(year)s") % {"year": period.year}
                if annual
                else month_text(period)
            )
            self.fields[name] = number_field(**VALUE, required=False, label=label)
            self.initial[name] = _plain(stored.get(period))
            self.table[name] = period

    @property
    def measure_fields(self):
        return [
            self[name]
            for name in self.fields
            if name not in TARGET_SETTINGS and name not in self.table
        ]

    @property
    def target_settings(self):
        return [self[name] for name in TARGET_SETTINGS]

    @property
    def target_cells(self):
        return [self[name] for name in self.table]

    def form_only_fields(self) -> set[str]:
        """Fields of the targets, which the measure's service is not told."""
        return {*TARGET_SETTINGS, *self.table}

    # Checks --------------------------------------------------------------------------------

    def clean_targets_year(self):
        return self.cleaned_data.get("targets_year") or self.table_year()

    def clean_tolerance(self):
        percent = self.cleaned_data.get("tolerance")
        return None if percent is None else percent / 100

    def clean(self):
        data = super().clean()
        low, high = data.get("min_value"), data.get("max_value")
        if low is not None and high is not None and low > high:
            self.add_error(
                "max_value", gettext("The highest valid value must not be below the lowest.")
            )
        self.targets_request = self._targets_request(data)
        return data

    def _targets_request(self, data):
        stale = [
            key
            for key, value in self.data.items()
            if TARGET_CELL_NAME.match(key) and key not in self.table and str(value).strip()
        ]
        if stale:
            self.add_error(
                None,
                gettext(
                    "The table of targets was for other periods (another year or frequency): "
                    "enter the targets of the periods shown."
                ),
            )
            return None
        # A cell not posted at all (a client that does not send the table) is left alone.
        posted = [n for n in self.table if self.add_prefix(n) in self.data]
        changed = [n for n in posted if n in self.changed_data and n not in self.errors]
        for name in changed:
            if data.get(name) is None:
                self.add_error(
                    name,
                    gettext(
                        "A target is cleared on the measure's page, with the period's value; "
                        "here targets are only set."
                    ),
                )
        typed = [n for n in changed if data.get(n) is not None]
        annual = data.get("annual_target")
        if annual is not None:
            if typed:
                self.add_error(
                    "annual_target",
                    gettext(
                        "Give either an annual target to spread or the periods' targets, not both."
                    ),
                )
                return None
            return ("spread", data.get("target_method") or EVEN, annual)
        if typed:
            return (
                "table",
                {self.table[n]: data[n] for n in self.table if data.get(n) is not None},
            )
        return None


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
