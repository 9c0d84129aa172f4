"""Abuse cases (issue 14, point 12): request bodies meant to break the server.

- JSON nested deeper than 32 levels answers 400 with a clear message on every endpoint,
  before authentication (core/middleware.py), and the API's JSON parser refuses it too
  (core/api/parsers.py): never a 500 from a RecursionError. Ordinary JSON is untouched.
- A body over Django's default 2.5 MB answers 413 with a clear message, except at the
  uploads (the bulk API and the CSV upload page), which take up to BULK_MAX_BYTES (20 MB)
  and refuse more themselves.
"""

import io
import json
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from core.api.parsers import MAX_JSON_DEPTH, TOO_DEEP, JSONParser, json_depth, nests_too_deep
from core.roles import OSM_STAFF
from scorecards.models import MeasureValue, Objective, Perspective
from tests import factories as f

MB = 1_000_000


def nested(levels: int) -> bytes:
    """A list inside a list ... `levels` deep, closed properly."""
    return b"[" * levels + b"]" * levels


# The depth, computed without parsing -------------------------------------------------------


@pytest.mark.parametrize(
    "body,depth",
    [
        (b"1", 0),
        (b'"[[[["', 0),  # brackets in a string do not count
        (b"[]", 1),
        (b'{"a": [1, {"b": []}]}', 4),  # object > list > object > list
        (b'[[], [[]], []]', 3),
        (b'{"q": "he said \\"[[\\" and \\\\", "r": [{}]}', 3),  # escaped quote and backslash
        (b"[" * 100, 100),  # unbalanced: its open brackets count
        (nested(32), 32),
        (nested(33), 33),
    ],
)  # fmt: skip
def test_json_depth(body, depth):
    assert json_depth(body) == depth
    assert nests_too_deep(body) is (depth > MAX_JSON_DEPTH)


def test_the_parser_refuses_deep_json_and_never_raises_a_recursion_error():
    parser = JSONParser()
    with pytest.raises(ParseError, match="more than 32 levels deep"):
        parser.parse(io.BytesIO(nested(33)))
    assert parser.parse(io.BytesIO(b'{"a": [1, 2]}')) == {"a": [1, 2]}
    with (
        mock.patch("json.load", side_effect=RecursionError),
        pytest.raises(ParseError, match="more than 32 levels deep"),
    ):
        parser.parse(io.BytesIO(b"[1]"))


# Deep JSON at the endpoints ----------------------------------------------------------------


@pytest.fixture
def staff_api():
    client = APIClient()
    client.force_authenticate(f.UserFactory(roles=[OSM_STAFF]))
    return client


def post_json(client, url: str, body: bytes):
    return client.post(url, body, content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/api/v1/objectives/", "/api/v1/auth/token/", "/api/v1/measure-values/bulk/",
     "/api/v1/units/"],
)  # fmt: skip
@pytest.mark.parametrize("body", [nested(33), nested(50_000), b"[" * 100_000])
def test_deep_json_is_refused_before_authentication(url, body):
    response = post_json(Client(), url, body)
    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/objectives/", "/api/v1/measure-values/bulk/"])
def test_deep_json_is_refused_when_authenticated_and_nothing_is_written(staff_api, url):
    response = post_json(staff_api, url, nested(40))
    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP}
    assert not Objective.objects.exists() and not MeasureValue.objects.exists()


@pytest.mark.django_db
def test_deep_json_to_a_web_page_is_refused_too(client):
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    response = client.post("/setup/perspectives/new/", nested(40), content_type="application/json")
    assert response.status_code == 400
    assert response.content.decode() == TOO_DEEP


@pytest.mark.django_db
def test_ordinary_json_is_untouched(staff_api):
    unit = f.OrgUnitFactory(code="BU")
    financial = Perspective.objects.get(name="Financial")
    # Brackets in a string count for nothing; the body nests 1 level.
    data = {"unit": unit.pk, "code": "O1", "name": "[" * 60 + "Grow" + "]" * 60,
            "perspective": financial.pk}  # fmt: skip
    response = staff_api.post("/api/v1/objectives/", data, format="json")
    assert response.status_code == 201, response.json()
    assert Objective.objects.get().name == "[" * 60 + "Grow" + "]" * 60
    # 32 levels are allowed through to the view, which says what is wrong with them.
    response = post_json(staff_api, "/api/v1/objectives/", nested(32))
    assert response.status_code == 400
    assert response.json() != {"detail": TOO_DEEP}


# Body size ---------------------------------------------------------------------------------


def test_the_default_limit_is_djangos():
    assert settings.REQUEST_MAX_BYTES == 2_621_440  # django.conf.global_settings' default
    assert settings.BULK_MAX_BYTES == 20 * MB


@pytest.mark.django_db
@pytest.mark.parametrize("authenticated", [False, True])
def test_three_megabytes_to_an_ordinary_endpoint_answer_413(staff_api, authenticated):
    client = staff_api if authenticated else APIClient()
    body = json.dumps({"code": "X", "name": "x" * (3 * MB)}).encode()
    response = post_json(client, "/api/v1/objectives/", body)
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is 3.0 MB; this address takes at most 2.6 MB."
    }
    assert not Objective.objects.exists()


@pytest.mark.django_db
def test_three_megabytes_to_a_web_form_answer_413(client):
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    response = client.post("/setup/perspectives/new/", {"name": "x" * (3 * MB), "order": "9"})
    assert response.status_code == 413
    assert "this address takes at most 2.6 MB" in response.content.decode()
    assert not Perspective.objects.filter(order=9).exists()


@pytest.fixture
def bu_measure():
    unit = f.OrgUnitFactory(code="BU")
    return f.MeasureFactory(objective=f.ObjectiveFactory(unit=unit), code="REV")


def long_rows(measure, rows: int, note_bytes: int) -> list[dict]:
    """`rows` monthly values from January 2010 with a note of `note_bytes` each."""
    return [
        {"measure_code": f"BU.{measure.code}", "period": f"{2010 + i // 12}-{i % 12 + 1:02}",
         "actual": "1", "target": "1", "note": "n" * note_bytes}
        for i in range(rows)
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_bulk_api_takes_its_documented_size(staff_api, bu_measure):
    # 120 rows with a note of 25,000 bytes: about 3 MB of JSON, over the default limit.
    rows = long_rows(bu_measure, 120, 25_000)
    body = json.dumps(rows).encode()
    assert 3 * MB < len(body) < settings.BULK_MAX_BYTES
    response = post_json(staff_api, "/api/v1/measure-values/bulk/", body)
    assert response.status_code == 200, response.content[:300]
    assert response.json() == {"created": 120, "updated": 0, "unchanged": 0}
    assert MeasureValue.objects.count() == 120


@pytest.mark.django_db
def test_the_bulk_api_refuses_more_than_its_limit_itself(staff_api, bu_measure, settings):
    settings.BULK_MAX_BYTES = 2 * MB
    body = json.dumps(long_rows(bu_measure, 120, 25_000)).encode()
    response = post_json(staff_api, "/api/v1/measure-values/bulk/", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "The body is larger than 2 MB: split the batch."
    )
    assert not MeasureValue.objects.exists()


@pytest.mark.django_db
def test_the_upload_page_takes_a_file_over_the_default_limit(client, bu_measure):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    lines = [f"BU.REV,{2010 + i // 12}-{i % 12 + 1:02},1,1,{'n' * 25_000}" for i in range(120)]
    text = "measure_code,period,actual,target,note\n" + "\n".join(lines) + "\n"
    assert len(text) > 3 * MB
    response = client.post(
        "/measures/upload/", {"file": SimpleUploadedFile("v.csv", text.encode())}
    )
    assert response.status_code == 200  # the preview
    # Saving posts the CSV back as a form field: over 2.5 MB too, and taken.
    response = client.post("/measures/upload/", {"csv_text": text, "confirm": "1"})
    assert response.status_code == 302
    assert MeasureValue.objects.count() == 120
