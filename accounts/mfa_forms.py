"""The forms of the second-factor pages: a code (the authenticator app's, or a recovery code
where one is accepted). They check the shape only; whether the code is right is the
service's (accounts/services/mfa.py), whose refusal the view puts on the field."""

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


class ConfirmRemovalForm(forms.Form):
    """The OSM staff's confirmation that a person's second factor goes (no code: the person
    lost the phone)."""

    confirm = forms.BooleanField(
        label=_("I have checked who is asking: remove this person's second factor."),
        required=True,
    )
