"""The form of the Security page: a new API token (knox tokens have no name; the person
chooses how long it lasts, at most API_TOKEN_DAYS)."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from knox.settings import knox_settings


def max_token_days() -> int:
    """The longest a token may last, in days: API_TOKEN_DAYS (knox's TOKEN_TTL)."""
    ttl = knox_settings.TOKEN_TTL
    return max(ttl.days, 1) if ttl else 365


class TokenForm(forms.Form):
    """How long the new token lasts."""

    days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        help_text=_("The token stops working after this many days; at most %(days)s."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        longest = max_token_days()
        field = self.fields["days"]
        field.max_value = longest
        field.validators.append(MaxValueValidator(longest))
        field.widget.attrs.update({"min": 1, "max": longest, "inputmode": "numeric"})
        field.initial = longest
        field.help_text = field.help_text % {"days": longest}
