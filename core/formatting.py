"""How exact numbers and statuses are written for people and for the API: rounded half up,
money without decimals when whole, scores and percentages with two decimals; a status in
words ("On target"), never its code ("green")."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext, gettext_noop

# The one set of status words, for pages, e-mails and files alike. The codes (green, yellow,
# red, no_data: DESIGN.md "Scoring") stay in the API and the CSS classes; people read these
# (translated when shown; the API's docs quote them in English).
STATUS_WORDS = {
    "green": gettext_noop("On target"),
    "yellow": gettext_noop("Watch"),
    "red": gettext_noop("Off target"),
    "no_data": gettext_noop("No data"),
}


def status_word(status: str | None) -> str:
    """A status code in words: "green" -> "On target"; no status at all is "No data"."""
    return gettext(STATUS_WORDS[status or "no_data"])


def status_words_help() -> str:
    """How the API's status codes map to the words people see, for the API's docs:
    'green ("On target"), yellow ("Watch"), red ("Off target") or no_data ("No data")'."""
    codes = [f'{code} ("{word}")' for code, word in STATUS_WORDS.items()]
    return ", ".join(codes[:-1]) + " or " + codes[-1]


def to_decimal(value: Fraction | None, places: int = 2) -> Decimal | None:
    """Round an exact value half up for display and the API (None stays None)."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        quantum, rounding=ROUND_HALF_UP
    )


def money_text(value) -> str:
    """An amount of money as pages and charts write it: whole amounts without decimals,
    others with two (1,120.50)."""
    amount = Decimal(value).quantize(Decimal("0.01"))
    return f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"


def api_number(value) -> float | None:
    """A score or percentage as the API gives it: a number with 2 decimals (None stays None)."""
    rounded = to_decimal(value)
    return None if rounded is None else float(rounded)


def api_decimal(value) -> str | None:
    """An actual, target or red flag as the API gives it: a decimal string (6 decimals at
    most, trailing zeros dropped)."""
    rounded = to_decimal(value, 6)
    if rounded is None:
        return None
    return format(rounded.normalize(), "f")
