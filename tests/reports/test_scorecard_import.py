"""The scorecard workbook (issue 16 item 5): a template with an Instructions sheet and the
sheets Objectives, Arrows, Measures and Targets; importing it into a unit previews what it
would create, change and refuse, then applies all or nothing; codes match what the unit has,
so a second import updates instead of duplicating; the demo company's IND scorecard exported
and imported into an empty unit is the same scorecard.

Workbooks are built here with openpyxl as a person's spreadsheet would hold them. Today is
27 November 2026; the fiscal year starts in January (the test settings).
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from core.roles import EXECUTIVE, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from core.xlsx import XLSX
from reports.scorecard_import import import_scorecard
from reports.scorecard_workbook import definition_workbook
from scorecards import services
from scorecards.choices import PeriodStatus, UnitKind
from scorecards.models import (
    CascadeLink,
    CauseEffect,
    Measure,
    MeasureValue,
    Objective,
    OrgUnit,
    ReportingPeriod,
    Theme,
)
from scorecards.periods import closing_month
from tests import factories as f
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
D = Decimal
NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
HEADERS = {
    "Objectives": [
        "code", "name", "perspective", "theme", "weight", "owner", "supports", "description",
    ],
    "Arrows": ["cause", "effect", "rationale"],
    "Measures": [
        "code", "objective", "name", "unit_label", "polarity", "frequency", "aggregation",
        "weight", "tolerance", "decimal_places", "min_value", "max_value", "baseline", "owner",
        "formula", "rollup", "sources", "description",
    ],
    "Targets": ["measure", "period", "target", "red_flag"],
}  # fmt: skip
ZERO = {"themes": 0, "objectives": 0, "links": 0, "measures": 0, "targets": 0}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def world():
    """ACME (the enterprise) with two objectives and a theme "Digital"; BU below it, empty,
    headed by `head`; OTHER beside it headed by `other_head`; an OSM staff member."""
    top_head = f.UserFactory(username="boss", roles=[UNIT_HEAD])
    acme = f.EnterpriseFactory(code="ACME", head=top_head)
    f.ObjectiveFactory(unit=acme, code="GROW", perspective=f.PerspectiveFactory(name="Financial"))
    f.ObjectiveFactory(unit=acme, code="SAT", perspective=f.PerspectiveFactory(name="Customer"))
    f.ThemeFactory(unit=acme, name="Digital")
    head = f.UserFactory(username="ann", roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", name="Business", parent=acme, head=head)
    other_head = f.UserFactory(username="olga", roles=[UNIT_HEAD])
    other = f.OrgUnitFactory(code="OTHER", parent=acme, head=other_head)
    staff = f.UserFactory(username="osm", roles=[OSM_STAFF])
    return {
        "acme": acme, "bu": bu, "other": other, "head": head, "other_head": other_head,
        "top_head": top_head, "staff": staff,
    }  # fmt: skip


def good_rows() -> dict[str, list[list]]:
    """A small scorecard for BU: two objectives (one on a new theme), an arrow, four
    measures (one calculated from two others, one quarterly) and five targets."""
    return {
        "Objectives": [
            ["F_REV", "Grow revenue", "Financial", "Digital", 2, "ann", "ACME.GROW", "Top line"],
            ["C_KEY", "Keep key accounts", "Customer", "Intimacy", None, None, "ACME.SAT", None],
        ],
        "Arrows": [["C_KEY", "F_REV", "Key accounts drive volume."]],
        "Measures": [
            ["MARGIN", "F_REV", "Gross margin", "%", "increase", "monthly", "average", 1, None,
             1, None, None, None, None, "(REV - COST) / REV * 100", None, None, None],
            ["REV", "F_REV", "Revenue", "EUR k", "increase", "monthly", "sum", 2, 0.08, 0,
             None, None, 3800, "ann", None, "none", None, "Invoiced"],
            ["COST", "F_REV", "Cost of sales", "EUR k", "decrease", "monthly", "sum", 1, "5%",
             0, 0, None, None, None, None, None, None, None],
            ["WALLET", "C_KEY", "Share of wallet", "%", "increase", "quarterly", "last", 1, None,
             None, None, None, None, None, None, None, None, None],
        ],
        "Targets": [
            ["REV", "2026-11", 4000, 3600],
            ["REV", "2026-12", 4100, None],
            ["COST", dt.datetime(2026, 11, 1), 2900, 3100],
            ["MARGIN", "2026-11", 27.5, None],
            ["WALLET", "2026-10", 35, 30],
        ],
    }  # fmt: skip


def workbook(rows: dict[str, list[list]] | None = None, headers=None, drop=()) -> bytes:
    """An .xlsx with an Instructions sheet then the four sheets (`drop`: sheets left out)."""
    rows = good_rows() if rows is None else rows
    headers = {**HEADERS, **(headers or {})}
    book = Workbook()
    book.active.title = "Instructions"
    book.active.append(["Made by hand"])
    for sheet, header in headers.items():
        if sheet in drop:
            continue
        page = book.create_sheet(sheet)
        for number, values in enumerate([header, *rows.get(sheet, [])], start=1):
            for column, value in enumerate(values, start=1):
                written = page.cell(number, column, value)
                if isinstance(value, str):
                    written.data_type = "s"  # typed as text (a leading "=" too)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def changed(sheet: str, row: int, column: int, value) -> bytes:
    """The good workbook with one cell changed (`row` as in the sheet: the header is 1)."""
    rows = good_rows()
    rows[sheet][row - 2][column] = value
    return workbook(rows)


def scorecard(unit) -> dict:
    """What defines `unit`'s scorecard, as comparable tuples (codes, not ids)."""
    objectives = {
        o.code: (o.name, o.perspective.name, o.theme.name if o.theme else None, o.weight,
                 o.owner.username if o.owner else None, o.description,
                 tuple(sorted(f"{s.unit.code}.{s.code}" for s in o.supports.all())))
        for o in Objective.objects.filter(unit=unit)
    }  # fmt: skip
    arrows = {
        (a.cause.code, a.effect.code, a.rationale)
        for a in CauseEffect.objects.filter(cause__unit=unit)
    }
    fields = [
        "name", "unit_label", "polarity", "frequency", "aggregation", "weight", "tolerance",
        "decimal_places", "min_value", "max_value", "baseline", "formula", "rollup",
        "description",
    ]  # fmt: skip
    measures = {
        m.code: (m.objective.code, m.owner.username if m.owner else None,
                 tuple(sorted(f"{s.unit.code}.{s.code}" for s in m.sources.all())),
                 *(getattr(m, name) for name in fields))
        for m in Measure.objects.filter(unit=unit)
    }  # fmt: skip
    targets = {
        (v.measure.code, v.period, v.target, v.red_flag)
        for v in MeasureValue.objects.filter(measure__unit=unit).select_related("measure")
        if v.target is not None or v.red_flag is not None
    }
    return {"objectives": objectives, "arrows": arrows, "measures": measures, "targets": targets}


def post(client, unit, body: bytes, *, dry_run=False):
    url = f"/api/v1/units/{unit.pk}/scorecard-import/" + ("?dry_run=1" if dry_run else "")
    return client.post(url, body, content_type=XLSX)


def where(errors) -> list[tuple]:
    return [(e["sheet"], e["row"], e["field"]) for e in errors]


# Importing ------------------------------------------------------------------------------------


def test_a_good_workbook_creates_the_whole_scorecard(world):
    bu, head = world["bu"], world["head"]
    result = import_scorecard(bu, workbook(), head, dry_run=False)
    assert result.errors == [] and result.applied
    assert result.create == {"themes": 1, "objectives": 2, "links": 1, "measures": 4, "targets": 5}
    assert result.update == ZERO
    card = scorecard(bu)
    assert card["objectives"] == {
        "F_REV": ("Grow revenue", "Financial", "Digital", D(2), "ann", "Top line",
                  ("ACME.GROW",)),
        "C_KEY": ("Keep key accounts", "Customer", "Intimacy", D(1), None, "", ("ACME.SAT",)),
    }  # fmt: skip
    # "Digital" is ACME's theme (a unit above); "Intimacy" was new: created in BU.
    assert Theme.objects.get(name="Intimacy").unit == bu
    assert Theme.objects.filter(name="Digital").count() == 1
    assert card["arrows"] == {("C_KEY", "F_REV", "Key accounts drive volume.")}
    rev, cost, margin, wallet = (card["measures"][c] for c in ("REV", "COST", "MARGIN", "WALLET"))
    # objective, owner, sources, name, label, polarity, frequency, aggregation, weight,
    # tolerance, places, min, max, baseline, formula, rollup, description
    assert rev == ("F_REV", "ann", (), "Revenue", "EUR k", "increase", "monthly", "sum", D(2),
                   D("0.08"), 0, None, None, D(3800), None, "none", "Invoiced")  # fmt: skip
    assert cost[7:11] == ("sum", D(1), D("0.05"), 0)  # "5%" is 0.05
    assert cost[11] == D(0)  # min_value 0
    assert margin[14] == "(REV - COST) / REV * 100" and margin[5] == "increase"
    assert wallet[6] == "quarterly" and wallet[9] == D("0.10")  # the default tolerance
    assert card["targets"] == {
        ("REV", NOV, D(4000), D(3600)),
        ("REV", DEC, D(4100), None),
        ("COST", NOV, D(2900), D(3100)),
        ("MARGIN", NOV, D("27.5"), None),
        ("WALLET", dt.date(2026, 10, 1), D(35), D(30)),
    }
    # The calculated measure reads its inputs (resolved by the service).
    assert sorted(Measure.objects.get(code="MARGIN").input_links.values_list(
        "input__code", flat=True)) == ["COST", "REV"]  # fmt: skip


def test_the_dry_run_writes_nothing_and_says_what_it_would_do(world):
    bu = world["bu"]
    before = (Objective.objects.count(), Measure.objects.count(), Theme.objects.count())
    result = import_scorecard(bu, workbook(), world["head"], dry_run=True)
    assert not result.applied and result.errors == []
    assert result.create == {"themes": 1, "objectives": 2, "links": 1, "measures": 4, "targets": 5}
    assert (Objective.objects.count(), Measure.objects.count(), Theme.objects.count()) == before
    assert not MeasureValue.objects.exists()


def test_a_second_import_of_the_same_file_changes_nothing(world):
    bu, head = world["bu"], world["head"]
    import_scorecard(bu, workbook(), head, dry_run=False)
    before = scorecard(bu)
    result = import_scorecard(bu, workbook(), head, dry_run=False)
    assert result.errors == []
    assert result.create == ZERO and result.update == ZERO
    assert result.unchanged == {
        "themes": 0, "objectives": 2, "links": 1, "measures": 4, "targets": 5,
    }  # fmt: skip
    assert scorecard(bu) == before
    assert Objective.objects.filter(unit=bu).count() == 2


def test_a_renamed_objective_is_updated_not_duplicated(world):
    bu, head = world["bu"], world["head"]
    import_scorecard(bu, workbook(), head, dry_run=False)
    f_rev = Objective.objects.get(unit=bu, code="F_REV")
    result = import_scorecard(bu, changed("Objectives", 2, 1, "Grow revenue fast"), head,
                              dry_run=False)  # fmt: skip
    assert result.errors == []
    assert result.create == ZERO
    assert result.update == {**ZERO, "objectives": 1}
    assert [(s.label, s.changes) for s in result.changes] == [
        ("F_REV", [("name", "Grow revenue", "Grow revenue fast")])
    ]
    f_rev.refresh_from_db()
    assert f_rev.name == "Grow revenue fast"
    assert Objective.objects.filter(unit=bu).count() == 2


def test_a_second_file_changes_exactly_what_differs(world):
    bu, head = world["bu"], world["head"]
    import_scorecard(bu, workbook(), head, dry_run=False)
    rows = good_rows()
    rows["Objectives"][1][6] = "ACME.SAT; ACME.GROW"  # C_KEY supports one more
    rows["Objectives"][1][3] = "Digital"  # and moves to ACME's theme
    rows["Arrows"][0][2] = "Loyal accounts buy more."
    rows["Measures"][0][4] = "decrease"  # MARGIN: no red flag stored, so it may
    rows["Measures"][0][12] = 28  # and gets a baseline
    rows["Targets"][1][2] = 4150  # REV December
    result = import_scorecard(bu, workbook(rows), head, dry_run=False)
    assert result.errors == [], result.errors
    assert result.create == ZERO
    assert result.update == {**ZERO, "objectives": 1, "links": 1, "measures": 1, "targets": 1}
    assert [(s.label, s.changes) for s in result.changes] == [
        ("C_KEY", [("theme", "Intimacy", "Digital"),
                   ("supports", "ACME.SAT", "ACME.GROW; ACME.SAT")]),
        ("C_KEY → F_REV", [("rationale", "Key accounts drive volume.",
                            "Loyal accounts buy more.")]),
        ("MARGIN", [("polarity", "increase", "decrease"), ("baseline", "", "28")]),
        ("REV 2026-12", [("target", "4100", "4150")]),
    ]  # fmt: skip
    card = scorecard(bu)
    assert card["objectives"]["C_KEY"][2] == "Digital"
    assert card["objectives"]["C_KEY"][6] == ("ACME.GROW", "ACME.SAT")
    assert card["arrows"] == {("C_KEY", "F_REV", "Loyal accounts buy more.")}
    assert card["measures"]["MARGIN"][5] == "decrease" and card["measures"]["MARGIN"][13] == 28
    assert ("REV", DEC, D(4150), None) in card["targets"]


# Refusals: every kind, with its sheet, row and column; nothing written ---------------------


def cell(sheet, row, column, value):
    def change(rows):
        rows[sheet][row - 2][column] = value

    return change


def append(sheet, row):
    def change(rows):
        rows[sheet].append(row)

    return change


def both(*changes):
    def change(rows):
        for one in changes:
            one(rows)

    return change


OBJECTIVE = ["X_NEW", "New one", "Financial", None, 1, None, None, None]
MEASURE = ["REV", "F_REV", "Again", None, None, None, None, None, None, None, None, None, None,
           None, None, None, None, None]  # fmt: skip
REFUSALS = {
    # Objectives: code, name, perspective, theme, weight, owner, supports
    "objective code": (append("Objectives", ["9X", *OBJECTIVE[1:]]), ("Objectives", 4, "code"),
                       "A code starts with a letter"),
    "objective code twice": (append("Objectives", ["F_REV", *OBJECTIVE[1:]]),
                             ("Objectives", 4, "code"), "Row 2 already defines the objective"),
    "objective name": (cell("Objectives", 3, 1, None), ("Objectives", 3, "name"),
                       "This field cannot be blank."),
    "perspective": (cell("Objectives", 2, 2, "Finance"), ("Objectives", 2, "perspective"),
                    "“Finance” is not a perspective"),
    "theme too long": (cell("Objectives", 2, 3, "T" * 201), ("Objectives", 2, "theme"),
                       "at most 200 characters"),
    "weight zero": (cell("Objectives", 2, 4, 0), ("Objectives", 2, "weight"),
                    "The weight must be positive."),
    "weight text": (cell("Objectives", 2, 4, "heavy"), ("Objectives", 2, "weight"),
                    "'heavy' is not a number."),
    "owner": (cell("Objectives", 2, 5, "nobody"), ("Objectives", 2, "owner"),
              "No active user has the username “nobody”."),
    "supports unknown": (cell("Objectives", 2, 6, "ACME.GROW; ACME.NOPE"),
                         ("Objectives", 2, "supports"), "ACME.NOPE: an objective supports"),
    "supports a sibling": (cell("Objectives", 2, 6, "OTHER.X"), ("Objectives", 2, "supports"),
                           "OTHER.X: an objective supports objectives of the units above BU"),
    # Arrows
    "arrow end": (cell("Arrows", 2, 0, "NOPE"), ("Arrows", 2, "cause"),
                  "NOPE is not an objective of BU"),
    "arrow to itself": (cell("Arrows", 2, 1, "C_KEY"), ("Arrows", 2, "effect"),
                        "Cause and effect must be two different objectives."),
    "arrow twice": (append("Arrows", ["C_KEY", "F_REV", None]), ("Arrows", 3, "effect"),
                    "Row 2 already draws the arrow C_KEY → F_REV."),
    # Measures (rows: 2 MARGIN, 3 REV, 4 COST, 5 WALLET)
    "measure code twice": (append("Measures", MEASURE), ("Measures", 6, "code"),
                           "Row 3 already defines the measure REV."),
    "measure objective": (cell("Measures", 4, 1, "NOPE"), ("Measures", 4, "objective"),
                          "NOPE is not an objective of BU"),
    "polarity": (cell("Measures", 3, 4, "up"), ("Measures", 3, "polarity"),
                 "“up” is not one of: increase, decrease."),
    "frequency": (cell("Measures", 5, 5, "weekly"), ("Measures", 5, "frequency"),
                  "“weekly” is not one of: monthly, quarterly, annual."),
    "measure weight": (cell("Measures", 4, 7, -1), ("Measures", 4, "weight"),
                       "The weight must be positive."),
    "tolerance": (cell("Measures", 4, 8, 2), ("Measures", 4, "tolerance"),
                  "The tolerance is a fraction between 0 and 1."),
    "decimal places": (cell("Measures", 5, 9, 9), ("Measures", 5, "decimal_places"),
                       "A measure has at most 6 decimal places."),
    "range": (both(cell("Measures", 5, 10, 10), cell("Measures", 5, 11, 5)),
              ("Measures", 5, "max_value"), "must not be above the highest"),
    "formula syntax": (cell("Measures", 2, 14, "(REV - COST"), ("Measures", 2, "formula"),
                       "Syntax error"),
    "formula code": (cell("Measures", 2, 14, "REV + NOPE"), ("Measures", 2, "formula"),
                     "Unknown measure code(s): BU.NOPE."),
    "formula frequency": (cell("Measures", 2, 14, "REV + WALLET"), ("Measures", 2, "formula"),
                          "Inputs must share the measure's frequency (monthly): BU.WALLET"),
    "formula and rollup": (cell("Measures", 2, 15, "sum"), ("Measures", 2, "rollup"),
                           "A measure is either calculated or a rollup, not both."),
    "sources without rollup": (cell("Measures", 3, 16, "OTHER.X"), ("Measures", 3, "sources"),
                               "Only a rollup measure has sources"),
    "sources not below": (both(cell("Measures", 3, 15, "sum"), cell("Measures", 3, 16, "OTHER.X")),
                          ("Measures", 3, "sources"),
                          "OTHER.X: rollup sources must be measures of units below BU."),
    # Targets (rows: 2 REV Nov, 3 REV Dec, 4 COST Nov, 5 MARGIN Nov, 6 WALLET Q4)
    "target measure": (cell("Targets", 2, 0, "NOPE"), ("Targets", 2, "measure"),
                       "NOPE is not a measure of BU"),
    "period text": (cell("Targets", 2, 1, "November"), ("Targets", 2, "period"),
                    "is not a period"),
    "period of a quarter": (cell("Targets", 6, 1, "2026-11"), ("Targets", 6, "period"),
                            "WALLET is quarterly"),
    "red flag side": (cell("Targets", 2, 3, 4200), ("Targets", 2, "red_flag"),
                      "the red flag must not be above the target"),
    "no figure": (cell("Targets", 3, 2, None), ("Targets", 3, "target"),
                  "Give the period's target, its red flag or both."),
    "target twice": (append("Targets", ["REV", "2026-11", 1, None]), ("Targets", 7, "period"),
                     "Row 2 already gives REV for 2026-11-01."),
    "decimals": (cell("Targets", 2, 2, 4000.5), ("Targets", 2, "target"),
                 "REV is written in whole numbers"),
    "percent range": (cell("Targets", 5, 2, 127.5), ("Targets", 5, "target"),
                      "MARGIN takes values from 0 to 100"),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_refused_row_is_named_and_nothing_is_written(world, case):
    change, expected, message = REFUSALS[case]
    rows = good_rows()
    change(rows)
    body = workbook(rows)
    for dry_run in (True, False):
        result = import_scorecard(world["bu"], body, world["head"], dry_run=dry_run)
        assert where(result.errors) == [expected], result.errors
        assert message in result.errors[0]["message"]
        assert not result.applied
    assert not Objective.objects.filter(unit=world["bu"]).exists()
    assert not Theme.objects.filter(unit=world["bu"]).exists()
    assert not MeasureValue.objects.exists()


def test_a_cycle_of_formulas_is_refused_at_both_rows(world):
    result = import_scorecard(world["bu"], changed("Measures", 3, 14, "MARGIN * 10"),
                              world["head"], dry_run=True)  # fmt: skip
    assert where(result.errors) == [("Measures", 2, "formula"), ("Measures", 3, "formula")]
    assert result.errors[0]["message"] == (
        "This would make a cycle of measures reading each other: BU.MARGIN → BU.REV → BU.MARGIN."
    )


# What stored data forbids; closed months -------------------------------------------------------


@pytest.fixture
def imported(world):
    """BU's scorecard from the good workbook, with REV's November actual entered."""
    import_scorecard(world["bu"], workbook(), world["head"], dry_run=False)
    rev = Measure.objects.get(unit=world["bu"], code="REV")
    services.measure_value_record(measure=rev, period=NOV, actual=D(4100), actor=None)
    return world


STORED_RULES = {
    # (Measures row, column, value, the column refused, message, the service's data); rows:
    # 3 REV (read by MARGIN's formula, an actual and red flags stored), 5 WALLET (a target)
    "objective": (3, 1, "C_KEY", "objective", "REV measures F_REV: a measure stays with its "
                  "objective. Create a new measure under C_KEY instead.", None),
    "frequency read": (3, 5, "quarterly", "frequency", "The formulas of BU.MARGIN read REV; "
                       "change them before changing its frequency.", {"frequency": "quarterly"}),
    "frequency with values": (5, 5, "monthly", "frequency", "WALLET already has quarterly "
                              "values; their periods would no longer fit.",
                              {"frequency": "monthly"}),
    "polarity": (3, 4, "decrease", "polarity", "REV has red flags set for its old polarity",
                 {"polarity": "decrease"}),
    "calculated": (3, 14, "COST * 2", "formula", "REV has entered actuals; clear them before "
                   "making it calculated or a rollup.", {"formula": "COST * 2"}),
}  # fmt: skip
DEFINING = ("objective_id", "frequency", "polarity", "formula")


@pytest.mark.parametrize("case", STORED_RULES, ids=list(STORED_RULES))
def test_what_a_measure_with_data_may_not_change_is_refused_as_the_service_does(imported, case):
    row, column, value, refused, message, data = STORED_RULES[case]
    code = good_rows()["Measures"][row - 2][0]
    measure = Measure.objects.get(unit=imported["bu"], code=code)
    before = [getattr(measure, name) for name in DEFINING]
    result = import_scorecard(imported["bu"], changed("Measures", row, column, value),
                              imported["head"], dry_run=False)  # fmt: skip
    assert where(result.errors) == [("Measures", row, refused)]
    assert message in result.errors[0]["message"]
    measure.refresh_from_db()
    assert [getattr(measure, name) for name in DEFINING] == before
    if data is not None:  # the same words as the measure's own form and API
        with pytest.raises(ValidationError) as refusal:
            services.measure_update(actor=imported["head"], instance=measure, data=data)
        assert result.errors[0]["message"] in refusal.value.messages


def test_a_closed_month_refuses_a_target_change_but_not_a_target_as_stored(imported):
    bu, head = imported["bu"], imported["head"]
    october = append("Targets", ["REV", "2026-10", 3900, None])
    rows = good_rows()
    october(rows)
    assert import_scorecard(bu, workbook(rows), head, dry_run=False).errors == []
    services.month_close(actor=imported["staff"], month=dt.date(2026, 10, 1))
    again = import_scorecard(bu, workbook(rows), head, dry_run=False)
    assert again.errors == [] and again.update == ZERO  # nothing written into October
    rows["Targets"][-1][2] = 3950
    result = import_scorecard(bu, workbook(rows), head, dry_run=False)
    assert result.errors == [{
        "sheet": "Targets", "row": 7, "field": "period",
        "message": "Oct 2026 is closed: the Oct 2026 value of REV can no longer be changed. "
        "OSM staff can reopen the month.",
    }]  # fmt: skip
    assert MeasureValue.objects.get(measure__code="REV", period=dt.date(2026, 10, 1)).target == 3900


def test_one_bad_row_among_good_ones_writes_nothing_at_all(world):
    rows = good_rows()
    rows["Targets"].append(["REV", "2027-01", 4200, 4300])  # red flag above the target
    result = import_scorecard(world["bu"], workbook(rows), world["head"], dry_run=False)
    assert where(result.errors) == [("Targets", 7, "red_flag")]
    assert result.create["objectives"] == 2  # what it would have done
    assert not result.applied
    assert not Objective.objects.filter(unit=world["bu"]).exists()
    assert not Theme.objects.filter(name="Intimacy").exists()
    assert not Measure.objects.exists() and not MeasureValue.objects.exists()


def test_a_refusal_only_the_service_finds_rolls_everything_back(world, monkeypatch):
    """A rule the plan would miss still refuses the row at its place, and the objectives
    and measures written before it are rolled back."""
    from reports import scorecard_import

    def refuse(**kwargs):
        raise ValidationError({"weight": "Refused by the service."})

    monkeypatch.setattr(scorecard_import, "measure_create", refuse)
    result = import_scorecard(world["bu"], workbook(), world["head"], dry_run=False)
    assert result.errors == [{"sheet": "Measures", "row": 3, "field": "weight",
                              "message": "Refused by the service."}]  # fmt: skip
    assert not result.applied
    assert not Objective.objects.filter(unit=world["bu"]).exists()
    assert not CascadeLink.objects.exists() and not CauseEffect.objects.exists()


# Text stays text ------------------------------------------------------------------------------

FORMULA_NAME = '=HYPERLINK("http://evil.example","Click")'


def test_a_formula_looking_name_is_written_and_read_back_as_text(world):
    bu, head = world["bu"], world["head"]
    rows = good_rows()
    rows["Objectives"][0][1] = FORMULA_NAME
    rows["Measures"][1][2] = "<b>Revenue</b>"
    assert import_scorecard(bu, workbook(rows), head, dry_run=False).errors == []
    assert Objective.objects.get(unit=bu, code="F_REV").name == FORMULA_NAME
    exported = definition_workbook(bu)
    book = load_workbook(io.BytesIO(exported))  # formulas as formulas, not their values
    cells = [c for sheet in book.worksheets for line in sheet.iter_rows() for c in line]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    names = {c.value: c.data_type for c in cells if c.value in (FORMULA_NAME, "<b>Revenue</b>")}
    assert names == {FORMULA_NAME: "s", "<b>Revenue</b>": "s"}
    again = import_scorecard(bu, exported, head, dry_run=False)
    assert again.errors == [] and again.create == ZERO and again.update == ZERO


# The API --------------------------------------------------------------------------------------


def person(world, who: str):
    """A user of each kind the permissions tell apart."""
    if who == "no role":
        return f.UserFactory()
    if who == "measure owner":
        owner = f.UserFactory(roles=[MEASURE_OWNER])
        f.MeasureFactory(objective=f.ObjectiveFactory(unit=world["bu"], code="OWNED"), owner=owner)
        return owner
    if who == "executive":
        return f.UserFactory(roles=[EXECUTIVE])
    return world[who]


PERMITTED = {
    "no role": 403,
    "measure owner": 403,
    "executive": 403,
    "other_head": 403,  # the head of another unit
    "head": 200,  # the unit's head
    "top_head": 200,  # the head of the unit above
    "staff": 200,
}


@pytest.mark.parametrize("who", PERMITTED)
def test_who_may_import_and_download_the_template(world, who):
    user = person(world, who)
    client = client_for(user)
    bu = world["bu"]
    template = client.get(f"/api/v1/units/{bu.pk}/scorecard-import/template/")
    dry_run = post(client, bu, workbook(), dry_run=True)
    applied = post(client, bu, workbook())
    assert (template.status_code, dry_run.status_code, applied.status_code) == (PERMITTED[who],) * 3
    written = Objective.objects.filter(unit=bu, code="F_REV").exists()
    assert written == (PERMITTED[who] == 200)


def test_an_unknown_unit_is_a_404_and_no_sign_in_a_401(world):
    client = client_for(world["staff"])
    assert client.get("/api/v1/units/999999/scorecard-import/template/").status_code == 404
    assert post(client, OrgUnit(pk=999999), workbook()).status_code == 404
    anonymous = APIClient()
    assert post(anonymous, world["bu"], workbook()).status_code == 401


def test_the_api_template_is_a_named_attachment(world):
    client = client_for(world["head"])
    response = client.get(f"/api/v1/units/{world['bu'].pk}/scorecard-import/template/")
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        'attachment; filename="BU-scorecard-template-2026-11-27.xlsx"'
    )
    post(client, world["bu"], workbook())
    response = client.get(f"/api/v1/units/{world['bu'].pk}/scorecard-import/template/")
    assert response["Content-Disposition"] == (
        'attachment; filename="BU-scorecard-definition-2026-11-27.xlsx"'
    )


def test_the_api_answers_counts_then_applies_all_or_nothing(world):
    client, bu = client_for(world["head"]), world["bu"]
    created = {"themes": 1, "objectives": 2, "links": 1, "measures": 4, "targets": 5}
    response = post(client, bu, workbook(), dry_run=True)
    assert response.status_code == 200
    assert response.json() == {"create": created, "update": ZERO, "unchanged": ZERO,
                               "errors": []}  # fmt: skip
    assert not Objective.objects.filter(unit=bu).exists()
    bad = changed("Targets", 2, 3, 4200)  # a red flag above its target
    response = post(client, bu, bad, dry_run=True)
    assert response.status_code == 200  # a preview: the refusals are its answer
    assert where(response.json()["errors"]) == [("Targets", 2, "red_flag")]
    response = post(client, bu, bad)
    assert response.status_code == 400
    assert where(response.json()["errors"]) == [("Targets", 2, "red_flag")]
    assert not Objective.objects.filter(unit=bu).exists()
    response = post(client, bu, workbook())
    assert response.status_code == 200
    assert response.json()["create"] == created and response.json()["errors"] == []
    response = post(client, bu, changed("Objectives", 3, 1, "Keep and grow key accounts"))
    assert response.json()["create"] == ZERO
    assert response.json()["update"] == {**ZERO, "objectives": 1}


BAD_BODIES = {
    # the body, where the refusal is, what it says
    "not a workbook": (lambda: b"name,code\nx,y\n", [(None, None, None)],
                       "The file is not an Excel workbook (.xlsx): save it as one and send it "
                       "again."),
    "a sheet missing": (lambda: workbook(drop=("Arrows",)), [("Arrows", None, None)],
                        'The workbook has no sheet "Arrows".'),
    "a column missing": (lambda: workbook(headers={"Measures": HEADERS["Measures"][:2]
                                                   + HEADERS["Measures"][3:]}),
                         [("Measures", 1, "name")], 'The sheet "Measures" has no column "name".'),
    "an unknown column": (lambda: workbook(headers={"Targets": [*HEADERS["Targets"], "actual"]}),
                          [("Targets", 1, "actual")],
                          '"actual" is not a column of the sheet "Targets"'),
    "no rows": (lambda: workbook({}), [(None, None, None)], "The workbook has no rows to import."),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_BODIES)
def test_a_body_that_is_no_scorecard_workbook_is_a_400_saying_why(world, case):
    client = client_for(world["head"])
    for dry_run in (True, False):
        response = post(client, world["bu"], BAD_BODIES[case][0](), dry_run=dry_run)
        assert response.status_code == 400
        errors = response.json()["errors"]
        assert where(errors) == BAD_BODIES[case][1]
        assert BAD_BODIES[case][2] in errors[0]["message"]
    assert not Objective.objects.filter(unit=world["bu"]).exists()


def test_a_json_body_is_a_415_naming_the_workbook_type(world):
    client = client_for(world["head"])
    url = f"/api/v1/units/{world['bu'].pk}/scorecard-import/"
    response = client.post(url, {"objectives": []}, format="json")
    assert response.status_code == 415
    assert XLSX in response.json()["detail"]


# The page -------------------------------------------------------------------------------------

PAGE = "/reports/units/BU/scorecard-import/"


def upload(client, body: bytes, name="bu.xlsx"):
    return client.post(PAGE, {"file": SimpleUploadedFile(name, body, content_type=XLSX)})


def test_the_page_explains_links_the_template_and_asks_for_a_file(client, world):
    client.force_login(world["head"])
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Import a scorecard into Business</h1>" in html
    assert 'href="/reports/units/BU/scorecard-import/template/"' in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_file">Workbook (.xlsx):</label>' in html
    download = client.get("/reports/units/BU/scorecard-import/template/")
    assert download["Content-Disposition"] == (
        'attachment; filename="BU-scorecard-template-2026-11-27.xlsx"'
    )
    book = load_workbook(io.BytesIO(download.content))
    assert book.sheetnames == ["Instructions", "Objectives", "Arrows", "Measures", "Targets"]
    for sheet, header in HEADERS.items():
        assert [c.value for c in book[sheet][1]] == header
        assert book[sheet].max_row == 1  # an empty unit: the headers only
    explained = {(r[0], r[1]) for r in book["Instructions"].iter_rows(values_only=True)}
    assert {(s, h) for s, headers in HEADERS.items() for h in headers} <= explained


def test_the_page_previews_then_imports_and_leads_to_the_dashboard(client, world):
    client.force_login(world["head"])
    response = upload(client, workbook())
    assert response.status_code == 200
    html = response.content.decode()
    assert not Objective.objects.filter(unit=world["bu"]).exists()  # a preview writes nothing
    assert '<tr><th scope="row">Objectives</th><td class="num">2</td>' in html
    assert '<tr><th scope="row">Targets</th><td class="num">5</td>' in html
    assert '<th scope="row">C_KEY → F_REV</th>' in html
    assert 'name="apply"' in html
    carried = html.split('name="workbook" value="')[1].split('"')[0]
    response = client.post(PAGE, {"workbook": carried, "apply": ""})
    assert response.status_code == 302 and response["Location"] == "/units/BU/"
    page = client.get(response["Location"]).content.decode()
    assert (
        "Imported into Business: 1 theme, 2 objectives, 1 arrow, 4 measures, 5 targets created."
        in page
    )
    assert scorecard(world["bu"])["objectives"]["F_REV"][0] == "Grow revenue"


def test_the_page_lists_refused_rows_and_offers_no_import(client, world):
    client.force_login(world["head"])
    rows = good_rows()
    rows["Objectives"][1][1] = "<b>Loud</b>"
    rows["Targets"][0][3] = 4200
    response = upload(client, workbook(rows))
    assert response.status_code == 400
    html = response.content.decode()
    assert '<tr class="row-error"><th scope="row">Targets</th><td>2</td><td>red_flag</td>' in html
    assert "1 row is refused: nothing was imported." in html
    assert 'name="apply"' not in html
    assert "&lt;b&gt;Loud&lt;/b&gt;" in html and "<b>Loud</b>" not in html


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not a workbook", "The file is not an Excel workbook (.xlsx)"),
        (None, "Choose the workbook (.xlsx) to import."),
    ],
)
def test_the_page_refuses_what_is_no_workbook(client, world, body, message):
    client.force_login(world["head"])
    response = upload(client, body) if body else client.post(PAGE, {})
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("other_head", 403), ("staff", 200)])
def test_the_page_is_for_who_changes_the_unit_s_strategy(client, world, who, status):
    client.force_login(world[who])
    assert client.get(PAGE).status_code == status
    assert client.get(PAGE + "template/").status_code == status
    assert client.get("/reports/units/NOPE/scorecard-import/").status_code == 404


# Queries --------------------------------------------------------------------------------------


def rows_of_size(n: int) -> dict[str, list[list]]:
    """n objectives in a chain of arrows, a measure each with three targets, and a
    calculated measure reading the first two."""
    months = ("2026-11", "2026-12", "2027-01")
    return {
        "Objectives": [[f"O{i}", f"Objective {i}", "Financial", "Digital", 1, "ann",
                        "ACME.GROW", None] for i in range(n)],
        "Arrows": [[f"O{i}", f"O{i + 1}", None] for i in range(n - 1)],
        "Measures": [[f"M{i}", f"O{i}", f"Measure {i}", "EUR", "increase", "monthly", "sum",
                      1, 0.1, 0, None, None, None, "ann", None, "none", None, None]
                     for i in range(n)]
        + [["CALC", "O0", "Calculated", "EUR", None, None, None, None, None, None, None, None,
            None, None, "M0 + M1", None, None, None]],
        "Targets": [[f"M{i}", month, 100 + i, 90] for i in range(n) for month in months],
    }  # fmt: skip


def queries(unit, body, user, *, dry_run) -> int:
    with CaptureQueriesContext(connection) as captured:
        result = import_scorecard(unit, body, user, dry_run=dry_run)
    assert result.errors == []
    return len(captured)


def test_planning_reads_a_fixed_number_of_queries_whatever_the_rows(world):
    small, large = workbook(rows_of_size(3)), workbook(rows_of_size(30))
    bu, other, staff = world["bu"], world["other"], world["staff"]
    planned = queries(bu, small, staff, dry_run=True)
    assert planned == queries(other, large, staff, dry_run=True) <= 20
    written_small = queries(bu, small, staff, dry_run=False)
    written_large = queries(other, large, staff, dry_run=False)
    # Writes go through the services, each row with its checks, the row, its history and
    # the data version: per objective with its arrow, measure and three targets, at most 75.
    assert (written_large - written_small) / 27 <= 75, (written_small, written_large)
    # Imported again, nothing to write: the plan's queries and nothing more.
    again = queries(bu, small, staff, dry_run=False)
    assert again == queries(other, large, staff, dry_run=False) <= 20


# The demo company: IND's scorecard, exported and imported into an empty unit -----------------


def open_targets(unit) -> set:
    """The unit's targets and red flags of the periods whose month is still open (those of
    closed months cannot be written anywhere, so the workbook leaves them out)."""
    closed = set(
        ReportingPeriod.objects.filter(status=PeriodStatus.CLOSED).values_list("month", flat=True)
    )
    return {
        (code, period, target, red_flag)
        for code, period, target, red_flag in scorecard(unit)["targets"]
        if closing_month(period, Measure.objects.get(unit=unit, code=code).frequency) not in closed
    }


def test_the_demo_s_IND_scorecard_imported_into_an_empty_unit_is_the_same(db):
    call_command("seed_demo", "--yes", verbosity=0)
    ind = OrgUnit.objects.get(code="IND")
    staff = f.UserFactory(roles=[OSM_STAFF])
    exported = definition_workbook(ind)
    twin = services.unit_create(actor=staff, data={
        "code": "IND2", "name": "Industrial Equipment (copy)", "kind": UnitKind.BUSINESS,
        "parent": ind.parent,
    })  # fmt: skip
    result = import_scorecard(twin, exported, staff, dry_run=False)
    assert result.errors == [] and result.applied
    original, copy = scorecard(ind), scorecard(twin)
    assert copy["objectives"] == original["objectives"]
    assert copy["arrows"] == original["arrows"]
    assert copy["measures"] == original["measures"]
    assert copy["targets"] == open_targets(ind) != set()
    counts = {kind: len(original[kind]) for kind in ("objectives", "arrows", "measures")}
    assert (result.create["objectives"], result.create["links"], result.create["measures"]) == (
        counts["objectives"], counts["arrows"], counts["measures"],
    )  # fmt: skip
    assert result.create["targets"] == len(copy["targets"])
    # Imported again, into the copy or into IND itself: nothing to create or change.
    for unit in (twin, ind):
        again = import_scorecard(unit, exported, staff, dry_run=False)
        assert (again.errors, again.create, again.update) == ([], ZERO, ZERO)
    # One objective renamed in the file: that objective is updated, none is added.
    book = load_workbook(io.BytesIO(exported))
    sheet = book["Objectives"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "F_REV")
    row[1].value = "Grow equipment revenue faster"
    out = io.BytesIO()
    book.save(out)
    renamed = import_scorecard(twin, out.getvalue(), staff, dry_run=False)
    assert renamed.errors == []
    assert (renamed.create, renamed.update) == (ZERO, {**ZERO, "objectives": 1})
    assert Objective.objects.get(unit=twin, code="F_REV").name == "Grow equipment revenue faster"
    assert Objective.objects.filter(unit=twin).count() == counts["objectives"]


@override_settings(BULK_MAX_BYTES=4_000)
def test_a_workbook_over_the_size_limit_is_refused_unread(client, world):
    body = workbook()
    assert len(body) > 4_000
    client.force_login(world["head"])
    response = upload(client, body)
    assert response.status_code == 413
    assert "The file is over" in response.content.decode()
    api = post(client_for(world["head"]), world["bu"], body)
    assert api.status_code == 400  # as the bulk upload of values answers it
    assert "The body is larger than" in api.json()["errors"][0]["message"]
    assert not Objective.objects.filter(unit=world["bu"]).exists()
