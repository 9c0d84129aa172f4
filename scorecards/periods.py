"""Measure periods: pure date arithmetic, no ORM.

A period is the first day of a month, a quarter or a year; quarters and years follow the
fiscal year (`FISCAL_YEAR_START_MONTH`), so with an April start the quarters begin in
April, July, October and January.

The messages are in the active language (month names too, from Django's formats);
`period_text` writes a period as the fields read it back, in every language.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

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


def closing_month(start: dt.date, frequency: str) -> dt.date:
    """The month in which the period that starts on `start` ends (its first day): the
    reporting month whose closing locks the period's value (DESIGN.md "Reporting cycle").
    A monthly period's own month, a quarter's last month, a fiscal year's last month."""
    return add_months(start, months_in(frequency) - 1)


def start_months(frequency: str, fiscal_start_month: int) -> str:
    """The months a period of `frequency` starts in, named in the active language, in
    calendar order: "January, April, July, October" ("" for a monthly one)."""
    step = months_in(frequency)
    if step == 1:
        return ""
    months = sorted({(fiscal_start_month - 1 + k * step) % 12 + 1 for k in range(12 // step)})
    return ", ".join(date_format(dt.date(2000, m, 1), "F") for m in months)


def describe_period_starts(frequency: str, fiscal_start_month: int) -> str:
    """Human words for the valid period starts, for error messages ("the first day of a
    quarter (January, April, July, October 1)")."""
    step = months_in(frequency)
    if step == 1:
        return _("the first day of a month")
    months = start_months(frequency, fiscal_start_month)
    if step == 3:
        return _("the first day of a quarter (%(months)s 1)") % {"months": months}
    return _("the first day of a fiscal year (%(month)s 1)") % {"month": months}


# Periods stay well inside the dates Python can compute with (due dates, year to date).
FIRST_YEAR, LAST_YEAR = 1900, 2999

_PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def parse_period(text: str) -> dt.date:
    """`YYYY-MM-DD` or `YYYY-MM` to a date; ValueError with a readable message otherwise."""
    match = _PERIOD_RE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(
            _("'%(text)s' is not a period: use YYYY-MM-DD or YYYY-MM.") % {"text": text}
        )
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(_year_problem(text))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(_invalid_date(text, month)) from None


def _year_problem(text) -> str:
    return _("'%(text)s': the year must be between %(first)s and %(last)s.") % {
        "text": text,
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


def _invalid_date(text, month: int) -> str:
    """A date that does not exist ("2026-13", "2026-02-30"), and why."""
    if not 1 <= month <= 12:
        reason = _("month must be in 1..12")
    else:
        reason = _("day is out of range for month")
    return _("'%(text)s' is not a valid date (%(reason)s).") % {"text": text, "reason": reason}


# Periods as people type them ------------------------------------------------------------

MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
DAY, MONTH, QUARTER, YEAR = "day", "month", "quarter", "year"
NAMES_OF_KIND = {
    Frequency.MONTHLY: (DAY, MONTH),
    Frequency.QUARTERLY: (DAY, MONTH, QUARTER),
    Frequency.ANNUAL: (DAY, MONTH, YEAR),
}

_YEAR = r"(?P<year>[0-9]{4})"
_TYPED = [
    (DAY, re.compile(_YEAR + r"-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})")),
    (MONTH, re.compile(_YEAR + r"-(?P<month>[0-9]{1,2})")),
    (MONTH, re.compile(r"(?P<month>[0-9]{1,2})\s*[/.-]\s*" + _YEAR)),
    (MONTH, re.compile(r"(?P<name>[^\W\d_]+)\.?[\s,/-]*" + _YEAR)),
    (QUARTER, re.compile(_YEAR + r"\s*[-/ ]?\s*q(?P<quarter>[0-9])")),
    (QUARTER, re.compile(r"q(?P<quarter>[0-9])\s*[-/ ]?\s*(?:fy\s*-?\s*)?" + _YEAR)),
    (YEAR, re.compile(r"(?:fy\s*-?\s*)?" + _YEAR)),
]


@dataclass(frozen=True)
class TypedPeriod:
    """A period read from text: its first day, and whether the text named a day, a month,
    a (fiscal) quarter or a (fiscal) year."""

    start: dt.date
    kind: str


def read_period(
    text, fiscal_start_month: int = 1, month_names: dict[str, int] | None = None
) -> TypedPeriod:
    """A period as a person types it; ValueError with a readable message otherwise.

    Accepted (case and spaces do not matter): `2026-10-01` (a day); `2026-10`, `10/2026`,
    `10.2026`, `Oct 2026`, `October 2026` (a month; English names, and those of
    `month_names`, lower case, such as a language's own); `2026-Q1`, `Q1 2026`, `Q1 FY2026`
    (the first quarter of fiscal year 2026); `2026`, `FY2026` (fiscal year 2026). A fiscal
    year is named after the calendar year in which it starts (`fiscal_start_month`), so with
    an April start `Q1 2026` is 2026-04-01 and `Q4 2026` is 2027-01-01. Whether the period
    fits a measure is `period_for`'s business."""
    typed = " ".join(text.split()).lower() if isinstance(text, str) else ""
    names = {**MONTH_NAMES, **(month_names or {})}
    for kind, pattern in _TYPED:
        match = pattern.fullmatch(typed)
        if not match:
            continue
        parts = match.groupdict()
        if parts.get("name") is not None and parts["name"] not in names:
            continue
        year = int(parts["year"])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(_year_problem(text))
        if kind == QUARTER:
            quarter = int(parts["quarter"])
            if not 1 <= quarter <= 4:
                raise ValueError(_("'%(text)s': a year has quarters Q1 to Q4.") % {"text": text})
            start = add_months(dt.date(year, fiscal_start_month, 1), 3 * (quarter - 1))
        elif kind == YEAR:
            start = dt.date(year, fiscal_start_month, 1)
        else:
            month = names[parts["name"]] if parts.get("name") else int(parts["month"])
            try:
                start = dt.date(year, month, int(parts.get("day") or 1))
            except ValueError:
                raise ValueError(_invalid_date(text, month)) from None
        return TypedPeriod(start, kind)
    raise ValueError(
        _(
            "'%(text)s' is not a period: write 2026-10, Oct 2026 or 10/2026 (a quarter: "
            "2026-Q1; a year: 2026 or FY2026)."
        )
        % {"text": text}
    )


def kind_problem(kind: str, frequency: str) -> str | None:
    """Why a period typed as a `kind` (day, month, quarter, year) cannot be one of a
    measure of `frequency`, or None: a quarter or a year typed for a monthly measure, a
    year for a quarterly one, a quarter for an annual one."""
    if kind in NAMES_OF_KIND[Frequency(frequency)]:
        return None
    return KIND_PROBLEMS[(kind, frequency)]()


# Each refusal of `kind_problem` as one whole sentence (typed kind, measure's frequency).
KIND_PROBLEMS = {
    (QUARTER, Frequency.MONTHLY): lambda: _(
        "This names a quarter, and the measure is monthly: give a month."
    ),
    (YEAR, Frequency.MONTHLY): lambda: _(
        "This names a year, and the measure is monthly: give a month."
    ),
    (YEAR, Frequency.QUARTERLY): lambda: _(
        "This names a year, and the measure is quarterly: give a quarter."
    ),
    (QUARTER, Frequency.ANNUAL): lambda: _(
        "This names a quarter, and the measure is annual: give a year."
    ),
}


def fits_frequency(typed: TypedPeriod, frequency: str, fiscal_start_month: int) -> str | None:
    """Why `typed` is no period of a measure of `frequency`, or None when it is one: a
    `kind_problem`, or a day or month that does not start one of its periods."""
    problem = kind_problem(typed.kind, frequency)
    if problem:
        return problem
    if not is_period_start(typed.start, frequency, fiscal_start_month):
        months = start_months(frequency, fiscal_start_month)
        if frequency == Frequency.MONTHLY:
            return _("A monthly period starts on the first day of a month.")
        if frequency == Frequency.QUARTERLY:
            return _("A quarterly period starts on the first day of a quarter (%(months)s 1).") % {
                "months": months
            }
        return _("An annual period starts on the first day of a fiscal year (%(month)s 1).") % {
            "month": months
        }
    return None


def period_for(
    text, frequency: str, fiscal_start_month: int, month_names: dict[str, int] | None = None
) -> dt.date:
    """The first day of the period of a measure of `frequency` that `text` names
    (`read_period`); ValueError saying why when it names none."""
    typed = read_period(text, fiscal_start_month, month_names)
    problem = fits_frequency(typed, frequency, fiscal_start_month)
    if problem:
        raise ValueError(problem)
    return typed.start


def fiscal_year_of(day: dt.date, fiscal_start_month: int) -> int:
    """The fiscal year `day` is in, named after the calendar year in which it starts."""
    return day.year if day.month >= fiscal_start_month else day.year - 1


def fiscal_quarter(start: dt.date, fiscal_start_month: int) -> int:
    """Which quarter (1 to 4) of its fiscal year `start`'s month is in."""
    return (start.month - fiscal_start_month) % 12 // 3 + 1


def period_text(start: dt.date, frequency: str, fiscal_start_month: int) -> str:
    """How a period is written back into a field, in the form `read_period` reads in every
    language: `2026-10` for a month, `2026-Q1` for a fiscal quarter, `FY2026` for a fiscal
    year (for people to read: `display.period_label`)."""
    step = months_in(frequency)
    if step == 1:
        return f"{start:%Y-%m}"
    fiscal_year = fiscal_year_of(start, fiscal_start_month)
    if step == 12:
        return f"FY{fiscal_year}"
    return f"{fiscal_year}-Q{fiscal_quarter(start, fiscal_start_month)}"
