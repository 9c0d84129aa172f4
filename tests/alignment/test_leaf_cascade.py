"""A leaf unit has no cascade coverage (DESIGN.md "Alignment metrics": "A unit with no units
below it has no cascade coverage (null), so a leaf unit's index is not pulled down by it"),
everywhere the metric goes: the report and its lists, the snapshot, the API, the page and
the weekly email.

A small organisation, FY2026 ("X -> Y": X supports Y):

    ENT (enterprise)   E1
    └── BU (business)  B1 -> E1, B2
        └── DEP (department, no units below)  D1 -> B1, D2

No objective supports D1 or D2. Dee, DEP's one active employee, has a goal of 2026 linked
to D1. Nothing else (no budget, initiatives, incentives or measures), so each unit's index
is the mean of objective linkage, cascade coverage (where there is one) and goal alignment:

    DEP  objective linkage: D1 of D1, D2: 1/2 = 50
         cascade coverage: None (a leaf)
         goal alignment: Dee 1/1 = 100
         index: (50 + 100) / 2 = 75
    BU   objective linkage: B1, D1 of B1, B2, D1, D2: 2/4 = 50
         cascade coverage: its own B1 (supported by D1) of B1, B2: 1/2 = 50
         goal alignment: 1/1 = 100
         index: (50 + 50 + 100) / 3 = 200/3 = 66.67
    ENT  objective linkage: the same 2/4 = 50 (the root's E1 is not counted)
         cascade coverage: its own E1 (supported by B1) of E1: 1/1 = 100
         goal alignment: 1/1 = 100
         index: (50 + 100 + 100) / 3 = 250/3 = 83.33

Were DEP's cascade coverage the old 0/2 = 0, its index would be (50 + 0 + 100) / 3 = 50.
"""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from fractions import Fraction as F

import pytest
from rest_framework.test import APIClient

from alignment.models import AlignmentSnapshot
from alignment.reports import alignment_reports_compose
from alignment.selectors import alignment_report
from alignment.services import alignment_snapshot_take
from core.models import OutgoingMessage
from core.roles import OSM_STAFF
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)
WEDNESDAY = dt.date(2026, 11, 11)  # a day of FY2026 for the weekly email


@pytest.fixture
def org():
    ent = f.EnterpriseFactory(code="ENT")
    head = f.UserFactory(email="dep.head@example.com", first_name="Dora")
    bu = f.OrgUnitFactory(code="BU", parent=ent)
    dep = f.DepartmentFactory(code="DEP", parent=bu, head=head)
    e1 = f.ObjectiveFactory(unit=ent, code="E1")
    b1 = f.ObjectiveFactory(unit=bu, code="B1", supports=[e1])
    b2 = f.ObjectiveFactory(unit=bu, code="B2")
    d1 = f.ObjectiveFactory(unit=dep, code="D1", supports=[b1])
    d2 = f.ObjectiveFactory(unit=dep, code="D2")
    dee = f.EmployeeFactory(unit=dep, name="Dee")
    f.GoalFactory(employee=dee, fiscal_year=2026, objective=d1)
    return {"ent": ent, "bu": bu, "dep": dep, "b2": b2, "d1": d1, "d2": d2}


# The report (selector) -----------------------------------------------------------------------


def test_the_leaf_has_no_cascade_coverage_and_its_index_leaves_it_out(org):
    report = alignment_report(org["ent"], fiscal_year=2026, today=TODAY)
    rows = {row.code: row.metrics for row in report.units}
    dep = rows["DEP"]
    assert dep.cascade_coverage is None  # not 0/2: nothing is below DEP
    assert (dep.objective_linkage, dep.goal_alignment) == (F(50), F(100))
    assert dep.alignment_index == F(75)  # (50 + 100) / 2
    # Its parent: B1 of B1, B2 is supported by the leaf's D1: 1/2.
    assert rows["BU"].cascade_coverage == F(50)
    assert rows["BU"].alignment_index == F(200, 3)  # (50 + 50 + 100) / 3
    assert rows["ENT"].cascade_coverage == F(100)  # E1 supported by B1: 1/1
    assert report.metrics.alignment_index == F(250, 3)  # (50 + 100 + 100) / 3


def test_the_leafs_own_report_has_no_cascade_coverage_and_nothing_not_cascaded(org):
    # The subtree's cascade coverage is about the top unit itself: DEP is a leaf, so None,
    # and D1, D2 (supported by nothing) are not "not cascaded": nothing could cascade them.
    report = alignment_report(org["dep"], fiscal_year=2026, today=TODAY)
    assert report.metrics.cascade_coverage is None
    assert report.metrics.alignment_index == F(75)
    assert report.lists.not_cascaded == []
    # D2 still shows where it belongs: it supports nothing above.
    assert [item.id for item in report.lists.unlinked_objectives] == [org["d2"].pk]


def test_the_parents_report_lists_its_own_objective_not_cascaded(org):
    # BU has a unit below: B2, which no objective of DEP supports, is "not cascaded".
    report = alignment_report(org["bu"], fiscal_year=2026, today=TODAY)
    assert report.metrics.cascade_coverage == F(50)
    assert [item.id for item in report.lists.not_cascaded] == [org["b2"].pk]


# The snapshot --------------------------------------------------------------------------------


def test_the_snapshot_stores_no_cascade_coverage_for_the_leaf(org):
    alignment_snapshot_take(fiscal_year=2026, today=TODAY)
    rows = {s.unit.code: s for s in AlignmentSnapshot.objects.all()}
    assert (rows["DEP"].cascade_coverage, rows["DEP"].alignment_index) == (None, Decimal("75.00"))
    # 200/3 = 66.666.. -> 66.67; 250/3 = 83.333.. -> 83.33
    assert (rows["BU"].cascade_coverage, rows["BU"].alignment_index) == (
        Decimal("50.00"),
        Decimal("66.67"),
    )
    assert (rows["ENT"].cascade_coverage, rows["ENT"].alignment_index) == (
        Decimal("100.00"),
        Decimal("83.33"),
    )


# The API -------------------------------------------------------------------------------------


def api_get(path):
    client = APIClient()
    client.force_authenticate(f.UserFactory(roles=[OSM_STAFF]))
    response = client.get(path)
    assert response.status_code == 200
    return response.json()


def test_the_api_answers_null_for_the_leaf_in_units(org):
    body = api_get("/api/v1/alignment/?fiscal_year=2026")
    units = {u["code"]: u for u in body["units"]}
    assert (units["DEP"]["cascade_coverage"], units["DEP"]["alignment_index"]) == (None, 75.0)
    assert (units["BU"]["cascade_coverage"], units["BU"]["alignment_index"]) == (50.0, 66.67)
    assert (body["cascade_coverage"], body["alignment_index"]) == (100.0, 83.33)


def test_the_api_answers_null_at_the_top_for_a_leaf_unit(org):
    body = api_get(f"/api/v1/alignment/?unit={org['dep'].pk}&fiscal_year=2026")
    assert body["unit"] == org["dep"].pk
    assert body["cascade_coverage"] is None
    assert body["alignment_index"] == 75.0  # (50 + 100) / 2
    assert body["not_cascaded"] == []
    (dep,) = body["units"]
    assert (dep["code"], dep["cascade_coverage"]) == ("DEP", None)


# The page ------------------------------------------------------------------------------------


def test_the_page_shows_na_for_the_leaf(client, org):
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    html = client.get("/alignment/?unit=DEP&fiscal_year=2026").content.decode()
    assert '<th scope="row">Cascade coverage</th><td class="num">n/a</td>' in html
    assert "Alignment index: <strong>75.00%</strong>" in html
    assert '<strong>Objectives not cascaded</strong> <span class="count">0</span>' in html


def test_the_enterprise_page_shows_na_in_the_leafs_row(client, org):
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    html = client.get("/alignment/?fiscal_year=2026").content.decode()
    # The "Each unit" table: the metrics in order, cascade coverage second, index last.
    row = re.search(r'<th scope="row" class="depth-2">.*?</tr>', html, re.S).group(0)
    assert ">DEP</a>" in row
    cells = re.findall(r'<td class="num">(.*?)</td>', row)
    assert cells[:2] == ["50.00%", "n/a"] and cells[-1] == "75.00%"


# The weekly email ----------------------------------------------------------------------------


def test_the_email_report_of_the_leaf_says_na_and_lists_nothing_not_cascaded(org):
    assert alignment_reports_compose(day=WEDNESDAY) == 1  # DEP's head; no OSM staff here
    message = OutgoingMessage.objects.get(recipient="dep.head@example.com")
    assert "- Cascade coverage: n/a" in message.body
    assert "- Alignment index: 75.00%" in message.body
    assert "- Objectives not cascaded: 0" in message.body
    assert '<td>Cascade coverage</td><td align="right">n/a</td>' in message.html
    (attachment,) = message.attachments
    rows = list(csv.reader(io.StringIO(attachment["content"])))
    assert not [r for r in rows if r[0] == "Objectives not cascaded"]
    # D2 supports nothing above: it is in the CSV under its own list.
    assert ["Objectives linked to nothing above", "DEP", f"D2 {org['d2'].name}", ""] in rows
