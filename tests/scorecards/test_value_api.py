"""The measure-values API keeps the rules of the web form: a note on a red value, the
measure's range and decimal places, and a confirmation (`"confirm": true`) for a figure far
from the measure's history. A refusal is a 400 naming the field and changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.roles import EXECUTIVE, MEASURE_OWNER, UNIT_HEAD
from scorecards.models import MeasureValue
from tests import factories as f
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
API = "/api/v1/measure-values/"
RED_NOTE = "This value is off target: say in the note why, and what is being done about it."


@pytest.fixture
def world():
    """OEE, a percentage with one decimal place, owned by `owner`, in the unit `head` heads;
    six months of history (75..80: median 77.5, MAD 1.5). The client is the head's (who
    sets targets and red flags as well as actuals)."""
    owner = f.UserFactory(roles=[MEASURE_OWNER])
    head = f.UserFactory(roles=[UNIT_HEAD])
    unit = f.OrgUnitFactory(code="PLANT", parent=f.EnterpriseFactory(), head=head)
    oee = f.MeasureFactory(objective=f.ObjectiveFactory(unit=unit), code="OEE", unit_label="%",
                           decimal_places=1, owner=owner)  # fmt: skip
    for k, actual in enumerate(range(75, 81), start=1):
        f.MeasureValueFactory(measure=oee, period=dt.date(2026, k, 1), actual=Decimal(actual),
                              target=None, red_flag=None)  # fmt: skip
    return {"oee": oee, "owner": owner, "client": client_for(head)}


def value(world, **fields):
    return {"measure": world["oee"].pk, "period": "2026-10", **fields}


OUT = "OEE takes values from 0 to 100: {} is outside that range."


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        # 70 against 80 and the default red flag 80 - 10% = 72: red.
        ({"actual": "70", "target": "80"}, {"note": [RED_NOTE]}),
        ({"actual": "779"}, {"actual": [OUT.format(779)]}),
        ({"target": "77.95"}, {"target": ["OEE is written with 1 decimal place: 77.95 has 2."]}),
        ({"red_flag": "-1"}, {"red_flag": [OUT.format(-1)]}),
    ],
)
def test_a_create_is_refused_by_field(world, fields, errors):
    response = world["client"].post(API, value(world, **fields), format="json")
    assert response.status_code == 400
    assert response.json() == errors
    assert not MeasureValue.objects.filter(period="2026-10-01").exists()


def test_a_red_value_with_its_note_is_created(world):
    response = world["client"].post(
        API, value(world, actual="70", target="80", note="Line 3 down."), format="json"
    )
    assert response.status_code == 201
    assert MeasureValue.objects.get(period="2026-10-01").note == "Line 3 down."


def test_an_unusual_figure_needs_confirm(world):
    client = world["client"]
    # 99: z = 0.6745 * (99 - 77.5) / 1.5 = 9.67 > 6.
    response = client.post(API, value(world, actual="99"), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "actual": [
            "99 is far outside the usual range of OEE's figures (their median is 77.5). Check "
            "it; if it is right, confirm it to save it."
        ]
    }
    response = client.post(API, value(world, actual="99", confirm=True), format="json")
    assert response.status_code == 201
    assert "confirm" not in response.json()  # write-only
    created = MeasureValue.objects.get(period="2026-10-01")
    assert created.actual == Decimal(99)
    # A change far from the history again needs it; a usual one does not.
    url = f"{API}{created.pk}/"
    assert client.patch(url, {"actual": "9.9"}, format="json").status_code == 400
    assert client.patch(url, {"actual": "78.5"}, format="json").status_code == 200
    created.refresh_from_db()
    assert created.actual == Decimal("78.5")


def test_a_change_to_red_without_a_note_changes_nothing(world):
    stored = f.MeasureValueFactory(
        measure=world["oee"],
        period=dt.date(2026, 10, 1),
        actual=Decimal(78),
        target=Decimal(80),
        red_flag=Decimal(75),
    )
    response = world["client"].patch(f"{API}{stored.pk}/", {"actual": "70"}, format="json")
    assert response.status_code == 400 and response.json() == {"note": [RED_NOTE]}
    stored.refresh_from_db()
    assert stored.actual == Decimal(78)


def test_permissions_are_unchanged(world):
    assert APIClient().post(API, value(world, actual="78"), format="json").status_code == 401
    executive = client_for(f.UserFactory(roles=[EXECUTIVE]))
    response = executive.post(API, value(world, actual="78", confirm=True), format="json")
    assert response.status_code == 403
    assert not MeasureValue.objects.filter(period="2026-10-01").exists()


def test_confirm_must_be_a_boolean(world):
    response = world["client"].post(API, value(world, actual="78", confirm="maybe"), format="json")
    assert response.status_code == 400 and "confirm" in response.json()
