"""The forms of the second-factor pages: a code (the authenticator app's, or a recovery code
where one is accepted); moving to a new phone, two (the current one's and the new one's).
They check the shape only; whether a code is right is the service's
(accounts/services/mfa.py), whose refusal the view puts on the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.mfa import CODE_MAX_LENGTH


class CodeForm(forms.Form):
    """One code: the app's current code, or (`recovery`) a recovery code instead."""

    code = forms.CharField(
        label=_("Code"),
        max_length=CODE_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, recovery: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        if recovery:
            field.help_text = _(
                "The 6 digits your authenticator app shows now, or one of your recovery codes."
            )
        else:
            field.help_text = _("The 6 digits your authenticator app shows now.")
            field.widget.attrs["inputmode"] = "numeric"


def _code_field(label, help_text, *, numeric: bool) -> forms.CharField:
    attrs = {"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
    if numeric:
        attrs["inputmode"] = "numeric"
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=CODE_MAX_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs=attrs),
    )


class NewPhoneForm(forms.Form):
    """Moving to a new phone: a code of the current second factor (its app's, or a recovery
    code for a lost phone: a stolen session alone has neither), then the new phone's first
    code (`code`, as on a first set-up)."""

    current_code = _code_field(
        _("Code from your current app"),
        _(
            "The 6 digits the authenticator app you use now shows. Lost that phone? Type one "
            "of your recovery codes instead."
        ),
        numeric=False,  # a recovery code has letters
    )
    code = _code_field(
        _("Code from the new phone"),
        _("The 6 digits the app on your new phone shows, once you have added OSM to it."),
        numeric=True,
    )


class ConfirmRemovalForm(forms.Form):
    """The OSM staff's confirmation that a person's second factor goes (no code: the person
    lost the phone)."""

    confirm = forms.BooleanField(
        label=_("I have checked who is asking: remove this person's second factor."),
        required=True,
    )
