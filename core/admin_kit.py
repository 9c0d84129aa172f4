"""The building blocks of every app's admin. Permissions: every admin class asks
`user.has_perm(name, obj)` (django `rules`, derived from the models' access declarations)
through `rules.contrib.admin`. Tracked models (`history = HistoricalRecords()`) also get
django-simple-history's history page: who changed what, when, old → new."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from rules.contrib.admin import (
    ObjectPermissionsInlineModelAdminMixin,
    ObjectPermissionsModelAdmin,
    ObjectPermissionsModelAdminMixin,
)
from simple_history.admin import SimpleHistoryAdmin

from .scoping import perm_name


class ActingUserMixin:
    """Records the admin user as the author of history rows: of the object saved or deleted
    and of the inline rows saved or deleted with it (HistoryRequestMiddleware is the
    fallback for rows deleted by cascade or in bulk)."""

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        obj._history_user = request.user
        super().delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj._history_user = request.user
            obj.delete()
        for obj in instances:
            obj._history_user = request.user
            obj.save()
        formset.save_m2m()


class RulesAdmin(ActingUserMixin, ObjectPermissionsModelAdmin):
    """A model admin whose view/change/delete permissions come from the rules, per object."""


class TrackedAdmin(ActingUserMixin, ObjectPermissionsModelAdminMixin, SimpleHistoryAdmin):
    """`RulesAdmin` plus the change history of a tracked model (the "History" button).

    The rules mixin comes before SimpleHistoryAdmin so its per-object permissions win
    (SimpleHistoryAdmin's own `has_*_permission` only defer to ModelAdmin's). The history
    page needs the view permission of the object; reverting to an old version needs the
    change permission (simple-history itself would save a posted revert for anyone who may
    view it).
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, object_id)
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class RulesInlineMixin(ObjectPermissionsInlineModelAdminMixin):
    """Inline rows ask the rules with the parent object: "may this user add, change or delete
    rows of this objective / employee / meeting?" (for `add_*` the object is the parent the
    new row goes into; unit-scoped rules read the parent's unit)."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(perm_name(self.model, "add"), obj)


class RulesTabularInline(RulesInlineMixin, admin.TabularInline):
    pass


def add_errors(form, exc: ValidationError, field: str) -> None:
    """Put a validator's messages on `field` (validators key them by the service's names)."""
    form.add_error(field if field in form.fields else None, exc.messages)


class ValidatedLinkForm(forms.ModelForm):
    """A link row checked by its service's own validator, so the admin refuses what the
    services refuse. `owner_field` names the row's owner (possibly not saved yet, in an
    inline), `target_field` what it links to, `validate(owner, [target])` the rule."""

    owner_field: str
    target_field: str
    validate = None

    def clean(self):
        cleaned = super().clean()
        owner, target = cleaned.get(self.owner_field), cleaned.get(self.target_field)
        if owner is not None and target is not None and owner.unit_id:
            try:
                type(self).validate(owner, [target])
            except ValidationError as exc:
                add_errors(self, exc, self.target_field)
        return cleaned
