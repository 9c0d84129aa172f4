"""The alignment report computed for speed (issue 19) gives the figures of the rules it
replaced: the unfunded gaps' statuses are the scoring engine's (`objective_scores`), also
where floating point alone would misjudge a score on a threshold; data timeliness counts
each frequency's own periods and cut-offs in the site's time zone; incentive weights add up
exactly. Expectations are worked out by hand in the comments (fiscal years are calendar
years, values are due 10 days after their period ends, today is 2026-11-27, so statuses are
as of November 2026).
"""

import datetime as dt
import zoneinfo
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from alignment.selectors import alignment_report
from scorecards import scoring, services
from scorecards.choices import Frequency, Polarity, Rollup
from scorecards.models import Measure, MeasureValue, OrgUnit
from scorecards.selectors.scorecard import objective_scores
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)
BIG = Decimal("99999999999999")  # the largest whole number a value holds (20 digits, 6 places)


def d(year, month, day=1):
    return dt.date(year, month, day)


def value(measure, period, actual, target, red_flag=None):
    f.MeasureValueFactory(
        measure=measure,
        period=period,
        actual=None if actual is None else Decimal(actual),
        target=None if target is None else Decimal(target),
        red_flag=None if red_flag is None else Decimal(red_flag),
    )


def gaps(report) -> dict[str, str]:
    return {item.label.split()[0]: item.status for item in report.lists.unfunded_gaps}


@pytest.fixture
def scored():
    """Objectives scored as of November 2026 in every way there is: ENT's F and I, U1's A
    to K, and B2 of U2 below U1."""
    ent = f.EnterpriseFactory()
    u1 = f.OrgUnitFactory(code="U1", parent=ent)
    u2 = f.OrgUnitFactory(code="U2", parent=u1)
    o = {code: f.ObjectiveFactory(unit=ent, code=code) for code in "FI"}
    o |= {code: f.ObjectiveFactory(unit=u1, code=code) for code in "ABCDEGHJK"}
    o["B2"] = f.ObjectiveFactory(unit=u2, code="B2", supports=[o["G"]])
    for code in "AG":
        f.CascadeLinkFactory(supporting=o[code], supported=o["F"])

    def measure(objective, code, **fields):
        return f.MeasureFactory(objective=o[objective], code=code, **fields)

    # A: 95 against 100, red flag 90: 10/3 + 5/10 * 10/3 = 5, yellow. The December value
    # (after the month) and November's actual without a target are not read.
    a = measure("A", "MA")
    value(a, d(2026, 10), 95, 100, 90)
    value(a, d(2026, 11), 100, None)
    value(a, d(2026, 12), 100, 100, 90)
    # B and B2: on target exactly, 20/3, green (on the threshold: decided exactly).
    value(measure("B", "MB"), d(2026, 10), 100, 100, 90)
    value(measure("B2", "MB2"), d(2026, 10), 100, 100, 90)
    # C: one millionth under a target of 999,999,999.999999, red flag 0: 20/3 less about
    # 3 * 10^-15, yellow (within 10^-9 of the threshold: decided exactly).
    value(measure("C", "MC"), d(2026, 10), "999999999.999998", "999999999.999999", 0)
    # D: lower is better, default red flag at 20 %: target 50, red flag 60; actual 57 scores
    # 10/3 + (57 - 60) / (50 - 60) * 10/3 = 13/3; actual 60 on a second measure scores
    # 10/3; the mean 23/6 is yellow.
    lower = {"polarity": Polarity.DECREASE, "tolerance": Decimal("0.2")}
    value(measure("D", "MD1", **lower), d(2026, 10), 57, 50)
    value(measure("D", "MD2", **lower), d(2026, 10), 60, 50)
    # E: target equal to its red flag: met scores 10 (weight 1), missed scores 0
    # (weight 3): (10 + 0) / 4 = 2.5, red.
    value(measure("E", "ME1"), d(2026, 10), 100, 100, 100)
    value(measure("E", "ME2", weight=Decimal("3")), d(2026, 10), 99, 100, 100)
    # F: no measure; supported by A (5) and G, which has none either and is supported by
    # B2 (20/3): F = (5 + 20/3) / 2 = 35/6, yellow; G = 20/3, green.
    # H: a calculated measure, twice MA's actual (190) against its own target 200, red flag
    # 180: 10/3 + 10/20 * 10/3 = 5, yellow.
    value(measure("H", "MH", formula="MA * 2"), d(2026, 10), None, 200, 180)
    # I: a rollup (sum) of U1's MK and U2's MB2, 100 against 100 each: 200 against their
    # targets' sum 200, green; K is green too.
    k = measure("K", "MK")
    value(k, d(2026, 10), 100, 100, 90)
    measure("I", "MI", rollup=Rollup.SUM, sources=[k, Measure.objects.get(code="MB2")])
    # J: funded by a running initiative: never a gap, whatever its status (red: 0).
    value(measure("J", "MJ"), d(2026, 10), 0, 100, 90)
    f.InitiativeFactory(unit=u1, objectives=[o["J"]])
    return ent


def test_the_gaps_statuses_are_worked_out_as_by_hand(scored):
    report = alignment_report(scored, fiscal_year=2026, today=TODAY)
    assert gaps(report) == {"A": "yellow", "C": "yellow", "D": "yellow", "E": "red",
                            "F": "yellow", "H": "yellow"}  # fmt: skip


def test_the_gaps_statuses_are_the_engines(scored):
    report = alignment_report(scored, fiscal_year=2026, today=TODAY)
    units = Q(id__in=OrgUnit.objects.subtree_of(scored.pk))
    readings = objective_scores(units, as_of=d(2026, 11), today=TODAY)
    expected = {
        r.code: r.status
        for r in readings.values()
        if r.status in (scoring.RED, scoring.YELLOW) and r.code != "J"
    }
    assert gaps(report) == expected
    greens = {r.code for r in readings.values() if r.status == scoring.GREEN}
    assert greens == {"B", "B2", "G", "I", "K"}


# Data timeliness -----------------------------------------------------------------------------


def record(measure, period, on: dt.datetime, *, actual=None, target=100):
    """Record a value, then date its newest history row `on` (local time)."""
    services.measure_value_record(
        measure=measure,
        period=period,
        actual=None if actual is None else Decimal(actual),
        target=Decimal(target),
        actor=None,
    )
    newest = MeasureValue.history.filter(measure_id=measure.id, period=period).latest("history_id")
    MeasureValue.history.filter(history_id=newest.history_id).update(
        history_date=timezone.make_aware(on)
    )


def created(measure, on: dt.datetime):
    Measure.objects.filter(pk=measure.pk).update(created_at=timezone.make_aware(on))


AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")  # UTC+13 in summer, +12 in winter


def test_timeliness_counts_each_frequencys_periods_and_cut_offs():
    """In Auckland time. FY2026 owes, due by Nov 27: monthly Dec 2025 - Oct 2026 (11,
    due the 10th of the next month), quarterly Oct 2025, Jan, Apr, Jul 2026 (4)."""
    with timezone.override(AUCKLAND):
        ent = f.EnterpriseFactory()
        unit = f.OrgUnitFactory(code="U1", parent=ent)
        objective = f.ObjectiveFactory(unit=unit)

        def measure(code, frequency=Frequency.MONTHLY):
            return f.MeasureFactory(objective=objective, code=code, frequency=frequency)

        # MQ, quarterly, old: owes all 4. Oct 2025 on 2026-01-09: on time. Jan 2026 on
        # Mar 1: on time for a quarter (due Apr 10), though a month of January was due Feb
        # 10. Apr 2026: a target on May 1, the actual on Jul 20: late. Jul 2026 on Oct 5,
        # corrected Oct 20: on time (the first entry counts). 3 of 4.
        mq = measure("MQ", Frequency.QUARTERLY)
        created(mq, dt.datetime(2025, 1, 15, 9))
        record(mq, d(2025, 10), dt.datetime(2026, 1, 9, 12), actual=1)
        record(mq, d(2026, 1), dt.datetime(2026, 3, 1, 12), actual=1)
        record(mq, d(2026, 4), dt.datetime(2026, 5, 1, 12))
        record(mq, d(2026, 4), dt.datetime(2026, 7, 20, 12), actual=1)
        record(mq, d(2026, 7), dt.datetime(2026, 10, 5, 12), actual=1)
        record(mq, d(2026, 7), dt.datetime(2026, 10, 20, 12), actual=2)
        # MM, monthly, created on Jul 1 at 01:00 in Auckland (Jun 30 in UTC): owes Jul -
        # Oct (4). Jul on Aug 10 at 23:30: on time. Aug on Sep 11 at 00:30: late. Sep:
        # never. Oct on Nov 10: on time. 2 of 4.
        mm = measure("MM")
        created(mm, dt.datetime(2026, 7, 1, 1))
        record(mm, d(2026, 7), dt.datetime(2026, 8, 10, 23, 30), actual=1)
        record(mm, d(2026, 8), dt.datetime(2026, 9, 11, 0, 30), actual=1)
        record(mm, d(2026, 10), dt.datetime(2026, 11, 10, 12), actual=1)
        # MH, monthly, created Sep 20 with history from February (loaded that day): owes
        # Feb - Oct (9). Feb - Aug entered Sep 20: late (Aug was due Sep 10). Sep on Oct 1:
        # on time. Oct: never, and overdue now. 1 of 9.
        mh = measure("MH")
        for month in range(2, 9):
            record(mh, d(2026, month), dt.datetime(2026, 9, 20, 12), actual=1)
        created(mh, dt.datetime(2026, 9, 20, 12))
        record(mh, d(2026, 9), dt.datetime(2026, 10, 1, 12), actual=1)

        report = alignment_report(ent, fiscal_year=2026, today=TODAY)
    row = next(u for u in report.units if u.code == "U1")
    assert (row.counts.periods_due, row.counts.periods_timely) == (4 + 4 + 9, 3 + 2 + 1)
    assert report.metrics.data_timeliness == Fraction(600, 17)
    # Overdue now: the latest monthly period due by Nov 27 is October; MM has it, MH not.
    # The latest quarter due is July, which MQ has.
    overdue = [(i.label.split()[0], i.period, i.due) for i in report.lists.overdue_measures]
    assert overdue == [("MH", d(2026, 10), d(2026, 11, 10))]


def test_a_units_report_counts_timeliness_as_the_enterprises():
    """The enterprise's report reads the history in one pass, a unit's through its own
    measures: the same counts. U1's measure: Sep on time, Oct late (2 owed, created in
    2025); U2's: Oct on time."""
    ent = f.EnterpriseFactory()
    u1 = f.OrgUnitFactory(code="U1", parent=ent)
    u2 = f.OrgUnitFactory(code="U2", parent=ent)
    m1 = f.MeasureFactory(objective=f.ObjectiveFactory(unit=u1), code="M1")
    m2 = f.MeasureFactory(objective=f.ObjectiveFactory(unit=u2), code="M2")
    created(m1, dt.datetime(2026, 9, 2))
    created(m2, dt.datetime(2026, 10, 2))
    record(m1, d(2026, 9), dt.datetime(2026, 10, 1), actual=1)
    record(m1, d(2026, 10), dt.datetime(2026, 11, 11), actual=1)
    record(m2, d(2026, 10), dt.datetime(2026, 11, 1), actual=1)
    whole = alignment_report(ent, fiscal_year=2026, today=TODAY)
    part = alignment_report(u1, fiscal_year=2026, today=TODAY)
    by_code = {u.code: u.counts for u in whole.units}
    assert (by_code["U1"].periods_due, by_code["U1"].periods_timely) == (2, 1)
    assert (by_code["U2"].periods_due, by_code["U2"].periods_timely) == (1, 1)
    assert (part.counts.periods_due, part.counts.periods_timely) == (2, 1)


# People ------------------------------------------------------------------------------------


def test_incentive_weights_add_up_exactly():
    """Weights 0.1, 0.1, 0.1 (one linked) and 0.2 (linked): 0.5 in all, 0.3 linked: 60 %
    exactly (a floating-point sum of 0.1 three times is not 0.3). Employees: Ada aligned,
    Ben not; the inactive Cy counts nowhere."""
    ent = f.EnterpriseFactory()
    unit = f.OrgUnitFactory(code="U1", parent=ent)
    objective = f.ObjectiveFactory(unit=unit)
    ada = f.EmployeeFactory(unit=unit, name="Ada")
    ben = f.EmployeeFactory(unit=unit, name="Ben")
    cy = f.EmployeeFactory(unit=unit, name="Cy", active=False)
    f.GoalFactory(employee=ada, objective=objective)
    f.GoalFactory(employee=ben)
    for who, weight, linked in ((ada, "0.1", True), (ada, "0.1", False), (ben, "0.1", False),
                                (ben, "0.2", True), (cy, "0.4", True)):  # fmt: skip
        f.IncentiveComponentFactory(
            employee=who, weight=Decimal(weight), objective=objective if linked else None
        )
    report = alignment_report(ent, fiscal_year=2026, today=TODAY)
    counts = next(u for u in report.units if u.code == "U1").counts
    assert (counts.incentive_weight, counts.incentive_weight_linked) == (
        Decimal("0.5"),
        Decimal("0.3"),
    )
    assert report.metrics.incentive_linkage == 60
    assert (counts.employees, counts.employees_aligned) == (2, 1)
    assert [i.label for i in report.lists.unaligned_employees] == ["Ben"]
    assert sorted(i.amount for i in report.lists.unlinked_incentives) == [
        Decimal("0.1"),
        Decimal("0.1"),
    ]


def test_a_score_a_hair_under_a_threshold_is_not_rounded_onto_it():
    """99,999,999,999,998.999999 against 99,999,999,999,999 with red flag 0 scores 20/3
    less about 3 * 10^-20: yellow, where floating point alone makes it exactly 20/3 (green).
    SQLite keeps 15 significant digits of a value: there both are one number, on target,
    and the objective is green."""
    ent = f.EnterpriseFactory()
    objective = f.ObjectiveFactory(unit=f.OrgUnitFactory(code="U1", parent=ent), code="O")
    measure = f.MeasureFactory(objective=objective, code="M")
    value(measure, d(2026, 10), BIG - Decimal("0.000001"), BIG, 0)
    report = alignment_report(ent, fiscal_year=2026, today=TODAY)
    on_postgresql = connection.vendor == "postgresql"
    assert gaps(report) == ({"O": "yellow"} if on_postgresql else {})
