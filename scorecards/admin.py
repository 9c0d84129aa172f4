"""The admin of the scorecards app.

Permissions: every admin class asks `user.has_perm(name, obj)` (django `rules`, derived from
the models' access declarations) through `rules.contrib.admin`. Tracked models
(`history = HistoricalRecords()`) also get django-simple-history's history page.

Writes: `Model.clean()`, field validators and database constraints run in every ModelForm.
What they do not cover is checked by the forms below with the same validators the services
use, so a bad entry is a form error, never a 500 and never bad data:
- many-to-many rules (`Objective.supports`, `Measure.sources`) edited as inlines;
- rows added inline to a parent that is being created too: the model's `clean()` skips its
  checks while the parent has no primary key, so the inline form checks against the parent
  the admin built from the posted form;
- `Measure.unit`, which is not on the form (it is the objective's unit), so the database's
  "code unique within a unit" is checked by hand.

The base classes every app's admin uses are in core/admin_kit.py.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_kit import (
    RulesAdmin,
    RulesTabularInline,
    TrackedAdmin,
    ValidatedLinkForm,
)

from . import services
from .models import (
    CascadeLink,
    CauseEffect,
    Measure,
    MeasureValue,
    Objective,
    OrgUnit,
    Perspective,
    ReportingPeriod,
    ReportingPeriodEvent,
    RollupSource,
    Theme,
)
from .models.objectives import validate_supports
from .services import validate_sources
from .services.alerts import watch_red
from .services.values import settle_approval

# Units, perspectives, themes ---------------------------------------------------------------


class OrgUnitForm(forms.ModelForm):
    """A rename or a move is checked by the service's rules (`validate_unit_change`) as
    form errors: formulas naming the unit, links of the subtree left out of reach."""

    class Meta:
        model = OrgUnit
        fields = ("code", "name", "kind", "parent", "head")

    def _post_clean(self):
        super()._post_clean()
        if self.instance.pk and not self.errors:
            try:
                services.validate_unit_change(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


@admin.register(OrgUnit)
class OrgUnitAdmin(RulesAdmin):
    """The unit tree. A unit with children, objectives, measures, people… cannot be deleted
    (they are protected); the delete page lists them instead."""

    list_display = ("code", "name", "kind", "parent", "head")
    list_select_related = ("parent", "head")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent", "head")
    form = OrgUnitForm

    def save_model(self, request, obj, form, change):
        if change:
            services.unit_update(
                actor=None, instance=obj, data={}
            )  # the form set the fields; the service re-checks
        else:
            super().save_model(request, obj, form, change)


@admin.register(Perspective)
class PerspectiveAdmin(RulesAdmin):
    list_display = ("order", "name", "description")
    list_display_links = ("name",)
    search_fields = ("name",)


@admin.register(Theme)
class ThemeAdmin(RulesAdmin):
    list_display = ("name", "unit")
    list_select_related = ("unit",)
    list_filter = ("unit__kind",)
    search_fields = ("name", "unit__code", "unit__name")
    autocomplete_fields = ("unit",)


# Objectives and the cascade ----------------------------------------------------------------


class CascadeLinkForm(ValidatedLinkForm):
    """`supporting` supports `supported`: only objectives of strict ancestor units."""

    owner_field, target_field = "supporting", "supported"
    validate = staticmethod(validate_supports)

    class Meta:
        model = CascadeLink
        fields = ("supporting", "supported")


class CascadeLinkInline(RulesTabularInline):
    """The objectives this objective supports (the cascade up, `Objective.supports`)."""

    model = CascadeLink
    fk_name = "supporting"
    form = CascadeLinkForm
    fields = ("supported",)
    autocomplete_fields = ("supported",)
    verbose_name = _("supported objective")
    verbose_name_plural = _("Supports (objectives of units above this one)")


class MeasureForm(forms.ModelForm):
    """A measure's unit is its objective's unit: set here (it is not on the form), with the
    "code unique within the unit" check the database would otherwise answer with an
    IntegrityError. Then the services' own rules (`validate_measure_change`: formulas,
    codes and frequencies read by others, polarity, actuals) as form errors."""

    class Meta:
        model = Measure
        # Not `unit` (the objective's, set in clean) nor `sources` (RollupSourceInline).
        fields = (
            "objective",
            "code",
            "name",
            "description",
            "owner",
            "unit_label",
            "polarity",
            "frequency",
            "aggregation",
            "weight",
            "tolerance",
            "formula",
            "rollup",
        )

    def clean(self):
        cleaned = super().clean()
        measure = self.instance
        objective = cleaned.get("objective")
        if objective is None and measure.objective_id:
            objective = measure.objective
        if objective is None or not objective.unit_id:
            return cleaned
        measure.unit = objective.unit
        code = cleaned.get("code")
        if (
            code
            and Measure.objects.filter(unit_id=objective.unit_id, code=code)
            .exclude(pk=measure.pk)
            .exists()
        ):
            self.add_error(
                "code",
                gettext("%(unit)s already has a measure with the code %(code)s.")
                % {"unit": objective.unit.code, "code": code},
            )
        return cleaned

    def _post_clean(self):
        super()._post_clean()  # the instance now carries the form's values
        if self.instance.objective_id and not self.errors:
            try:
                services.validate_measure_change(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


class MeasureInlineFormSet(BaseInlineFormSet):
    """Two new rows with one code would pass each form's check and fail in the database."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            code = getattr(form, "cleaned_data", {}).get("code")
            if not code or self._should_delete_form(form):
                continue
            if code in seen:
                raise ValidationError(
                    gettext("Two measures have the code %(code)s; codes are unique within a unit.")
                    % {"code": code}
                )
            seen.add(code)


class MeasureInline(RulesTabularInline):
    """The objective's measures (their formulas and rollups are edited on the measure)."""

    model = Measure
    form = MeasureForm
    formset = MeasureInlineFormSet
    fields = (
        "code",
        "name",
        "unit_label",
        "polarity",
        "frequency",
        "aggregation",
        "weight",
        "owner",
    )
    autocomplete_fields = ("owner",)
    show_change_link = True


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        # Not `supports`: CascadeLinkInline edits and validates it.
        fields = (
            "unit",
            "code",
            "name",
            "description",
            "perspective",
            "theme",
            "owner",
            "weight",
        )


@admin.register(Objective)
class ObjectiveAdmin(TrackedAdmin):
    """Objectives with their measures and the objectives they support. The unit is fixed once
    created (its measures live in it); `supports` is edited through the validated inline."""

    form = ObjectiveForm
    list_display = ("code", "name", "unit", "perspective", "theme", "owner", "weight")
    list_select_related = ("unit", "perspective", "theme", "owner")
    list_filter = ("perspective", "unit__kind")
    search_fields = ("code", "name", "unit__code", "unit__name")
    autocomplete_fields = ("unit", "theme", "owner")
    inlines = (CascadeLinkInline, MeasureInline)

    def get_readonly_fields(self, request, obj=None):
        return ("unit",) if obj is not None else ()


@admin.register(CascadeLink)
class CascadeLinkAdmin(TrackedAdmin):
    """Cascade links one by one (also edited on the supporting objective)."""

    form = CascadeLinkForm
    list_display = ("supporting", "supporting_unit", "supported", "supported_unit")
    list_select_related = ("supporting__unit", "supported__unit")
    list_filter = ("supporting__unit__kind",)
    search_fields = (
        "supporting__code",
        "supporting__name",
        "supported__code",
        "supported__name",
        "supporting__unit__code",
        "supported__unit__code",
    )
    autocomplete_fields = ("supporting", "supported")

    @admin.display(description=_("unit"), ordering="supporting__unit__code")
    def supporting_unit(self, obj):
        return obj.supporting.unit.code

    @admin.display(description=_("supported unit"), ordering="supported__unit__code")
    def supported_unit(self, obj):
        return obj.supported.unit.code


@admin.register(CauseEffect)
class CauseEffectAdmin(RulesAdmin):
    list_display = ("cause", "effect", "unit", "rationale")
    list_select_related = ("cause__unit", "effect")
    list_filter = ("cause__unit__kind",)
    search_fields = ("cause__code", "cause__name", "effect__code", "effect__name", "rationale")
    autocomplete_fields = ("cause", "effect")

    @admin.display(description=_("unit"), ordering="cause__unit__code")
    def unit(self, obj):
        return obj.cause.unit.code


# Measures and values -----------------------------------------------------------------------


class RollupSourceForm(ValidatedLinkForm):
    """A source of a rollup: a measure of a unit below, of the rollup's frequency, and only
    for a rollup measure."""

    owner_field, target_field = "rollup_measure", "source"
    validate = staticmethod(validate_sources)

    class Meta:
        model = RollupSource
        fields = ("rollup_measure", "source")


class RollupSourceInline(RulesTabularInline):
    model = RollupSource
    fk_name = "rollup_measure"
    form = RollupSourceForm
    fields = ("source",)
    autocomplete_fields = ("source",)
    verbose_name = _("rollup source")
    verbose_name_plural = _("Rollup sources (measures of units below, same frequency)")


@admin.register(Measure)
class MeasureAdmin(TrackedAdmin):
    """Measures: entered, calculated (`formula`) or rollups of `sources` (the inline). The unit
    is the objective's, set on save; the objective is fixed once created."""

    form = MeasureForm
    fieldsets = (
        (None, {"fields": ("objective", "unit", "code", "name", "description", "owner")}),
        (
            _("Scoring"),
            {
                "fields": (
                    "unit_label",
                    "polarity",
                    "frequency",
                    "aggregation",
                    "weight",
                    "tolerance",
                )
            },
        ),
        (_("Calculated or rollup"), {"fields": ("formula", "rollup")}),
    )
    list_display = ("code", "name", "unit", "objective", "frequency", "polarity", "rollup", "owner")
    list_select_related = ("unit", "objective", "owner")
    list_filter = ("frequency", "polarity", "rollup", "aggregation", "unit__kind")
    search_fields = ("code", "name", "unit__code", "objective__code", "objective__name")
    autocomplete_fields = ("objective", "owner")
    inlines = (RollupSourceInline,)

    def get_readonly_fields(self, request, obj=None):
        return ("unit", "objective") if obj is not None else ("unit",)

    def save_model(self, request, obj, form, change):
        services.measure_save(actor=request.user, instance=obj)


class MeasureValueForm(forms.ModelForm):
    """A value is checked here as every other door checks it (`services.value_problems`):
    the measure's range and decimal places for the figures that change, a note on a red
    value, and a figure far from the measure's history saved only when confirmed."""

    confirm = forms.BooleanField(
        required=False,
        label=_("Save although unusual"),
        help_text=_("Tick to save a figure far outside the measure's own history."),
    )

    class Meta:
        model = MeasureValue
        fields = ("measure", "period", "actual", "target", "red_flag", "note")

    def _post_clean(self):
        stored = (
            MeasureValue.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        )
        before = {name: getattr(stored, name, None) for name in services.VALUE_FIELDS}
        before["note"] = before["note"] or ""
        super()._post_clean()  # the instance now carries the form's values
        value = self.instance
        if self.errors or not value.measure_id or not value.period:
            return
        if stored and all(getattr(value, name) == before[name] for name in before):
            return  # as stored: nothing to check (as `measure_value_enter`)
        problems = services.value_problems(
            value,
            value.measure,
            before,
            history=lambda: services.figures_of_other_periods(value.measure, value.period),
            confirm=self.cleaned_data.get("confirm", False),
        )
        if problems:
            self._update_errors(ValidationError(problems))
            return
        locked = services.locked_periods([(value.measure, value.period)])
        if locked:  # a new value for a period of a closed month (a stored one is read-only)
            self.add_error(None, list(locked.values()))


# Where a value stands in its unit's approval: shown, written only by the services.
APPROVAL_SHOWN = ("state", "submitted_actual", "submitted_note", "submitted_by", "review_comment")


@admin.register(MeasureValue)
class MeasureValueAdmin(TrackedAdmin):
    """Actual, target and red flag per measure and period, checked as every door checks
    them (`MeasureValueForm`). As in `measure_value_record`, the admin user is recorded as
    `entered_by`; measure and period are fixed once created."""

    form = MeasureValueForm

    list_display = (
        "measure",
        "unit",
        "period",
        "actual",
        "target",
        "red_flag",
        "entered_by",
        "updated_at",
    )
    list_display_links = ("measure", "period")
    list_select_related = ("measure__unit", "entered_by")
    list_filter = (
        "measure__frequency",
        ("actual", admin.EmptyFieldListFilter),
        "measure__unit__kind",
    )
    search_fields = ("measure__code", "measure__name", "measure__unit__code", "note")
    date_hierarchy = "period"
    autocomplete_fields = ("measure",)
    fields = (
        "measure",
        "period",
        "actual",
        "target",
        "red_flag",
        "note",
        "confirm",
        "entered_by",
        "created_at",
        "updated_at",
        *APPROVAL_SHOWN,
    )

    @admin.display(description=_("unit"), ordering="measure__unit__code")
    def unit(self, obj):
        return obj.measure.unit.code

    def get_readonly_fields(self, request, obj=None):
        stamps = ("entered_by", "created_at", "updated_at", *APPROVAL_SHOWN)
        return ("measure", "period", *stamps) if obj is not None else stamps

    def _locked(self, obj) -> bool:
        """A value of a closed month: shown, never changed or deleted (bulk deletes too,
        which ask this per row)."""
        return bool(
            obj and obj.pk and services.locked_periods([(obj.measure, obj.period)], hold=False)
        )

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        # The admin is the OSM staff's: as through every other door, their actual or note
        # is approved at once and replaces a pending submission, and what it turns off target
        # is notified.
        settle_approval(obj, {}, form.changed_data, submitting=False, actor=request.user,
                        now=timezone.now())  # fmt: skip
        with watch_red([obj.measure.objective_id], request.user):
            super().save_model(request, obj, form, change)


class ReportingPeriodEventInline(RulesTabularInline):
    model = ReportingPeriodEvent
    fields = ("action", "by", "at", "reason")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(RulesAdmin):
    """The closed (and reopened) months, read only: a month is closed and reopened on the
    Reporting months page or through the API (`services.month_close`, `month_reopen`), which
    record who, when and why."""

    list_display = ("month", "status", "closed_by", "closed_at")
    list_select_related = ("closed_by",)
    fields = ("month", "status", "closed_by", "closed_at")
    readonly_fields = fields
    inlines = [ReportingPeriodEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
