"""Forms' side of the services: a service's refusal shown on the form that asked for it; the
field people type figures into (`DecimalEntryField`)."""

from decimal import Decimal

from django import forms

from .numbers import NumberError, active_number_format, format_plain, parse_decimal


def add_service_errors(form, error) -> None:
    """Put a service's ValidationError on a bound form: each message next to its field when
    the form has that field, else at the top of the form (a non-field error)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class DecimalEntryField(forms.DecimalField):
    """A figure typed by a person, read in the active language's number format.

    `DecimalEntryField(required=False, max_digits=20, decimal_places=6)` takes the arguments
    of Django's `DecimalField` (use `**core.fields.VALUE` for a measure's figures). It is a
    text input with `inputmode="decimal"` (phones show a keypad with the language's decimal
    separator; the browser never refuses a decimal comma by itself), read by
    `core.numbers.parse_decimal`: "12,5" is 12.5 in French or German and refused in English
    with a message saying how to write it, never read as 125; text is refused. A stored value
    is shown in the language's format without trailing zeros ("36.3", "36,3"; never
    "36.300000"). In a ModelForm: `field_classes = {"baseline": DecimalEntryField}`.
    """

    widget = forms.TextInput

    def __init__(self, *, max_digits=None, decimal_places=None, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.update(inputmode="decimal", autocomplete="off")
        return attrs

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        try:
            return parse_decimal(str(value), active_number_format())
        except NumberError as exc:
            raise forms.ValidationError(exc.message, code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
            if number.is_finite():
                return format_plain(number, active_number_format())
        return value
