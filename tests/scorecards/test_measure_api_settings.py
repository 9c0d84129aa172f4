"""The measures API's figure settings (additive to API.md's measures): `decimal_places`,
`min_value`, `max_value`, `baseline` — read, written by those who may change a measure
and no one else, bad input answered 400 naming the field with nothing written."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.roles import EMPLOYEE, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from scorecards.models import Measure
from tests import factories as f
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
API = "/api/v1/measures"


@pytest.fixture
def w():
    ent = f.EnterpriseFactory(code="ACME")
    head = f.UserFactory(roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", parent=ent, head=head)
    other_head = f.UserFactory(roles=[UNIT_HEAD])
    f.OrgUnitFactory(code="OTHER", parent=ent, head=other_head)
    owner = f.UserFactory(roles=[MEASURE_OWNER])
    objective = f.ObjectiveFactory(unit=bu, code="SELL")
    oee = f.MeasureFactory(
        objective=objective, code="OEE", unit_label="%", owner=owner, baseline=D("36.3")
    )
    return {"head": head, "other_head": other_head, "owner": owner, "oee": oee,
            "objective": objective, "staff": f.UserFactory(roles=[OSM_STAFF]),
            "employee": f.UserFactory(roles=[EMPLOYEE])}  # fmt: skip


def test_the_settings_are_read(w):
    body = client_for(w["employee"]).get(f"{API}/{w['oee'].pk}/").json()
    assert (body["decimal_places"], body["min_value"], body["max_value"]) == (None, None, None)
    assert body["baseline"] == "36.300000"  # a decimal string, as the API writes values
    assert body["tolerance"] == "0.1000"  # still the fraction API.md documents


def test_a_unit_head_sets_them(w):
    response = client_for(w["head"]).patch(
        f"{API}/{w['oee'].pk}/",
        {"decimal_places": 1, "min_value": "0", "max_value": "100", "baseline": None},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["decimal_places"], body["min_value"], body["max_value"], body["baseline"]) == (
        1, "0.000000", "100.000000", None,
    )  # fmt: skip
    oee = Measure.objects.get(pk=w["oee"].pk)
    assert (oee.decimal_places, oee.min_value, oee.max_value, oee.baseline) == (1, 0, 100, None)


def test_a_new_measure_with_its_settings(w):
    response = client_for(w["staff"]).post(
        f"{API}/",
        {"objective": w["objective"].pk, "code": "NPS", "name": "Net promoter score",
         "decimal_places": 0, "min_value": "-100", "max_value": "100", "baseline": "12"},
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    nps = Measure.objects.get(code="NPS")
    assert (nps.decimal_places, nps.min_value, nps.max_value, nps.baseline) == (0, -100, 100, 12)


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 403), ("other_head", 403), ("employee", 403), (None, 401)],
)
def test_only_those_who_may_change_the_measure_set_them(w, who, status):
    client = client_for(w[who]) if who else APIClient()
    response = client.patch(f"{API}/{w['oee'].pk}/", {"decimal_places": 2})
    assert response.status_code == status
    assert Measure.objects.get(pk=w["oee"].pk).decimal_places is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"decimal_places": 7}, "decimal_places", "Ensure this value is less than or equal to 6."),
        ({"decimal_places": -1}, "decimal_places",
         "Ensure this value is greater than or equal to 0."),
        ({"decimal_places": "two"}, "decimal_places", "A valid integer is required."),
        ({"min_value": "low"}, "min_value", "A valid number is required."),
        ({"max_value": "1e400"}, "max_value", None),
        ({"baseline": "1.1234567"}, "baseline", None),
        ({"min_value": "10", "max_value": "5"}, "max_value",
         "The highest valid value must not be below the lowest."),
    ],
)  # fmt: skip
def test_bad_settings_are_400_naming_the_field(w, change, field, message):
    response = client_for(w["head"]).patch(f"{API}/{w['oee'].pk}/", change)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    if message:
        assert response.json()[field] == [message]
    oee = Measure.objects.get(pk=w["oee"].pk)
    assert (oee.decimal_places, oee.min_value, oee.max_value, oee.baseline) == (
        None, None, None, D("36.3"),
    )  # fmt: skip


def test_a_range_against_the_stored_bound_is_checked_too(w):
    Measure.objects.filter(pk=w["oee"].pk).update(min_value=50)
    response = client_for(w["head"]).patch(f"{API}/{w['oee'].pk}/", {"max_value": "40"})
    assert response.status_code == 400
    assert response.json() == {
        "max_value": ["The highest valid value must not be below the lowest."]
    }


def test_the_list_queries_do_not_grow(w):
    client = client_for(w["staff"])
    client.get(f"{API}/")
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{API}/").status_code == 200
    for k in range(5):
        f.MeasureFactory(objective=w["objective"], code=f"X{k}", decimal_places=k, baseline=k)
    with CaptureQueriesContext(connection) as more:
        assert client.get(f"{API}/").json()["count"] == 6
    assert len(more) == len(few)


def test_the_schema_describes_them(client, w):
    client.force_login(w["employee"])  # the schema is for signed-in users
    schema = client.get("/api/v1/schema/?format=json").json()
    fields = schema["components"]["schemas"]["Measure"]["properties"]
    for name in ("decimal_places", "min_value", "max_value", "baseline"):
        assert fields[name].get("description"), name
    assert fields["decimal_places"]["maximum"] == 6
