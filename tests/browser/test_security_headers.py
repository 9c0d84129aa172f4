"""The Content-Security-Policy holds on every kind of page: no inline script anywhere, so
the browser reports no violation (a violation is a console error, which fails the test)."""

import pytest
from playwright.sync_api import expect

from core.roles import OSM_STAFF
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_policy_is_sent_and_no_page_violates_it(visit):
    f.EnterpriseFactory(code="ACME", name="Acme")
    staff = f.UserFactory(roles=[OSM_STAFF], is_staff=True)
    page = visit.login(staff)
    response = page.goto(visit.base_url + "/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    for path in ("/", "/alignment/", "/admin/", "/api/v1/docs/", "/accounts/login/"):
        visit.go(path)
        page.wait_for_load_state("load")
    # The API docs drew (Swagger UI's start-up script is a file, not inline).
    visit.go("/api/v1/docs/")
    expect(page.locator(".swagger-ui")).to_be_visible()
