"""What a REST client meets: JSON bodies only (a form or multipart body answers 415 and
says what to send; the bulk upload also takes CSV)."""

from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from osm.permissions import OSM_STAFF
from scorecards.models import OrgUnit
from tests import factories as f

UNIT = {"code": "NEW", "name": "New unit", "kind": "business"}


@pytest.fixture
def staff(db):
    ent = f.EnterpriseFactory(code="ACME")
    client = APIClient()
    client.force_authenticate(f.UserFactory(roles=[OSM_STAFF]))
    return client, ent


def test_json_bodies_still_work(staff):
    client, ent = staff
    created = client.post("/api/v1/units/", {**UNIT, "parent": ent.pk}, format="json")
    assert created.status_code == 201, created.json()
    changed = client.patch(f"/api/v1/units/{created.json()['id']}/", {"name": "Renamed"})
    assert changed.status_code == 200 and changed.json()["name"] == "Renamed"


def test_a_form_post_is_a_415_that_says_to_send_json(staff):
    client, ent = staff
    body = urlencode({**UNIT, "parent": ent.pk})
    response = client.post("/api/v1/units/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json() == {
        "detail": 'Unsupported media type "application/x-www-form-urlencoded" in request. '
        "Send application/json."
    }
    assert not OrgUnit.objects.filter(code="NEW").exists()


def test_multipart_is_a_415_on_create_update_and_patch(staff):
    client, ent = staff
    unit = f.OrgUnitFactory(code="OLD", parent=ent)
    for method, url in (
        ("post", "/api/v1/units/"),
        ("put", f"/api/v1/units/{unit.pk}/"),
        ("patch", f"/api/v1/units/{unit.pk}/"),
    ):
        response = getattr(client, method)(url, {**UNIT, "parent": ent.pk}, format="multipart")
        assert response.status_code == 415, (method, response.content)
        detail = response.json()["detail"]
        assert detail.startswith('Unsupported media type "multipart/form-data')
        assert detail.endswith("Send application/json.")
    unit.refresh_from_db()
    assert unit.code == "OLD" and not OrgUnit.objects.filter(code="NEW").exists()


def test_the_token_endpoint_takes_json_only(db):
    f.UserFactory(username="ann", password="pw-long-enough-1")
    credentials = {"username": "ann", "password": "pw-long-enough-1"}
    form = APIClient().post(
        "/api/v1/auth/token/",
        urlencode(credentials),
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 415 and "Send application/json." in form.json()["detail"]
    json = APIClient().post("/api/v1/auth/token/", credentials, format="json")
    assert json.status_code == 200 and json.json()["token"]
