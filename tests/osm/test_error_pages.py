"""The error pages (DEBUG off): 403, 404 and a refused CSRF check in the app's layout, with
who may do what was refused and a way back; 500 in a page that needs neither the database
nor the request; JSON under /api/; the login lockout page still answers."""

import json

import pytest
from django.test import Client, RequestFactory

from core.errors import server_error
from core.roles import EMPLOYEE, OSM_STAFF, UNIT_HEAD
from scorecards.models import Objective
from tests import factories as f

LAYOUT = 'aria-label="Main"'  # base.html's navigation: the page is in the app's layout
HOME_LINK = '<a href="/">Back to your dashboard</a>'


@pytest.fixture(autouse=True)
def debug_off(settings):
    settings.DEBUG = False


@pytest.fixture
def unit(db):
    return f.OrgUnitFactory(code="SALES", name="Sales")


def login(client, *roles, **extra):
    user = f.UserFactory(roles=list(roles), **extra)
    client.force_login(user)
    return user


# 404 -----------------------------------------------------------------------------------------


def test_404_is_a_page_of_the_app_with_a_way_back(client, db):
    login(client, EMPLOYEE)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page does not exist" in html and "<code>/no/such/page/</code>" in html
    assert LAYOUT in html and HOME_LINK in html


def test_404_of_an_object_that_is_gone(client, unit):
    login(client, EMPLOYEE)
    response = client.get("/objectives/999999/")
    assert response.status_code == 404 and "This page does not exist" in response.text


def test_404_offers_the_page_before_only_when_it_is_ours(client, db):
    login(client, EMPLOYEE)
    ours = client.get("/nowhere/", HTTP_REFERER="http://testserver/units/SALES/")
    assert '<a href="http://testserver/units/SALES/">back to the page before</a>' in ours.text
    foreign = client.get("/nowhere/", HTTP_REFERER="https://evil.example/phish/")
    assert "evil.example" not in foreign.text and "back to the page before" not in foreign.text


def test_404_without_signing_in(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.text and LAYOUT not in response.text


def test_404_under_the_api_is_json(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# 403 -----------------------------------------------------------------------------------------


def test_403_says_who_may_and_the_roles_one_has(client, unit):
    objective = f.ObjectiveFactory(unit=unit, code="GROW")
    login(client, EMPLOYEE, first_name="Eve", last_name="Employee")
    response = client.get(f"/objectives/{objective.pk}/edit/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not open this page" in html
    # From the objective's access declaration (core/policies.py STRATEGY: change = OSM staff
    # or the head of the unit's subtree).
    assert (
        "You may not do this here. Only people with the role “OSM staff” or the head of the "
        "unit (or of a unit above it) may change an objective."
    ) in html
    assert "signed in as <strong>Eve Employee</strong>, with the role Employee." in html
    assert LAYOUT in html and HOME_LINK in html


def test_403_to_the_head_of_another_unit(client, unit):
    other = f.OrgUnitFactory(code="OPS", name="Operations")
    head = login(client, UNIT_HEAD)
    other.head = head
    other.save()
    response = client.get("/units/SALES/objectives/new/")
    assert response.status_code == 403
    assert "may add an objective." in response.text and "with the role Unit head." in response.text
    assert Objective.objects.count() == 0


def test_403_to_someone_with_no_role(client, unit):
    objective = f.ObjectiveFactory(unit=unit)
    login(client)
    response = client.get(f"/objectives/{objective.pk}/edit/")
    assert response.status_code == 403
    assert "You have no role in OSM yet: ask the OSM staff for one." in response.text
    assert "with no role in OSM yet" in response.text


def test_403_of_a_page_that_names_its_own_reason(client, unit):
    login(client, EMPLOYEE)  # only the OSM staff start a strategy test run
    response = client.post("/units/SALES/strategy-test/")
    assert response.status_code == 403
    assert "Only the OSM staff start a strategy test." in response.text


def test_403_under_the_api_stays_json(client, unit):
    login(client, EMPLOYEE)
    response = client.post("/api/v1/units/", {"code": "X", "name": "X", "kind": "team"})
    assert response.status_code == 403
    assert "detail" in response.json()


# CSRF ----------------------------------------------------------------------------------------


def test_a_form_refused_by_the_csrf_check_says_what_to_do_and_saves_nothing(unit):
    client = Client(enforce_csrf_checks=True)
    login(client, OSM_STAFF)
    response = client.post(
        "/units/SALES/objectives/new/",
        {"code": "NEW", "name": "New objective", "weight": "1"},
        HTTP_REFERER="http://testserver/units/SALES/objectives/new/",
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your form was not sent" in html and "Nothing was saved." in html
    assert "reload the page" in html and "back to the form" in html
    assert LAYOUT in html and HOME_LINK in html
    assert "CSRF token" not in html  # Django's technical reason is not for people
    assert not Objective.objects.filter(code="NEW").exists()


def test_error_pages_answer_even_when_the_layout_cannot_be_drawn(unit, settings, tmp_path):
    # As in production before collectstatic: the layout's {% static %} finds no manifest
    # (during a database outage, the layout's session and roles fail the same way).
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    client = Client(enforce_csrf_checks=True)
    login(client, OSM_STAFF)
    refused = client.post("/units/SALES/objectives/new/", {"code": "NEW", "name": "New"})
    assert refused.status_code == 403
    assert "<h1>Your form was not sent</h1>" in refused.text and "Nothing was saved" in refused.text
    assert '<a href="/">Back to the dashboard</a>' in refused.text
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404 and "<h1>This page does not exist</h1>" in missing.text
    objective = f.ObjectiveFactory(unit=unit)
    login(client, EMPLOYEE)
    forbidden = client.get(f"/objectives/{objective.pk}/edit/")
    assert forbidden.status_code == 403 and "may change an objective." in forbidden.text
    assert not Objective.objects.filter(code="NEW").exists()


# 500 -----------------------------------------------------------------------------------------


def answer(path, exc):
    try:
        raise exc
    except Exception:  # handler500 runs while the exception is being handled
        return server_error(RequestFactory().get(path))


def test_500_needs_no_database_and_has_a_way_back():
    # No database marker: any query here would fail the test.
    page = answer("/units/SALES/", ValueError("bug"))
    html = page.content.decode()
    assert page.status_code == 500
    assert "<title>Something went wrong · Office of Strategy Management</title>" in html
    assert '<header class="topbar"><a class="brand" href="/">OSM</a></header>' in html
    assert '<a href="/">Back to the dashboard</a>' in html
    assert "bug" not in html and "Traceback" not in html


def test_500_under_the_api_is_json():
    response = answer("/api/v1/units/", ValueError("bug"))
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "Something went wrong."}


def test_500_through_the_whole_stack(client, db, monkeypatch):
    class Broken:
        def cursor(self):
            raise RuntimeError("a bug")  # not a DatabaseError: the health check lets it go

    monkeypatch.setattr("osm.views.connection", Broken())
    client.raise_request_exception = False
    response = client.get("/healthz/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text and "Back to the dashboard" in response.text
    assert "a bug" not in response.text


# The login lockout (django-axes) ---------------------------------------------------------------


def test_the_lockout_page_is_in_the_layout_with_a_way_back(client, settings, db):
    settings.AXES_FAILURE_LIMIT = 2
    f.UserFactory(username="ada")
    for _ in range(2):
        response = client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed logins" in html
    assert '<a href="/accounts/login/">Back to the sign-in page</a>' in html
    assert '<a class="brand" href="/">OSM</a>' in html
