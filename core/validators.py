"""Field validators every app shares, so forms and the API name the field they refuse."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
code_validator = RegexValidator(
    CODE_PATTERN,
    _("A code starts with a letter and holds only letters, digits and underscores."),
    code="invalid_code",
)
non_negative = MinValueValidator(Decimal("0"), _("Must not be negative."))


def positive_weight(value) -> None:
    """Weights are positive (the models' CHECK constraints say so too)."""
    if value is not None and value <= 0:
        raise ValidationError(_("The weight must be positive."))
