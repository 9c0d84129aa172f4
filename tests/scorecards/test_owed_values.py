"""What measure owners owe (`scorecards.selectors.updates.owed_values`), on a fixed today.

Settings: values due 10 days after their period ends, fiscal year from January.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from scorecards.choices import Frequency
from scorecards.models import Measure
from scorecards.selectors.updates import owed_values
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


def created_on(measure, day):
    Measure.objects.filter(pk=measure.pk).update(
        created_at=dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    )


def test_monthly_owner_owes_the_missing_months_since_creation_and_the_next(settings):
    settings.MEASURE_DUE_DAYS = 10
    owner = f.UserFactory()
    measure = f.MeasureFactory(code="REV", owner=owner, frequency=Frequency.MONTHLY)
    created_on(measure, dt.date(2026, 8, 15))
    f.MeasureValueFactory(measure=measure, period=dt.date(2026, 9, 1), actual=Decimal(5))
    # Only a target for October: its actual is still owed.
    f.MeasureValueFactory(measure=measure, period=dt.date(2026, 10, 1), actual=None)
    owed = owed_values(Q(owner=owner), today=TODAY)
    got = [(o.period, o.due, o.overdue, o.days) for o in owed]
    # November's period is due 30 Nov + 10 = 10 Dec, not yet passed on 27 Nov; October's
    # is due 31 Oct + 10 = 10 Nov (17 days late); September has its actual; August (it
    # ended 31 Aug, after the measure's creation on 15 Aug) was due 10 Sep: 20 days of
    # September + 31 of October + 27 of November = 78 days late; July ended before the
    # creation. Next: November, due 10 Dec, in 13 days.
    assert got == [
        (dt.date(2026, 8, 1), dt.date(2026, 9, 10), True, 78),
        (dt.date(2026, 10, 1), dt.date(2026, 11, 10), True, 17),
        (dt.date(2026, 11, 1), dt.date(2026, 12, 10), False, 13),
    ]
    assert owed[0].measure_code == "REV" and owed[0].unit_code == measure.unit.code


def test_a_new_measure_owes_nothing_before_its_first_period_is_due(settings):
    # Created on 27 Nov: October (ended 31 Oct, due 10 Nov) ended before the measure
    # existed and is not owed, so it is not overdue; its first period is November's, due
    # 30 Nov + 10 = 10 Dec. The dashboards' overdue rule (scoring.owes_from) agrees.
    settings.MEASURE_DUE_DAYS = 10
    measure = f.MeasureFactory(code="NEW", frequency=Frequency.MONTHLY)
    created_on(measure, TODAY)
    periods = [(o.period, o.overdue) for o in owed_values(Q(pk=measure.pk), today=TODAY)]
    assert periods == [(dt.date(2026, 11, 1), False)]


def test_a_new_measure_with_history_owes_the_gap_since_its_history(settings):
    # Created on 27 Nov with actuals loaded up to August: its history starts before it was
    # created, so September and October (due 10 Oct and 10 Nov) are owed and overdue.
    # Targets set for the whole year ahead change nothing: only actuals count.
    settings.MEASURE_DUE_DAYS = 10
    measure = f.MeasureFactory(code="OLD", frequency=Frequency.MONTHLY)
    created_on(measure, TODAY)
    f.MeasureValueFactory(measure=measure, period=dt.date(2026, 8, 1), actual=Decimal(5))
    f.MeasureValueFactory(measure=measure, period=dt.date(2026, 12, 1), actual=None)
    periods = [(o.period, o.overdue) for o in owed_values(Q(pk=measure.pk), today=TODAY)]
    assert periods == [
        (dt.date(2026, 9, 1), True),
        (dt.date(2026, 10, 1), True),
        (dt.date(2026, 11, 1), False),
    ]


def test_quarterly_and_computed_measures(settings):
    settings.MEASURE_DUE_DAYS = 10
    owner = f.UserFactory()
    quarterly = f.MeasureFactory(code="Q", owner=owner, frequency=Frequency.QUARTERLY)
    created_on(quarterly, dt.date(2026, 9, 1))
    f.MeasureFactory(
        objective=quarterly.objective, code="CALC", owner=owner, formula="Q * 2",
        frequency=Frequency.QUARTERLY,
    )  # fmt: skip
    owed = owed_values(Q(owner=owner), today=TODAY)
    # The quarter from 1 Oct is due 31 Dec + 10 = 10 Jan 2027, not yet; the one from 1 Jul
    # was due 30 Sep + 10 = 10 Oct (48 days late: 21 + 27). The calculated measure owes
    # nothing (its actual is computed). Next: due 10 Jan; 27 Nov to 27 Dec is 30 days,
    # then 14 more to 10 Jan: 44.
    assert [(o.measure_code, o.period, o.overdue, o.days) for o in owed] == [
        ("Q", dt.date(2026, 7, 1), True, 48),
        ("Q", dt.date(2026, 10, 1), False, 44),
    ]


def test_three_queries_whatever_the_number_of_measures(settings):
    owner = f.UserFactory()
    objective = f.ObjectiveFactory()
    for k in range(30):
        f.MeasureFactory(objective=objective, owner=owner, code=f"M{k}")
    with CaptureQueriesContext(connection) as queries:
        owed = owed_values(Q(owner=owner), today=TODAY)
    # what each measure has entered of what it owes; the names of those that owe; their
    # entered periods
    assert len(queries) == 3
    assert len({o.measure_id for o in owed}) == 30


def test_a_measure_with_every_actual_in_owes_nothing_and_other_periods_do_not_count(settings):
    # Only the measures that may owe something are read in full: a measure whose actuals
    # of the owed periods are all in is passed over, and actuals at periods it does not
    # owe (a measure once monthly, now quarterly) must not make up for a missing quarter.
    settings.MEASURE_DUE_DAYS = 10
    owner = f.UserFactory()
    complete = f.MeasureFactory(code="DONE", owner=owner, frequency=Frequency.MONTHLY)
    created_on(complete, dt.date(2026, 8, 15))
    # Owed by the monthly measure created on 15 Aug: August to October (due by 10 Nov)
    # and November, the next to fall due (10 Dec): four actuals, all in.
    for month in (8, 9, 10, 11):
        f.MeasureValueFactory(measure=complete, period=dt.date(2026, month, 1), actual=1)
    became_quarterly = f.MeasureFactory(code="WAS", owner=owner, frequency=Frequency.MONTHLY)
    created_on(became_quarterly, dt.date(2026, 1, 20))
    # Owed by the quarterly one created on 20 Jan: the quarters from January, April and
    # July (due by 10 Oct) and the next, from October (due 10 Jan). Four actuals are in,
    # but at months that start no quarter except January's.
    for month in (1, 5, 8, 11):
        f.MeasureValueFactory(measure=became_quarterly, period=dt.date(2026, month, 1), actual=1)
    Measure.objects.filter(pk=became_quarterly.pk).update(frequency=Frequency.QUARTERLY)
    owed = owed_values(Q(owner=owner), today=TODAY)
    assert [(o.measure_code, o.period) for o in owed] == [
        ("WAS", dt.date(2026, 4, 1)),  # due 30 Jun + 10 = 10 Jul
        ("WAS", dt.date(2026, 7, 1)),  # due 10 Oct
        ("WAS", dt.date(2026, 10, 1)),  # due 10 Jan 2027
    ]


def test_an_annual_actual_from_before_the_horizon_settles_the_next_year(settings):
    # Due 45 days after the fiscal year: on 10 Feb 2027 the next annual period due is
    # FY2026 (from 1 Jan 2026, due 31 Dec + 45 = 14 Feb 2027), a month before the 12 months'
    # horizon (from 1 Feb 2026). Its actual counts all the same: with it nothing is owed;
    # without it, FY2026 is owed, in 4 days.
    settings.MEASURE_DUE_DAYS = 45
    owner = f.UserFactory()
    today = dt.date(2027, 2, 10)
    for code, years in (("IN", (2025, 2026)), ("OUT", (2025,))):
        measure = f.MeasureFactory(code=code, owner=owner, frequency=Frequency.ANNUAL)
        created_on(measure, dt.date(2024, 3, 1))
        for year in years:
            f.MeasureValueFactory(measure=measure, period=dt.date(year, 1, 1), actual=1)
    owed = owed_values(Q(owner=owner), today=today)
    assert [(o.measure_code, o.period, o.due, o.days) for o in owed] == [
        ("OUT", dt.date(2026, 1, 1), dt.date(2027, 2, 14), 4)
    ]
