"""Measure periods: pure date arithmetic, no ORM.

A period is the first day of a month, a quarter or a year; quarters and years follow the
fiscal year (`FISCAL_YEAR_START_MONTH`), so with an April start the quarters begin in
April, July, October and January.
"""

import datetime as dt
import re

from .choices import Frequency

MONTHS_IN = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}


def months_in(frequency: str) -> int:
    """How many months one period of `frequency` spans."""
    return MONTHS_IN[Frequency(frequency)]


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def is_period_start(day: dt.date, frequency: str, fiscal_start_month: int) -> bool:
    """Whether `day` is the first day of a period of `frequency`."""
    if day.day != 1:
        return False
    return (day.month - fiscal_start_month) % months_in(frequency) == 0


def period_start(day: dt.date, frequency: str, fiscal_start_month: int) -> dt.date:
    """The first day of the period of `frequency` that contains `day`."""
    step = months_in(frequency)
    back = (day.month - fiscal_start_month) % step
    return add_months(dt.date(day.year, day.month, 1), -back)


def period_end(start: dt.date, frequency: str) -> dt.date:
    """The last day of the period that starts on `start`."""
    return add_months(start, months_in(frequency)) - dt.timedelta(days=1)


def describe_period_starts(frequency: str, fiscal_start_month: int) -> str:
    """Human words for the valid period starts, for error messages."""
    step = months_in(frequency)
    if step == 1:
        return "the first day of a month"
    months = sorted({(fiscal_start_month - 1 + k * step) % 12 + 1 for k in range(12 // step)})
    names = ", ".join(dt.date(2000, m, 1).strftime("%B") for m in months)
    kind = "quarter" if step == 3 else "fiscal year"
    return f"the first day of a {kind} ({names} 1)"


# Periods stay well inside the dates Python can compute with (due dates, year to date).
FIRST_YEAR, LAST_YEAR = 1900, 2999

_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def parse_period(text: str) -> dt.date:
    """`YYYY-MM-DD` or `YYYY-MM` to a date; ValueError with a readable message otherwise."""
    match = _PERIOD_RE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"'{text}' is not a period: use YYYY-MM-DD or YYYY-MM.")
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"'{text}': the year must be between {FIRST_YEAR} and {LAST_YEAR}.")
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a valid date ({exc}).") from None
