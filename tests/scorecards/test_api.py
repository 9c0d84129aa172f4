"""API v1 of the scorecards app: perspectives, themes, objectives, cause-and-effect links,
measures and measure values (API.md): CRUD, filters, the permission table, bad input
answered with 400s that name the field, and list query counts that do not grow."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from scorecards.choices import Frequency, Polarity, Rollup
from scorecards.models import (
    CauseEffect,
    Measure,
    MeasureValue,
    Objective,
    OrgUnit,
    Perspective,
    Theme,
)
from tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1"


def client_for(user=None) -> APIClient:
    """A client authenticated the way outside programs are: with a token."""
    client = APIClient()
    if user is not None:
        _, token = AuthToken.objects.create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def w():
    """ENT > (B1 > (D1 > T1), B2 > D2), S1, with objectives, measures, values and users.

    `head` heads B1 (so D1 and T1 too); `owner` owns the measure `m_b2` of B2 only.
    """
    t = f.four_level_tree()
    users = SimpleNamespace(
        staff=f.UserFactory(roles=[OSM_STAFF]),
        head=f.UserFactory(roles=[UNIT_HEAD]),
        executive=f.UserFactory(roles=[EXECUTIVE]),
        hr=f.UserFactory(roles=[HR]),
        owner=f.UserFactory(roles=[MEASURE_OWNER]),
        employee=f.UserFactory(roles=[EMPLOYEE]),
        nobody=f.UserFactory(),
    )
    OrgUnit.objects.filter(pk=t.b1.pk).update(head=users.head)
    financial = Perspective.objects.get(name="Financial")
    customer = Perspective.objects.get(name="Customer")
    o_ent = f.ObjectiveFactory(unit=t.ent, code="GROW", perspective=financial)
    o_b1 = f.ObjectiveFactory(unit=t.b1, code="SALES", perspective=financial, supports=[o_ent])
    o_b1_b = f.ObjectiveFactory(unit=t.b1, code="QUALITY", perspective=customer)
    o_d1 = f.ObjectiveFactory(unit=t.d1, code="LEADS", perspective=customer)
    o_d1_b = f.ObjectiveFactory(unit=t.d1, code="CALLS", perspective=customer)
    o_b2 = f.ObjectiveFactory(unit=t.b2, code="COSTS", perspective=financial)
    o_b2_b = f.ObjectiveFactory(unit=t.b2, code="SPEED", perspective=customer)
    m_b1 = f.MeasureFactory(objective=o_b1, code="REV")
    m_d1 = f.MeasureFactory(objective=o_d1, code="NLEADS")
    m_b2 = f.MeasureFactory(objective=o_b2, code="COST", owner=users.owner)
    m_b2_q = f.MeasureFactory(objective=o_b2, code="QCOST", frequency=Frequency.QUARTERLY)
    v_b1 = f.MeasureValueFactory(measure=m_b1)  # 2026-01
    v_b2 = f.MeasureValueFactory(measure=m_b2)  # 2026-01
    return SimpleNamespace(
        **vars(t),
        u=users,
        financial=financial,
        customer=customer,
        o_ent=o_ent,
        o_b1=o_b1,
        o_b1_b=o_b1_b,
        o_d1=o_d1,
        o_d1_b=o_d1_b,
        o_b2=o_b2,
        o_b2_b=o_b2_b,
        m_b1=m_b1,
        m_d1=m_d1,
        m_b2=m_b2,
        m_b2_q=m_b2_q,
        v_b1=v_b1,
        v_b2=v_b2,
    )


# What each resource needs for the tests: a row to read, change and delete in a unit;
# a payload to create one there; a full (PUT) and a partial (PATCH) change.
# `side` is "own" (D1, below B1, which the unit head heads) or "other" (B2).


def _unit(w, side):
    return w.d1 if side == "own" else w.b2


def _objectives(w, side):
    return (w.o_d1, w.o_d1_b) if side == "own" else (w.o_b2, w.o_b2_b)


def _measure(w, side):
    return w.m_d1 if side == "own" else w.m_b2


class Perspectives:
    path = "perspectives"
    model = Perspective

    @staticmethod
    def row(w, side):
        return f.PerspectiveFactory(name="Mission", order=0)

    @staticmethod
    def create(w, side):
        return {"name": "Stakeholders", "order": 7}

    @staticmethod
    def put(w, side, row):
        return {"name": "Mission and mandate", "order": 9}

    patch = {"name": "Our mission"}


class Themes:
    path = "themes"
    model = Theme

    @staticmethod
    def row(w, side):
        return f.ThemeFactory(unit=_unit(w, side), name="Operational excellence")

    @staticmethod
    def create(w, side):
        return {"unit": _unit(w, side).pk, "name": "Customer intimacy", "description": "Why."}

    @staticmethod
    def put(w, side, row):
        return {"unit": row.unit_id, "name": "Product leadership", "description": ""}

    patch = {"description": "Better products, sooner."}


class Objectives:
    path = "objectives"
    model = Objective

    @staticmethod
    def row(w, side):
        return f.ObjectiveFactory(unit=_unit(w, side), code="TEMP", perspective=w.financial)

    @staticmethod
    def create(w, side):
        supported = w.o_b1 if side == "own" else w.o_ent
        return {
            "unit": _unit(w, side).pk,
            "code": "NEWOBJ",
            "name": "Win new markets",
            "description": "Abroad.",
            "perspective": w.customer.pk,
            "theme": None,
            "owner": w.u.head.pk,
            "weight": "2.5",
            "supports": [supported.pk],
        }

    @staticmethod
    def put(w, side, row):
        return {
            "unit": row.unit_id,
            "code": "TEMP2",
            "name": "Renamed",
            "description": "",
            "perspective": w.customer.pk,
            "theme": None,
            "owner": None,
            "weight": "1.000",
            "supports": [w.o_ent.pk],
        }

    patch = {"name": "Patched name"}


class Links:
    path = "links"
    model = CauseEffect

    @staticmethod
    def row(w, side):
        cause, effect = _objectives(w, side)
        return f.CauseEffectFactory(cause=effect, effect=cause, rationale="Before.")

    @staticmethod
    def create(w, side):
        cause, effect = _objectives(w, side)
        return {"cause": cause.pk, "effect": effect.pk, "rationale": "More calls, more leads."}

    @staticmethod
    def put(w, side, row):
        return {"cause": row.cause_id, "effect": row.effect_id, "rationale": "Rewritten."}

    patch = {"rationale": "Patched."}


class Measures:
    path = "measures"
    model = Measure

    @staticmethod
    def row(w, side):
        return f.MeasureFactory(objective=_objectives(w, side)[0], code="TMP")

    @staticmethod
    def create(w, side):
        return {
            "objective": _objectives(w, side)[0].pk,
            "code": "NEWM",
            "name": "Churn",
            "unit_label": "%",
            "polarity": "decrease",
            "frequency": "quarterly",
            "aggregation": "average",
            "weight": "2",
            "owner": w.u.owner.pk,
            "tolerance": "0.05",
            "formula": None,
            "rollup": "none",
            "sources": [],
        }

    @staticmethod
    def put(w, side, row):
        return {
            "objective": row.objective_id,
            "code": "TMP2",
            "name": "Renamed",
            "unit_label": "EUR",
            "polarity": "increase",
            "frequency": "monthly",
            "aggregation": "sum",
            "weight": "1",
            "owner": None,
            "tolerance": "0.2",
            "formula": None,
            "rollup": "none",
            "sources": [],
        }

    patch = {"name": "Patched"}


class Values:
    path = "measure-values"
    model = MeasureValue

    @staticmethod
    def row(w, side):
        return f.MeasureValueFactory(measure=_measure(w, side), period=dt.date(2026, 6, 1))

    @staticmethod
    def create(w, side):
        return {
            "measure": _measure(w, side).pk,
            "period": "2026-03",
            "actual": "95.5",  # an owner enters actuals and notes; heads set targets
            "note": "A good month.",
        }

    @staticmethod
    def put(w, side, row):
        return {
            "measure": row.measure_id,
            "period": row.period.isoformat(),
            "actual": "101",
            "target": "100",
            "red_flag": None,
            "note": "",
        }

    patch = {"actual": "99.25"}


RESOURCES = [Perspectives, Themes, Objectives, Links, Measures, Values]
ids = [r.path for r in RESOURCES]


# CRUD ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_list_is_paginated(w, resource):
    resource.row(w, "own")
    resource.row(w, "other") if resource is not Perspectives else None
    client = client_for(w.u.executive)
    body = client.get(f"{API}/{resource.path}/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    total = resource.model.objects.count()
    assert body["count"] == total >= 2
    assert len(body["results"]) == total
    page = client.get(f"{API}/{resource.path}/?page_size=1").json()
    assert page["count"] == total and len(page["results"]) == 1
    assert page["previous"] is None and "page=2" in page["next"]
    second = client.get(page["next"]).json()
    assert second["results"][0]["id"] != page["results"][0]["id"]


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_retrieve(w, resource):
    row = resource.row(w, "other")
    response = client_for(w.u.employee).get(f"{API}/{resource.path}/{row.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == row.pk
    assert client_for(w.u.employee).get(f"{API}/{resource.path}/999999/").status_code == 404


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_create_update_patch_delete(w, resource):
    client = client_for(w.u.staff)
    payload = resource.create(w, "own")
    created = client.post(f"{API}/{resource.path}/", payload)
    assert created.status_code == 201, created.json()
    body = created.json()
    row = resource.model.objects.get(pk=body["id"])

    put = resource.put(w, "own", row)
    updated = client.put(f"{API}/{resource.path}/{row.pk}/", put)
    assert updated.status_code == 200, updated.json()

    patched = client.patch(f"{API}/{resource.path}/{row.pk}/", resource.patch)
    assert patched.status_code == 200, patched.json()
    for name, value in resource.patch.items():
        answered = patched.json()[name]
        assert answered == value or Decimal(answered) == Decimal(value)  # decimal strings

    assert client.delete(f"{API}/{resource.path}/{row.pk}/").status_code == 204
    assert not resource.model.objects.filter(pk=row.pk).exists()
    assert client.get(f"{API}/{resource.path}/{row.pk}/").status_code == 404


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_without_auth_401(w, resource):
    row = resource.row(w, "own")
    client = client_for(None)
    assert client.get(f"{API}/{resource.path}/").status_code == 401
    assert client.get(f"{API}/{resource.path}/{row.pk}/").status_code == 401
    assert client.post(f"{API}/{resource.path}/", resource.create(w, "own")).status_code == 401
    assert client.patch(f"{API}/{resource.path}/{row.pk}/", resource.patch).status_code == 401
    assert client.delete(f"{API}/{resource.path}/{row.pk}/").status_code == 401


def test_objective_fields_round_trip(w):
    client = client_for(w.u.staff)
    theme = f.ThemeFactory(unit=w.b1, name="Growth")
    payload = {
        "unit": w.d1.pk,
        "code": "X1",
        "name": "Expand",
        "description": "Into the north.",
        "perspective": w.customer.pk,
        "theme": theme.pk,
        "owner": w.u.head.pk,
        "weight": "2.5",
        "supports": [w.o_b1.pk, w.o_ent.pk],
    }
    body = client.post(f"{API}/objectives/", payload).json()
    assert body == {**payload, "id": body["id"], "weight": "2.500", "supports": body["supports"]}
    assert sorted(body["supports"]) == sorted([w.o_b1.pk, w.o_ent.pk])
    objective = Objective.objects.get(pk=body["id"])
    assert set(objective.supports.all()) == {w.o_b1, w.o_ent}
    assert objective.history.first().history_user == w.u.staff  # `by` reached the service
    # supports replaced as a whole when given, kept when not
    client.patch(f"{API}/objectives/{objective.pk}/", {"supports": [w.o_ent.pk]})
    assert list(objective.supports.all()) == [w.o_ent]
    client.patch(f"{API}/objectives/{objective.pk}/", {"name": "Expand more"})
    assert list(objective.supports.all()) == [w.o_ent]
    assert (
        client.patch(f"{API}/objectives/{objective.pk}/", {"supports": []}).json()["supports"] == []
    )


def test_measure_fields_round_trip_and_rollup_sources(w):
    client = client_for(w.u.staff)
    payload = Measures.create(w, "own")
    body = client.post(f"{API}/measures/", payload).json()
    assert body["tolerance"] == "0.0500" and body["weight"] == "2.000"
    assert body["polarity"] == "decrease" and body["frequency"] == "quarterly"
    assert Measure.objects.get(pk=body["id"]).unit == w.d1  # the objective's unit
    rollup = client.post(
        f"{API}/measures/",
        {
            "objective": w.o_b1.pk,
            "code": "LEADS_ALL",
            "name": "All leads",
            "rollup": "sum",
            "sources": [w.m_d1.pk],
        },
    )
    assert rollup.status_code == 201, rollup.json()
    assert rollup.json()["sources"] == [w.m_d1.pk]
    calculated = client.post(
        f"{API}/measures/",
        {"objective": w.o_b1.pk, "code": "DOUBLE", "name": "Twice", "formula": "REV * 2"},
    )
    assert calculated.status_code == 201, calculated.json()
    assert calculated.json()["formula"] == "REV * 2"


def test_measure_value_fields(w):
    client = client_for(w.u.staff)
    with_targets = {**Values.create(w, "own"), "target": "100", "red_flag": "80"}
    created = client.post(f"{API}/measure-values/", with_targets)
    assert created.status_code == 201
    body = created.json()
    assert body["period"] == "2026-03-01"  # YYYY-MM accepted, answered as a date
    assert body["actual"] == "95.500000" and body["target"] == "100.000000"
    assert body["entered_by"] == w.u.staff.pk
    assert dt.datetime.fromisoformat(body["updated_at"]).tzinfo is not None
    # read-only fields are ignored on write
    patched = client.patch(
        f"{API}/measure-values/{body['id']}/", {"entered_by": w.u.head.pk, "note": "Checked."}
    ).json()
    assert patched["entered_by"] == w.u.staff.pk and patched["note"] == "Checked."
    # a PATCH keeps the fields it does not name
    assert patched["actual"] == "95.500000" and patched["red_flag"] == "80.000000"


# Filters and ordering ------------------------------------------------------------------------


def _ids(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_filters(w):
    client = client_for(w.u.executive)
    theme = f.ThemeFactory(unit=w.b2, name="Lean")
    f.ThemeFactory(unit=w.b1, name="Lean")
    link = f.CauseEffectFactory(cause=w.o_b2, effect=w.o_b2_b)
    f.CauseEffectFactory(cause=w.o_d1, effect=w.o_d1_b)
    v_b1_feb = f.MeasureValueFactory(measure=w.m_b1)  # 2026-02
    v_b1_mar = f.MeasureValueFactory(measure=w.m_b1)  # 2026-03

    assert _ids(client, f"{API}/themes/?unit={w.b2.pk}") == {theme.pk}
    assert _ids(client, f"{API}/objectives/?unit={w.b2.pk}") == {w.o_b2.pk, w.o_b2_b.pk}
    assert _ids(client, f"{API}/objectives/?code=SALES") == {w.o_b1.pk}
    assert _ids(client, f"{API}/objectives/?perspective={w.financial.pk}&unit={w.b2.pk}") == {
        w.o_b2.pk
    }
    assert _ids(client, f"{API}/objectives/?supports={w.o_ent.pk}") == {w.o_b1.pk}
    assert _ids(client, f"{API}/links/?unit={w.b2.pk}") == {link.pk}
    assert _ids(client, f"{API}/links/?cause={w.o_b2.pk}") == {link.pk}
    assert _ids(client, f"{API}/measures/?objective={w.o_b2.pk}") == {w.m_b2.pk, w.m_b2_q.pk}
    assert _ids(client, f"{API}/measures/?unit={w.d1.pk}") == {w.m_d1.pk}
    assert _ids(client, f"{API}/measures/?code=REV") == {w.m_b1.pk}
    assert _ids(client, f"{API}/measures/?frequency=quarterly") == {w.m_b2_q.pk}
    assert _ids(client, f"{API}/measure-values/?measure={w.m_b1.pk}") == {
        w.v_b1.pk,
        v_b1_feb.pk,
        v_b1_mar.pk,
    }
    assert _ids(
        client,
        f"{API}/measure-values/?measure={w.m_b1.pk}&period_after=2026-02-01&period_before=2026-02-28",
    ) == {v_b1_feb.pk}
    assert _ids(client, f"{API}/measure-values/?period_after=2026-02&unit={w.b1.pk}") == {
        v_b1_feb.pk,
        v_b1_mar.pk,
    }
    assert _ids(client, f"{API}/measure-values/?period=2026-01") == {w.v_b1.pk, w.v_b2.pk}
    assert _ids(client, f"{API}/measure-values/?objective={w.o_b2.pk}") == {w.v_b2.pk}
    assert _ids(client, f"{API}/perspectives/?name=Customer") == {w.customer.pk}


@pytest.mark.parametrize(
    "url, field",
    [
        ("objectives/?unit=abc", "unit"),
        ("objectives/?unit=999999", "unit"),
        ("objectives/?unit=99999999999999999999999", "unit"),
        ("measures/?objective=x", "objective"),
        ("measures/?frequency=hourly", "frequency"),
        ("measure-values/?period_after=yesterday", "period_after"),
        ("measure-values/?period_before=2026-13-01", "period_before"),
        ("links/?unit=-1", "unit"),
        ("objectives/?supports=99999999999999999999999", "supports"),
        ("measure-values/?measure=1e400", "measure"),
    ],
)
def test_bad_filters_are_400s(w, url, field):
    response = client_for(w.u.executive).get(f"{API}/{url}")
    assert response.status_code == 400
    assert field in response.json()


def test_ordering(w):
    client = client_for(w.u.executive)
    codes = [o["code"] for o in client.get(f"{API}/objectives/?ordering=-code").json()["results"]]
    assert codes == sorted(codes, reverse=True)
    names = [p["name"] for p in client.get(f"{API}/perspectives/").json()["results"]]
    assert names == list(f.PERSPECTIVES)  # by order, top to bottom
    periods = [
        v["period"] for v in client.get(f"{API}/measure-values/?ordering=-period").json()["results"]
    ]
    assert periods == sorted(periods, reverse=True)


# Permissions ---------------------------------------------------------------------------------

WRITE = {"create": 201, "update": 200, "delete": 204}


def _expected(role, resource, side, action):
    """What the rules of the rules (core/policies.py) allow: 2xx or 403."""
    if role == "staff":
        return WRITE[action]
    if role == "head" and side == "own" and resource is not Perspectives:
        return WRITE[action]
    if (
        role == "owner"
        and resource is Values
        and side == "other"  # `owner` owns the measure of B2
        and action in ("create", "update")
    ):
        return WRITE[action]
    return 403


def _write(client, w, resource, side, action):
    if action == "create":
        return client.post(f"{API}/{resource.path}/", resource.create(w, side))
    row = resource.row(w, side)
    if action == "update":
        return client.patch(f"{API}/{resource.path}/{row.pk}/", resource.patch)
    return client.delete(f"{API}/{resource.path}/{row.pk}/")


@pytest.mark.parametrize("action", ["create", "update", "delete"])
@pytest.mark.parametrize("side", ["own", "other"])
@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
@pytest.mark.parametrize("role", ["staff", "head", "executive", "hr", "owner", "employee"])
def test_permission_table(w, role, resource, side, action):
    response = _write(client_for(getattr(w.u, role)), w, resource, side, action)
    assert response.status_code == _expected(role, resource, side, action), response.content


def test_a_unit_head_writes_deep_in_his_subtree_but_not_above_it(w):
    client = client_for(w.u.head)
    deep = f.ObjectiveFactory(unit=w.t1, code="DEEP", perspective=w.financial)
    assert client.patch(f"{API}/objectives/{deep.pk}/", {"name": "Deeper"}).status_code == 200
    assert client.patch(f"{API}/objectives/{w.o_ent.pk}/", {"name": "Mine"}).status_code == 403
    assert client.patch(f"{API}/objectives/{w.o_b1.pk}/", {"name": "Mine"}).status_code == 200
    value = {"measure": w.m_b1.pk, "period": "2026-05", "actual": "3"}
    assert client.post(f"{API}/measure-values/", value).status_code == 201
    value = {"measure": w.m_b2.pk, "period": "2026-05", "actual": "3"}
    assert client.post(f"{API}/measure-values/", value).status_code == 403
    # a link from his map to another unit's objective: the cause decides, the rule refuses
    link = {"cause": w.o_b2.pk, "effect": w.o_b2_b.pk}
    assert client.post(f"{API}/links/", link).status_code == 403


def test_a_unit_head_cannot_move_a_link_out_of_his_subtree(w):
    link = f.CauseEffectFactory(cause=w.o_d1, effect=w.o_d1_b)
    response = client_for(w.u.head).patch(
        f"{API}/links/{link.pk}/", {"cause": w.o_b2.pk, "effect": w.o_b2_b.pk}
    )
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.cause == w.o_d1


def test_a_measure_owner_enters_values_of_his_measure_only(w):
    client = client_for(w.u.owner)
    mine = {"measure": w.m_b2.pk, "period": "2026-02", "actual": "7.5"}
    created = client.post(f"{API}/measure-values/", mine)
    assert created.status_code == 201
    # his own target: refused (the heads of B2 and above and the OSM staff set them)
    target = client.patch(f"{API}/measure-values/{created.json()['id']}/", {"target": "0"})
    assert target.status_code == 400
    assert "Targets and red flags of" in target.json()["target"][0]
    assert client.patch(f"{API}/measure-values/{w.v_b2.pk}/", {"actual": "92"}).status_code == 200
    assert client.delete(f"{API}/measure-values/{w.v_b2.pk}/").status_code == 403
    others = {"measure": w.m_b1.pk, "period": "2026-02", "actual": "7"}
    assert client.post(f"{API}/measure-values/", others).status_code == 403
    assert client.patch(f"{API}/measure-values/{w.v_b1.pk}/", {"actual": "1"}).status_code == 403
    assert client.patch(f"{API}/measures/{w.m_b2.pk}/", {"name": "Mine"}).status_code == 403


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_every_role_reads_the_strategy(w, resource):
    row = resource.row(w, "other")
    for role in ("staff", "head", "executive", "hr", "owner", "employee"):
        client = client_for(getattr(w.u, role))
        assert client.get(f"{API}/{resource.path}/").json()["count"] >= 1
        assert client.get(f"{API}/{resource.path}/{row.pk}/").status_code == 200


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_a_user_without_a_role_sees_nothing_and_writes_nothing(w, resource):
    """Not even as the head of a unit or the owner of a measure: a relationship grants
    nothing without a role. He may see no row of any kind, so every endpoint is a 403
    (the convention of tests/osm/test_api_scoping.py)."""
    OrgUnit.objects.filter(pk=w.b2.pk).update(head=w.u.nobody)
    Measure.objects.filter(pk=w.m_d1.pk).update(owner=w.u.nobody)
    row = resource.row(w, "own")
    client = client_for(w.u.nobody)
    listed = client.get(f"{API}/{resource.path}/")
    assert listed.status_code == 403 and "results" not in listed.json()
    assert client.get(f"{API}/{resource.path}/{row.pk}/").status_code == 403
    for side in ("own", "other"):
        response = client.post(f"{API}/{resource.path}/", resource.create(w, side))
        assert response.status_code == 403
    assert client.patch(f"{API}/{resource.path}/{row.pk}/", resource.patch).status_code == 403
    assert client.delete(f"{API}/{resource.path}/{row.pk}/").status_code == 403
    assert resource.model.objects.filter(pk=row.pk).exists()


# Bad input: 400 naming the field, never a 500 ------------------------------------------------


def _post_400(client, path, payload, field):
    response = client.post(f"{API}/{path}/", payload)
    assert response.status_code == 400, (response.status_code, response.content)
    assert field in response.json(), response.json()
    return response.json()[field]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"weight": "heavy"}, "weight"),
        ({"weight": "0"}, "weight"),
        ({"weight": "-1"}, "weight"),
        ({"weight": "NaN"}, "weight"),
        ({"weight": "1.23456"}, "weight"),
        ({"unit": "B1"}, "unit"),
        ({"unit": 999999}, "unit"),
        ({"unit": 10**30}, "unit"),
        ({"unit": None}, "unit"),
        ({"perspective": 999999}, "perspective"),
        ({"owner": 999999}, "owner"),
        ({"theme": [1]}, "theme"),
        ({"supports": 5}, "supports"),
        ({"supports": "5"}, "supports"),
        ({"supports": [999999]}, "supports"),
        ({"supports": ["x"]}, "supports"),
        ({"supports": None}, "supports"),
        ({"code": "1ABC"}, "code"),
        ({"code": "A B"}, "code"),
        ({"code": "X" * 41}, "code"),
        ({"code": "SALES"}, "code"),  # taken in B1
        ({"name": ""}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"description": ["a"]}, "description"),
    ],
)
def test_bad_objectives(w, change, field):
    payload = {
        "unit": w.b1.pk,
        "code": "NEW",
        "name": "New",
        "perspective": w.financial.pk,
        **change,
    }
    _post_400(client_for(w.u.staff), "objectives", payload, field)
    assert not Objective.objects.filter(code="NEW").exists()


@pytest.mark.parametrize("target", ["o_b2", "o_b1_b", "o_d1", "sibling"])
def test_an_objective_supports_only_objectives_of_units_above(w, target):
    """B2's objectives, B1's own, those below B1: none is of a unit above B1."""
    client = client_for(w.u.staff)
    supported = getattr(w, target) if target != "sibling" else w.o_b2_b
    payload = {
        "unit": w.b1.pk,
        "code": "NEW",
        "name": "New",
        "perspective": w.financial.pk,
        "supports": [w.o_ent.pk, supported.pk],
    }
    message = _post_400(client, "objectives", payload, "supports")
    assert "above" in str(message)
    assert not Objective.objects.filter(code="NEW").exists()
    # and on update, nothing changes
    response = client.patch(f"{API}/objectives/{w.o_b1.pk}/", {"supports": [supported.pk]})
    assert response.status_code == 400 and "supports" in response.json()
    assert list(w.o_b1.supports.all()) == [w.o_ent]
    response = client.patch(f"{API}/objectives/{w.o_b1.pk}/", {"supports": [w.o_b1.pk]})
    assert response.status_code == 400 and "supports" in response.json()


def test_an_objective_stays_in_its_unit_and_takes_themes_from_above(w):
    client = client_for(w.u.staff)
    response = client.patch(f"{API}/objectives/{w.o_b1.pk}/", {"unit": w.b2.pk})
    assert response.status_code == 400 and "unit" in response.json()
    other_theme = f.ThemeFactory(unit=w.b2, name="Elsewhere")
    response = client.patch(f"{API}/objectives/{w.o_b1.pk}/", {"theme": other_theme.pk})
    assert response.status_code == 400 and "theme" in response.json()
    w.o_b1.refresh_from_db()
    assert w.o_b1.unit == w.b1 and w.o_b1.theme is None


def test_deleting_an_objective_others_depend_on_is_a_400(w):
    client = client_for(w.u.staff)
    response = client.delete(f"{API}/objectives/{w.o_ent.pk}/")  # SALES supports it
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    response = client.delete(f"{API}/objectives/{w.o_b1.pk}/")  # REV measures it
    assert response.status_code == 400
    assert Objective.objects.filter(pk__in=[w.o_ent.pk, w.o_b1.pk]).count() == 2


@pytest.mark.parametrize(
    "change, field",
    [
        ({"weight": "x"}, "weight"),
        ({"weight": "0"}, "weight"),
        ({"tolerance": "1.5"}, "tolerance"),
        ({"tolerance": "-0.1"}, "tolerance"),
        ({"tolerance": "many"}, "tolerance"),
        ({"polarity": "up"}, "polarity"),
        ({"frequency": "hourly"}, "frequency"),
        ({"aggregation": "median"}, "aggregation"),
        ({"rollup": "product"}, "rollup"),
        ({"objective": 999999}, "objective"),
        ({"objective": "REV"}, "objective"),
        ({"owner": "me"}, "owner"),
        ({"code": "REV"}, "code"),  # taken in B1
        ({"code": "9X"}, "code"),
        ({"sources": [999999]}, "sources"),
        ({"sources": 3}, "sources"),
        ({"formula": "REV +"}, "formula"),  # syntax error
        ({"formula": "(REV"}, "formula"),
        ({"formula": "REV $ 2"}, "formula"),
        ({"formula": "NOPE * 2"}, "formula"),  # unknown code
        ({"formula": "NOUNIT.REV"}, "formula"),
        ({"formula": "B2.QCOST"}, "formula"),  # another frequency
        ({"formula": "(" * 5000 + "REV" + ")" * 5000}, "formula"),
        ({"formula": "REV", "rollup": "sum"}, "formula"),  # both
        ({"rollup": "sum", "sources": [999999]}, "sources"),
    ],
)
def test_bad_measures(w, change, field):
    payload = {"objective": w.o_b1.pk, "code": "NEWM", "name": "New", **change}
    _post_400(client_for(w.u.staff), "measures", payload, field)
    assert not Measure.objects.filter(code="NEWM").exists()


def test_rollup_sources_must_be_below_and_only_for_rollups(w):
    client = client_for(w.u.staff)
    base = {"objective": w.o_b1.pk, "code": "NEWM", "name": "New"}
    # not a rollup
    _post_400(client, "measures", {**base, "sources": [w.m_d1.pk]}, "sources")
    # a source of another branch
    _post_400(client, "measures", {**base, "rollup": "sum", "sources": [w.m_b2.pk]}, "sources")
    # of another frequency
    _post_400(client, "measures", {**base, "rollup": "sum", "sources": [w.m_b2_q.pk]}, "sources")
    assert not Measure.objects.filter(code="NEWM").exists()


def test_a_formula_cycle_is_a_400(w):
    client = client_for(w.u.staff)
    a = client.post(
        f"{API}/measures/",
        {"objective": w.o_b1.pk, "code": "CALC_A", "name": "A", "formula": "REV * 2"},
    ).json()
    b = client.post(
        f"{API}/measures/",
        {"objective": w.o_b1.pk, "code": "CALC_B", "name": "B", "formula": "CALC_A + 1"},
    ).json()
    response = client.patch(f"{API}/measures/{a['id']}/", {"formula": "CALC_B / 2"})
    assert response.status_code == 400
    assert "cycle" in str(response.json()["formula"])
    response = client.patch(f"{API}/measures/{a['id']}/", {"formula": "CALC_A"})
    assert response.status_code == 400 and "formula" in response.json()
    assert Measure.objects.get(pk=a["id"]).formula == "REV * 2"
    assert Measure.objects.get(pk=b["id"]).formula == "CALC_A + 1"


def test_a_measure_stays_with_its_objective(w):
    client = client_for(w.u.staff)
    response = client.patch(f"{API}/measures/{w.m_b1.pk}/", {"objective": w.o_b1_b.pk})
    assert response.status_code == 400 and "objective" in response.json()
    # repeating the objective it has is fine (a PUT sends every field)
    response = client.patch(f"{API}/measures/{w.m_b1.pk}/", {"objective": w.o_b1.pk})
    assert response.status_code == 200


def test_a_measure_with_values_keeps_its_frequency_and_entered_actuals(w):
    client = client_for(w.u.staff)
    response = client.patch(f"{API}/measures/{w.m_b1.pk}/", {"frequency": "annual"})
    assert response.status_code == 400 and "frequency" in response.json()
    response = client.patch(f"{API}/measures/{w.m_b1.pk}/", {"formula": "NLEADS"})
    assert response.status_code == 400 and "formula" in response.json()
    w.m_b1.refresh_from_db()
    assert w.m_b1.frequency == Frequency.MONTHLY and w.m_b1.formula is None


@pytest.mark.parametrize(
    "change, field",
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "2026/01"}, "period"),
        ({"period": "January"}, "period"),
        ({"period": "2026-02-30"}, "period"),
        ({"period": "0000-01-01"}, "period"),
        ({"period": 202601}, "period"),
        ({"period": None}, "period"),
        ({"period": "2026-01-15"}, "period"),  # not the first day of a month
        ({"measure": 999999}, "measure"),
        ({"measure": "REV"}, "measure"),
        ({"measure": 10**30}, "measure"),
        ({"actual": "lots"}, "actual"),
        ({"actual": "1e400"}, "actual"),
        ({"actual": "123456789012345"}, "actual"),  # more digits than the column holds
        ({"target": [1]}, "target"),
        ({"red_flag": "Infinity"}, "red_flag"),
        ({"target": "100", "red_flag": "120"}, "red_flag"),  # above the target, increase
        ({"note": None}, "note"),
    ],
)
def test_bad_values(w, change, field):
    payload = {"measure": w.m_b1.pk, "period": "2026-04", "actual": "5", **change}
    _post_400(client_for(w.u.staff), "measure-values", payload, field)
    assert MeasureValue.objects.count() == 2


def test_a_red_flag_on_the_wrong_side_for_a_decreasing_measure(w):
    cost = f.MeasureFactory(objective=w.o_b1, code="DEFECTS", polarity=Polarity.DECREASE)
    client = client_for(w.u.staff)
    payload = {"measure": cost.pk, "period": "2026-01", "target": "10", "red_flag": "5"}
    assert "below" in str(_post_400(client, "measure-values", payload, "red_flag"))
    payload["red_flag"] = "15"
    assert client.post(f"{API}/measure-values/", payload).status_code == 201
    value = MeasureValue.objects.get(measure=cost)
    response = client.patch(f"{API}/measure-values/{value.pk}/", {"target": "20"})
    assert response.status_code == 400 and "red_flag" in response.json()


def test_a_second_create_for_the_same_measure_and_period_is_a_400(w):
    client = client_for(w.u.staff)
    payload = {"measure": w.m_b1.pk, "period": "2026-01-01", "actual": "1"}  # v_b1's period
    assert "already" in str(_post_400(client, "measure-values", payload, "period"))
    payload["period"] = "2026-01"
    _post_400(client, "measure-values", payload, "period")
    w.v_b1.refresh_from_db()
    assert w.v_b1.actual == Decimal("95")  # untouched


def test_a_quarterly_measure_takes_quarter_starts(w):
    client = client_for(w.u.staff)
    payload = {"measure": w.m_b2_q.pk, "period": "2026-02", "target": "1"}
    assert "quarter" in str(_post_400(client, "measure-values", payload, "period"))
    payload["period"] = "2026-04"
    assert client.post(f"{API}/measure-values/", payload).status_code == 201


@pytest.mark.parametrize("kind", ["formula", "rollup"])
def test_an_actual_on_a_calculated_or_rollup_measure_is_a_400(w, kind):
    if kind == "formula":
        measure = f.MeasureFactory(objective=w.o_b1, code="CALC", formula="REV * 2")
    else:
        measure = f.MeasureFactory(
            objective=w.o_b1, code="ROLL", rollup=Rollup.SUM, sources=[w.m_d1]
        )
    client = client_for(w.u.staff)
    payload = {"measure": measure.pk, "period": "2026-01", "actual": "3", "target": "4"}
    assert "actual" in _post_400(client, "measure-values", payload, "actual")[0]
    del payload["actual"]
    created = client.post(f"{API}/measure-values/", payload)
    assert created.status_code == 201  # its target is entered like any measure's
    response = client.patch(f"{API}/measure-values/{created.json()['id']}/", {"actual": "1"})
    assert response.status_code == 400 and "actual" in response.json()


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda w: {"measure": w.m_b1.pk}, "measure"),
        (lambda w: {"period": "2026-02"}, "period"),
        (lambda w: {"period": "2026-02-31"}, "period"),
    ],
)
def test_a_value_stays_with_its_measure_and_period(w, change, field):
    client = client_for(w.u.staff)
    response = client.patch(f"{API}/measure-values/{w.v_b2.pk}/", change(w))
    assert response.status_code == 400 and field in response.json()
    put = {**Values.put(w, "other", w.v_b2), **change(w)}
    response = client.put(f"{API}/measure-values/{w.v_b2.pk}/", put)
    assert response.status_code == 400 and field in response.json()
    w.v_b2.refresh_from_db()
    assert (w.v_b2.measure, w.v_b2.period) == (w.m_b2, dt.date(2026, 1, 1))
    # repeating them is fine
    same = {"measure": w.m_b2.pk, "period": "2026-01", "note": "Same."}
    assert client.patch(f"{API}/measure-values/{w.v_b2.pk}/", same).status_code == 200


@pytest.mark.parametrize(
    "payload, field",
    [
        (lambda w: {"cause": w.o_d1.pk, "effect": w.o_b2.pk}, "effect"),  # other unit
        (lambda w: {"cause": w.o_d1.pk, "effect": w.o_d1.pk}, "effect"),  # itself
        (lambda w: {"cause": 999999, "effect": w.o_d1.pk}, "cause"),
        (lambda w: {"cause": "x", "effect": w.o_d1.pk}, "cause"),
        (lambda w: {"cause": w.o_d1.pk}, "effect"),
        (lambda w: {"cause": w.o_d1.pk, "effect": w.o_d1_b.pk, "rationale": None}, "rationale"),
    ],
)
def test_bad_links(w, payload, field):
    _post_400(client_for(w.u.staff), "links", payload(w), field)
    assert not CauseEffect.objects.exists()


def test_a_duplicate_link_is_a_400(w):
    f.CauseEffectFactory(cause=w.o_d1, effect=w.o_d1_b)
    client = client_for(w.u.staff)
    _post_400(client, "links", {"cause": w.o_d1.pk, "effect": w.o_d1_b.pk}, "effect")
    other = f.CauseEffectFactory(cause=w.o_d1_b, effect=w.o_d1)
    response = client.patch(f"{API}/links/{other.pk}/", {"cause": w.o_d1.pk, "effect": w.o_d1_b.pk})
    assert response.status_code == 400 and "effect" in response.json()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "Financial", "order": 50}, "name"),  # taken
        ({"name": "New", "order": 1}, "order"),  # taken
        ({"name": "New", "order": -1}, "order"),
        ({"name": "New", "order": "first"}, "order"),
        ({"name": "New"}, "order"),
        ({"order": 50}, "name"),
    ],
)
def test_bad_perspectives(w, payload, field):
    _post_400(client_for(w.u.staff), "perspectives", payload, field)
    assert Perspective.objects.count() == 4


def test_theme_names_are_unique_in_a_unit_and_moves_keep_their_objectives(w):
    client = client_for(w.u.staff)
    theme = f.ThemeFactory(unit=w.b1, name="Growth")
    _post_400(client, "themes", {"unit": w.b1.pk, "name": "Growth"}, "name")
    _post_400(client, "themes", {"unit": 999999, "name": "X"}, "unit")
    assert client.post(f"{API}/themes/", {"unit": w.b2.pk, "name": "Growth"}).status_code == 201
    response = client.patch(f"{API}/themes/{theme.pk}/", {"unit": w.b2.pk})
    assert response.status_code == 400 and "name" in response.json()  # B2 has a Growth
    # an objective of D1 uses it: it may move up to the enterprise, not across to B2
    f.ObjectiveFactory(unit=w.d1, code="THEMED", theme=theme, perspective=w.financial)
    response = client.patch(f"{API}/themes/{theme.pk}/", {"unit": w.b2.pk, "name": "Lean"})
    assert response.status_code == 400 and "unit" in response.json()
    response = client.patch(f"{API}/themes/{theme.pk}/", {"unit": w.ent.pk})
    assert response.status_code == 200
    # a theme that objectives use cannot go
    response = client.delete(f"{API}/themes/{theme.pk}/")
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_a_unit_head_moves_themes_only_within_his_subtree(w):
    theme = f.ThemeFactory(unit=w.d1, name="Mine")
    client = client_for(w.u.head)
    assert client.patch(f"{API}/themes/{theme.pk}/", {"unit": w.b2.pk}).status_code == 403
    assert client.patch(f"{API}/themes/{theme.pk}/", {"unit": w.b1.pk}).status_code == 200


def test_a_perspective_in_use_cannot_be_deleted(w):
    response = client_for(w.u.staff).delete(f"{API}/perspectives/{w.financial.pk}/")
    assert response.status_code == 400
    assert Perspective.objects.filter(pk=w.financial.pk).exists()


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "5", "null", "{not json"])
def test_a_body_that_is_not_an_object_is_a_400(w, resource, body):
    client = client_for(w.u.staff)
    row = resource.row(w, "own")
    for method, url in (
        ("POST", f"{API}/{resource.path}/"),
        ("PUT", f"{API}/{resource.path}/{row.pk}/"),
        ("PATCH", f"{API}/{resource.path}/{row.pk}/"),
    ):
        response = client.generic(method, url, body, content_type="application/json")
        assert response.status_code == 400, (method, response.content)


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_bad_ids_in_paths_are_404s(w, resource):
    client = client_for(w.u.staff)
    for bad in ("abc", "99999999999999999999999", "-1", "0"):
        assert client.get(f"{API}/{resource.path}/{bad}/").status_code == 404
        assert client.patch(f"{API}/{resource.path}/{bad}/", {}).status_code == 404


# Query counts --------------------------------------------------------------------------------


def _make_rows(w, resource, start, n):
    """`n` more rows of a resource (numbered from `start`, so names and codes stay unique),
    each with what its list shows (supports, sources)."""
    for i in range(start, start + n):
        if resource is Perspectives:
            f.PerspectiveFactory(name=f"Extra {i}", order=200 + i)
        elif resource is Themes:
            f.ThemeFactory(unit=w.b2, name=f"Theme {i}")
        elif resource is Objectives:
            f.ObjectiveFactory(
                unit=w.d1, code=f"Q{i}", perspective=w.financial, supports=[w.o_b1, w.o_ent]
            )
        elif resource is Links:
            a = f.ObjectiveFactory(unit=w.b2, code=f"CA{i}", perspective=w.financial)
            b = f.ObjectiveFactory(unit=w.b2, code=f"EF{i}", perspective=w.financial)
            f.CauseEffectFactory(cause=a, effect=b)
        elif resource is Measures:
            source = f.MeasureFactory(objective=w.o_d1, code=f"S{i}")
            f.MeasureFactory(
                objective=w.o_b1, code=f"R{i}", rollup=Rollup.SUM, sources=[source, w.m_d1]
            )
        else:
            f.MeasureValueFactory(measure=w.m_d1)


def _list_queries(client, resource):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}/{resource.path}/?page_size=500")
    assert response.status_code == 200
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("resource", RESOURCES, ids=ids)
def test_list_queries_do_not_grow_with_page_size(w, resource):
    client = client_for(w.u.head)
    _make_rows(w, resource, 0, 3)
    few, count_few = _list_queries(client, resource)
    _make_rows(w, resource, 3, 27)
    many, count_many = _list_queries(client, resource)
    assert count_many - count_few == 27 * (2 if resource is Measures else 1)
    assert many == few, (few, many)


# The schema ----------------------------------------------------------------------------------


def test_the_schema_describes_every_field_of_these_resources():
    # The schema is for signed-in users (API_SCHEMA_PUBLIC off).
    reader = client_for(f.UserFactory(roles=[EMPLOYEE]))
    schema = reader.get(f"{API}/schema/?format=json").json()
    for path in ("perspectives", "themes", "objectives", "links", "measures", "measure-values"):
        assert f"/api/v1/{path}/" in schema["paths"]
        assert f"/api/v1/{path}/{{id}}/" in schema["paths"]
    components = schema["components"]["schemas"]
    for name in ("Perspective", "Theme", "Objective", "Link", "Measure", "MeasureValue"):
        for field, spec in components[name]["properties"].items():
            assert spec.get("description"), f"{name}.{field} has no description"
    assert set(components["MeasureValue"]["properties"]) == {
        "id",
        "measure",
        "period",
        "actual",
        "target",
        "red_flag",
        "note",
        "entered_by",
        "updated_at",
        # the approval of updates (issue 15), read-only
        "state",
        "submitted_actual",
        "submitted_note",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "review_comment",
    }
    for field in ("entered_by", "state", "submitted_actual", "reviewed_by", "review_comment"):
        assert components["MeasureValue"]["properties"][field]["readOnly"] is True
    assert set(components["Objective"]["properties"]) == {
        "id",
        "unit",
        "code",
        "name",
        "description",
        "perspective",
        "theme",
        "owner",
        "weight",
        "supports",
    }
