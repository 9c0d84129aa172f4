"""What a REST client meets: JSON bodies only (a form or multipart body answers 415 and
says what to send; the bulk upload also takes CSV), and a Python client generated from the
schema with openapi-python-client (a dev dependency) that imports and works against a live
server: a token, units page by page, a change, a scorecard and the alignment."""

import datetime as dt
import importlib
import importlib.util
import io
import json
import pkgutil
import subprocess
import sys
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from core.roles import OSM_STAFF
from scorecards import services
from scorecards.models import OrgUnit
from tests import factories as f

UNIT = {"code": "NEW", "name": "New unit", "kind": "business"}
BINARY = dict.fromkeys(
    (
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "application/octet-stream",
)


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


# The generated client --------------------------------------------------------------------

PACKAGE = "osm_api_client"
PASSWORD = "pw-long-enough-1"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The schema as the app serves it, turned into a Python package and imported."""
    if importlib.util.find_spec("openapi_python_client") is None:
        pytest.skip("openapi-python-client is not installed (make install: the dev extra)")
    root = tmp_path_factory.mktemp("client")
    schema = root / "schema.json"
    call_command(
        "spectacular", "--format", "openapi-json", "--file", str(schema), stdout=io.StringIO()
    )
    config = root / "config.json"
    # No ruff run on the generated code; the files (PDF, slides, workbooks) as bytes, as
    # docs/api.md "Generated clients" configures the generator.
    config.write_text(json.dumps({"post_hooks": [], "content_type_overrides": BINARY}))
    result = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema),
         "--output-path", str(root / PACKAGE), "--meta", "none", "--config", str(config)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE), output
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_the_generated_client_imports_whole(generated):
    """Every module imports (a schema listing each body under three content types made
    the generator write broken code for every create and update), and the only piece the
    generator leaves out is the bulk upload's CSV body (its JSON body is there)."""
    package, output = generated
    modules = [m.name for m in pkgutil.walk_packages(package.__path__, PACKAGE + ".")]
    broken = {}
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # any failure is the finding
            broken[name] = repr(exc)
    assert not broken, broken
    assert f"{PACKAGE}.api.units.units_create" in modules
    assert f"{PACKAGE}.api.measure_values.measure_values_bulk_create" in modules
    warnings = [line for line in output.splitlines() if line.startswith("WARNING")]
    assert warnings == ["WARNING parsing POST /api/v1/measure-values/bulk/ within measure_values."]
    assert "Unsupported content type text/csv" in output
    assert output.count("Unsupported content type") == 1
    # The files are there, as bytes.
    assert f"{PACKAGE}.api.units.units_report_retrieve" in modules
    assert f"{PACKAGE}.api.units.units_scorecard_import_create" in modules


@pytest.fixture
def company(transactional_db):
    cache.clear()  # the login throttles count in the cache
    ent = f.EnterpriseFactory(code="ACME")
    north = f.OrgUnitFactory(code="NORTH", parent=ent)
    south = f.OrgUnitFactory(code="SOUTH", parent=ent)
    grow = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow")
    f.ObjectiveFactory(unit=north, code="SELL", supports=[grow])
    idle = f.ObjectiveFactory(unit=south, code="IDLE")
    rev = f.MeasureFactory(objective=grow, code="REV", name="Revenue")
    services.measure_value_record(
        measure=rev,
        period=dt.date(2025, 6, 1),
        actual=Decimal("100"),
        target=Decimal("100"),
        red_flag=Decimal("90"),
        actor=None,
    )  # at target: 6.67, green
    f.UserFactory(username="analyst", password=PASSWORD, roles=[OSM_STAFF])
    yield {"ent": ent, "south": south, "idle": idle}
    cache.clear()


def test_the_generated_client_works_against_a_live_server(live_server, company, generated):
    package, _ = generated
    api = f"{PACKAGE}.api"
    token_create = importlib.import_module(f"{api}.auth.auth_token_create")
    units_list = importlib.import_module(f"{api}.units.units_list")
    units_partial_update = importlib.import_module(f"{api}.units.units_partial_update")
    units_retrieve = importlib.import_module(f"{api}.units.units_retrieve")
    scorecard_retrieve = importlib.import_module(f"{api}.units.units_scorecard_retrieve")
    alignment_retrieve = importlib.import_module(f"{api}.alignment.alignment_retrieve")
    models = importlib.import_module(f"{PACKAGE}.models")
    ent, south = company["ent"], company["south"]

    anonymous = package.Client(base_url=live_server.url)
    wrong = token_create.sync_detailed(
        client=anonymous, body=models.CredentialsRequest(username="analyst", password="nope")
    )
    assert wrong.status_code == 400 and b"token" not in wrong.content
    token = token_create.sync(
        client=anonymous, body=models.CredentialsRequest(username="analyst", password=PASSWORD)
    )
    assert isinstance(token, models.Token) and token.token
    client = package.AuthenticatedClient(
        base_url=live_server.url, token=token.token, prefix="Token"
    )

    first = units_list.sync(client=client, page_size=2)
    assert first.count == 3 and first.next_ and not first.previous
    second = units_list.sync(client=client, page_size=2, page=2)
    assert second.previous and not second.next_
    assert [u.code for u in first.results + second.results] == ["ACME", "NORTH", "SOUTH"]

    renamed = units_partial_update.sync(
        south.pk, client=client, body=models.PatchedUnitRequest(name="Southern region")
    )
    assert renamed.name == "Southern region"
    assert units_retrieve.sync(south.pk, client=client).name == "Southern region"

    card = scorecard_retrieve.sync(ent.pk, client=client, as_of="2025-06")
    assert (card.unit, card.as_of, card.ytd) == (ent.pk, "2025-06", False)
    assert (card.score, card.status.value) == (6.67, "green")
    (measure,) = [m for p in card.perspectives for o in p.objectives for m in o.measures]
    assert (measure.code, measure.period, measure.actual, measure.score) == (
        "REV",
        dt.date(2025, 6, 1),
        "100",
        6.67,
    )

    alignment = alignment_retrieve.sync(client=client, unit=ent.pk, fiscal_year=2025)
    assert (alignment.unit, alignment.fiscal_year) == (ent.pk, 2025)
    # SELL supports GROW, IDLE supports nothing: 1 of 2; GROW is cascaded to NORTH
    assert (alignment.objective_linkage, alignment.cascade_coverage) == (50.0, 100.0)
    assert company["idle"].pk in alignment.unlinked_objectives
    assert [u.code for u in alignment.units] == ["ACME", "NORTH", "SOUTH"]
