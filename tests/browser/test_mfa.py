"""The second factor in a real browser (issue 18, item 3): an OSM staff member signs in with
a password, is sent to set up an authenticator app, types the code computed from the key
shown on the page, keeps the recovery codes, and goes on; signing in again asks for a code,
and a recovery code opens the session. The pages hold at phone width with no serious
accessibility fault, and the QR code (a data: image) breaks no Content-Security-Policy."""

import re

import pytest
from playwright.sync_api import expect

from core.roles import OSM_STAFF
from tests import factories as f
from tests.accounts.factories_mfa import second_factor, totp_code  # noqa: F401 (a fixture)
from tests.browser.test_every_page_phone import AXE, AXE_RUN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("second_factor")]


def axe_faults(page) -> list[str]:
    """Serious or critical accessibility faults (axe-core, loaded into every page the tab
    opens: the Content-Security-Policy refuses a script added later)."""
    return page.evaluate(AXE_RUN)


def test_set_up_then_sign_in_with_a_recovery_code(phone, chromium, live_server):
    staff = f.UserFactory(username="sam", roles=[OSM_STAFF], is_staff=True)
    phone.context.add_init_script(path=str(AXE))
    page = phone.login(staff, "/notifications/")

    # sent to set it up first (the role requires it), then back where the person was going
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/\?next=%2Fnotifications%2F$"))
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    assert axe_faults(page) == []
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    secret = page.locator("code.secret").inner_text()
    page.get_by_role("textbox", name="Code").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # shown by static/js/mfa.js
    assert page.get_by_role("link", name="Download as a text file").get_attribute("download")
    assert axe_faults(page) == []
    page.get_by_role("link", name="I have kept them: go on").click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))

    # another browser: the password, then a code (a recovery code: the phone is elsewhere)
    from tests.browser.conftest import Visit

    other = Visit(chromium, live_server.url, width=375)
    other.context.add_init_script(path=str(AXE))
    try:
        page = other.login(staff, "/notifications/")
        expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/\?next="))
        assert axe_faults(page) == []
        page.get_by_role("textbox", name="Code").fill(codes[0])
        page.get_by_role("button", name="Go on").click()
        expect(page).to_have_url(re.compile(r"/notifications/$"))
        other.go("/admin/")  # the admin lets the verified OSM staff in
        expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    finally:
        other.close()
    other.assert_no_console_errors()
