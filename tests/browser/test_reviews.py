"""Review meetings in a real browser: a unit head holds a meeting, records a decision and an
action item, then opens the briefing book, which prints without the site's chrome. Each
page fails the test on a console error (see conftest.py)."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import ActionItem, ReviewMeeting
from tests.reviews.meeting_world import build_world

pytestmark = pytest.mark.django_db(transaction=True)

# The elements reaching past the screen's right edge (outside a scrolling box), to say which.
WIDEST = """
[...document.querySelectorAll('body *')].filter(e => {
  const r = e.getBoundingClientRect();
  if (r.right <= document.documentElement.clientWidth + 1) return false;
  for (let p = e.parentElement; p; p = p.parentElement) {
    const s = getComputedStyle(p).overflowX;
    if (s === 'auto' || s === 'scroll' || s === 'hidden') return false;
  }
  return true;
}).slice(0, 5)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
"""


@pytest.fixture
def world(settings):
    return build_world(settings)  # B1's March review, held by its head (tests/reviews/)


def test_a_unit_head_holds_a_meeting_and_prints_the_briefing_book(visit, world):
    meeting = world.meeting
    page = visit.login(world.head, f"/reviews/{meeting.pk}/")
    expect(page.get_by_role("heading", name="March review")).to_be_visible()
    expect(page.get_by_text("Live agenda")).to_be_visible()
    expect(page.locator(".agenda-red")).to_contain_text("CARE Delight customers")

    page.get_by_role("textbox", name="Minutes").fill("CARE and SELL discussed.")
    page.get_by_role("textbox", name="Decisions").fill("Run a customer survey before April.")
    page.get_by_role("button", name="Hold the meeting").click()
    expect(page.get_by_role("status")).to_contain_text("held: its agenda is frozen")
    expect(page.get_by_text("Frozen agenda")).to_be_visible()
    minutes = page.locator("section", has=page.get_by_role("heading", name="Minutes and decisions"))
    expect(minutes).to_contain_text("Run a customer survey before April.")

    page.get_by_role("link", name="Add an action item").click()
    page.get_by_label("Title").fill("Survey 500 customers")
    page.get_by_label("Objective").select_option(label="B1.CARE Delight customers")
    page.get_by_label("Owner").select_option(label="Olive Owner (olive)")
    page.get_by_label("Due").fill("2026-04-15")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("status")).to_contain_text("Action item 'Survey 500 customers' added")
    items = page.locator(
        "section", has=page.get_by_role("heading", name=re.compile("^Action items"))
    )
    expect(items).to_contain_text("Survey 500 customers")
    expect(items).to_contain_text("Olive Owner")

    held = ReviewMeeting.objects.get(pk=meeting.pk)
    assert (held.status, held.decisions) == ("held", "Run a customer survey before April.")
    assert held.agenda["frozen"] is True
    item = ActionItem.objects.get(title="Survey 500 customers")
    assert (item.meeting_id, item.objective, item.owner) == (meeting.pk, world.care, world.olive)

    page.get_by_role("link", name="Briefing book").click()
    page.wait_for_url(f"**/reviews/{meeting.pk}/briefing/")
    expect(page.get_by_role("heading", name="March review")).to_be_visible()
    expect(page.locator(".briefing")).to_contain_text("frozen on")
    expect(page.locator(".briefing")).to_contain_text("Run a customer survey before April.")
    expect(page.locator(".topbar")).to_be_visible()
    page.emulate_media(media="print")
    # On paper: no menus, no buttons; the objectives' tables start on their own pages.
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.locator(".briefing .no-print")).to_be_hidden()
    breaks = page.evaluate(
        "[...document.querySelectorAll('.briefing .sheet + .sheet, .briefing .agenda-yellow')]"
        ".map(e => getComputedStyle(e).breakBefore)"
    )
    assert breaks and set(breaks) == {"page"}
    visit.screenshot("briefing")
    pdf = page.pdf(format="A4")  # Chromium lays it out on A4 without complaint
    assert pdf.startswith(b"%PDF")


def test_the_review_pages_fit_a_phone(phone, world):
    phone.login(world.head)
    for path in ["/reviews/", f"/reviews/{world.meeting.pk}/",
                 f"/reviews/{world.meeting.pk}/briefing/", f"/reviews/{world.meeting.pk}/edit/",
                 f"/reviews/{world.meeting.pk}/items/new/"]:  # fmt: skip
        page = phone.go(path)
        page.wait_for_load_state("load")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        culprits = page.evaluate(WIDEST) if overflow > 0 else None
        assert overflow <= 0, f"{path} is {overflow}px wider than a 375px screen: {culprits}"
