"""The search page, `/search/?q=&types=`, and the header's search box (issue 17 item 6): the
form with its hint, results with their kind, link and safe snippet, the kinds ticked or
given comma-separated, 400 for a query too long or an unknown kind, 403 without a role, and
queries that do not grow with the data."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communication.models import Practice
from tests.core.test_search import make_world
from tests.factories import ActionItemFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db
URL = "/search/"


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def page(client, w):
    client.force_login(w["employee"])

    def get(params=None, status=200):
        response = client.get(URL, params or {})
        assert response.status_code == status, response.content[:300]
        return response.content.decode()

    return get


def results_of(html: str) -> list[str]:
    """The kinds of the results listed, in order."""
    return re.findall(r'<span class="badge search-type">([^<]+)</span>', html)


def test_without_words_the_form_and_its_hint(page):
    html = page()
    assert '<form method="get" action="/search/" class="search-form" role="search"' in html
    assert 'id="search-hint"' in html and 'aria-describedby="search-hint"' in html
    assert "<legend>Only these kinds" in html
    assert results_of(html) == [] and "results-title" not in html


def test_results_list_their_kind_link_and_marked_snippet(page, w):
    html = page({"q": "customer"})
    assert '<h2 id="results-title">7 results</h2>' in html
    assert sorted(results_of(html)) == sorted(
        ["Objective", "Measure", "Initiative", "Practice", "Announcement", "Decision",
         "Action item"])  # fmt: skip
    assert f'<a href="/objectives/{w["objective"].pk}/">SALES.CUST Customer retention</a>' in html
    assert "<mark>customer</mark>" in html.lower()
    # The practice's HTML is shown as text: nothing of it reaches the page as a tag.
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert" in html


def test_kinds_ticked_or_comma_separated(page, w):
    ticked = page({"q": "customer", "types": ["practice", "decision"]})
    assert sorted(results_of(ticked)) == ["Decision", "Practice"]
    assert re.search(r'<input type="checkbox" name="types" value="practice"[^>]*checked', ticked)
    assert not re.search(r'value="objective"[^>]*checked', ticked)
    listed = page({"q": "customer", "types": "practice,decision"})
    assert sorted(results_of(listed)) == ["Decision", "Practice"]


def test_nothing_found_says_so_and_the_words_stay_text(page):
    html = page({"q": "<b>zebra</b>"})
    assert '<h2 id="results-title">0 results</h2>' in html
    assert "“&lt;b&gt;zebra&lt;/b&gt;”" in html and "<b>zebra" not in html
    assert 'value="&lt;b&gt;zebra&lt;/b&gt;"' in html


def test_a_query_too_long_or_an_unknown_kind_is_a_400_on_the_form(page):
    html = page({"q": "x" * 201}, status=400)
    assert 'aria-invalid="true"' in html and 'class="form-errors" role="alert"' in html
    assert results_of(html) == []
    html = page({"q": "customer", "types": "goal"}, status=400)
    assert "goal" in html and results_of(html) == []


def test_without_a_role_403_and_signed_out_to_the_login(client, w):
    assert client.get(URL, {"q": "customer"})["Location"].startswith("/accounts/login/")
    client.force_login(w["nobody"])
    assert client.get(URL, {"q": "customer"}).status_code == 403
    assert client.post(URL, {"q": "customer"}).status_code == 405


def test_the_header_has_a_labelled_search_box_on_every_page(client, w):
    client.force_login(w["employee"])
    html = client.get("/notifications/").content.decode()
    box = re.search(r'<form class="site-search" role="search".*?</form>', html, re.S).group()
    assert 'action="/search/"' in box and 'method="get"' in box
    assert '<label class="visually-hidden" for="site-search-q">' in box
    assert '<input type="search" id="site-search-q" name="q"' in box


def test_queries_do_not_grow_with_the_data(client, w):
    client.force_login(w["employee"])

    def count() -> int:
        client.get(URL, {"q": "customer"})
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"q": "customer"}).status_code == 200
        return len(queries)

    few = count()
    for n in range(15):
        ObjectiveFactory(unit=w["unit"], name=f"Customer focus {n}")
        Practice.objects.create(unit=w["unit"], title=f"Customer habit {n}", body="customer")
        ActionItemFactory(meeting=w["meeting"], title=f"Customer follow-up {n}")
    assert count() == few
