"""Cascading for unit heads: a unit's objectives, measures and arrows, and the objectives
above that the unit does not support yet."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import EMPLOYEE, EXECUTIVE, HR, OSM_STAFF, UNIT_HEAD
from scorecards.models import CauseEffect, Measure, Objective
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ent = f.EnterpriseFactory(code="ACME")
    head = f.UserFactory(roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", parent=ent, head=head)
    team = f.DepartmentFactory(code="TEAM", parent=bu)
    other = f.OrgUnitFactory(code="OTHER", parent=ent, head=f.UserFactory(roles=[UNIT_HEAD]))
    grow = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow")
    care = f.ObjectiveFactory(unit=ent, code="CARE", name="Care")
    sell = f.ObjectiveFactory(unit=bu, code="SELL", name="Sell", supports=[grow])
    return {"ent": ent, "bu": bu, "team": team, "other": other, "head": head,
            "grow": grow, "care": care, "sell": sell}  # fmt: skip


def test_the_cascade_page_lists_what_is_not_supported_yet(client, world):
    client.force_login(world["head"])
    response = client.get("/units/BU/cascade/")
    assert response.status_code == 200
    # GROW is supported by SELL; CARE by nothing of BU.
    assert [o.code for o in response.context["not_supported"]] == ["CARE"]
    html = response.content.decode()
    assert f"/units/BU/objectives/new/?supports={world['care'].pk}" in html
    # TEAM sees both of the enterprise's and SELL of BU (its ancestors'), none supported.
    gaps = client.get("/units/TEAM/cascade/").context["not_supported"]
    assert {o.code for o in gaps} == {"GROW", "CARE", "SELL"}


def test_a_unit_head_cascades_a_new_objective(client, world):
    client.force_login(world["head"])
    url = "/units/BU/objectives/new/"
    form = client.get(f"{url}?supports={world['care'].pk}").context["form"]
    # the parent's box is ticked, its perspective taken; only ancestors' objectives offered
    assert form.initial["supports"] == [world["care"].pk]
    assert {o.code for o in form.fields["supports"].queryset} == {"GROW", "CARE"}
    perspective = world["care"].perspective
    response = client.post(
        url,
        {"code": "SERVE", "name": "Serve well", "perspective": perspective.pk, "weight": "2",
         "supports": [world["care"].pk]},
    )  # fmt: skip
    assert response.status_code == 302
    serve = Objective.objects.get(unit=world["bu"], code="SERVE")
    assert list(serve.supports.values_list("code", flat=True)) == ["CARE"]
    assert serve.weight == Decimal(2)
    assert client.get("/units/BU/cascade/").context["not_supported"].count() == 0


def test_supports_outside_the_ancestors_are_refused(client, world):
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    sibling = f.ObjectiveFactory(unit=world["other"], code="SIB")
    response = client.post(
        "/units/BU/objectives/new/",
        {"code": "NEW", "name": "New", "perspective": world["care"].perspective_id,
         "weight": "1", "supports": [sibling.pk]},
    )  # fmt: skip
    assert response.status_code == 400
    assert "supports" in response.context["form"].errors
    assert not Objective.objects.filter(code="NEW").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "SELL", "name": "Twice"}, "code"),  # BU already has SELL
        ({"code": "9bad", "name": "Bad code"}, "code"),
        ({"code": "OK", "name": ""}, "name"),
        ({"code": "OK", "name": "Heavy", "weight": "0"}, "weight"),
    ],
)
def test_bad_objectives(client, world, data, field):
    client.force_login(world["head"])
    payload = {"perspective": world["care"].perspective_id, "weight": "1", **data}
    response = client.post("/units/BU/objectives/new/", payload)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Objective.objects.filter(unit=world["bu"]).count() == 1


@pytest.mark.parametrize(
    ("role", "may"),
    [(OSM_STAFF, True), (EXECUTIVE, False), (HR, False), (EMPLOYEE, False)],
)
def test_who_may_cascade(client, world, role, may):
    client.force_login(f.UserFactory(roles=[role]))
    assert client.get("/units/BU/cascade/").status_code == 200
    assert client.get("/units/BU/objectives/new/").status_code == (200 if may else 403)


def test_a_unit_head_edits_only_his_subtree(client, world):
    client.force_login(world["head"])
    assert client.get("/units/TEAM/objectives/new/").status_code == 200  # below BU
    assert client.get("/units/OTHER/objectives/new/").status_code == 403
    assert client.get("/units/ACME/objectives/new/").status_code == 403
    assert client.get(f"/objectives/{world['grow'].pk}/edit/").status_code == 403
    assert client.post(f"/objectives/{world['grow'].pk}/delete/").status_code == 403
    assert Objective.objects.filter(code="GROW").exists()
    page = client.get("/units/OTHER/cascade/")
    assert page.status_code == 200 and "New objective" not in page.content.decode()


def test_editing_an_objective_and_what_it_supports(client, world):
    client.force_login(world["head"])
    sell = world["sell"]
    url = f"/objectives/{sell.pk}/edit/"
    assert client.get(url).context["form"]["supports"].value() == [world["grow"].pk]
    response = client.post(
        url,
        {"code": "SELL", "name": "Sell more", "perspective": sell.perspective_id, "weight": "1",
         "supports": [world["grow"].pk, world["care"].pk]},
    )  # fmt: skip
    assert response.status_code == 302
    sell.refresh_from_db()
    assert sell.name == "Sell more"
    assert set(sell.supports.values_list("code", flat=True)) == {"GROW", "CARE"}


def test_deleting_an_objective(client, world):
    client.force_login(world["head"])
    f.MeasureFactory(objective=world["sell"], code="REV")
    url = f"/objectives/{world['sell'].pk}/delete/"
    assert client.get(url).status_code == 200
    response = client.post(url)  # it has a measure: refused, saying so
    assert response.status_code == 400
    assert "REV" in response.content.decode()
    lonely = f.ObjectiveFactory(unit=world["bu"], code="LONELY")
    assert client.post(f"/objectives/{lonely.pk}/delete/").status_code == 302
    assert not Objective.objects.filter(code="LONELY").exists()


def test_measures_new_and_edit(client, world):
    client.force_login(world["head"])
    sell = world["sell"]
    response = client.post(
        f"/objectives/{sell.pk}/measures/new/",
        {"code": "REV", "name": "Revenue", "polarity": "increase", "frequency": "monthly",
         "aggregation": "sum", "weight": "1", "tolerance": "10", "rollup": "none"},
    )  # fmt: skip
    measure = Measure.objects.get(objective=sell, code="REV")
    assert response.status_code == 302 and response.url == f"/measures/{measure.pk}/"
    response = client.post(
        f"/measures/{measure.pk}/edit/",
        {"code": "REV", "name": "Revenue", "polarity": "increase", "frequency": "monthly",
         "aggregation": "sum", "weight": "1", "tolerance": "10", "rollup": "none",
         "formula": "NOPE * 2"},
    )  # fmt: skip
    assert response.status_code == 400  # no measure NOPE
    assert "formula" in response.context["form"].errors
    measure.refresh_from_db()
    assert measure.formula in ("", None)


def test_arrows(client, world):
    client.force_login(world["head"])
    other = f.ObjectiveFactory(unit=world["bu"], code="HIRE")
    response = client.post(
        "/units/BU/arrows/", {"cause": other.pk, "effect": world["sell"].pk, "rationale": "People"}
    )
    assert response.status_code == 302
    arrow = CauseEffect.objects.get()
    assert "HIRE → SELL" in client.get("/units/BU/cascade/").content.decode()
    response = client.post("/units/BU/arrows/", {"cause": other.pk, "effect": other.pk})
    assert response.status_code == 400  # an objective does not drive itself
    assert CauseEffect.objects.count() == 1
    client.force_login(world["other"].head)
    assert client.post(f"/arrows/{arrow.pk}/delete/").status_code == 403
    client.force_login(world["head"])
    assert client.post(f"/arrows/{arrow.pk}/delete/").status_code == 302
    assert not CauseEffect.objects.exists()


def test_cascade_page_queries_do_not_grow(client, world):
    client.force_login(world["head"])
    client.get("/units/BU/cascade/")  # warm-up
    with CaptureQueriesContext(connection) as small:
        client.get("/units/BU/cascade/")
    for k in range(10):
        objective = f.ObjectiveFactory(unit=world["bu"], code=f"O{k}", supports=[world["grow"]])
        f.MeasureFactory(objective=objective, code=f"M{k}")
        f.ObjectiveFactory(unit=world["ent"], code=f"E{k}")
    with CaptureQueriesContext(connection) as large:
        client.get("/units/BU/cascade/")
    assert len(large) == len(small)
