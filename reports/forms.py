"""The report subscription pages' forms: a subscription, and the OSM staff's filter of the
list by person."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.people import PersonField, make_person_field
from scorecards.display import UnitChoiceField
from scorecards.models import OrgUnit

from .models import ReportSubscription


class SubscriptionForm(forms.ModelForm):
    """A subscription: the unit (in tree order), the pack, the cadence and its day, whether
    it is active; the subscriber for the OSM staff (`choose_person`), others subscribe
    themselves. The day's range per cadence is the model's rule, shown on the field."""

    unit = UnitChoiceField(queryset=OrgUnit.objects.all(), label=_("Unit"))

    class Meta:
        model = ReportSubscription
        fields = ["user", "unit", "kind", "cadence", "day", "active"]
        labels = {
            "user": _("Subscriber"),
            "kind": _("Pack"),
            "cadence": _("Cadence"),
            "day": _("Day"),
            "active": _("Active"),
        }
        help_texts = {
            "user": _("The person who receives the pack by e-mail."),
            "day": _("Weekly: 1 (Monday) to 7 (Sunday). Monthly: the day of the month, 1 to 28."),
            "active": _("An inactive subscription keeps its settings but sends nothing."),
        }
        widgets = {"day": forms.NumberInput(attrs={"min": 1, "max": 28, "inputmode": "numeric"})}

    def __init__(self, *args, choose_person: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].widget.attrs["min"] = 1  # the model field's own minimum is 0
        if choose_person:
            make_person_field(self.fields["user"])
        else:
            del self.fields["user"]


class SubscriberFilterForm(forms.Form):
    """`?user=ID`: the subscriptions of one person (OSM staff)."""

    user = PersonField(
        required=False,
        label=_("Subscriber"),
        empty_label=_("Everyone"),
        help_text=_("Type a name to show that person's subscriptions only."),
    )
