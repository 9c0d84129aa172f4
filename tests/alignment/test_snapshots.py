"""Alignment snapshots: `alignment_snapshot_take` and `manage.py alignment_snapshot`.

The organisation is the one of `test_alignment_report` (its figures are worked out there);
here they are rounded half up to two places, as the snapshot stores them.
"""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from alignment.models import AlignmentSnapshot
from alignment.selectors import alignment_report
from alignment.services import alignment_snapshot_take
from budgets.services import budget_line_update
from core.clock import current_fiscal_year
from core.formatting import to_decimal
from tests import factories as f
from tests.alignment.test_alignment_report import TODAY, build_organisation

pytestmark = pytest.mark.django_db

FIELDS = (
    "objective_linkage",
    "cascade_coverage",
    "budget_linkage",
    "stratex_share",
    "initiative_linkage",
    "goal_alignment",
    "incentive_linkage",
    "data_timeliness",
    "alignment_index",
)


def D(text):
    return None if text is None else Decimal(text)


# FY2026 as of 2026-11-27, each exact figure of test_alignment_report rounded half up:
EXPECTED_2026 = {
    # 200/3 = 66.666..; 75; 70; 100/3 = 33.333..; 60; 175/3 = 58.333..; 800/13 = 61.538..;
    # 900/17 = 52.941..; 98230/1547 = 63.497..
    "ENT": ("66.67", "75.00", "70.00", "33.33", "60.00", "58.33", "61.54", "52.94", "63.50"),
    # 60; 50; 50; 100/7 = 14.285..; 100/3; 60; 60; 50; 1090/21 = 51.904..
    "BU1": ("60.00", "50.00", "50.00", "14.29", "33.33", "60.00", "60.00", "50.00", "51.90"),
    # 200/3; n/a (a leaf); 75; 0; 0; 200/3; 100; 100/3; 1025/18 = 56.944..
    "DEP": ("66.67", None, "75.00", "0.00", "0.00", "66.67", "100.00", "33.33", "56.94"),
    # 75; n/a (a leaf); 100; 50; 100; 100; n/a; 50; 425/5 = 85
    "BU2": ("75.00", None, "100.00", "50.00", "100.00", "100.00", None, "50.00", "85.00"),
    # only goal alignment 50 and incentive linkage 50; index 50
    "SUP": (None, None, None, None, None, "50.00", "50.00", None, "50.00"),
}


def figures(snapshot):
    return tuple(getattr(snapshot, name) for name in FIELDS)


def stored(fiscal_year=2026, taken_on=TODAY):
    return {
        s.unit.code: s
        for s in AlignmentSnapshot.objects.filter(fiscal_year=fiscal_year, taken_on=taken_on)
    }


@pytest.fixture
def org():
    return build_organisation()


def test_one_row_per_unit_with_the_rounded_metrics(org):
    saved = alignment_snapshot_take(fiscal_year=2026, today=TODAY)
    assert [s.unit.code for s in saved] == ["ENT", "BU1", "DEP", "BU2", "SUP"]
    assert AlignmentSnapshot.objects.count() == 5
    rows = stored()
    assert set(rows) == set(EXPECTED_2026)
    for code, expected in EXPECTED_2026.items():
        row = rows[code]
        row.refresh_from_db()
        assert figures(row) == tuple(D(v) for v in expected), code
        assert (row.fiscal_year, row.taken_on) == (2026, TODAY)


def test_the_snapshot_matches_the_report(org):
    alignment_snapshot_take(fiscal_year=2026, today=TODAY)
    report = alignment_report(org.ent, fiscal_year=2026, today=TODAY)
    rows = stored()
    for unit in report.units:
        exact = unit.metrics.as_dict()
        assert figures(rows[unit.code]) == tuple(to_decimal(exact[n]) for n in FIELDS)


def test_a_second_run_the_same_day_updates_the_days_rows(org):
    alignment_snapshot_take(fiscal_year=2026, today=TODAY)
    first = {code: s.pk for code, s in stored().items()}
    # Link Head office rent (ENT, 1000, unlinked) to E2: ENT's budget linkage becomes
    # (10500 + 1000) / 15000 = 230/3 = 76.666.. -> 76.67, and its index
    # (200/3 + 75 + 230/3 + 60 + 175/3 + 800/13 + 900/17) / 7 = 42730/663 = 64.449.. -> 64.45.
    budget_line_update(
        actor=None, instance=org.b["Head office rent"], data={"objective": org.o["E2"]}
    )
    saved = alignment_snapshot_take(fiscal_year=2026, today=TODAY)
    assert len(saved) == 5
    assert AlignmentSnapshot.objects.count() == 5  # no new rows
    rows = stored()
    assert {code: s.pk for code, s in rows.items()} == first  # the same rows, updated
    assert rows["ENT"].budget_linkage == Decimal("76.67")
    assert rows["ENT"].alignment_index == Decimal("64.45")
    # The line is ENT's own: the other units' subtrees did not change.
    assert figures(rows["BU1"]) == tuple(D(v) for v in EXPECTED_2026["BU1"])


def test_another_day_adds_rows(org):
    alignment_snapshot_take(fiscal_year=2026, today=TODAY)
    next_day = TODAY + dt.timedelta(days=1)
    alignment_snapshot_take(fiscal_year=2026, today=next_day)
    assert AlignmentSnapshot.objects.count() == 10
    assert set(stored(taken_on=next_day)) == set(EXPECTED_2026)
    # The first day's rows are kept as they were.
    assert figures(stored()["ENT"]) == tuple(D(v) for v in EXPECTED_2026["ENT"])


def test_another_fiscal_year_the_same_day_adds_rows(org):
    alignment_snapshot_take(fiscal_year=2026, today=TODAY)
    alignment_snapshot_take(fiscal_year=2025, today=TODAY)
    assert AlignmentSnapshot.objects.count() == 10
    # FY2025 of test_alignment_report: index (200/3 + 75 + 0 + 100 + 25/3 + 0 + 100) / 7 = 50;
    # goal alignment 25/3 = 8.333.. -> 8.33.
    ent = stored(fiscal_year=2025)["ENT"]
    assert (ent.alignment_index, ent.goal_alignment, ent.budget_linkage) == (
        Decimal("50.00"),
        Decimal("8.33"),
        Decimal("0.00"),
    )


def test_the_default_fiscal_year_is_todays(org):
    saved = alignment_snapshot_take(today=TODAY)
    assert {s.fiscal_year for s in saved} == {2026}


def test_a_units_subtree_only(org):
    saved = alignment_snapshot_take(fiscal_year=2026, today=TODAY, unit=org.bu1)
    assert [s.unit.code for s in saved] == ["BU1", "DEP"]
    assert figures(stored()["BU1"]) == tuple(D(v) for v in EXPECTED_2026["BU1"])


def test_no_enterprise_unit_takes_nothing(db):
    assert alignment_snapshot_take(fiscal_year=2026, today=TODAY) == []
    assert not AlignmentSnapshot.objects.exists()


# The management command ------------------------------------------------------------------


def test_command_with_a_fiscal_year(org):
    out = StringIO()
    call_command("alignment_snapshot", "--fiscal-year", "2025", stdout=out)
    today = timezone.localdate()
    rows = stored(fiscal_year=2025, taken_on=today)
    assert set(rows) == set(EXPECTED_2026)
    assert AlignmentSnapshot.objects.count() == 5
    # FY2025's figures do not depend on today once 2025 is over (every 2025 due date has
    # passed, statuses are as of Dec 2025): the index is 50, as worked out by hand.
    assert rows["ENT"].alignment_index == Decimal("50.00")
    assert f"FY2025 taken on {today}" in out.getvalue()
    assert "for 5 units; ENT alignment index 50.00%" in out.getvalue()
    # Run again the same day: still five rows.
    call_command("alignment_snapshot", "--fiscal-year", "2025", stdout=StringIO())
    assert AlignmentSnapshot.objects.count() == 5


def test_command_defaults_to_the_current_fiscal_year(org):
    call_command("alignment_snapshot", stdout=StringIO())
    assert set(AlignmentSnapshot.objects.values_list("fiscal_year", flat=True)) == {
        current_fiscal_year()
    }
    assert AlignmentSnapshot.objects.count() == 5


@pytest.mark.parametrize("year", ["99", "1899", "3000"])
def test_command_refuses_an_implausible_fiscal_year_and_writes_nothing(org, year):
    with pytest.raises(CommandError, match="between 1900 and 2999"):
        call_command("alignment_snapshot", "--fiscal-year", year, stdout=StringIO())
    assert not AlignmentSnapshot.objects.exists()


def test_command_without_an_enterprise_unit(db):
    with pytest.raises(CommandError, match="no enterprise unit"):
        call_command("alignment_snapshot", stdout=StringIO())
    assert not AlignmentSnapshot.objects.exists()


def test_command_with_a_lone_enterprise_reports_na(db):
    f.EnterpriseFactory()
    out = StringIO()
    call_command("alignment_snapshot", "--fiscal-year", "2026", stdout=out)
    (row,) = AlignmentSnapshot.objects.all()
    assert figures(row) == (None,) * 9
    assert "ENT alignment index n/a%" in out.getvalue()
