"""The budget sums (budgets.selectors) by hand, against alignment's budget linkage, and
the split chart (budgets.charts)."""

from decimal import Decimal
from fractions import Fraction
from itertools import cycle

import pytest

from alignment.selectors import alignment_report
from budgets.charts import category_split
from budgets.choices import BudgetCategory
from budgets.selectors import budget_summary, share, tree_order, unlinked_lines
from initiatives.choices import InitiativeStatus
from scorecards.choices import UnitKind
from tests import factories as f

from .conftest import CAPEX, OPEX, STRATEX

pytestmark = pytest.mark.django_db


def test_sums_of_a_subtree_by_hand(org):
    s = budget_summary(org.bu, 2026)
    # OPEX Rent 300 + Ads 200 = 500 planned, 250 + 100 = 350 spent, Ads' 200 linked
    assert (s.by_category[OPEX].planned, s.by_category[OPEX].actual) == (500, 350)
    assert s.by_category[OPEX].planned_linked == 200
    # CAPEX Machine 400 / 350.50, linked (GROW); STRATEX Push 500 + Pilot 100 = 600 planned,
    # 400 + 20 = 420 spent, Push's 500 linked (its initiative advances SELL)
    assert (s.by_category[CAPEX].planned, s.by_category[CAPEX].actual) == (400, Decimal("350.50"))
    assert (s.by_category[STRATEX].planned, s.by_category[STRATEX].planned_linked) == (600, 500)
    # totals: 1,500 planned, 1,120.50 spent, 1,100 linked -> 1100/1500 = 220/3 %;
    # STRATEX 600/1500 = 40 %
    assert (s.total.planned, s.total.actual) == (1500, Decimal("1120.50"))
    assert isinstance(s.total.actual, Decimal)
    assert s.linked_share == Fraction(220, 3) and s.stratex_share == 40
    assert (s.total.lines, s.total.lines_unlinked) == (5, 2)  # Rent and Pilot
    # each unit, own lines: BU 1,000 planned (700 linked), D1 500 (400 linked)
    assert [(u.code, u.depth, u.total.planned, u.total.planned_linked) for u in s.units] == [
        ("BU", 0, 1000, 700),
        ("D1", 1, 500, 400),
    ]
    assert [line.label for line in unlinked_lines(org.bu, 2026)] == ["Rent", "Pilot"]


def test_the_same_figures_as_alignment(org):
    for unit in (org.ent, org.bu, org.d1, org.s1):
        for year in (2025, 2026, 2027):
            ours = budget_summary(unit, year)
            report = alignment_report(unit, fiscal_year=year)
            assert ours.linked_share == report.metrics.budget_linkage, (unit.code, year)
            assert ours.stratex_share == report.metrics.stratex_share, (unit.code, year)
    # ACME 2026: (1,100 + HQ 500) / (1,500 + Payroll 1,000 + HQ 500) = 1600/3000 = 160/3 %
    assert budget_summary(org.ent, 2026).linked_share == Fraction(160, 3)
    # nothing planned: no share at all (not 0 %)
    assert budget_summary(org.s1, 2027).linked_share is None


@pytest.fixture
def demo_like():
    """The demo's budget shapes (devtools/demo/builder.py create_budgets) on a smaller company:
    two years; staff costs per unit, never linked; template lines, some on an objective,
    half of those links missing the year before; STRATEX for each initiative with a
    budget running in the year, CAPEX for a capital one; a cancelled initiative still
    funded; an initiative advancing nothing; one advancing its parent unit's objective;
    a line naming both an objective and an initiative advancing nothing."""
    ent = f.EnterpriseFactory(code="MER", name="Meridian")
    ind = f.OrgUnitFactory(code="IND", parent=ent)
    mfg = f.OrgUnitFactory(code="IND_MFG", parent=ind, kind=UnitKind.DEPARTMENT)
    sal = f.OrgUnitFactory(code="IND_SAL", parent=ind, kind=UnitKind.DEPARTMENT)
    hr = f.OrgUnitFactory(code="HR", parent=ent, kind=UnitKind.SUPPORT)
    tal = f.OrgUnitFactory(code="HR_TAL", parent=hr, kind=UnitKind.DEPARTMENT)
    units = [ent, ind, mfg, sal, hr, tal]
    top = f.ObjectiveFactory(unit=ent, code="F_GROW")
    obj = {ent.code: top}
    for unit in units[1:]:
        obj[unit.code] = f.ObjectiveFactory(unit=unit, code="P_MAIN", supports=[top])
    plans = [  # unit, code, objectives, status, budget, capex
        (ind, "DIGI", [obj["IND"]], InitiativeStatus.ACTIVE, "420000", False),
        (mfg, "PRESS", [obj["IND_MFG"]], InitiativeStatus.ACTIVE, "900000", True),
        (mfg, "LEAN", [obj["IND"]], InitiativeStatus.ACTIVE, "310000", False),  # parent's
        (sal, "CRM", [], InitiativeStatus.PROPOSED, "150000", False),  # advances nothing
        (tal, "BRAND", [obj["HR_TAL"]], InitiativeStatus.CANCELLED, "200000", False),
        (hr, "ZBB", [obj["HR"]], InitiativeStatus.PROPOSED, None, False),  # no budget
    ]
    initiatives = [
        (f.InitiativeFactory(unit=u, code=c, objectives=o, status=s), b, capex)
        for u, c, o, s, b, capex in plans
    ]
    templates = [
        (ent, OPEX, "Corporate functions", "1400000", None),
        (ent, OPEX, "Strategy office", "240000", obj["MER"]),
        (ind, OPEX, "Trade fairs", "380000", obj["IND"]),
        (mfg, OPEX, "Energy", "1900000", None),
        (mfg, CAPEX, "Press line", "2400000", obj["IND_MFG"]),
        (sal, OPEX, "Travel", "260000", None),
        (hr, OPEX, "Payroll systems", "210000", None),
        (tal, OPEX, "Recruiting agencies", "330000", obj["HR_TAL"]),
        (tal, OPEX, "Employer fairs", "90000", obj["IND"]),  # an objective of another branch
    ]
    headcount = cycle([12, 40, 25, 8, 6, 5])
    for year, scale in ((2025, Decimal("0.96")), (2026, Decimal("1"))):
        for unit in units:
            planned = (next(headcount) * 78000 * scale).quantize(Decimal("1"))
            f.BudgetLineFactory(unit=unit, fiscal_year=year, label="Staff costs",
                                planned=planned, actual=planned * Decimal("0.8"))  # fmt: skip
        for index, (unit, category, label, amount, objective) in enumerate(templates):
            if year == 2025 and index % 2:
                objective = None  # half of these links were only made this year
            f.BudgetLineFactory(unit=unit, fiscal_year=year, category=category, label=label,
                                planned=Decimal(amount) * scale, objective=objective)  # fmt: skip
        for initiative, budget, capex in initiatives:
            if budget:
                f.BudgetLineFactory(
                    unit=initiative.unit, fiscal_year=year, label=initiative.code,
                    category=BudgetCategory.CAPEX if capex else BudgetCategory.STRATEX,
                    planned=Decimal(budget) * scale, initiative=initiative,
                )  # fmt: skip
        # named both: linked by its objective although its initiative advances nothing
        f.BudgetLineFactory(unit=sal, fiscal_year=year, category=STRATEX, label="CRM seats",
                            planned=Decimal("75000.50"), objective=obj["IND_SAL"],
                            initiative=initiatives[3][0])  # fmt: skip
    return units


def test_the_same_figures_as_alignment_on_a_demo_like_company(demo_like):
    seen = set()
    for unit in demo_like:
        for year in (2024, 2025, 2026):
            ours = budget_summary(unit, year)
            report = alignment_report(unit, fiscal_year=year)
            assert ours.linked_share == report.metrics.budget_linkage, (unit.code, year)
            assert ours.stratex_share == report.metrics.stratex_share, (unit.code, year)
            assert ours.total.planned == report.counts.planned
            assert {line.pk for line in unlinked_lines(unit, year)} == {
                item.id for item in report.lists.unlinked_budget_lines
            }
            seen.add(ours.linked_share)
    assert None in seen and len(seen) > 10  # the comparison covered many different figures


def test_share():
    assert share(Decimal("1"), Decimal("3")) == Fraction(100, 3)
    assert share(Decimal("0"), Decimal("5")) == 0
    assert share(Decimal("0"), Decimal("0")) is None


def test_tree_order_depth_first_children_by_code():
    units = [
        {"id": 1, "code": "TOP", "parent_id": None},
        {"id": 2, "code": "B", "parent_id": 1},
        {"id": 3, "code": "A", "parent_id": 1},
        {"id": 4, "code": "A2", "parent_id": 3},
    ]
    assert [(u["code"], depth) for u, depth in tree_order(units, 1)] == [
        ("TOP", 0),
        ("A", 1),
        ("A2", 2),
        ("B", 1),
    ]
    # a subtree's top keeps its parent id: it is still the top
    sub = [{"id": 3, "code": "A", "parent_id": 1}, {"id": 4, "code": "A2", "parent_id": 3}]
    assert [(u["code"], depth) for u, depth in tree_order(sub, 3)] == [("A", 0), ("A2", 1)]


def test_the_split_chart():
    figure = category_split(
        [
            ("OPEX", Decimal("500.00"), Decimal("350.00")),
            ("STRATEX", Decimal("0"), Decimal("0.05")),
        ],
        "BU, FY2026",
    )
    planned, actual = figure["data"]
    assert (planned["name"], actual["name"]) == ("Planned", "Actual")
    assert planned["x"] == ["OPEX", "STRATEX"]
    assert list(planned["y"]) == [500.0, 0.0] and list(actual["y"]) == [350.0, 0.05]
    assert list(actual["text"]) == ["350", "0.05"]
    assert figure["layout"]["barmode"] == "group"
    assert figure["layout"]["title"]["text"] == "BU, FY2026"
