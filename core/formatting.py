"""How exact numbers are written for people and for the API: rounded half up, money
without decimals when whole, scores and percentages with two decimals."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


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
