"""Period arithmetic (scorecards/periods.py) and fiscal years (core/clock.py): pure, no DB."""

import datetime as dt

import pytest

from core.clock import fiscal_year_bounds, fiscal_year_of
from scorecards.periods import (
    add_months,
    describe_period_starts,
    is_period_start,
    months_in,
    parse_period,
    period_end,
    period_start,
)

D = dt.date


@pytest.mark.parametrize(
    ("frequency", "months"), [("monthly", 1), ("quarterly", 3), ("annual", 12)]
)
def test_months_in(frequency, months):
    assert months_in(frequency) == months


def test_months_in_refuses_an_unknown_frequency():
    with pytest.raises(ValueError):
        months_in("weekly")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 1)),  # always the first of the month
        (D(2026, 11, 1), 2, D(2027, 1, 1)),  # across the year end
        (D(2026, 1, 1), -1, D(2025, 12, 1)),  # backwards across it
        (D(2026, 3, 15), -14, D(2025, 1, 1)),
        (D(2026, 5, 1), 0, D(2026, 5, 1)),
        (D(2026, 12, 1), 12, D(2027, 12, 1)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


# January fiscal year (the default) --------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "frequency", "expected"),
    [
        (D(2026, 3, 1), "monthly", True),
        (D(2026, 3, 2), "monthly", False),
        (D(2026, 4, 1), "quarterly", True),
        (D(2026, 10, 1), "quarterly", True),
        (D(2026, 5, 1), "quarterly", False),
        (D(2026, 1, 1), "annual", True),
        (D(2026, 7, 1), "annual", False),
    ],
)
def test_is_period_start_with_a_january_fiscal_year(day, frequency, expected):
    assert is_period_start(day, frequency, 1) is expected


@pytest.mark.parametrize(
    ("day", "frequency", "expected"),
    [
        (D(2026, 3, 17), "monthly", D(2026, 3, 1)),
        (D(2026, 5, 31), "quarterly", D(2026, 4, 1)),  # Q2 = Apr to Jun
        (D(2026, 12, 31), "quarterly", D(2026, 10, 1)),
        (D(2026, 8, 9), "annual", D(2026, 1, 1)),
    ],
)
def test_period_start_with_a_january_fiscal_year(day, frequency, expected):
    assert period_start(day, frequency, 1) == expected


# April fiscal year -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 4, 1), True),
        (D(2026, 7, 1), True),
        (D(2026, 10, 1), True),
        (D(2027, 1, 1), True),
        (D(2026, 5, 1), False),
        (D(2026, 3, 1), False),
    ],
)
def test_april_fiscal_year_quarters_start_apr_jul_oct_jan(day, expected):
    assert is_period_start(day, "quarterly", 4) is expected


@pytest.mark.parametrize(
    ("day", "expected"), [(D(2026, 4, 1), True), (D(2026, 1, 1), False), (D(2027, 4, 2), False)]
)
def test_april_fiscal_year_years_start_on_april_first(day, expected):
    assert is_period_start(day, "annual", 4) is expected


@pytest.mark.parametrize(
    ("day", "frequency", "expected"),
    [
        (D(2026, 2, 14), "quarterly", D(2026, 1, 1)),  # Jan to Mar is Q4 of FY2025
        (D(2026, 6, 30), "quarterly", D(2026, 4, 1)),
        (D(2026, 2, 14), "annual", D(2025, 4, 1)),  # FY2025 runs Apr 2025 to Mar 2026
        (D(2026, 4, 1), "annual", D(2026, 4, 1)),
        (D(2026, 12, 31), "annual", D(2026, 4, 1)),
    ],
)
def test_period_start_with_an_april_fiscal_year(day, frequency, expected):
    assert period_start(day, frequency, 4) == expected


@pytest.mark.parametrize(
    ("day", "frequency", "expected"),
    [
        (D(2026, 3, 31), "quarterly", D(2026, 2, 1)),  # quarters Feb, May, Aug, Nov
        (D(2026, 1, 31), "quarterly", D(2025, 11, 1)),
        (D(2026, 1, 31), "annual", D(2025, 2, 1)),
    ],
)
def test_period_start_with_a_february_fiscal_year(day, frequency, expected):
    assert period_start(day, frequency, 2) == expected


@pytest.mark.parametrize("fiscal_start", range(1, 13))
@pytest.mark.parametrize("frequency", ["monthly", "quarterly", "annual"])
def test_period_start_is_a_period_start_on_or_before_the_day(fiscal_start, frequency):
    day = D(2026, 1, 1)
    while day < D(2028, 1, 1):
        start = period_start(day, frequency, fiscal_start)
        assert is_period_start(start, frequency, fiscal_start)
        assert start <= day <= period_end(start, frequency)
        day += dt.timedelta(days=17)


@pytest.mark.parametrize(
    ("start", "frequency", "expected"),
    [
        (D(2028, 2, 1), "monthly", D(2028, 2, 29)),  # leap year
        (D(2026, 2, 1), "monthly", D(2026, 2, 28)),
        (D(2026, 10, 1), "quarterly", D(2026, 12, 31)),
        (D(2026, 1, 1), "quarterly", D(2026, 3, 31)),
        (D(2026, 4, 1), "annual", D(2027, 3, 31)),
    ],
)
def test_period_end(start, frequency, expected):
    assert period_end(start, frequency) == expected


@pytest.mark.parametrize(
    ("frequency", "fiscal_start", "expected"),
    [
        ("monthly", 4, "the first day of a month"),
        ("quarterly", 1, "the first day of a quarter (January, April, July, October 1)"),
        ("quarterly", 4, "the first day of a quarter (January, April, July, October 1)"),
        ("quarterly", 2, "the first day of a quarter (February, May, August, November 1)"),
        ("annual", 1, "the first day of a fiscal year (January 1)"),
        ("annual", 4, "the first day of a fiscal year (April 1)"),
    ],
)
def test_describe_period_starts(frequency, fiscal_start, expected):
    assert describe_period_starts(frequency, fiscal_start) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03", D(2026, 3, 1)),
        ("2026-03-01", D(2026, 3, 1)),
        (" 2026-12 ", D(2026, 12, 1)),
        ("1900-01", D(1900, 1, 1)),  # the first year allowed
        ("2999-12-01", D(2999, 12, 1)),  # the last
    ],
)
def test_parse_period(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026/03", "'2026/03' is not a period: use YYYY-MM-DD or YYYY-MM."),
        ("March 2026", "'March 2026' is not a period: use YYYY-MM-DD or YYYY-MM."),
        (None, "'None' is not a period: use YYYY-MM-DD or YYYY-MM."),
        ("2026-13", "'2026-13' is not a valid date (month must be in 1..12)."),
        ("2026-02-30", "'2026-02-30' is not a valid date (day is out of range for month)."),
        ("1899-12", "'1899-12': the year must be between 1900 and 2999."),
        ("3000-01-01", "'3000-01-01': the year must be between 1900 and 2999."),
    ],
)
def test_parse_period_refuses_with_a_readable_message(text, message):
    with pytest.raises(ValueError) as info:
        parse_period(text)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("day", "start_month", "expected"),
    [
        (D(2026, 3, 31), 1, 2026),
        (D(2026, 3, 31), 4, 2025),  # named after the calendar year in which it starts
        (D(2026, 4, 1), 4, 2026),
        (D(2026, 12, 31), 4, 2026),
    ],
)
def test_fiscal_year_of(day, start_month, expected):
    assert fiscal_year_of(day, start_month) == expected


@pytest.mark.parametrize(
    ("year", "start_month", "expected"),
    [
        (2026, 1, (D(2026, 1, 1), D(2026, 12, 31))),
        (2026, 4, (D(2026, 4, 1), D(2027, 3, 31))),
        (2027, 3, (D(2027, 3, 1), D(2028, 2, 29))),  # ends on a leap day
    ],
)
def test_fiscal_year_bounds(year, start_month, expected):
    assert fiscal_year_bounds(year, start_month) == expected
