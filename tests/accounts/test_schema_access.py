"""The API's description (issue 18, item 9d): the OpenAPI schema and its Swagger UI page are
for signed-in users unless API_SCHEMA_PUBLIC publishes them."""

import json

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.roles import EMPLOYEE
from tests import factories as f

pytestmark = pytest.mark.django_db
SCHEMA, DOCS = "/api/v1/schema/", "/api/v1/docs/"


@pytest.fixture
def private(settings):
    settings.API_SCHEMA_PUBLIC = False
    return settings


def test_not_published_by_default():
    from django.conf import settings

    assert settings.API_SCHEMA_PUBLIC is False  # osm/settings/base.py, unless the env says so


def test_anonymous_gets_a_401_for_the_schema(private):
    response = APIClient().get(SCHEMA, {"format": "json"})
    assert response.status_code == 401
    assert response["Content-Type"].endswith("json")  # the schema renderer's JSON
    assert "detail" in json.loads(response.content)
    assert "/api/v1/units/" not in response.content.decode()


def test_anonymous_is_sent_to_the_login_page_from_the_docs(private, client):
    response = client.get(DOCS)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/v1/docs/"
    # The docs' start-up script too.
    script = client.get(DOCS, {"script": ""})
    assert script.status_code == 302
    assert script["Location"].startswith("/accounts/login/?next=")


def test_a_signed_in_session_reads_both(private, client):
    client.force_login(f.UserFactory(roles=[EMPLOYEE]))
    schema = client.get(SCHEMA, {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/units/" in schema.json()["paths"]
    docs = client.get(DOCS)
    assert docs.status_code == 200
    assert "swagger" in docs.content.decode().lower()


def test_a_user_with_no_role_reads_it_too(private, client):
    # The description of the API is no secret from a colleague: a signed-in user suffices.
    client.force_login(f.UserFactory())
    assert client.get(SCHEMA).status_code == 200


def test_an_api_token_reads_the_schema(private):
    _row, token = AuthToken.objects.create(user=f.UserFactory(roles=[EMPLOYEE]))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_a_bad_token_is_refused(private):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get(SCHEMA).status_code == 401


def test_published_by_the_setting(settings, client):
    settings.API_SCHEMA_PUBLIC = True
    assert APIClient().get(SCHEMA, {"format": "json"}).status_code == 200
    assert client.get(DOCS).status_code == 200
