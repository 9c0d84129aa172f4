"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

No downloaded browser: Chromium is /usr/bin/chromium (apt). Without it these tests skip,
saying so (under OSM_REQUIRE_SERVICES=1 they fail instead). Every page a test opens must
log no console error and throw no uncaught exception.
"""

import contextlib
import os
from pathlib import Path

import pytest

from tests.conftest import need_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "pw-long-enough-1"  # tests.factories.UserFactory's


@pytest.fixture(scope="module")
def chromium():
    """Chromium for one test module. While Playwright's sync API runs, an event loop runs
    in the test's thread and Django would refuse the ORM calls the test makes (factories),
    though nothing here is async: allowed for the module's tests only, so the variable
    never reaches another test (`check --deploy` refuses it)."""
    need_service("chromium")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class Visit:
    """One browser tab on the live server that records console errors."""

    def __init__(self, browser, base_url: str, width: int = 1280, height: int = 900):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        # Pages answered 400 because a form was refused (re-rendered with its errors next
        # to the fields): Chromium logs "Failed to load resource" for them, which is the
        # status code doing its job, not a fault of the page.
        self.refused: set[str] = set()
        self.page.on("response", self._on_response)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _on_response(self, response):
        if response.status == 400 and response.request.is_navigation_request():
            self.refused.add(response.url)

    def _on_console(self, message):
        if message.type != "error":
            return
        url = message.location.get("url")
        if message.text.startswith("Failed to load resource") and url in self.refused:
            return
        self.errors.append(f"console: {message.text} ({url})")

    def go(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response.ok, f"{path}: HTTP {response.status}"
        return self.page

    def login(self, user, path: str = "/"):
        self.page.goto(f"{self.base_url}/accounts/login/?next={path}")
        self.page.get_by_label("Username").fill(user.username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_load_state()
        return self.page

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self):
        """Let the page's own requests (charts, the API docs' schema) finish first: one cut
        off mid-way would end on the server after the test's database is gone."""
        with contextlib.suppress(Exception):  # a page that never idles still gets closed
            self.page.wait_for_load_state("networkidle", timeout=5_000)
        self.context.close()

    def assert_no_console_errors(self):
        assert not self.errors, "\n".join(self.errors)


@pytest.fixture
def visit(chromium, live_server):
    """A fresh tab (1280 px wide) that fails the test on a console error."""
    tab = Visit(chromium, live_server.url)
    yield tab
    tab.close()
    tab.assert_no_console_errors()


@pytest.fixture
def second_tab(chromium, live_server):
    """Another person's browser beside `visit`'s (its own cookies), as `visit`."""
    tab = Visit(chromium, live_server.url)
    yield tab
    tab.close()
    tab.assert_no_console_errors()


@pytest.fixture
def phone(chromium, live_server):
    """A phone-width tab (375 px)."""
    tab = Visit(chromium, live_server.url, width=375)
    yield tab
    tab.close()
    tab.assert_no_console_errors()
