"""The reporting cycle in a real browser (issue 15): in a unit that requires approval, the
measure's owner types October's actual and a note; the scorecard keeps the approved
actual, shown with the pending figure; the unit head finds it in
My updates, returns it with a comment, the owner reads why in his inbox and My updates,
corrects it, and the head approves it: the stored actual changes only then. Then a mention
in a comment reaches its reader, who replies from the measure's page. Screenshots in
var/screenshots/ (reporting-cycle-*.png)."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from communication.models import Comment
from core.roles import MEASURE_OWNER, UNIT_HEAD
from scorecards.models import MeasureValue
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)
OCT = dt.date(2026, 10, 1)


@pytest.fixture
def owner_tab(second_tab):
    """A second browser, the measure owner's, beside the unit head's."""
    return second_tab


def october():
    return MeasureValue.objects.get(period=OCT)


def test_an_owners_value_is_returned_corrected_and_approved(visit, owner_tab):
    head = f.UserFactory(username="hana", first_name="Hana", last_name="Kovac", roles=[UNIT_HEAD])
    owner = f.UserFactory(username="olga", first_name="Olga", last_name="Lind",
                          roles=[MEASURE_OWNER])  # fmt: skip
    unit = f.OrgUnitFactory(code="PLANT", parent=f.EnterpriseFactory(code="ACME"), head=head,
                            approval_required=True)  # fmt: skip
    oee = f.MeasureFactory(objective=f.ObjectiveFactory(unit=unit), code="OEE", owner=owner,
                           decimal_places=1)  # fmt: skip
    f.MeasureValueFactory(measure=oee, period=OCT, actual=Decimal("77.9"), target=Decimal(80),
                          red_flag=Decimal(75))  # fmt: skip

    tab = owner_tab
    page = tab.login(owner, f"/measures/{oee.pk}/?period=2026-10")
    page.locator("#id_actual").fill("79.2")
    page.locator("#id_note").fill("Line 2 back after the repair")
    page.locator("#value-form button[type=submit]:not([name])").click()
    expect(page.get_by_role("status")).to_contain_text("submitted for approval")
    row = page.get_by_role("row").filter(has_text="Oct 2026")
    expect(row.get_by_text("Pending: 79.2")).to_be_visible()
    tab.screenshot("reporting-cycle-submitted")
    assert (october().actual, october().submitted_actual) == (Decimal("77.9"), Decimal("79.2"))

    page = visit.login(head, "/my/updates/")
    queue = page.locator("#approval")
    expect(queue).to_contain_text("Line 2 back after the repair")
    queue.get_by_role("link", name="Return OEE for Oct 2026").click()
    page.get_by_label("Comment").fill("Which day was line 2 back? Put it in the note.")
    page.get_by_role("button", name="Return").click()
    expect(page.get_by_role("status")).to_contain_text("Returned OEE for Oct 2026")
    assert october().state == "returned"

    page = tab.go("/notifications/")
    expect(page.get_by_role("link", name="OEE for Oct 2026 was returned")).to_be_visible()
    page = tab.go("/my/updates/")
    expect(page.get_by_text("Which day was line 2 back?")).to_be_visible()
    tab.screenshot("reporting-cycle-returned")
    page.get_by_role("link", name="Correct OEE for Oct 2026").click()
    expect(page.locator("#id_actual")).to_have_value("79.2")
    page.locator("#id_note").fill("Line 2 back on 14 October after the repair")
    page.locator("#value-form button[type=submit]:not([name])").click()
    expect(page.get_by_role("status")).to_contain_text("submitted for approval")

    page = visit.go("/my/updates/")
    page.locator("#approval").get_by_role("button", name="Approve OEE for Oct 2026").click()
    expect(page.get_by_role("status")).to_contain_text("Approved OEE for Oct 2026")
    visit.screenshot("reporting-cycle-approved")
    value = october()
    assert (value.state, value.actual, value.note) == (
        "approved", Decimal("79.2"), "Line 2 back on 14 October after the repair",
    )  # fmt: skip


def test_a_mention_is_answered_from_the_measure_page(visit, owner_tab):
    head = f.UserFactory(username="hana", first_name="Hana", last_name="Kovac", roles=[UNIT_HEAD])
    owner = f.UserFactory(username="olga", first_name="Olga", last_name="Lind",
                          roles=[MEASURE_OWNER])  # fmt: skip
    unit = f.OrgUnitFactory(code="PLANT", parent=f.EnterpriseFactory(code="ACME"), head=head)
    oee = f.MeasureFactory(objective=f.ObjectiveFactory(unit=unit), code="OEE", owner=owner)

    page = visit.login(head, f"/measures/{oee.pk}/")
    panel = page.locator("#discussion")
    panel.get_by_label("Comment").fill("@olga why did **line 2** stop?")
    panel.get_by_role("button", name="Comment").click()
    expect(page.get_by_role("status")).to_contain_text("Comment added.")

    tab = owner_tab
    page = tab.login(owner, "/notifications/")
    expect(page.locator(".inbox .count")).to_have_text("1")
    page.get_by_role("link", name="Hana Kovac mentioned you on PLANT.OEE").click()
    thread = page.locator("#discussion")
    expect(thread.locator("strong", has_text="line 2")).to_be_visible()  # Markdown, rendered
    thread.get_by_text("Reply", exact=True).first.click()
    thread.get_by_label("Your reply").fill("A bearing; replaced on the 14th.")
    thread.get_by_role("button", name="Reply").click()
    expect(page.get_by_role("status")).to_contain_text("Comment added.")
    tab.screenshot("reporting-cycle-reply")
    reply = Comment.objects.get(parent__isnull=False)
    assert (reply.author, reply.body) == (owner, "A bearing; replaced on the 14th.")
