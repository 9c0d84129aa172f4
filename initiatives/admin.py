"""The admin of strategic initiatives, their milestones and the objectives they advance.

Permissions come from core/rules.py; see core/admin_kit.py for the building blocks and for
why some checks live in the forms.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_kit import RulesAdmin, RulesTabularInline, TrackedAdmin, ValidatedLinkForm

from .models import Initiative, InitiativeObjective, Milestone
from .services import validate_objectives


class InitiativeObjectiveForm(ValidatedLinkForm):
    """An initiative advances objectives of its own unit or of the units above or below it.
    Every row is checked against the unit on the form, so moving an initiative re-checks
    its links."""

    owner_field, target_field = "initiative", "objective"
    validate = staticmethod(validate_objectives)

    class Meta:
        model = InitiativeObjective
        fields = ("initiative", "objective")


class InitiativeObjectiveInline(RulesTabularInline):
    model = InitiativeObjective
    form = InitiativeObjectiveForm
    fields = ("objective",)
    autocomplete_fields = ("objective",)
    verbose_name = _("objective advanced")
    verbose_name_plural = _("Objectives advanced (of this unit or units above or below it)")


class MilestoneForm(forms.ModelForm):
    """`Milestone.clean` skips its check while the initiative is not saved yet (the
    initiative's add page); this checks against the initiative on the form."""

    class Meta:
        model = Milestone
        fields = ("initiative", "name", "due", "done_on")

    def clean(self):
        cleaned = super().clean()
        initiative, done_on = cleaned.get("initiative"), cleaned.get("done_on")
        if initiative is not None and done_on and initiative.start and done_on < initiative.start:
            self.add_error("done_on", _("A milestone cannot be done before its initiative starts."))
        return cleaned


class MilestoneInline(RulesTabularInline):
    model = Milestone
    form = MilestoneForm
    fields = ("name", "due", "done_on")


class InitiativeForm(forms.ModelForm):
    class Meta:
        model = Initiative
        # Not `objectives`: InitiativeObjectiveInline edits and validates them.
        fields = (
            "code",
            "name",
            "description",
            "unit",
            "owner",
            "start",
            "end",
            "status",
            "percent_complete",
        )


@admin.register(Initiative)
class InitiativeAdmin(TrackedAdmin):
    """Initiatives with their milestones and the objectives they advance (validated inline)."""

    form = InitiativeForm
    list_display = ("code", "name", "unit", "owner", "status", "start", "end", "percent_complete")
    list_select_related = ("unit", "owner")
    list_filter = ("status", "unit__kind")
    search_fields = ("code", "name", "unit__code", "unit__name")
    date_hierarchy = "start"
    autocomplete_fields = ("unit", "owner")
    inlines = (InitiativeObjectiveInline, MilestoneInline)


@admin.register(Milestone)
class MilestoneAdmin(RulesAdmin):
    form = MilestoneForm
    list_display = ("name", "initiative", "unit", "due", "done_on")
    list_select_related = ("initiative__unit",)
    list_filter = (("done_on", admin.EmptyFieldListFilter), "initiative__status")
    search_fields = ("name", "initiative__code", "initiative__name", "initiative__unit__code")
    date_hierarchy = "due"
    autocomplete_fields = ("initiative",)

    @admin.display(ordering="initiative__unit__code")
    def unit(self, obj):
        return obj.initiative.unit.code
