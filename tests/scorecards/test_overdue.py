"""A new measure is not overdue before its first period is due (scoring.owes_from and
scoring.is_overdue); database-free, so `make mutation` runs it. The scorecard API's side is
in test_measure_setup.py.

Settings: values due 10 days after their period ends, fiscal year from January."""

import datetime as dt
from decimal import Decimal

import pytest

from scorecards import scoring
from scorecards.scoring import PeriodValue

D = dt.date
TODAY = D(2026, 11, 27)  # October (due 10 Nov) is the latest period due


# The rule, pure -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("created", "frequency", "first_actual", "expected"),
    [
        (D(2026, 11, 27), "monthly", None, D(2026, 11, 1)),  # the month it was created in
        (D(2026, 11, 1), "monthly", None, D(2026, 11, 1)),
        (D(2026, 11, 27), "quarterly", None, D(2026, 10, 1)),  # Q4 started 1 Oct
        (D(2026, 11, 27), "annual", None, D(2026, 1, 1)),
        (D(2026, 11, 27), "monthly", D(2025, 3, 1), D(2025, 3, 1)),  # history from before
        (D(2026, 11, 27), "monthly", D(2026, 12, 1), D(2026, 11, 1)),  # a later actual: no
    ],
)
def test_owes_from(created, frequency, first_actual, expected):
    assert scoring.owes_from(created, frequency, 1, first_actual) == expected


def test_owes_from_follows_the_fiscal_year():
    # Fiscal year from April: the quarter holding 27 Nov started on 1 Oct, the year on 1 Apr.
    assert scoring.owes_from(D(2026, 11, 27), "quarterly", 4, None) == D(2026, 10, 1)
    assert scoring.owes_from(D(2026, 3, 5), "annual", 4, None) == D(2025, 4, 1)


def overdue(values, created, frequency="monthly", today=TODAY):
    month = today.replace(day=1)
    return scoring.is_overdue(values, frequency, 1, month, today, 10, created=created)


def test_a_measure_created_after_the_latest_due_period_is_not_overdue():
    # October ended on 31 Oct; a measure created on 1 Nov (or on 27 Nov) does not owe it.
    assert not overdue([], created=D(2026, 11, 1))
    assert not overdue([], created=TODAY)
    # Created on 31 Oct, it owes October (the period it was created in): overdue.
    assert overdue([], created=D(2026, 10, 31))
    # Without a creation day (None), the rule of release 1: overdue.
    assert overdue([], created=None)


def test_a_new_measure_with_history_owes_its_gaps():
    # Created on 27 Nov, actuals loaded from before up to September: October is owed.
    values = [PeriodValue(D(2026, 9, 1), actual=Decimal(5))]
    assert overdue(values, created=TODAY)
    # Targets alone (set ahead for the year) are no history: not overdue.
    targets = [PeriodValue(D(2026, m, 1), target=Decimal(5)) for m in range(1, 13)]
    assert not overdue(targets, created=TODAY)


def test_its_first_period_falls_due_like_any_other():
    # Created on 27 Nov: November is due 30 Nov + 10 = 10 Dec. On 10 Dec it is not late
    # yet (a due date passes at the day's end); on 11 Dec it is.
    assert not overdue([], created=TODAY, today=D(2026, 12, 10))
    assert overdue([], created=TODAY, today=D(2026, 12, 11))
    done = [PeriodValue(D(2026, 11, 1), actual=Decimal(1))]
    assert not overdue(done, created=TODAY, today=D(2026, 12, 11))


def test_a_quarterly_measure():
    # Created on 5 Jan 2027: Q4 2026 (due 10 Jan) ended before it existed; Q1 2027 starts
    # 1 Jan, ends 31 Mar, due 10 Apr.
    assert not overdue([], created=D(2027, 1, 5), frequency="quarterly", today=D(2027, 4, 10))
    assert overdue([], created=D(2027, 1, 5), frequency="quarterly", today=D(2027, 4, 11))
