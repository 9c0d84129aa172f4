"""`GET /api/v1/search/?q=&types=&limit=` (API.md "Practices and search"): the contract's
shape, only what the user may see, bad input as 400 by parameter, a number of queries that
does not grow with the data, and the schema's words. The engine's own tests (ranking,
snippets, permissions by kind) are tests/core/test_search.py's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from communication.models import Practice
from core.search import search_types
from tests.core.test_search import TYPES, make_world
from tests.factories import ActionItemFactory, ObjectiveFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/search/"


@pytest.fixture
def w():
    return make_world()


def test_the_results_have_the_contracts_shape(w):
    response = client_for(w["employee"]).get(URL, {"q": "retention"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"count", "results"}
    assert body["count"] == 1
    (result,) = body["results"]
    assert set(result) == {"type", "id", "title", "snippet", "url", "rank"}
    assert (result["type"], result["id"], result["title"], result["url"]) == (
        "objective", w["objective"].pk, "SALES.CUST Customer retention",
        f"/objectives/{w['objective'].pk}/",
    )  # fmt: skip
    assert "<mark>retention</mark>" in result["snippet"].lower()
    # The rank to 4 decimals (close results differ in the third).
    assert result["rank"] == round(result["rank"], 4) and result["rank"] > 0


def test_types_and_limit_narrow_the_results_and_count_counts_every_match(w):
    client = client_for(w["employee"])
    body = client.get(URL, {"q": "customer", "types": "practice,decision"}).json()
    assert body["count"] == 2
    assert sorted((r["type"], r["id"]) for r in body["results"]) == [
        ("decision", w["meeting"].pk), ("practice", w["practice"].pk)]  # fmt: skip
    body = client.get(URL, {"q": "customer", "limit": 3}).json()
    assert (body["count"], len(body["results"])) == (7, 3)
    ranks = [r["rank"] for r in body["results"]]
    assert ranks == sorted(ranks, reverse=True)


def test_a_snippet_holds_no_html_of_the_text(w):
    (result,) = client_for(w["employee"]).get(URL, {"q": "unhappy"}).json()["results"]
    assert "&lt;img" in result["snippet"] and "<img" not in result["snippet"]


def test_anonymous_401_and_without_a_role_403(w):
    assert APIClient().get(URL, {"q": "customer"}).status_code == 401
    refused = client_for(w["nobody"]).get(URL, {"q": "customer"})
    assert refused.status_code == 403
    assert "role" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "customer", "types": "objective,goal"}, "types"),
        ({"q": "customer", "types": "budget"}, "types"),
        ({"q": "customer", "limit": 0}, "limit"),
        ({"q": "customer", "limit": 101}, "limit"),
        ({"q": "customer", "limit": "many"}, "limit"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(w, params, field):
    response = client_for(w["employee"]).get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_an_unknown_type_is_named_with_the_types_there_are(w):
    answer = client_for(w["employee"]).get(URL, {"q": "x", "types": "goal"}).json()
    (message,) = answer["types"]
    assert "goal" in message and all(f"`{name}`" in message for name in TYPES)


def test_a_query_of_odd_characters_is_no_error(w):
    client = client_for(w["employee"])
    for q in ("'", '"', "&|!():*", "-", "or", "<b>", "%_", "customer -"):
        response = client.get(URL, {"q": q})
        assert response.status_code == 200, (q, response.content)


def test_queries_do_not_grow_with_the_data(w):
    client = client_for(w["employee"])

    def count() -> int:
        client.get(URL, {"q": "customer"})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"q": "customer", "limit": 100}).status_code == 200
        return len(queries)

    few = count()
    for n in range(15):
        ObjectiveFactory(unit=w["unit"], name=f"Customer focus {n}")
        Practice.objects.create(unit=w["unit"], title=f"Customer habit {n}", body="customer")
        ActionItemFactory(meeting=w["meeting"], title=f"Customer follow-up {n}")
    assert count() == few


def test_the_schema_describes_the_parameters_and_every_type(client, w):
    client.force_login(w["employee"])
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"q", "types", "limit"}
    assert parameters["q"]["required"] is True
    assert all(p.get("description") for p in parameters.values())
    assert all(kind.name in parameters["types"]["description"] for kind in search_types())
