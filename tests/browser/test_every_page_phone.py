"""Every page on a phone, for every demo role, in Chromium at 375 x 800: the page never
scrolls sideways, every button and link of the content can be reached (on screen, or inside
a box that scrolls), the navigation is folded behind its menu button, and axe-core finds no
serious or critical accessibility violation. axe runs again at 1280 px wide for the OSM
staff, who get every page. No page logs a console error.

The pages and roles are tests/osm/test_every_page.py's (its list fails when a page is
missing, so a new page is checked here too). One browser for the module, one tab per role,
signed in once by a session cookie; the roles in two tests, so two workers share them.
axe-core is vendored in tests/browser/vendor/ (see static/vendor/README.md) and injected
before each page's own scripts, so the Content-Security-Policy, which refuses inline
scripts, still holds for the page.
"""

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests.browser.conftest import Visit
from tests.osm import test_every_page as every_page

pytestmark = pytest.mark.django_db(transaction=True)
demo = every_page.demo  # the demo company (and HR's goal template), as a fixture here

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE, DESKTOP, HEIGHT = 375, 1280, 800
# a POST, JSON, a fragment or a redirect
NOT_PAGES = (
    every_page.POST_ONLY
    | {"logout"}
    | every_page.JSON_PAGES
    | every_page.NOT_A_PAGE
    | every_page.FILES
)
STAFF = "osm"  # sees every page: the one whose pages axe also checks at 1280 px

# Runs in the page: what sticks out sideways. A control counts as reachable when it lies
# within the window's width or inside a box that scrolls sideways.
LAYOUT = """(width) => {
  const page = document.scrollingElement.scrollWidth;
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    const r = el.getBoundingClientRect();
    return `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}> "${text.slice(0, 40)}"`
      + ` at ${Math.round(r.left)}-${Math.round(r.right)} px`;
  };
  const scrolls = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if ((overflow === "auto" || overflow === "scroll") && box.scrollWidth > box.clientWidth) {
        return true;
      }
    }
    return false;
  };
  const offscreen = [];
  const controls = "a[href], button, input, select, textarea, summary, [role=button], [tabindex]";
  for (const el of document.querySelectorAll(`main :is(${controls})`)) {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 && r.height <= 1) continue;  // not shown, or visually hidden
    if (getComputedStyle(el).visibility === "hidden") continue;
    if (r.left >= -1 && r.right <= width + 1) continue;
    if (!scrolls(el)) offscreen.push(describe(el));
  }
  // the widest things, to say what widens the page
  const wide = page <= width ? [] : [...document.querySelectorAll("main *")]
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !scrolls(el))
    .slice(0, 3).map(describe);
  const nav = document.querySelector('nav[aria-label="Main"]');
  const button = document.querySelector(".menu-button");
  return {
    page, offscreen, wide,
    navigation: !!nav,
    folded: !!nav && !!button && button.getBoundingClientRect().width > 0
      && nav.getBoundingClientRect().height === 0
      && button.getAttribute("aria-expanded") === "false",
  };
}"""
# Plotly draws the charts after the page has loaded: axe reads them drawn.
CHARTS_DRAWN = """() => [...document.querySelectorAll("[data-chart]")]
  .every((chart) => chart.querySelector(".main-svg"))"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id} (${v.help}): ` + v.nodes.slice(0, 3)
      .map((n) => n.target.join(" ") + " " + (n.failureSummary || "").split("\\n")[1])
      .join("; ") + (v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ""));
}"""


def signed_in_tab(chromium, base_url: str, username: str) -> Visit:
    """A phone-width tab signed in as `username` by a session made on the server side
    (no login form per role), with axe-core loaded into every page it opens."""
    tab = Visit(chromium, base_url, width=PHONE, height=HEIGHT)
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    tab.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": base_url, "httpOnly": True}]
    )
    tab.context.add_init_script(path=str(AXE))
    # A page a role may not see answers 403 and Chromium logs the status: not a fault.
    tab.page.on(
        "response",
        lambda r: r.status == 403 and r.request.is_navigation_request() and tab.refused.add(r.url),
    )
    return tab


def check_menu(page) -> list[str]:
    """The menu button unfolds the navigation (every link on screen) and folds it again."""
    button = page.locator(".menu-button")
    button.click()
    problems = []
    if button.get_attribute("aria-expanded") != "true":
        problems.append("the menu button does not say it is expanded")
    for link in page.locator("#site-menu nav a").all():
        box = link.bounding_box()
        if not box or box["x"] < 0 or box["x"] + box["width"] > PHONE:
            problems.append(f"menu link {link.inner_text()!r} is not on screen: {box}")
    page.keyboard.press("Escape")
    if button.get_attribute("aria-expanded") != "false" or page.locator("#site-menu").is_visible():
        problems.append("Escape does not fold the menu")
    return problems


def check_page(tab, url: str, *, refused_seen: bool, desktop: bool) -> tuple[int, list[str]]:
    """Open `url` at phone width: its status and what is wrong with it. axe-core reads it
    unless it is a 403 page and one was read already (they are the same page); `desktop`
    checks it at 1280 px as well."""
    page = tab.page
    status = page.goto(tab.base_url + url).status
    if status not in (200, 403):
        return status, [f"HTTP {status}"]
    problems = []
    page.wait_for_function(CHARTS_DRAWN)
    layout = page.evaluate(LAYOUT, PHONE)
    if layout["page"] > PHONE:
        problems.append(f"the page is {layout['page']} px wide: {layout['wide']}")
    problems += [f"out of reach: {control}" for control in layout["offscreen"]]
    # Every page shows the navigation, folded; a 403 may be a page without it.
    if (layout["navigation"] or status == 200) and not layout["folded"]:
        problems.append("the navigation is not folded behind its menu button")
    if status == 200 or not refused_seen:
        problems += page.evaluate(AXE_RUN)
    if desktop:
        page.set_viewport_size({"width": DESKTOP, "height": HEIGHT})
        width = page.evaluate("() => document.scrollingElement.scrollWidth")
        if width > DESKTOP:
            problems.append(f"at {DESKTOP} px the page is {width} px wide")
        problems += [f"at {DESKTOP} px: {v}" for v in page.evaluate(AXE_RUN)]
        page.set_viewport_size({"width": PHONE, "height": HEIGHT})
    return status, problems


# The roles in two halves, a test each, so that two test workers can share them (each half
# loads the demo company first: about 20 s).
HALVES = [every_page.ROLES[::2], every_page.ROLES[1::2]]


@pytest.mark.parametrize("roles", HALVES, ids=["-".join(half) for half in HALVES])
def test_every_page_on_a_phone_for_every_role(chromium, live_server, demo, roles):
    objects = every_page.demo_objects()
    urls = {name: url(objects) for name, url in every_page.PAGES.items() if name not in NOT_PAGES}
    failures, timings = [], {}
    for username in roles:
        started = time.perf_counter()
        tab = signed_in_tab(chromium, live_server.url, username)
        try:
            tab.page.goto(live_server.url + "/")
            failures += [f"{username}: {p}" for p in check_menu(tab.page)]
            refused_seen = False
            for name, url in urls.items():
                status, problems = check_page(
                    tab, url, refused_seen=refused_seen, desktop=username == STAFF
                )
                refused_seen = refused_seen or status == 403
                failures += [f"{username} {url} ({name}): {p}" for p in problems]
        finally:
            tab.close()
        failures += [f"{username}: {error}" for error in tab.errors]
        timings[username] = time.perf_counter() - started
    print("seconds per role:", {k: round(v, 1) for k, v in timings.items()})
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


def test_the_layout_check_sees_what_sticks_out(chromium):
    """The check above on pages made for it: what widens the page and the controls out of
    reach are found; a wide table that scrolls in its own box is not a fault."""
    tab = Visit(chromium, "", width=PHONE, height=HEIGHT)
    wide = (
        '<table><tr><td style="min-width: 600px">wide</td><td><button>Edit</button></td></tr>'
        "</table>"
    )
    try:
        tab.page.set_content(f"<main>{wide}</main>")
        layout = tab.page.evaluate(LAYOUT, PHONE)
        assert layout["page"] > PHONE and layout["wide"]
        assert len(layout["offscreen"]) == 1 and '<button> "Edit"' in layout["offscreen"][0]
        assert not layout["navigation"] and not layout["folded"]
        tab.page.set_content(f'<main><div style="overflow-x: auto">{wide}</div></main>')
        layout = tab.page.evaluate(LAYOUT, PHONE)
        assert layout["page"] <= PHONE and layout["offscreen"] == [] and layout["wide"] == []
        # a button pushed off the side of a page that hides its overflow cannot be reached
        tab.page.set_content(
            '<body style="overflow-x: hidden"><main>'
            '<button style="margin-left: 400px; width: 50px">Save</button></main></body>'
        )
        # the body's margin is 8 px: 8 + 400 to 8 + 400 + 50
        assert tab.page.evaluate(LAYOUT, PHONE)["offscreen"] == ['<button> "Save" at 408-458 px']
    finally:
        tab.close()
