"""The fiscal clock: fiscal years (named after the calendar year in which they start,
`FISCAL_YEAR_START_MONTH`), weeks, and dates given on the command line."""

import datetime as dt

from django.conf import settings
from django.utils import timezone


def fiscal_year_of(day: dt.date, start_month: int | None = None) -> int:
    """The fiscal year containing `day` (the setting's start month unless one is given)."""
    start_month = start_month or settings.FISCAL_YEAR_START_MONTH
    return day.year if day.month >= start_month else day.year - 1


def fiscal_year_bounds(year: int, start_month: int | None = None) -> tuple[dt.date, dt.date]:
    """First and last day of fiscal year `year`."""
    start_month = start_month or settings.FISCAL_YEAR_START_MONTH
    start = dt.date(year, start_month, 1)
    next_start = dt.date(year + 1, start_month, 1)
    return start, next_start - dt.timedelta(days=1)


def current_fiscal_year(today: dt.date | None = None) -> int:
    """The fiscal year containing `today` (default: today in the site's time zone)."""
    return fiscal_year_of(today or timezone.localdate())


def week_of(day: dt.date) -> dt.date:
    """The Monday of `day`'s week: the ledger period of weekly messages."""
    return day - dt.timedelta(days=day.weekday())


def parse_day(text: str) -> dt.date:
    """A `--date` argument: YYYY-MM-DD within the years 1900-2999; ValueError saying why."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a date: use YYYY-MM-DD.") from None
    if not 1900 <= day.year <= 2999:
        raise ValueError("The date must be between the years 1900 and 2999.")
    return day
