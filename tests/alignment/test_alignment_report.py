"""`alignment_report`: every alignment metric of DESIGN.md "Alignment metrics", for a
subtree and for each unit in it, with the lists behind the numbers, checked against a small
organisation whose figures are all worked out by hand below.

The organisation (fiscal years are calendar years unless a test says otherwise; today is
2026-11-27; values are due 10 days after their period ends):

    ENT (enterprise)
    ├── BU1 (business)
    │   └── DEP (department)
    ├── BU2 (business)
    └── SUP (support: no objectives, budget lines, initiatives or measures at all)

Objectives and the cascade ("X -> Y": X supports Y):

    ENT: E1, E2, E3, E4                 (the root's: not counted in objective linkage)
    BU1: B1A -> E1, B1B                 (B1A is supported by D1)
    DEP: D1 -> B1A, D2 -> E3, D3
    BU2: B2A -> E2, B2B -> E2, B2C -> E1, B2D

Measures all have target 100 and red flag 90 (higher is better): actual 100 scores 20/3
(green), 95 scores 5 (yellow), 80 scores 0 (red).
"""

import datetime as dt
from decimal import Decimal
from fractions import Fraction as F
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alignment.metrics import Counts, Metrics
from alignment.selectors import alignment_report
from budgets.choices import BudgetCategory
from core.clock import current_fiscal_year
from initiatives.choices import InitiativeStatus
from people.choices import GoalKind
from scorecards import services
from scorecards.choices import Frequency, UnitKind
from scorecards.models import Measure, MeasureValue
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)
OPEX, CAPEX, STRATEX = BudgetCategory.OPEX, BudgetCategory.CAPEX, BudgetCategory.STRATEX
ACTIVE, CANCELLED = InitiativeStatus.ACTIVE, InitiativeStatus.CANCELLED


def d(year, month, day=1):
    return dt.date(year, month, day)


def record(measure, period, on, *, actual=None, target=100, red_flag=90):
    """Record a value with the service, then date its newest history row `on` (noon).

    Data timeliness reads when an actual was *first entered* from the values' change
    history (django-simple-history). The service stamps history rows with the real clock,
    so each row written here is moved to the day the story says it was entered."""
    services.measure_value_record(
        measure=measure,
        period=period,
        actual=None if actual is None else Decimal(actual),
        target=None if target is None else Decimal(target),
        red_flag=None if red_flag is None else Decimal(red_flag),
        actor=None,
    )
    newest = MeasureValue.history.filter(measure_id=measure.id, period=period).latest("history_id")
    MeasureValue.history.filter(history_id=newest.history_id).update(
        history_date=timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
    )


def build_organisation() -> SimpleNamespace:
    """The organisation of the module docstring, with everything the tests count."""
    ent = f.EnterpriseFactory()
    bu1 = f.OrgUnitFactory(code="BU1", parent=ent)
    bu2 = f.OrgUnitFactory(code="BU2", parent=ent)
    sup = f.OrgUnitFactory(code="SUP", parent=ent, kind=UnitKind.SUPPORT)
    dep = f.OrgUnitFactory(code="DEP", parent=bu1, kind=UnitKind.DEPARTMENT)

    # Objectives -----------------------------------------------------------------------------
    o = {}
    for code in ("E1", "E2", "E3", "E4"):
        o[code] = f.ObjectiveFactory(unit=ent, code=code)
    o["B1A"] = f.ObjectiveFactory(unit=bu1, code="B1A", supports=[o["E1"]])
    o["B1B"] = f.ObjectiveFactory(unit=bu1, code="B1B")
    o["D1"] = f.ObjectiveFactory(unit=dep, code="D1", supports=[o["B1A"]])
    o["D2"] = f.ObjectiveFactory(unit=dep, code="D2", supports=[o["E3"]])
    o["D3"] = f.ObjectiveFactory(unit=dep, code="D3")
    o["B2A"] = f.ObjectiveFactory(unit=bu2, code="B2A", supports=[o["E2"]])
    o["B2B"] = f.ObjectiveFactory(unit=bu2, code="B2B", supports=[o["E2"]])
    o["B2C"] = f.ObjectiveFactory(unit=bu2, code="B2C", supports=[o["E1"]])
    o["B2D"] = f.ObjectiveFactory(unit=bu2, code="B2D")

    # Initiatives ----------------------------------------------------------------------------
    def initiative(unit, code, status, start, end, objectives=()):
        return f.InitiativeFactory(
            unit=unit, code=code, status=status, start=start, end=end, objectives=objectives
        )

    i = {
        # FY2026: counts, linked (funds E1).
        "IE": initiative(ent, "IE", ACTIVE, d(2026, 1), d(2026, 12, 31), [o["E1"]]),
        # FY2026: counts, linked (funds B1A).
        "IB1": initiative(bu1, "IB1", ACTIVE, d(2026, 1), d(2026, 12, 31), [o["B1A"]]),
        # FY2026: counts, not linked (open-ended).
        "IB2": initiative(bu1, "IB2", InitiativeStatus.APPROVED, d(2026, 3), None),
        # Cancelled: never counts, funds nothing (B1B stays a gap).
        "IBX": initiative(bu1, "IBX", CANCELLED, d(2025, 1), d(2026, 12, 31), [o["B1B"]]),
        # Ended before FY2026: counts in FY2025 only; funds D3 in FY2025 only.
        "IOLD": initiative(
            bu1, "IOLD", InitiativeStatus.DONE, d(2025, 1), d(2025, 12, 31), [o["D3"]]
        ),
        # FY2026: counts, not linked.
        "ID": initiative(dep, "ID", InitiativeStatus.PROPOSED, d(2026, 6), None),
        # Ends on the first day of FY2026: counts in FY2025 and FY2026, funds B2A.
        "IB2A": initiative(
            bu2, "IB2A", InitiativeStatus.ON_HOLD, d(2025, 6), d(2026, 1), [o["B2A"]]
        ),
        # Starts after FY2026: never counts here.
        "IFUT": initiative(bu2, "IFUT", ACTIVE, d(2027, 1), d(2027, 12, 31)),
    }

    # Budget lines ---------------------------------------------------------------------------
    def line(unit, label, category, planned, year=2026, **links):
        return f.BudgetLineFactory(
            unit=unit,
            label=label,
            category=category,
            planned=Decimal(planned),
            fiscal_year=year,
            **links,
        )

    b = {
        "Brand campaign": line(ent, "Brand campaign", OPEX, 1000, objective=o["E2"]),
        "Transformation office": line(
            ent, "Transformation office", STRATEX, 2000, initiative=i["IE"]
        ),
        "Head office rent": line(ent, "Head office rent", OPEX, 1000),
        # Through an initiative linked to no objective: not linked.
        "New plant": line(bu1, "New plant", CAPEX, 3000, initiative=i["IB2"]),
        # Through an initiative linked to B1A: linked.
        "Sales programme": line(bu1, "Sales programme", STRATEX, 1000, initiative=i["IB1"]),
        "Quality training": line(bu1, "Quality training", OPEX, 1000, objective=o["B1B"]),
        "Office supplies": line(dep, "Office supplies", OPEX, 500),
        "Process tooling": line(dep, "Process tooling", OPEX, 1500, objective=o["D1"]),
        "Market study": line(bu2, "Market study", OPEX, 2000, objective=o["B2A"]),
        "Expansion": line(bu2, "Expansion", STRATEX, 2000, initiative=i["IB2A"]),
        # Other fiscal years: never in FY2026's figures or lists.
        "Old rent": line(ent, "Old rent", OPEX, 9000, year=2025),
        "Next plant": line(bu1, "Next plant", OPEX, 7000, year=2027),
    }

    # Measures and their values (entered on the day given) ---------------------------------
    def measure(objective, code, frequency=Frequency.MONTHLY):
        return f.MeasureFactory(objective=objective, code=code, frequency=frequency)

    m = {
        "ME1": measure(o["E1"], "ME1"),
        "ME2": measure(o["E2"], "ME2"),
        "MB1A": measure(o["B1A"], "MB1A"),
        "MB1B": measure(o["B1B"], "MB1B", Frequency.QUARTERLY),
        "MD1": measure(o["D1"], "MD1"),
        "MD3": measure(o["D3"], "MD3"),
        "MB2A": measure(o["B2A"], "MB2A", Frequency.QUARTERLY),
        "MB2B": measure(o["B2B"], "MB2B"),
        "MB2C": measure(o["B2C"], "MB2C", Frequency.ANNUAL),
    }
    # ME1 (E1): Sep 2026 (due Oct 10) entered Oct 5, corrected Nov 20: timely (first entry).
    record(m["ME1"], d(2026, 9), d(2026, 10, 5), actual=80)
    record(m["ME1"], d(2026, 9), d(2026, 11, 20), actual=85)
    # Oct 2026 (due Nov 10): target on Oct 1, actual only on Nov 12: late.
    record(m["ME1"], d(2026, 10), d(2026, 10, 1))
    record(m["ME1"], d(2026, 10), d(2026, 11, 12), actual=80)  # E1 red as of Nov
    # ME2 (E2): Oct 2026 (due Nov 10) entered on the due date itself: timely.
    record(m["ME2"], d(2026, 10), d(2026, 11, 10), actual=95)  # E2 yellow
    # MB1A (B1A): Aug (due Sep 10) on Sep 1 timely; Sep (due Oct 10) on Oct 10 timely;
    # Oct (due Nov 10) has a target but never an actual: late, and overdue now.
    record(m["MB1A"], d(2026, 8), d(2026, 9, 1), actual=100)
    record(m["MB1A"], d(2026, 9), d(2026, 10, 10), actual=100)  # B1A green (Sep)
    record(m["MB1A"], d(2026, 10), d(2026, 10, 1))
    # MB1B (B1B, quarterly): Apr-Jun (due Jul 10) on Jul 20 late; Jul-Sep (due Oct 10) on
    # Oct 1 timely.
    record(m["MB1B"], d(2026, 4), d(2026, 7, 20), actual=80)
    record(m["MB1B"], d(2026, 7), d(2026, 10, 1), actual=80)  # B1B red
    # MD1 (D1): Oct (due Nov 10) on Nov 5: timely.
    record(m["MD1"], d(2026, 10), d(2026, 11, 5), actual=95)  # D1 yellow
    # MD3 (D3): Sep (due Oct 10) on Oct 25: late; Oct (due Nov 10): nothing at all, late.
    record(m["MD3"], d(2026, 9), d(2026, 10, 25), actual=80)  # D3 red
    # MB2A (B2A, quarterly): Jul 2025 (due 2025-10-10, FY2025) on 2025-10-01 timely;
    # Oct 2025 (due 2026-01-10) on 2026-01-08 timely; Jan 2026 (due Apr 10) on Apr 15 late;
    # Apr 2026 (due Jul 10) on Jul 10 timely; Jul 2026 (due Oct 10) on Oct 11 late.
    record(m["MB2A"], d(2025, 7), d(2025, 10, 1), actual=100)
    record(m["MB2A"], d(2025, 10), d(2026, 1, 8), actual=95)  # B2A yellow as of Dec 2025
    record(m["MB2A"], d(2026, 1), d(2026, 4, 15), actual=100)
    record(m["MB2A"], d(2026, 4), d(2026, 7, 10), actual=100)
    record(m["MB2A"], d(2026, 7), d(2026, 10, 11), actual=80)  # B2A red as of Nov 2026
    # MB2B (B2B): Oct (due Nov 10) on Nov 1: timely.
    record(m["MB2B"], d(2026, 10), d(2026, 11, 1), actual=100)  # B2B green
    # MB2C (B2C, annual): 2025 (due 2026-01-10) on 2026-01-15: late; 2026 (due 2027-01-10:
    # not yet due) on 2026-11-01.
    record(m["MB2C"], d(2025, 1), d(2026, 1, 15), actual=80)  # B2C red as of Dec 2025
    record(m["MB2C"], d(2026, 1), d(2026, 11, 1), actual=100)  # B2C green as of Nov 2026

    # People ---------------------------------------------------------------------------------
    e = {}

    def employee(unit, name, active=True):
        e[name] = f.EmployeeFactory(unit=unit, name=name, active=active)
        return e[name]

    def goal(who, year=2026, **links):
        return f.GoalFactory(employee=e[who], fiscal_year=year, **links)

    c = {}

    def incentive(who, name, weight, year=2026, **links):
        c[name] = f.IncentiveComponentFactory(
            employee=e[who], name=name, weight=Decimal(weight), fiscal_year=year, **links
        )

    employee(ent, "Ada")
    goal("Ada", objective=o["E1"])  # aligned
    incentive("Ada", "Profit", 3, objective=o["E1"])
    incentive("Ada", "Team", 1)
    employee(ent, "Ben")
    goal("Ben")  # unlinked
    goal("Ben", year=2025, objective=o["E1"])  # aligned, but in FY2025 only
    employee(bu1, "Cleo")
    goal("Cleo", measure=m["MB1B"])  # aligned through a measure
    incentive("Cleo", "Sales", 2, measure=m["MB1A"])  # linked through a measure
    incentive("Cleo", "Quality", 2)
    incentive("Cleo", "Old bonus", 10, year=2025)
    employee(bu1, "Dan")  # no goals at all
    employee(bu1, "Eve", active=False)  # inactive: never counts
    goal("Eve")
    incentive("Eve", "Legacy", 5)
    employee(dep, "Finn")
    goal("Finn", kind=GoalKind.DEVELOPMENT, objective=o["D1"])  # aligned
    goal("Finn")
    incentive("Finn", "Delivery", 1, objective=o["D1"])
    employee(dep, "Gus")
    goal("Gus", year=2027, objective=o["D2"])  # aligned only in FY2027
    employee(dep, "Hana")
    goal("Hana", objective=o["E3"])  # aligned with an objective two levels up
    employee(bu2, "Ivy")
    goal("Ivy", objective=o["B2A"])
    employee(sup, "Jack")
    goal("Jack", objective=o["E2"])
    incentive("Jack", "Service", 2)
    employee(sup, "Kim")
    goal("Kim", objective=o["E4"])
    incentive("Kim", "Support", 2, objective=o["E2"])
    employee(sup, "Lea")
    goal("Lea")
    employee(sup, "Max")

    return SimpleNamespace(
        ent=ent, bu1=bu1, bu2=bu2, sup=sup, dep=dep, o=o, i=i, b=b, m=m, e=e, c=c
    )


@pytest.fixture
def org():
    return build_organisation()


@pytest.fixture
def report(org):
    return alignment_report(org.ent, fiscal_year=2026, today=TODAY)


def rows(report):
    return {row.code: row for row in report.units}


def ids(items):
    return {item.id for item in items}


def pks(objects):
    return {obj.pk for obj in objects}


# FY2026, own rows of each unit (the counts every figure below is made of):
#
# unit  objectives  own obj.   planned: all / linked / STRATEX   initiatives  employees
#       (linked)    (cascaded)                                     (linked)     (aligned)
# ENT   0 (0)       4 (3)      4000 / 3000 / 2000                 1 (1)        2 (1)
# BU1   2 (1)       2 (1)      5000 / 2000 / 1000                 2 (1)        2 (1)
# DEP   3 (2)       3 (0)      2000 / 1500 / 0                    1 (0)        3 (2)
# BU2   4 (3)       4 (0)      4000 / 4000 / 2000                 1 (1)        1 (1)
# SUP   0 (0)       0 (0)      0 / 0 / 0                          0 (0)        4 (2)
#
# unit  incentive weight (linked)   periods due (timely)
# ENT   4 (3)                       3 (2)   ME1 Sep ok, Oct late; ME2 Oct ok
# BU1   4 (2)                       5 (3)   MB1A Aug ok, Sep ok, Oct none; MB1B Q2 late, Q3 ok
# DEP   1 (1)                       3 (1)   MD1 Oct ok; MD3 Sep late, Oct none
# BU2   0 (0)                       6 (3)   MB2A Q4'25 ok, Q1 late, Q2 ok, Q3 late;
#                                           MB2B Oct ok; MB2C 2025 late
# SUP   4 (2)                       0 (0)
#
# Details: ENT lines: Brand campaign 1000 -> E2, Transformation office 2000 STRATEX -> IE
# (linked to E1), Head office rent 1000 unlinked. BU1: New plant 3000 -> IB2 (no objective:
# not linked), Sales programme 1000 STRATEX -> IB1 (-> B1A), Quality training 1000 -> B1B.
# DEP: Office supplies 500 unlinked, Process tooling 1500 -> D1. BU2: Market study 2000 ->
# B2A, Expansion 2000 STRATEX -> IB2A (-> B2A). Old rent (2025) and Next plant (2027) out.
# Initiatives of FY2026: ENT IE (linked); BU1 IB1 (linked), IB2 (not); IBX cancelled and
# IOLD ended 2025 are out; DEP ID (not); BU2 IB2A (linked, ends 2026-01-01); IFUT starts
# 2027: out. Eve is inactive (her goal and incentive are out); Ben's aligned goal is of
# 2025, Gus's of 2027; Cleo's 2025 incentive is out.

EXPECTED_2026 = {
    # DEP's subtree is DEP alone.
    "DEP": Metrics(
        objective_linkage=F(200, 3),  # D1, D2 of D1, D2, D3: 2/3
        cascade_coverage=None,  # DEP has no units below it: no cascade coverage
        budget_linkage=F(75),  # 1500 / 2000
        stratex_share=F(0),  # 0 / 2000
        initiative_linkage=F(0),  # ID not linked: 0/1
        goal_alignment=F(200, 3),  # Finn, Hana of Finn, Gus, Hana: 2/3
        incentive_linkage=F(100),  # 1 / 1
        data_timeliness=F(100, 3),  # 1/3
        # Six metrics (cascade coverage is None):
        # (200/3 + 75 + 0 + 200/3 + 100 + 100/3) / 6 = (500/3 + 175) / 6 = (1025/3) / 6
        #   = 1025/18
        alignment_index=F(1025, 18),
    ),
    # BU1's subtree: BU1 + DEP.
    "BU1": Metrics(
        objective_linkage=F(60),  # (1 + 2) / (2 + 3) = 3/5
        cascade_coverage=F(50),  # BU1's own: B1A (supported by D1) of B1A, B1B: 1/2
        budget_linkage=F(50),  # (2000 + 1500) / (5000 + 2000) = 3500/7000
        stratex_share=F(100, 7),  # (1000 + 0) / 7000
        initiative_linkage=F(100, 3),  # (1 + 0) / (2 + 1) = 1/3
        goal_alignment=F(60),  # (1 + 2) / (2 + 3) = 3/5
        incentive_linkage=F(60),  # (2 + 1) / (4 + 1) = 3/5
        data_timeliness=F(50),  # (3 + 1) / (5 + 3) = 4/8
        # (60 + 50 + 50 + 100/3 + 60 + 60 + 50) / 7 = (330 + 100/3) / 7 = 1090/21
        alignment_index=F(1090, 21),
    ),
    "BU2": Metrics(
        objective_linkage=F(75),  # B2A, B2B, B2C of 4: 3/4
        cascade_coverage=None,  # BU2 has no units below it: no cascade coverage
        budget_linkage=F(100),  # 4000 / 4000
        stratex_share=F(50),  # 2000 / 4000
        initiative_linkage=F(100),  # IB2A linked: 1/1
        goal_alignment=F(100),  # Ivy: 1/1
        incentive_linkage=None,  # no incentive weight in BU2
        data_timeliness=F(50),  # 3/6
        # (75 + 100 + 100 + 100 + 50) / 5 (cascade coverage and incentive linkage are
        # None) = 425/5 = 85
        alignment_index=F(85),
    ),
    # SUP has only people: every other denominator is empty (and it is a leaf).
    "SUP": Metrics(
        objective_linkage=None,
        cascade_coverage=None,
        budget_linkage=None,
        stratex_share=None,
        initiative_linkage=None,
        goal_alignment=F(50),  # Jack, Kim of Jack, Kim, Lea, Max: 2/4
        incentive_linkage=F(50),  # Support 2 of Service 2 + Support 2: 2/4
        data_timeliness=None,
        alignment_index=F(50),  # (50 + 50) / 2: only the two present metrics
    ),
    # ENT's subtree is the whole organisation.
    "ENT": Metrics(
        objective_linkage=F(200, 3),  # (0 + 1 + 2 + 3 + 0) / (0 + 2 + 3 + 4 + 0) = 6/9
        cascade_coverage=F(75),  # ENT's own: E1, E2, E3 supported, E4 not: 3/4
        # (3000 + 2000 + 1500 + 4000) / (4000 + 5000 + 2000 + 4000) = 10500 / 15000
        budget_linkage=F(70),
        stratex_share=F(100, 3),  # (2000 + 1000 + 0 + 2000) / 15000 = 5000 / 15000
        initiative_linkage=F(60),  # (1 + 1 + 0 + 1) / (1 + 2 + 1 + 1) = 3/5
        goal_alignment=F(175, 3),  # (1 + 1 + 2 + 1 + 2) / (2 + 2 + 3 + 1 + 4) = 7/12
        incentive_linkage=F(800, 13),  # (3 + 2 + 1 + 0 + 2) / (4 + 4 + 1 + 0 + 4) = 8/13
        data_timeliness=F(900, 17),  # (2 + 3 + 1 + 3 + 0) / (3 + 5 + 3 + 6 + 0) = 9/17
        # (200/3 + 75 + 70 + 60 + 175/3 + 800/13 + 900/17) / 7
        #   = (125 + 205 + 25300/221) / 7 = (72930/221 + 25300/221) / 7 = 98230/1547
        alignment_index=F(98230, 1547),
    ),
}


@pytest.mark.parametrize("code", ["ENT", "BU1", "DEP", "BU2", "SUP"])
def test_every_metric_of_each_units_subtree(report, code):
    assert rows(report)[code].metrics == EXPECTED_2026[code]


def test_the_enterprise_subtree(report, org):
    assert report.unit == org.ent
    assert report.fiscal_year == 2026
    assert report.status_month == d(2026, 11)  # the month of today: FY2026 is current
    assert report.metrics == EXPECTED_2026["ENT"]
    # Every figure is an exact Fraction, not a float or a rounded Decimal; no awareness
    # pulse has run, so strategy awareness is None and the index is release 1's.
    figures = report.metrics.as_dict()
    assert figures.pop("strategy_awareness") is None
    assert all(isinstance(v, F) for v in figures.values())


def test_the_enterprise_counts_summed_by_hand(report):
    # The column sums of the table above; own objectives are ENT's own.
    assert report.counts == Counts(
        objectives=9,
        objectives_linked=6,
        own_objectives=4,
        own_objectives_cascaded=3,
        planned=Decimal("15000.00"),
        planned_linked=Decimal("10500.00"),
        planned_stratex=Decimal("5000.00"),
        initiatives=5,
        initiatives_linked=3,
        employees=12,
        employees_aligned=7,
        incentive_weight=Decimal("13"),
        incentive_weight_linked=Decimal("8"),
        periods_due=17,
        periods_timely=9,
    )


def test_units_come_depth_first_with_their_depth_and_parent(report, org):
    assert [(r.code, r.depth, r.parent_id) for r in report.units] == [
        ("ENT", 0, None),
        ("BU1", 1, org.ent.pk),
        ("DEP", 2, org.bu1.pk),
        ("BU2", 1, org.ent.pk),
        ("SUP", 1, org.ent.pk),
    ]
    assert rows(report)["SUP"].kind == UnitKind.SUPPORT


def test_a_business_units_report_gives_the_same_figures_for_its_subtree(org):
    report = alignment_report(org.bu1, fiscal_year=2026, today=TODAY)
    assert [(r.code, r.depth) for r in report.units] == [("BU1", 0), ("DEP", 1)]
    assert report.metrics == EXPECTED_2026["BU1"]
    assert rows(report)["DEP"].metrics == EXPECTED_2026["DEP"]
    o = org.o
    # Its lists are its subtree's: BU1's own objectives not cascaded; BU1's objectives
    # count for linkage since BU1 is not the enterprise root.
    assert ids(report.lists.not_cascaded) == pks([o["B1B"]])
    assert ids(report.lists.unlinked_objectives) == pks([o["B1B"], o["D3"]])
    assert ids(report.lists.unfunded_gaps) == pks([o["B1B"], o["D1"], o["D3"]])
    assert ids(report.lists.unlinked_budget_lines) == pks(
        [org.b["New plant"], org.b["Office supplies"]]
    )
    assert ids(report.lists.unaligned_employees) == pks([org.e["Dan"], org.e["Gus"]])
    assert ids(report.lists.unlinked_incentives) == pks([org.c["Quality"]])
    assert ids(report.lists.overdue_measures) == pks([org.m["MB1A"], org.m["MD3"]])


def test_a_leaf_units_report(org):
    report = alignment_report(org.sup, fiscal_year=2026, today=TODAY)
    assert [r.code for r in report.units] == ["SUP"]
    assert report.metrics == EXPECTED_2026["SUP"]


def test_a_leaf_units_own_report_has_nothing_not_cascaded(org):
    # BU2's B2A, B2B, B2C, B2D are supported by no objective, but BU2 has no units below
    # it: nothing could cascade to them, so none is listed, and its figures are those of
    # its row in the enterprise report (cascade coverage None, index 85).
    report = alignment_report(org.bu2, fiscal_year=2026, today=TODAY)
    assert [r.code for r in report.units] == ["BU2"]
    assert report.metrics == EXPECTED_2026["BU2"]
    assert report.lists.not_cascaded == []
    # They still count where they belong: B2D supports nothing above.
    assert ids(report.lists.unlinked_objectives) == pks([org.o["B2D"]])


# The lists of FY2026 (enterprise report) -------------------------------------------------


def test_objectives_not_cascaded_are_the_units_own(report, org):
    # E4 is the only ENT objective no lower objective supports; the unsupported objectives
    # of lower units (B1B, ...) belong to their own units' reports.
    assert ids(report.lists.not_cascaded) == pks([org.o["E4"]])
    (item,) = report.lists.not_cascaded
    assert (item.model, item.unit_code, item.label) == ("objective", "ENT", "E4 Objective E4")


def test_unit_objectives_linked_to_nothing_above(report, org):
    # B1B, D3, B2D support nothing; ENT's own E4 is not listed (the root supports none).
    assert ids(report.lists.unlinked_objectives) == pks([org.o["B1B"], org.o["D3"], org.o["B2D"]])
    assert {(i.unit_code, i.model) for i in report.lists.unlinked_objectives} == {
        ("BU1", "objective"),
        ("DEP", "objective"),
        ("BU2", "objective"),
    }


def test_unfunded_gaps_are_red_or_yellow_objectives_without_a_running_initiative(report, org):
    # Statuses as of Nov 2026:
    #   E1 red (ME1 Oct 80) but funded by IE: not a gap.
    #   E2 yellow (ME2 Oct 95), no initiative: gap.
    #   E3 no data (no measure; its supporter D2 has none either); E4 no data.
    #   B1A green (MB1A Sep 100; Oct has no actual): not a gap.
    #   B1B red (MB1B Jul 80), linked only to the cancelled IBX: gap.
    #   D1 yellow (MD1 Oct 95), no initiative: gap.
    #   D2 no data.
    #   D3 red (MD3 Sep 80), linked only to IOLD, which ended in 2025: gap.
    #   B2A red (MB2A Jul 2026 80) but funded by IB2A (runs into FY2026): not a gap.
    #   B2B green; B2C green (MB2C 2026 100); B2D no data.
    gaps = {item.label.split()[0]: item.status for item in report.lists.unfunded_gaps}
    assert gaps == {"E2": "yellow", "B1B": "red", "D1": "yellow", "D3": "red"}
    assert ids(report.lists.unfunded_gaps) == pks(
        [org.o["E2"], org.o["B1B"], org.o["D1"], org.o["D3"]]
    )


def test_budget_lines_not_linked(report, org):
    # Head office rent (no link), New plant (its initiative IB2 advances no objective),
    # Office supplies (no link). Old rent (2025) and Next plant (2027) are other years.
    assert ids(report.lists.unlinked_budget_lines) == pks(
        [org.b["Head office rent"], org.b["New plant"], org.b["Office supplies"]]
    )
    details = {i.label: (i.unit_code, i.detail) for i in report.lists.unlinked_budget_lines}
    assert details["New plant"] == ("BU1", "CAPEX 3,000.00")


def test_active_employees_with_no_aligned_goal(report, org):
    # Ben (only his 2025 goal is aligned), Dan (no goals), Gus (only a 2027 goal), Lea
    # (unlinked goal), Max (no goals). Eve is inactive: not listed though unaligned.
    assert ids(report.lists.unaligned_employees) == pks(
        [org.e[n] for n in ("Ben", "Dan", "Gus", "Lea", "Max")]
    )


def test_incentive_components_not_linked(report, org):
    # Team (Ada), Quality (Cleo), Service (Jack); Eve's Legacy (inactive) and Cleo's Old
    # bonus (2025) are out.
    assert ids(report.lists.unlinked_incentives) == pks(
        [org.c["Team"], org.c["Quality"], org.c["Service"]]
    )
    labels = {i.label for i in report.lists.unlinked_incentives}
    assert "Quality (Cleo)" in labels


def test_measures_overdue(report, org):
    # As of today (2026-11-27) the latest monthly period due is Oct 2026 (due Nov 10):
    # MB1A has only a target for it, MD3 nothing. The latest quarterly one is Jul-Sep (due
    # Oct 10): MB1B and MB2A have it. The latest annual one is 2025 (due 2026-01-10): MB2C
    # has it.
    overdue = {item.label.split()[0]: item for item in report.lists.overdue_measures}
    assert set(overdue) == {"MB1A", "MD3"}
    assert ids(report.lists.overdue_measures) == pks([org.m["MB1A"], org.m["MD3"]])
    assert overdue["MD3"].detail == "Oct 2026 due 10 Nov 2026"
    assert overdue["MD3"].model == "measure" and overdue["MD3"].unit_code == "DEP"


# Another fiscal year: FY2025, a past year ------------------------------------------------


def test_a_past_fiscal_year(org):
    report = alignment_report(org.ent, fiscal_year=2025, today=TODAY)
    assert report.status_month == d(2025, 12)  # the year's last month
    assert report.metrics == Metrics(
        objective_linkage=F(200, 3),  # the cascade has no year: 6/9 as in FY2026
        cascade_coverage=F(75),  # 3/4 as in FY2026
        budget_linkage=F(0),  # only Old rent 9000, unlinked: 0/9000
        stratex_share=F(0),  # 0/9000
        # Running in 2025, not cancelled: IOLD (-> D3) and IB2A (-> B2A): 2/2. IE, IB1,
        # IB2, ID start in 2026, IFUT in 2027; IBX is cancelled.
        initiative_linkage=F(100),
        goal_alignment=F(25, 3),  # Ben's 2025 goal only: 1 of the 12 active employees
        incentive_linkage=F(0),  # Cleo's Old bonus 10, unlinked: 0/10
        # Due within 2025: only MB2A Jul 2025 (due 2025-10-10), entered 2025-10-01: 1/1.
        # (MB2C 2025 is due 2026-01-10; every other measure starts in 2026.)
        data_timeliness=F(100),
        # (200/3 + 75 + 0 + 100 + 25/3 + 0 + 100) / 7 = (75 + 275) / 7 = 50
        alignment_index=F(50),
    )
    assert ids(report.lists.unlinked_budget_lines) == pks([org.b["Old rent"]])
    # Everyone active but Ben, whose 2025 goal is aligned.
    everyone_but_ben = [e for name, e in org.e.items() if name not in ("Ben", "Eve")]
    assert len(everyone_but_ben) == 11
    assert ids(report.lists.unaligned_employees) == pks(everyone_but_ben)
    assert ids(report.lists.unlinked_incentives) == pks([org.c["Old bonus"]])


def test_unfunded_gaps_of_a_past_year_use_its_last_months_statuses(org):
    # As of Dec 2025 only MB2A (Oct 2025: 95, score 5) and MB2C (2025: 80, score 0) have
    # data. So:
    #   B2A yellow, funded by IB2A (runs in 2025): not a gap.
    #   B2C red, no initiative: gap.
    #   E1 has no data of its own (ME1 starts Sep 2026): it takes the weighted mean of its
    #     supporters B1A (no data: MB1A, and D1 below it, start in 2026) and B2C (0) = 0,
    #     red; IE starts in 2026, so nothing funds it in FY2025: gap.
    #   E2 has no data of its own: its supporters B2A (5) and B2B (no data) give 5, yellow;
    #     no initiative: gap.
    #   B1B, D1, D3 have no data yet (their values are of 2026): not gaps. (D3 would be
    #     funded by IOLD in 2025 anyway.)
    report = alignment_report(org.ent, fiscal_year=2025, today=TODAY)
    gaps = {item.label.split()[0]: item.status for item in report.lists.unfunded_gaps}
    assert gaps == {"E1": "red", "E2": "yellow", "B2C": "red"}


def test_the_default_fiscal_year_is_the_one_containing_today(org):
    report = alignment_report(org.ent, today=TODAY)
    assert report.fiscal_year == 2026
    assert report.metrics == EXPECTED_2026["ENT"]
    assert current_fiscal_year(TODAY) == 2026


def test_a_future_fiscal_year_takes_statuses_as_of_today(org):
    report = alignment_report(org.ent, fiscal_year=2027, today=TODAY)
    assert report.status_month == d(2026, 11)
    assert report.metrics.budget_linkage == F(0)  # Next plant, 7000 unlinked: 0/7000
    # Running in 2027: the open-ended IB2 and ID, and IFUT; none linked: 0/3.
    assert report.metrics.initiative_linkage == F(0)
    assert report.metrics.data_timeliness is None  # nothing of 2027 is due yet
    assert report.metrics.goal_alignment == F(25, 3)  # Gus's 2027 goal: 1/12
    assert report.metrics.incentive_linkage is None
    # Gaps as of Nov 2026 with FY2027's initiatives (IFUT funds nothing): E1 and B2A lose
    # their funding.
    gaps = {item.label.split()[0] for item in report.lists.unfunded_gaps}
    assert gaps == {"E1", "E2", "B1B", "D1", "D3", "B2A"}


# Empty denominators ----------------------------------------------------------------------


def test_an_enterprise_with_nothing_in_it(db):
    ent = f.EnterpriseFactory()
    report = alignment_report(ent, fiscal_year=2026, today=TODAY)
    assert report.metrics == Metrics(*([None] * 9))
    assert [r.code for r in report.units] == ["ENT"]
    assert report.lists.not_cascaded == [] and report.lists.overdue_measures == []


def test_the_enterprises_objectives_alone_give_only_cascade_coverage(db):
    ent = f.EnterpriseFactory()
    f.OrgUnitFactory(code="BU", parent=ent)  # a unit below, with nothing in it
    e1 = f.ObjectiveFactory(unit=ent, code="E1")
    report = alignment_report(ent, fiscal_year=2026, today=TODAY)
    # The root's objectives are not in objective linkage's denominator: None, not 0.
    assert report.metrics.objective_linkage is None
    assert report.metrics.cascade_coverage == F(0)  # 0/1: not cascaded
    assert report.metrics.alignment_index == F(0)  # the only metric present
    assert ids(report.lists.not_cascaded) == {e1.pk}
    # BU is a leaf with nothing in it: every metric None.
    assert rows(report)["BU"].metrics == Metrics(*([None] * 9))


def test_a_lone_enterprise_is_a_leaf_without_cascade_coverage(db):
    # With no unit below it, the enterprise's objectives cannot be cascaded: cascade
    # coverage is None (not 0/1), nothing is "not cascaded", and no metric is left.
    ent = f.EnterpriseFactory()
    f.ObjectiveFactory(unit=ent, code="E1")
    report = alignment_report(ent, fiscal_year=2026, today=TODAY)
    assert report.metrics.cascade_coverage is None
    assert report.metrics.alignment_index is None  # nothing else has data
    assert report.lists.not_cascaded == []
    assert report.counts.leaf and report.counts.own_objectives == 1


def test_budget_lines_of_zero_planned_leave_budget_linkage_empty(db):
    ent = f.EnterpriseFactory()
    f.BudgetLineFactory(unit=ent, planned=Decimal("0.00"))
    report = alignment_report(ent, fiscal_year=2026, today=TODAY)
    assert report.metrics.budget_linkage is None
    assert report.metrics.stratex_share is None


# Data timeliness details -----------------------------------------------------------------


def test_a_new_measure_is_not_overdue_and_has_no_periods_due(db):
    # A measure owes values from the period it was created in (scoring.owes_from): created
    # on 20 Nov, its first period (November) is due 10 Dec, so on 27 Nov it owes nothing:
    # no period due (timeliness None) and not overdue, like on the dashboards.
    ent = f.EnterpriseFactory()
    bu = f.OrgUnitFactory(code="BU", parent=ent)
    measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=bu), code="NEW")
    created = timezone.make_aware(dt.datetime(2026, 11, 20, 12))
    Measure.objects.filter(pk=measure.pk).update(created_at=created)
    report = alignment_report(ent, fiscal_year=2026, today=TODAY)
    assert report.metrics.data_timeliness is None
    assert ids(report.lists.overdue_measures) == set()
    # Created on 20 Oct instead: October (due 10 Nov) is owed and missing: overdue, and
    # late (0 of 1 period on time).
    Measure.objects.filter(pk=measure.pk).update(created_at=created - dt.timedelta(days=31))
    report = alignment_report(ent, fiscal_year=2026, today=TODAY)
    assert report.metrics.data_timeliness == F(0)
    assert ids(report.lists.overdue_measures) == {measure.pk}


def test_timeliness_follows_the_first_entry_of_the_actual(db):
    ent = f.EnterpriseFactory()
    bu = f.OrgUnitFactory(code="BU", parent=ent)
    measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=bu), code="M")
    # Oct 2026 is due Nov 10. A target entered on Oct 1 is not an actual; the actual first
    # entered on Nov 11 is late, and a correction on Nov 20 does not change that.
    record(measure, d(2026, 10), d(2026, 10, 1))
    record(measure, d(2026, 10), d(2026, 11, 11), actual=100)
    record(measure, d(2026, 10), d(2026, 11, 20), actual=101)
    report = alignment_report(ent, fiscal_year=2026, today=TODAY)
    assert report.metrics.data_timeliness == F(0)  # 0/1
    # Move every entry to the evening of the due date itself: timely.
    MeasureValue.history.filter(measure_id=measure.pk).update(
        history_date=timezone.make_aware(dt.datetime(2026, 11, 10, 23, 0))
    )
    report = alignment_report(ent, fiscal_year=2026, today=TODAY)
    assert report.metrics.data_timeliness == F(100)  # 1/1
    # On the due date itself the period is not yet past: not counted at all.
    report = alignment_report(ent, fiscal_year=2026, today=d(2026, 11, 10))
    assert report.metrics.data_timeliness is None


# FISCAL_YEAR_START_MONTH = 4 ---------------------------------------------------------------


def test_fiscal_years_starting_in_april(db, settings):
    # FY2026 runs 2026-04-01 .. 2027-03-31; FY2025 runs 2025-04-01 .. 2026-03-31.
    settings.FISCAL_YEAR_START_MONTH = 4
    ent = f.EnterpriseFactory()
    bu = f.OrgUnitFactory(code="BU", parent=ent)
    objective = f.ObjectiveFactory(unit=bu, code="B1")
    # ENDED runs in FY2025 only; RUNNING in FY2026; LATE starts 2027-03-01, still FY2026.
    f.InitiativeFactory(unit=bu, code="ENDED", start=d(2025, 4), end=d(2026, 3, 31))
    f.InitiativeFactory(unit=bu, code="RUNNING", start=d(2026, 4), end=None)
    f.InitiativeFactory(
        unit=bu, code="LATE", start=d(2027, 3), end=d(2027, 12, 31), objectives=[objective]
    )
    measure = f.MeasureFactory(objective=objective, code="M")
    record(measure, d(2026, 2), d(2026, 3, 5), actual=100)  # due Mar 10 (FY2025): timely
    record(measure, d(2026, 3), d(2026, 4, 20), actual=100)  # due Apr 10 (FY2026): late
    record(measure, d(2026, 4), d(2026, 5, 1), actual=100)  # due May 10 (FY2026): timely
    # May 2026 (due Jun 10, FY2026): never entered, late. Jun (due Jul 10): not yet due.
    today = d(2026, 6, 30)

    report = alignment_report(ent, today=today)
    assert report.fiscal_year == 2026  # June is in the year that started in April 2026
    assert report.status_month == d(2026, 6)
    # RUNNING and LATE (linked) of FY2026: 1/2. (A calendar 2026 would hold ENDED and
    # RUNNING instead: 0/2.)
    assert report.metrics.initiative_linkage == F(50)
    # Mar (late), Apr (timely), May (late): 1/3. (Calendar 2026 would add Feb: 2/4.)
    assert report.metrics.data_timeliness == F(100, 3)

    report = alignment_report(ent, fiscal_year=2025, today=today)
    assert report.status_month == d(2026, 3)  # FY2025's last month
    assert report.metrics.initiative_linkage == F(0)  # ENDED only, not linked: 0/1
    assert report.metrics.data_timeliness == F(100)  # Feb only: 1/1

    assert current_fiscal_year(d(2026, 3, 31)) == 2025
    assert current_fiscal_year(d(2026, 4, 1)) == 2026


# Bounded work ------------------------------------------------------------------------------


def grow(org):
    """Add 10 units, 40 objectives (half cascaded), 100 active employees with goals and
    incentives, 40 budget lines, 20 initiatives and 20 measures with values."""
    units = [org.ent, org.bu1, org.bu2, org.sup, org.dep]
    for n in range(10):
        units.append(f.OrgUnitFactory(code=f"X{n}", parent=units[n % 5], kind=UnitKind.TEAM))
    new = units[5:]
    objectives = []
    for n in range(40):
        unit = new[n % 10]
        above = [o for o in org.o.values() if o.unit_id == unit.parent_id]
        supports = [above[0]] if n % 2 and above else []
        objectives.append(f.ObjectiveFactory(unit=unit, code=f"X{n}", supports=supports))
    for n in range(100):
        unit = new[n % 10]
        person = f.EmployeeFactory(unit=unit, active=n % 7 != 0)
        mine = [o for o in objectives if o.unit_id == unit.pk]
        f.GoalFactory(employee=person, objective=mine[0] if n % 3 else None)
        f.GoalFactory(employee=person, fiscal_year=2025)
        f.IncentiveComponentFactory(employee=person, objective=mine[1] if n % 2 else None)
    for n in range(20):
        unit = new[n % 10]
        mine = [o for o in objectives if o.unit_id == unit.pk]
        initiative = f.InitiativeFactory(unit=unit, objectives=[mine[n % 4]] if n % 2 else [])
        f.BudgetLineFactory(unit=unit, initiative=initiative, category=STRATEX)
        f.BudgetLineFactory(unit=unit, objective=mine[2] if n % 3 else None)
    for n, objective in enumerate(objectives[:20]):
        measure = f.MeasureFactory(objective=objective, code=f"XM{n}")
        for month in (8, 9, 10):
            record(measure, d(2026, month), d(2026, month + 1, 5 + n), actual=90 + n % 11)


def test_the_whole_enterprise_in_a_fixed_number_of_queries(org):
    # 15 queries on PostgreSQL, 14 elsewhere, whatever the size:
    #  1 the subtree's units; 2 its objectives (with "supports one" / "is supported" / "has
    #  a calculated or rollup measure"); 3 running initiatives (with "linked"); 4 objectives
    #  funded by a running initiative; objective statuses (alignment/statuses.py): 5 each
    #  entered measure's latest complete value (on PostgreSQL each objective's score from
    #  them, in floating point), 6 cascade links, 7 on PostgreSQL only, the values of the
    #  objectives to score exactly (on a threshold, or below one scored from the cascade);
    #  8 budget lines of the year (with "initiative linked"); 9 active employees per unit;
    #  10 those with no aligned goal; 11 incentive weights per unit; 12 components not
    #  linked; 13 entered measures (with their first period and whether the latest period
    #  due has an actual); 14 which due periods' actuals were first entered on time (from
    #  the history); 15 the closed awareness pulses covering a unit of the subtree (none
    #  here: with one, two more, see tests/alignment/test_strategy_awareness.py).
    # (Both organisations have due periods and no calculated or rollup measures; otherwise
    # 14 is skipped, resp. the engine's queries for those measures' objectives are added.)
    with CaptureQueriesContext(connection) as small:
        alignment_report(org.ent, fiscal_year=2026, today=TODAY)
    grow(org)
    with CaptureQueriesContext(connection) as large:
        big = alignment_report(org.ent, fiscal_year=2026, today=TODAY)
    assert len(big.units) == 15
    assert big.counts.employees > 12 + 80  # the growth did reach the figures
    assert len(small) == len(large), "\n".join(q["sql"][:120] for q in large.captured_queries)
    expected = 15 if connection.vendor == "postgresql" else 14
    assert len(small) == expected, "\n".join(q["sql"][:120] for q in small.captured_queries)
