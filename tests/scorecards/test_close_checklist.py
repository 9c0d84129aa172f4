"""The close checklist (issue 15 item 1, with items 2 and 3): before October closes, by unit,
the values still missing for the periods ending in it, the values awaiting approval, and
the red objectives without October's analysis; on the page and in the API.

BU (requires approval) has three monthly measures of two objectives:
- F1.REV: no October value: missing;
- F1.OTD: October submitted by its owner (96), the approved actual empty: awaiting approval
  (not missing: the owner has done his part);
- F2.COST (lower is better): October 130 against 100, red flag 110: red, so F2 is red.
F1 has no scored measure for October: no data, not red. DEP (below BU) has nothing to see
to. Today is 27 November 2026."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from communication.services import analysis_save
from core.roles import MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from scorecards import services
from scorecards.choices import UnitKind
from scorecards.selectors.reporting import close_checklist
from tests import factories as f
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
OCT = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def w():
    head = f.UserFactory(roles=[UNIT_HEAD])
    owner = f.UserFactory(roles=[MEASURE_OWNER])
    staff = f.UserFactory(roles=[OSM_STAFF])
    bu = f.OrgUnitFactory(code="BU", parent=f.EnterpriseFactory(code="ACME"), head=head,
                          approval_required=True)  # fmt: skip
    dep = f.OrgUnitFactory(code="DEP", parent=bu, kind=UnitKind.DEPARTMENT)
    f1 = f.ObjectiveFactory(unit=bu, code="F1")
    f2 = f.ObjectiveFactory(unit=bu, code="F2")
    rev = f.MeasureFactory(objective=f1, code="REV", owner=owner)
    otd = f.MeasureFactory(objective=f1, code="OTD", owner=owner)
    cost = f.MeasureFactory(objective=f2, code="COST", polarity="decrease", owner=owner)
    for measure in (rev, otd, cost):  # made in September: they owe October
        type(measure).objects.filter(pk=measure.pk).update(
            created_at=dt.datetime(2026, 9, 2, tzinfo=dt.UTC)
        )
    f.MeasureValueFactory(measure=cost, period=OCT, actual=Decimal(130), target=Decimal(100),
                          red_flag=Decimal(110), note="Energy prices")  # fmt: skip
    services.measure_value_enter(actor=owner, measure=otd, period=OCT,
                                 data={"actual": Decimal(96)}, confirm=True)  # fmt: skip
    return {"bu": bu, "dep": dep, "f2": f2, "head": head, "staff": staff, "owner": owner}


def test_what_to_see_to_before_october_closes(w):
    (unit,) = close_checklist(OCT)
    assert unit.code == "BU"
    assert [m[1] for m in unit.missing] == ["REV"]  # OTD is in, awaiting approval
    assert [(m[1], m[3]) for m in unit.awaiting] == [("OTD", OCT)]
    assert [o[1] for o in unit.red_unanalysed] == ["F2"]


def test_an_analysis_takes_the_objective_off_the_list(w):
    analysis_save(actor=w["head"], subject_type="objective", subject_id=w["f2"].pk, month=OCT,
                  analysis="Energy prices doubled.", recommendations="")  # fmt: skip
    (unit,) = close_checklist(OCT)
    assert unit.red_unanalysed == []


def test_the_unit_narrows_it_to_a_subtree(w):
    assert close_checklist(OCT, {w["dep"].pk}) == []
    assert [u.code for u in close_checklist(OCT, {w["bu"].pk, w["dep"].pk})] == ["BU"]


def test_the_close_page_shows_the_three_columns(w, client):
    client.force_login(w["staff"])
    html = client.get(reverse("reporting-month-close", args=["2026-10"])).content.decode()
    assert "Awaiting approval" in html and "Off target, no analysis" in html
    assert "1 submitted value waits for approval." in html
    assert "1 objective off target has no analysis for the month." in html


def test_the_api_checklist(w):
    answer = client_for(w["staff"]).get(
        "/api/v1/reporting-periods/checklist/", {"month": "2026-10"}
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["month"] == "2026-10-01"
    (unit,) = body["units"]
    assert unit["code"] == "BU"
    assert [m["code"] for m in unit["awaiting_approval"]] == ["OTD"]
    assert unit["awaiting_approval"][0]["period"] == "2026-10-01"
    assert [o["code"] for o in unit["red_without_analysis"]] == ["F2"]
    narrowed = client_for(w["staff"]).get(
        "/api/v1/reporting-periods/checklist/", {"month": "2026-10", "unit": w["dep"].pk}
    )
    assert narrowed.json()["units"] == []
    bad = client_for(w["staff"]).get("/api/v1/reporting-periods/checklist/", {"month": "Oct"})
    assert bad.status_code == 400 and "month" in bad.json()
    missing = client_for(w["staff"]).get("/api/v1/reporting-periods/checklist/")
    assert missing.status_code == 400 and "month" in missing.json()
    head = client_for(w["head"]).get("/api/v1/reporting-periods/checklist/", {"month": "2026-10"})
    assert head.status_code == 403
