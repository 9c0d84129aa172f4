"""The audit log's filters, one FilterSet shared by its page and the API
(`/accounts/audit/`, `GET /api/v1/audit-events/`): what happened, who did it, to whom or
what, when and from where. Every filter is optional; a value that cannot be read is an
error on its field (the page shows it, the API answers 400)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from core.audit import AuditKind

from .models import AuditEvent

WHEN_FORMATS = "YYYY-MM-DD, or a date and time in ISO 8601 (YYYY-MM-DDTHH:MM[:SS][±HH:MM])"


class DateInput(forms.DateInput):
    """The browser's date picker; the field still reads a date and time typed in the API."""

    input_type = "date"


class AuditFilterForm(forms.Form):
    """The filters' form: a period whose start is not before its end finds nothing, which
    is more likely a slip than a question, so it is said."""

    def clean(self):
        data = super().clean()
        after, before = data.get("after"), data.get("before")
        if after is not None and before is not None and after >= before:
            self.add_error("before", _("Choose a moment later than the start."))
        return data


class AddressFilter(django_filters.Filter):
    """An IPv4 or IPv6 address, read in the compressed form the entries keep it in."""

    field_class = forms.GenericIPAddressField


class AuditEventFilter(django_filters.FilterSet):
    """`?kind=&actor=&actor_contains=&target=&after=&before=&address=`."""

    kind = django_filters.ChoiceFilter(
        choices=AuditKind.choices,
        label=_("What"),
        empty_label=_("Anything"),
        help_text="The kind of event: " + ", ".join(AuditKind.values) + ".",
    )
    actor = django_filters.CharFilter(
        field_name="actor_name",
        lookup_expr="iexact",
        max_length=150,
        label=_("Who (username)"),
        help_text="Entries by this username, exactly (any case).",
    )
    actor_contains = django_filters.CharFilter(
        field_name="actor_name",
        lookup_expr="icontains",
        max_length=150,
        label=_("Who (part of the username)"),
        help_text="Entries by usernames holding this text (any case).",
    )
    target = django_filters.CharFilter(
        field_name="target_name",
        lookup_expr="icontains",
        max_length=200,
        label=_("On whom or what"),
        help_text="Entries about a user, month, unit... whose name holds this text (any case).",
    )
    after = django_filters.DateTimeFilter(
        field_name="at",
        lookup_expr="gte",
        label=_("From"),
        widget=DateInput,
        help_text=f"Entries at or after this moment: {WHEN_FORMATS}; a date is its midnight "
        "in the server's time zone.",
    )
    before = django_filters.DateTimeFilter(
        field_name="at",
        lookup_expr="lt",
        label=_("Before"),
        widget=DateInput,
        help_text=f"Entries before this moment: {WHEN_FORMATS}; a date is its midnight in the "
        "server's time zone, so that day is left out.",
    )
    address = AddressFilter(
        label=_("Address"),
        help_text="Entries from this client address (IPv4 or IPv6), exactly.",
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = AuditFilterForm
