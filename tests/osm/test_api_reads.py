"""API v1 computed reads: scorecard, strategy map, cascade, alignment.

Figures worked by hand; score = 10/3 + (a - r) / (g - r) * 10/3, clamped to [0, 10].
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from core.roles import EMPLOYEE, EXECUTIVE, HR, OSM_STAFF
from scorecards import services
from scorecards.periods import add_months
from tests import factories as f

pytestmark = pytest.mark.django_db

LAST = add_months(timezone.localdate().replace(day=1), -1)  # the last complete month
BEFORE = add_months(LAST, -1)


def value(measure, period, actual, target, red_flag=None):
    services.measure_value_record(
        measure=measure,
        period=period,
        actual=Decimal(actual),
        target=Decimal(target),
        red_flag=None if red_flag is None else Decimal(red_flag),
        actor=None,
    )


@pytest.fixture
def org():
    ent = f.EnterpriseFactory(code="ACME")
    bu = f.OrgUnitFactory(code="BU", parent=ent)
    grow = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow")
    sell = f.ObjectiveFactory(unit=bu, code="SELL", name="Sell", supports=[grow])
    deep = f.DepartmentFactory(code="DEEP", parent=bu)
    f.ObjectiveFactory(unit=deep, code="DIG", name="Dig", supports=[sell])
    rev = f.MeasureFactory(objective=grow, code="REV", name="Revenue")
    value(rev, BEFORE, 95, 100, 90)  # (95-90)/(100-90) = .5 -> 5.00
    value(rev, LAST, 100, 100, 90)  # at target -> 6.67, up
    value(f.MeasureFactory(objective=sell, code="UNITS"), LAST, 8, 10, 6)  # .5 -> 5.00
    effect = f.ObjectiveFactory(unit=ent, code="KEEP", name="Keep customers")
    f.CauseEffectFactory(cause=effect, effect=grow)
    return ent, bu, grow, sell


def client_for(role):
    client = APIClient()
    client.force_authenticate(f.UserFactory(roles=[role] if role else []))
    return client


def test_scorecard(org):
    ent, *_ = org
    body = client_for(EXECUTIVE).get(f"/api/v1/units/{ent.pk}/scorecard/").json()
    assert body["unit"] == ent.pk
    assert body["as_of"] == timezone.localdate().strftime("%Y-%m")
    financial = body["perspectives"][0]
    assert financial["name"] == "Financial"
    grow = next(o for o in financial["objectives"] if o["code"] == "GROW")
    assert grow["score"] == 6.67 and grow["status"] == "green"
    (rev,) = grow["measures"]
    assert rev == {
        "id": rev["id"],
        "code": "REV",
        "name": "Revenue",
        "period": LAST.isoformat(),
        "actual": "100",
        "target": "100",
        "red_flag": "90",
        "score": 6.67,
        "status": "green",
        "trend": "up",
        "overdue": False,
    }
    # KEEP has no data and no supporters: no_data; the scorecard is GROW's perspective
    # (Financial: GROW 6.67, KEEP none -> 6.67) as the only perspective with data
    assert body["score"] == 6.67


def test_scorecard_as_of_a_month_and_year_to_date(org):
    ent, *_ = org
    client = client_for(EXECUTIVE)
    body = client.get(f"/api/v1/units/{ent.pk}/scorecard/?as_of={BEFORE:%Y-%m}").json()
    rev = body["perspectives"][0]["objectives"][0]["measures"][0]
    assert (rev["period"], rev["score"], rev["trend"]) == (BEFORE.isoformat(), 5.0, None)
    ytd = client.get(f"/api/v1/units/{ent.pk}/scorecard/?ytd=1").json()
    assert ytd["ytd"] is True


@pytest.mark.parametrize("as_of", ["2026-13", "soon", "2026/01"])
def test_scorecard_bad_month_is_a_400_naming_the_parameter(org, as_of):
    ent, *_ = org
    response = client_for(EXECUTIVE).get(f"/api/v1/units/{ent.pk}/scorecard/?as_of={as_of}")
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_reads_need_auth_a_role_and_an_existing_unit(org):
    ent, *_ = org
    assert APIClient().get(f"/api/v1/units/{ent.pk}/scorecard/").status_code == 401
    assert client_for(None).get(f"/api/v1/units/{ent.pk}/scorecard/").status_code == 403
    assert client_for(EXECUTIVE).get("/api/v1/units/999999/scorecard/").status_code == 404
    assert client_for(EXECUTIVE).get("/api/v1/objectives/999999/cascade/").status_code == 404


def test_strategy_map(org):
    ent, _, grow, _ = org
    body = client_for(EMPLOYEE).get(f"/api/v1/units/{ent.pk}/strategy-map/").json()
    assert [p["name"] for p in body["perspectives"]][:2] == ["Financial", "Customer"]
    codes = {o["code"]: o for o in body["objectives"]}
    assert set(codes) == {"GROW", "KEEP"}
    assert (codes["GROW"]["status"], codes["GROW"]["score"]) == ("green", 6.67)
    assert body["links"] == [{"cause": codes["KEEP"]["id"], "effect": grow.pk}]


def test_cascade_with_initiatives_and_goals_seen_by_who_may(org):
    _ent, bu, grow, sell = org
    initiative = f.InitiativeFactory(unit=bu, objectives=[sell])
    goal = f.GoalFactory(employee=f.EmployeeFactory(unit=bu), objective=sell)
    body = client_for(HR).get(f"/api/v1/objectives/{grow.pk}/cascade/").json()
    assert (body["code"], body["status"]) == ("GROW", "green")
    (child,) = body["supported_by"]
    assert (child["code"], child["initiatives"], child["goals"]) == (
        "SELL",
        [initiative.pk],
        [goal.pk],
    )
    assert child["supported_by"][0]["code"] == "DIG"
    assert child["supported_by"][0]["supported_by"] == []
    # an employee may not see others' goals: the ids are left out
    hidden = client_for(EMPLOYEE).get(f"/api/v1/objectives/{grow.pk}/cascade/").json()
    assert hidden["supported_by"][0]["goals"] == []


def test_alignment(org):
    ent, bu, *_ = org
    f.BudgetLineFactory(unit=bu, planned=Decimal("300"))  # linked to nothing
    body = client_for(OSM_STAFF).get("/api/v1/alignment/").json()
    assert (body["unit"], body["fiscal_year"]) == (ent.pk, timezone.localdate().year)
    # objective linkage: SELL and DIG, both below the root, both support -> 100.0
    assert body["objective_linkage"] == 100.0
    # budget linkage: 0 of 300 -> 0.0; goal alignment: no employees -> null
    assert (body["budget_linkage"], body["goal_alignment"]) == (0.0, None)
    assert [u["code"] for u in body["units"]] == ["ACME", "BU", "DEEP"]
    assert len(body["unlinked_budget_lines"]) == 1
    only_bu = client_for(EXECUTIVE).get(f"/api/v1/alignment/?unit={bu.pk}&fiscal_year=2025")
    assert only_bu.json()["unit"] == bu.pk and only_bu.json()["fiscal_year"] == 2025
    # an employee sees the metrics, not the lists of budget lines or people
    mine = client_for(EMPLOYEE).get("/api/v1/alignment/").json()
    assert "unlinked_budget_lines" not in mine and "unaligned_employees" not in mine


@pytest.mark.parametrize(
    "query,field",
    [("unit=999999", "unit"), ("unit=abc", "unit"), ("fiscal_year=99", "fiscal_year")],
)
def test_alignment_bad_parameters(org, query, field):
    response = client_for(EXECUTIVE).get(f"/api/v1/alignment/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def count(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_the_data(org):
    ent, bu, grow, sell = org
    client = client_for(OSM_STAFF)
    paths = [
        f"/api/v1/units/{ent.pk}/scorecard/",
        f"/api/v1/units/{ent.pk}/strategy-map/",
        f"/api/v1/objectives/{grow.pk}/cascade/",
        "/api/v1/alignment/",
    ]
    [count(client, p) for p in paths]  # warm-up: the user's roles are read once, then cached
    small = [count(client, p) for p in paths]
    for i in range(6):
        unit = f.DepartmentFactory(code=f"X{i}", parent=bu)
        objective = f.ObjectiveFactory(unit=unit, supports=[sell])
        value(f.MeasureFactory(objective=objective), LAST, 5, 10)
        objective_top = f.ObjectiveFactory(unit=ent)
        value(f.MeasureFactory(objective=objective_top), LAST, 5, 10)
        f.GoalFactory(employee=f.EmployeeFactory(unit=unit), objective=objective)
        f.InitiativeFactory(unit=unit, objectives=[objective])
    assert [count(client, p) for p in paths] == small


def test_schema_lists_the_computed_reads(settings):
    settings.API_SCHEMA_PUBLIC = True  # read anonymously (tests/accounts/test_schema_access.py)
    schema = APIClient().get("/api/v1/schema/").content.decode()
    for path in (
        "/api/v1/units/{id}/scorecard/",
        "/api/v1/units/{id}/strategy-map/",
        "/api/v1/objectives/{id}/cascade/",
        "/api/v1/alignment/",
    ):
        assert path in schema


@pytest.mark.parametrize("as_of", ["9999-12", "0001-01"])
def test_scorecard_months_out_of_range_are_a_400(org, as_of):
    ent, *_ = org
    client = client_for(EXECUTIVE)
    for query in (f"as_of={as_of}", f"as_of={as_of}&ytd=1"):
        response = client.get(f"/api/v1/units/{ent.pk}/scorecard/?{query}")
        assert response.status_code == 400
        assert "as_of" in response.json()
