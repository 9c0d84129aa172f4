"""Period arithmetic (scorecards/periods.py) and fiscal years (core/clock.py): pure, no DB;
periods as people type them."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.clock import fiscal_year_bounds, fiscal_year_of
from scorecards.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    TypedPeriod,
    add_months,
    describe_period_starts,
    is_period_start,
    months_in,
    parse_period,
    period_end,
    period_for,
    period_start,
    period_text,
    read_period,
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


# Periods as people type them (read_period, period_for, period_text) ------------------------

MONTH, QUARTER, YEAR, DAY = "month", "quarter", "year", "day"


@pytest.mark.parametrize(
    ("text", "start", "kind"),
    [
        ("2026-10", D(2026, 10, 1), MONTH),
        ("2026-1", D(2026, 1, 1), MONTH),
        ("2026-10-01", D(2026, 10, 1), DAY),
        ("Oct 2026", D(2026, 10, 1), MONTH),
        ("oct. 2026", D(2026, 10, 1), MONTH),
        ("OCTOBER 2026", D(2026, 10, 1), MONTH),
        ("  October   2026 ", D(2026, 10, 1), MONTH),
        ("Sept 2026", D(2026, 9, 1), MONTH),
        ("May-2026", D(2026, 5, 1), MONTH),
        ("Oct2026", D(2026, 10, 1), MONTH),
        ("10/2026", D(2026, 10, 1), MONTH),
        ("1/2026", D(2026, 1, 1), MONTH),
        ("10.2026", D(2026, 10, 1), MONTH),
        ("10-2026", D(2026, 10, 1), MONTH),
        ("2026-Q1", D(2026, 1, 1), QUARTER),
        ("2026 q3", D(2026, 7, 1), QUARTER),
        ("Q4 2026", D(2026, 10, 1), QUARTER),
        ("Q2-2026", D(2026, 4, 1), QUARTER),
        ("Q2 FY2026", D(2026, 4, 1), QUARTER),
        ("2026", D(2026, 1, 1), YEAR),
        ("FY2026", D(2026, 1, 1), YEAR),
        ("fy 2026", D(2026, 1, 1), YEAR),
        ("FY-2026", D(2026, 1, 1), YEAR),
    ],
)
def test_read_period_with_a_january_fiscal_year(text, start, kind):
    assert read_period(text, 1) == TypedPeriod(start, kind)


@pytest.mark.parametrize(
    ("text", "start"),
    [
        # Fiscal year 2026 runs April 2026 to March 2027: its quarters start in April, July,
        # October and January (of 2027), and the year itself on 1 April 2026.
        ("2026-Q1", D(2026, 4, 1)),
        ("Q2 2026", D(2026, 7, 1)),
        ("Q3 2026", D(2026, 10, 1)),
        ("2026-Q4", D(2027, 1, 1)),
        ("FY2026", D(2026, 4, 1)),
        ("2026", D(2026, 4, 1)),
        ("Oct 2026", D(2026, 10, 1)),  # a month is the calendar's
    ],
)
def test_read_period_with_an_april_fiscal_year(text, start):
    assert read_period(text, 4).start == start


def test_read_period_takes_a_languages_month_names():
    french = {"janv": 1, "févr": 2, "octobre": 10, "oct": 10, "déc": 12}
    assert read_period("févr. 2026", 1, french) == TypedPeriod(D(2026, 2, 1), MONTH)
    assert read_period("Octobre 2026", 1, french) == TypedPeriod(D(2026, 10, 1), MONTH)
    assert read_period("déc 2026", 1, french).start == D(2026, 12, 1)
    with pytest.raises(ValueError):
        read_period("févr. 2026", 1)  # not without them


NOT_A_PERIOD = (
    "'{}' is not a period: write 2026-10, Oct 2026 or 10/2026 (a quarter: 2026-Q1; a year: 2026 "
    "or FY2026)."
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("soon", NOT_A_PERIOD.format("soon")),
        ("", NOT_A_PERIOD.format("")),
        (None, NOT_A_PERIOD.format("None")),
        ("10/26", NOT_A_PERIOD.format("10/26")),  # two-digit years are not guessed
        ("Octo 2026", NOT_A_PERIOD.format("Octo 2026")),
        ("2026-10-01 extra", NOT_A_PERIOD.format("2026-10-01 extra")),
        ("Q 2026", NOT_A_PERIOD.format("Q 2026")),
        ("\u0662\u0660\u0662\u0666", NOT_A_PERIOD.format("\u0662\u0660\u0662\u0666")),
        ("2026-13", "'2026-13' is not a valid date (month must be in 1..12)."),
        ("13/2026", "'13/2026' is not a valid date (month must be in 1..12)."),
        ("2026-02-30", "'2026-02-30' is not a valid date (day is out of range for month)."),
        ("Q5 2026", "'Q5 2026': a year has quarters Q1 to Q4."),
        ("2026-Q0", "'2026-Q0': a year has quarters Q1 to Q4."),
        ("1899", "'1899': the year must be between 1900 and 2999."),
        ("Oct 3000", "'Oct 3000': the year must be between 1900 and 2999."),
    ],
)
def test_read_period_refuses_with_a_readable_message(text, message):
    with pytest.raises(ValueError) as info:
        read_period(text, 1)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "frequency", "start", "problem"),
    [
        ("Oct 2026", "monthly", D(2026, 10, 1), None),
        ("2026-10-01", "monthly", D(2026, 10, 1), None),
        ("2026-10-15", "monthly", None, "A monthly period starts on the first day of a month."),
        (
            "Q4 2026",
            "monthly",
            None,
            "This names a quarter, and the measure is monthly: give a month.",
        ),
        ("2026", "monthly", None, "This names a year, and the measure is monthly: give a month."),
        ("Q4 2026", "quarterly", D(2026, 10, 1), None),
        ("Oct 2026", "quarterly", D(2026, 10, 1), None),  # the quarter's first month
        (
            "Nov 2026",
            "quarterly",
            None,
            "A quarterly period starts on the first day of a "
            "quarter (January, April, July, October 1).",
        ),
        (
            "FY2026",
            "quarterly",
            None,
            "This names a year, and the measure is quarterly: give a quarter.",
        ),
        ("FY2026", "annual", D(2026, 1, 1), None),
        ("Jan 2026", "annual", D(2026, 1, 1), None),
        (
            "2026-Q1",
            "annual",
            None,
            "This names a quarter, and the measure is annual: give a year.",
        ),
    ],
)
def test_period_for_a_measure(text, frequency, start, problem):
    if problem is None:
        assert period_for(text, frequency, 1) == start
    else:
        with pytest.raises(ValueError) as info:
            period_for(text, frequency, 1)
        assert str(info.value) == problem


@pytest.mark.parametrize(
    ("start", "frequency", "fiscal_start", "text"),
    [
        (D(2026, 10, 1), "monthly", 1, "2026-10"),
        (D(2026, 10, 1), "quarterly", 1, "2026-Q4"),
        (D(2026, 4, 1), "quarterly", 4, "2026-Q1"),
        (D(2027, 1, 1), "quarterly", 4, "2026-Q4"),  # fiscal 2026's last quarter
        (D(2026, 1, 1), "annual", 1, "FY2026"),
        (D(2026, 4, 1), "annual", 4, "FY2026"),
    ],
)
def test_period_text_reads_back(start, frequency, fiscal_start, text):
    assert period_text(start, frequency, fiscal_start) == text
    assert period_for(text, frequency, fiscal_start) == start


@given(
    month=st.integers(min_value=0, max_value=12 * 1000 - 1),
    frequency=st.sampled_from(["monthly", "quarterly", "annual"]),
    fiscal_start=st.integers(min_value=1, max_value=12),
)
def test_every_period_written_back_reads_as_itself(month, frequency, fiscal_start):
    start = period_start(add_months(D(1901, 1, 1), month), frequency, fiscal_start)
    if not FIRST_YEAR < start.year < LAST_YEAR:
        return
    assert period_for(period_text(start, frequency, fiscal_start), frequency, fiscal_start) == (
        start
    )
