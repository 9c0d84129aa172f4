"""Strategy versions (issue 17, item 1): a version is the map frozen when published, and two
versions (or a version and the live map) compare by code. The expectations are written out
by hand from the maps built here."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scorecards import services
from scorecards.models import Measure, Objective, Perspective, StrategyVersion
from scorecards.selectors.versions import live_content
from scorecards.versions import compare, is_empty
from tests import factories as f


def objective(code, **fields):
    row = {"code": code, "name": code.title(), "perspective": "Financial", "theme": None,
           "weight": "1", "supports": []}  # fmt: skip
    return row | fields


def measure(code, objective_code, **fields):
    row = {"code": code, "objective": objective_code, "name": code.title(),
           "polarity": "increase", "frequency": "monthly", "weight": "1",
           "targets": {}}  # fmt: skip
    return row | fields


OLDER = {
    "objectives": [
        objective("U.KEEP", weight="1.0"),
        objective("U.RENAME", name="Grow"),
        objective("U.WEIGH", weight="1"),
        objective("U.MOVE", perspective="Customer"),
        objective("U.THEME", theme="Lean"),
        objective("U.SUPPORT", supports=["TOP.A"]),
        objective("U.GONE"),
    ],
    "links": [["U.KEEP", "U.RENAME"], ["U.GONE", "U.KEEP"]],
    "measures": [
        measure("U.M1", "U.KEEP", targets={"2026-01": "100", "2026-02": "100", "2026-03": "5"}),
        measure("U.M2", "U.KEEP", polarity="increase", frequency="monthly", weight="2"),
        measure("U.M3", "U.GONE"),
    ],
}
NEWER = {
    "objectives": [
        objective("U.KEEP", weight="1"),  # 1.0 and 1 are the same weight
        objective("U.RENAME", name="Grow faster"),
        objective("U.WEIGH", weight="2.5"),
        objective("U.MOVE", perspective="Financial"),
        objective("U.THEME", theme=None),
        objective("U.SUPPORT", supports=["TOP.A", "TOP.B"]),
        objective("U.NEW"),
    ],
    "links": [["U.KEEP", "U.RENAME"], ["U.NEW", "U.KEEP"]],
    "measures": [
        # 2026-01 unchanged, 2026-02 raised, 2026-03 dropped, 2026-04 added
        measure("U.M1", "U.KEEP", targets={"2026-01": "100.0", "2026-02": "110", "2026-04": "7"}),
        measure("U.M2", "U.NEW", name="Renamed", polarity="decrease", frequency="quarterly",
                weight="2.00"),
        measure("U.M4", "U.NEW"),
    ],
}  # fmt: skip


def test_a_map_changed_in_every_way():
    assert compare(OLDER, NEWER) == {
        "objectives": {
            "added": ["U.NEW"],
            "removed": ["U.GONE"],
            "changed": [
                {"code": "U.MOVE", "fields": {"perspective": ["Customer", "Financial"]}},
                {"code": "U.RENAME", "fields": {"name": ["Grow", "Grow faster"]}},
                {"code": "U.SUPPORT", "fields": {"supports": [["TOP.A"], ["TOP.A", "TOP.B"]]}},
                {"code": "U.THEME", "fields": {"theme": ["Lean", None]}},
                {"code": "U.WEIGH", "fields": {"weight": ["1", "2.5"]}},
            ],
        },
        "links": {"added": [["U.NEW", "U.KEEP"]], "removed": [["U.GONE", "U.KEEP"]]},
        "measures": {
            "added": ["U.M4"],
            "removed": ["U.M3"],
            "changed": [
                {"code": "U.M1", "fields": {"targets": {
                    "2026-02": ["100", "110"], "2026-03": ["5", None], "2026-04": [None, "7"],
                }}},
                {"code": "U.M2", "fields": {
                    "name": ["U.M2", "Renamed"], "objective": ["U.KEEP", "U.NEW"],
                    "polarity": ["increase", "decrease"], "frequency": ["monthly", "quarterly"],
                }},  # weight 2 and 2.00: the same
            ],
        },
    }  # fmt: skip


def test_a_version_compared_with_itself_is_unchanged():
    assert is_empty(compare(OLDER, OLDER))
    assert not is_empty(compare(OLDER, NEWER))


@pytest.mark.django_db
def test_a_published_version_is_the_map_frozen():
    top = f.EnterpriseFactory(code="TOP")
    above = f.ObjectiveFactory(unit=top, code="WIN", name="Win")
    unit = f.OrgUnitFactory(code="BU", parent=top)
    theme = f.ThemeFactory(unit=unit, name="Lean")
    customer = Perspective.objects.get(name="Customer")
    sell = f.ObjectiveFactory(unit=unit, code="SELL", name="Sell", weight=Decimal("2"),
                              perspective=customer, theme=theme, supports=[above])  # fmt: skip
    serve = f.ObjectiveFactory(unit=unit, code="SERVE", name="Serve", perspective=customer)
    f.CauseEffectFactory(cause=serve, effect=sell)
    otd = f.MeasureFactory(objective=serve, code="OTD", name="On time", weight=Decimal("1.5"))
    for month, target in ((1, 95), (2, "95.5")):
        services.measure_value_record(measure=otd, period=dt.date(2026, month, 1), actual=None,
                                      target=Decimal(target), actor=None)  # fmt: skip
    services.measure_value_record(
        measure=otd, period=dt.date(2025, 12, 1), actual=None, target=Decimal(90), actor=None
    )  # another year: left out
    staff = f.UserFactory(roles=["OSM staff"])
    version = services.strategy_version_publish(
        actor=staff, data={"unit": unit, "name": "2026 plan", "note": "Board, 12 Jan",
                           "fiscal_year": 2026}
    )  # fmt: skip
    content = version.content
    assert (version.published_by, version.fiscal_year) == (staff, 2026)
    assert content["perspectives"][:2] == ["Financial", "Customer"]
    assert content["themes"] == ["Lean"]
    assert content["objectives"] == [
        {"code": "BU.SELL", "name": "Sell", "perspective": "Customer", "theme": "Lean",
         "weight": "2", "supports": ["TOP.WIN"]},
        {"code": "BU.SERVE", "name": "Serve", "perspective": "Customer", "theme": None,
         "weight": "1", "supports": []},
    ]  # fmt: skip
    assert content["links"] == [["BU.SERVE", "BU.SELL"]]
    assert content["measures"] == [
        {"code": "BU.OTD", "objective": "BU.SERVE", "name": "On time", "polarity": "increase",
         "frequency": "monthly", "weight": "1.5",
         "targets": {"2026-01": "95", "2026-02": "95.5"}},
    ]  # fmt: skip
    # The live map moves on; the version does not.
    Objective.objects.filter(pk=sell.pk).update(name="Sell more")
    version.refresh_from_db()
    assert version.content["objectives"][0]["name"] == "Sell"
    difference = compare(version.content, live_content(unit, 2026))
    assert difference["objectives"]["changed"] == [
        {"code": "BU.SELL", "fields": {"name": ["Sell", "Sell more"]}}
    ]


@pytest.mark.django_db
def test_reading_the_live_map_costs_the_same_queries_whatever_its_size():
    top = f.EnterpriseFactory(code="TOP")
    small, large = f.OrgUnitFactory(code="S", parent=top), f.OrgUnitFactory(code="L", parent=top)
    f.MeasureFactory(objective=f.ObjectiveFactory(unit=small, code="A"), code="MA")
    for i in range(6):
        o = f.ObjectiveFactory(unit=large, code=f"O{i}")
        f.MeasureFactory(objective=o, code=f"M{i}")
    counts = []
    for unit in (small, large):
        with CaptureQueriesContext(connection) as queries:
            live_content(unit, 2026)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8


# The API -------------------------------------------------------------------------------------


@pytest.fixture
def org(db):
    top = f.EnterpriseFactory(code="TOP")
    head = f.UserFactory(username="head", roles=["Unit head"])
    unit = f.OrgUnitFactory(code="BU", parent=top, head=head)
    other = f.OrgUnitFactory(code="OTHER", parent=top)
    sell = f.ObjectiveFactory(unit=unit, code="SELL", name="Sell")
    f.MeasureFactory(objective=sell, code="REV", name="Revenue")
    return {"top": top, "unit": unit, "other": other, "head": head, "sell": sell}


def api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_publish_read_rename_and_compare_through_the_api(org):
    unit, head = org["unit"], org["head"]
    client = api(head)
    data = {"unit": unit.pk, "name": "2026 plan", "note": "Approved"}
    made = client.post("/api/v1/strategy-versions/", data, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["name"], body["fiscal_year"], body["published_by"]) == (
        "2026 plan", timezone.localdate().year, head.pk,
    )  # fmt: skip
    assert "content" not in body  # the list and create answers leave the map out
    version = client.get(f"/api/v1/strategy-versions/{body['id']}/").json()
    assert [o["code"] for o in version["content"]["objectives"]] == ["BU.SELL"]
    # The live map changes: a new objective, the measure renamed.
    f.ObjectiveFactory(unit=unit, code="KEEP", name="Keep customers")
    Measure.objects.filter(code="REV").update(name="Net revenue")
    diff = client.get(
        f"/api/v1/strategy-versions/compare/?a={body['id']}&b=live&unit={unit.pk}"
    ).json()
    assert diff["objectives"] == {"added": ["BU.KEEP"], "removed": [], "changed": []}
    assert diff["measures"]["changed"] == [
        {"code": "BU.REV", "fields": {"name": ["Revenue", "Net revenue"]}}
    ]
    renamed = client.patch(f"/api/v1/strategy-versions/{body['id']}/", {"name": "Plan A"},
                           format="json")  # fmt: skip
    assert renamed.status_code == 200 and renamed.json()["name"] == "Plan A"
    moved = client.patch(f"/api/v1/strategy-versions/{body['id']}/",
                         {"unit": org["other"].pk}, format="json")  # fmt: skip
    assert moved.status_code in (400, 403)
    assert StrategyVersion.objects.get(pk=body["id"]).unit == unit


@pytest.mark.django_db
def test_versions_api_refuses_what_it_should(org):
    unit, other = org["unit"], org["other"]
    head, owner = org["head"], f.UserFactory(roles=["Measure owner"])
    url = "/api/v1/strategy-versions/"
    assert api(owner).post(url, {"unit": unit.pk, "name": "X"}, format="json").status_code == 403
    assert api(head).post(url, {"unit": other.pk, "name": "X"}, format="json").status_code == 403
    assert api(f.UserFactory()).get(url).status_code == 403  # no role
    first = api(head).post(url, {"unit": unit.pk, "name": "X"}, format="json")
    again = api(head).post(url, {"unit": unit.pk, "name": "X"}, format="json")
    assert first.status_code == 201 and again.status_code == 400 and "name" in again.json()
    assert api(head).post(url, {"unit": unit.pk}, format="json").json().keys() == {"name"}
    compare_url = url + "compare/"
    assert api(owner).get(compare_url).status_code == 400  # a and b are required
    assert "a" in api(owner).get(compare_url + "?a=x&b=live").json()
    assert "unit" in api(owner).get(compare_url + f"?a={first.json()['id']}&b=live").json()
    assert api(owner).get(compare_url + "?a=999999&b=live&unit=1").status_code == 404
    # Everyone with a role reads versions and compares them.
    ok = api(owner).get(compare_url + f"?a={first.json()['id']}&b={first.json()['id']}")
    assert ok.status_code == 200
    assert ok.json()["links"] == {"added": [], "removed": []}


# The pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_head_publishes_and_compares_on_the_pages(org, client):
    unit, head = org["unit"], org["head"]
    client.force_login(head)
    page = client.get(f"/units/{unit.code}/versions/")
    assert page.status_code == 200 and "Publish a version" in page.content.decode()
    assert client.post(f"/units/{unit.code}/versions/", {"name": ""}).status_code == 400
    done = client.post(f"/units/{unit.code}/versions/", {"name": "Plan 2026", "note": "Board"})
    assert done.status_code == 302
    version = StrategyVersion.objects.get(unit=unit)
    assert (version.name, version.note, version.published_by) == ("Plan 2026", "Board", head)
    Objective.objects.filter(pk=org["sell"].pk).update(name="Sell abroad")
    html = client.get(f"/units/{unit.code}/versions/compare/?a={version.pk}&b=live").content
    html = html.decode()
    assert "BU.SELL" in html and "Sell → Sell abroad" in html
    bad = client.get(f"/units/{unit.code}/versions/compare/?a=nope&b=live")
    assert bad.status_code == 400
    # Another unit's version is not this unit's to compare.
    elsewhere = services.strategy_version_publish(
        actor=None, data={"unit": org["other"], "name": "Other plan"}
    )
    assert (
        client.get(f"/units/{unit.code}/versions/compare/?a={elsewhere.pk}&b=live").status_code
        == 400
    )


@pytest.mark.django_db
def test_a_measure_owner_reads_but_does_not_publish(org, client):
    unit = org["unit"]
    client.force_login(f.UserFactory(roles=["Measure owner"]))
    page = client.get(f"/units/{unit.code}/versions/")
    assert page.status_code == 200 and "Publish a version" not in page.content.decode()
    assert client.post(f"/units/{unit.code}/versions/", {"name": "X"}).status_code == 403
    assert not StrategyVersion.objects.exists()


@pytest.mark.django_db
def test_the_map_of_a_version_is_drawn_as_it_was_published(org, client):
    unit = org["unit"]
    keep = f.ObjectiveFactory(unit=unit, code="KEEP", name="Keep customers")
    f.CauseEffectFactory(cause=keep, effect=org["sell"])
    version = services.strategy_version_publish(actor=None, data={"unit": unit, "name": "V1"})
    Objective.objects.filter(pk=keep.pk).update(name="Keep every customer")
    client.force_login(f.UserFactory(roles=["Employee"]))
    html = client.get(f"/units/{unit.code}/versions/{version.pk}/").content.decode()
    assert "Keep customers" in html and "Keep every customer" not in html
    assert html.count('class="box box-no_data"') == 2  # SELL and KEEP, no statuses
    assert "KEEP Keep customers → SELL Sell" in html  # the arrow, listed
    assert 'href="/objectives/' not in html  # a version's boxes link nowhere
    elsewhere = services.strategy_version_publish(
        actor=None, data={"unit": org["other"], "name": "V2"}
    )
    assert client.get(f"/units/{unit.code}/versions/{elsewhere.pk}/").status_code == 404
