"""The review meeting pages: each page rendered, each role (OSM staff, Executive, a unit head
inside and outside his subtree, HR, Measure owner, Employee, no role), the item owner's
status-only change, bad input next to the fields with nothing written, holding from the
page (frozen vs live agenda), the attendee choices at scale, and query counts on two sizes.
The world and its figures: meeting_world.py. Pages run on 20 March 2026 (time-machine)."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from people.models import Employee
from reviews import forms as review_forms
from reviews.models import ActionItem, ReviewMeeting
from tests import factories as f

from .meeting_world import ROLE_USERS, build_world, grow

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
READERS = ["staff", "executive", "head", "otherhead", "hr", "measure_owner", "employee"]
NOT_WRITERS = ["executive", "otherhead", "hr", "measure_owner", "employee", "no_role"]


@pytest.fixture(autouse=True)
def on_20_march():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db, settings):
    return build_world(settings)


@pytest.fixture
def login(client, world):
    """`login("staff")`, `login("head")`, ...: the client logged in as that kind of user."""

    def log_in(who: str):
        named = {"head": world.head, "otherhead": world.other_head, "olive": world.olive}
        user = named.get(who) or f.UserFactory(roles=ROLE_USERS[who])
        client.force_login(user)
        return user

    return log_in


def snapshot():
    """Every row the pages could write, to show that nothing was."""
    return (
        list(ReviewMeeting.objects.order_by("pk").values()),
        list(ReviewMeeting.attendees.through.objects.order_by("pk").values()),
        list(ActionItem.objects.order_by("pk").values()),
    )


def text(response) -> str:
    """The page's text without tags, spaces collapsed."""
    html = response.content.decode()
    html = html[html.index("<main") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_shown_by(html: str, field: str, message: str) -> None:
    """The message is in the field's own block (between its label or legend and the next
    one), or at the top of the form for a non-field error."""
    shown = re.escape(escape(message))
    if field == "__all__":
        assert re.search(rf'<ul class="errorlist nonfield"[^>]*>\s*<li>{shown}', html), html
        return
    not_a_label = "(?:(?!<label|<legend).)*?"
    pattern = (
        rf'(?:<label for="id_{field}"[^>]*>|<legend[^>]*for="id_{field}"[^>]*>)'
        rf"{not_a_label}errorlist{not_a_label}{shown}"
    )
    assert re.search(pattern, html, re.S), html


def meeting_data(world, **changes) -> dict:
    data = {
        "kind": "strategy",
        "title": "Q2 strategy review",
        "scheduled_for": "2026-04-20T14:30",
        "chair": world.head.pk,
        "attendees": [world.head.pk, world.olive.pk],
    }
    data.update(changes)
    return data


def item_data(world, **changes) -> dict:
    data = {
        "title": "Raise prices",
        "objective": world.sell.pk,
        "owner": world.olive.pk,
        "due": "2026-04-15",
        "status": "open",
    }
    data.update(changes)
    return data


# Every page renders --------------------------------------------------------------------------


def test_the_list_next_ones_first_then_the_past(client, world, login):
    login("employee")
    response = client.get("/reviews/")
    assert response.status_code == 200
    titles = [m.title for m in response.context["page"].object_list]
    # Upcoming (after 20 March, soonest first): April; then past, most recent first.
    assert titles == [
        "April review", "March review", "February review", "B2 review", "January review",
    ]  # fmt: skip
    assert "Schedule a meeting" not in text(response)
    assert response.context["page"].object_list[2].open_items == 2  # Fix pricing, Plan training


def test_the_list_filters_by_subtree_kind_status_and_when(client, world, login):
    login("staff")
    d1 = f.ReviewMeetingFactory(unit=world.tree.d1, title="D1 review", kind="strategy")

    def titles(**params):
        response = client.get("/reviews/", params)
        assert response.status_code == 200
        return [m.title for m in response.context["page"].object_list]

    assert titles(unit="B2") == ["B2 review"]
    # B1 and the units below it (D1 on 10 Feb, the factory's date, after B2's 1 Feb)
    assert titles(unit="B1", when="past") == [
        "March review", "February review", d1.title, "January review",
    ]  # fmt: skip
    assert titles(unit="B1", when="upcoming") == ["April review"]
    assert titles(kind="strategy") == ["D1 review"]
    assert titles(status="held") == ["February review", "January review"]
    response = client.get("/reviews/", {"unit": "B1"})
    assert 'href="/reviews/new/?unit=B1"' in response.content.decode()


def test_a_bad_filter_is_a_400_by_the_field(client, world, login):
    login("staff")
    response = client.get("/reviews/", {"unit": "NOPE", "kind": "party"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"unit", "kind"}
    assert "Correct the filters above" in text(response)


def test_the_detail_page_shows_the_live_agenda_and_everything_else(client, world, login):
    login("staff")
    response = client.get(f"/reviews/{world.meeting.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert "Live agenda" in page and "Frozen agenda" not in page
    for shown in ["March review", "Operational review of Unit B1", "Hanna Head", "Olive Owner",
                  "1. Objectives off target (2)", "CARE Delight customers", "SELL Sell more",
                  "1.67", "2. Objectives to watch (1)", "SHIP Ship on time",
                  "3. Overdue values (1)",
                  "COURSES Courses", "Hire two sales reps.", "Call customers",
                  "Carried over from earlier meetings 2", "Fix pricing", "Late",
                  "Plan training", "Hold the meeting", "Cancel the meeting"]:  # fmt: skip
        assert shown in page, shown
    # A live agenda lists the open items once: in the live tables with their controls.
    assert "4. Open action items" not in page
    assert page.index("CARE Delight customers") < page.index("SELL Sell more")
    html = response.content.decode()
    assert f'href="/objectives/{world.sell.pk}/"' in html  # the page links its figures
    assert f'href="/reviews/items/{world.fix.pk}/edit/?next=/reviews/{world.meeting.pk}/"' in html


def test_the_briefing_book(client, world, login):
    login("employee")
    response = client.get(f"/reviews/{world.meeting.pk}/briefing/")
    assert response.status_code == 200
    page = text(response)
    for shown in ["Briefing book", "March review", "Attendees 2", "Hanna Head", "Olive Owner",
                  "CARE Delight customers", "NPS Net promoter score", "30", "40", "35", "0.00",
                  "OTD On-time delivery", "90*", "5.00", "COURSES Courses",
                  "4. Open action items (3)", "Call customers", "Fix pricing", "Plan training",
                  "5. Decisions of the last meeting", "Hire two sales reps."]:  # fmt: skip
        assert shown in page, shown
    html = response.content.decode()
    assert 'class="briefing"' in html and 'class="no-print actions"' in html
    assert "<form" not in html[html.index('class="briefing"') :]  # nothing to press on paper


def test_forms_render(client, world, login):
    login("head")
    pages = [
        "/reviews/new/", "/reviews/new/?unit=B1", f"/reviews/{world.meeting.pk}/edit/",
        f"/reviews/{world.meeting.pk}/delete/", f"/reviews/{world.meeting.pk}/items/new/",
        f"/reviews/items/{world.call.pk}/edit/", f"/reviews/items/{world.call.pk}/delete/",
    ]  # fmt: skip
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "{{" not in response.content.decode(), url


def test_the_unit_picker_offers_the_units_where_one_may_schedule(client, world, login):
    login("head")
    form = client.get("/reviews/new/").context["form"]
    # The subtree he heads, in tree order: B1, D1, T1.
    assert [code for code, _ in form.fields["unit"].choices] == ["B1", "D1", "T1"]


# Who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_everyone_with_a_role_reads(client, world, login, who):
    login(who)
    for url in ["/reviews/", f"/reviews/{world.meeting.pk}/",
                f"/reviews/{world.meeting.pk}/briefing/"]:  # fmt: skip
        assert client.get(url).status_code == 200, url


def test_no_role_gets_403_everywhere(client, world, login):
    login("no_role")
    for url in ["/reviews/", f"/reviews/{world.meeting.pk}/",
                f"/reviews/{world.meeting.pk}/briefing/", "/reviews/new/"]:  # fmt: skip
        assert client.get(url).status_code == 403, url


def actions(world):
    """(name, url, POST data) of every write, all on B1's March meeting (the head's)."""
    m, call = world.meeting, world.call
    return [
        ("new", "/reviews/new/?unit=B1", meeting_data(world)),
        (
            "edit",
            f"/reviews/{m.pk}/edit/",
            meeting_data(world, title="Renamed", scheduled_for="2026-03-10T09:00"),
        ),
        ("minutes", f"/reviews/{m.pk}/", {"action": "save", "minutes": "M", "decisions": "D"}),
        ("item-new", f"/reviews/{m.pk}/items/new/", item_data(world)),
        ("item-edit", f"/reviews/items/{call.pk}/edit/", item_data(world, title="Call all")),
        ("item-delete", f"/reviews/items/{world.plan.pk}/delete/", {}),
        ("hold", f"/reviews/{m.pk}/", {"action": "hold", "minutes": "Met", "decisions": "Go"}),
        ("delete", f"/reviews/{world.later.pk}/delete/", {}),
    ]


@pytest.mark.parametrize("who", NOT_WRITERS)
def test_those_who_may_not_write_get_403_and_write_nothing(client, world, login, who):
    login(who)
    for name, url, data in actions(world):
        before = snapshot()
        if name not in ("minutes", "hold"):  # the detail page itself is open to readers
            assert client.get(url).status_code == 403, name
        assert client.post(url, data).status_code == 403, name
        assert snapshot() == before, name


@pytest.mark.parametrize("who", ["staff", "head"])
def test_staff_and_the_unit_head_write(client, world, login, who):
    login(who)
    for name, url, data in actions(world):
        if name not in ("minutes", "hold"):
            assert client.get(url).status_code == 200, name
        response = client.post(url, data)
        assert response.status_code == 302, (name, response.content.decode()[:3000])
    created = ReviewMeeting.objects.get(title="Q2 strategy review")
    assert (created.unit, created.kind, created.chair, created.status) == (
        world.tree.b1, "strategy", world.head, "scheduled",
    )  # fmt: skip
    assert created.scheduled_for == dt.datetime(2026, 4, 20, 14, 30, tzinfo=dt.UTC)
    assert set(created.attendees.all()) == {world.head, world.olive}
    held = ReviewMeeting.objects.get(pk=world.meeting.pk)
    assert (held.title, held.status, held.minutes, held.decisions) == (
        "Renamed", "held", "Met", "Go",
    )  # fmt: skip
    assert held.agenda["frozen"] is True and held.agenda["prepared_on"] == "2026-03-20"
    assert ActionItem.objects.get(pk=world.call.pk).title == "Call all"
    new = ActionItem.objects.get(title="Raise prices")
    assert (new.meeting, new.objective, new.owner, new.due) == (
        world.meeting, world.sell, world.olive, dt.date(2026, 4, 15),
    )  # fmt: skip
    assert not ActionItem.objects.filter(pk=world.plan.pk).exists()
    assert not ReviewMeeting.objects.filter(pk=world.later.pk).exists()


def test_a_unit_head_schedules_below_his_unit_not_elsewhere(client, world, login):
    login("head")
    # Olive owns a measure of B1, not of D1: D1's meeting may not invite her; the head
    # of B1, above D1, it may.
    response = client.post("/reviews/new/?unit=D1", meeting_data(world))
    assert response.status_code == 400 and "attendees" in response.context["form"].errors
    data = meeting_data(world, attendees=[world.head.pk])
    assert client.post("/reviews/new/?unit=D1", data).status_code == 302
    assert ReviewMeeting.objects.get(title="Q2 strategy review").unit == world.tree.d1
    before = snapshot()
    assert client.get("/reviews/new/?unit=B2").status_code == 403
    assert client.post("/reviews/new/?unit=B2", meeting_data(world, title="X")).status_code == 403
    elsewhere = world.elsewhere
    assert client.get(f"/reviews/{elsewhere.pk}/edit/").status_code == 403
    assert (
        client.post(f"/reviews/items/{world.other.pk}/edit/", {"status": "done"}).status_code == 403
    )
    assert client.post(f"/reviews/{elsewhere.pk}/", {"action": "cancel"}).status_code == 403
    assert snapshot() == before


def test_the_list_offers_scheduling_only_where_one_may(client, world, login):
    login("head")
    assert "Schedule a meeting" in text(client.get("/reviews/?unit=B1"))
    assert "Schedule a meeting" not in text(client.get("/reviews/?unit=B2"))
    assert "Schedule a meeting" in text(client.get("/reviews/"))  # somewhere: the picker


# The owner of an action item -----------------------------------------------------------------


def test_the_owner_changes_the_status_only(client, world, login):
    login("olive")  # a measure owner who owns "Call customers", not a head of B1
    page = client.get(f"/reviews/{world.meeting.pk}/")
    html = page.content.decode()
    assert f'action="/reviews/items/{world.call.pk}/edit/"' in html  # the status-only form
    assert f'href="/reviews/items/{world.call.pk}/edit/?' not in html  # no full edit link
    form = client.get(f"/reviews/items/{world.call.pk}/edit/").context["form"]
    assert list(form.fields) == ["status"]
    data = {"status": "done", "title": "Mine now", "due": "2030-01-01",
            "next": f"/reviews/{world.meeting.pk}/"}  # fmt: skip
    response = client.post(f"/reviews/items/{world.call.pk}/edit/", data)
    assert response.status_code == 302 and response["Location"] == f"/reviews/{world.meeting.pk}/"
    call = ActionItem.objects.get(pk=world.call.pk)
    # The status changed; the title and due date posted alongside were not taken.
    assert (call.status, call.title, call.due) == ("done", "Call customers", dt.date(2026, 3, 15))
    before = snapshot()
    assert client.post(f"/reviews/items/{world.call.pk}/delete/").status_code == 403
    assert (
        client.post(f"/reviews/{world.meeting.pk}/items/new/", item_data(world)).status_code == 403
    )
    # An item she does not own: 403.
    assert (
        client.post(f"/reviews/items/{world.done.pk}/edit/", {"status": "open"}).status_code == 403
    )
    assert snapshot() == before


def test_an_owner_without_a_role_may_not(client, world):
    nobody = f.UserFactory()
    ActionItem.objects.filter(pk=world.call.pk).update(owner=nobody)
    client.force_login(nobody)
    before = snapshot()
    assert (
        client.post(f"/reviews/items/{world.call.pk}/edit/", {"status": "done"}).status_code == 403
    )
    assert snapshot() == before


def test_a_bad_status_from_the_owner_is_shown_by_the_field(client, world, login):
    login("olive")
    before = snapshot()
    response = client.post(f"/reviews/items/{world.call.pk}/edit/", {"status": "finished"})
    assert response.status_code == 400
    assert_shown_by(
        response.content.decode(), "status",
        "Select a valid choice. finished is not one of the available choices.",
    )  # fmt: skip
    assert snapshot() == before


def test_next_must_be_one_of_ours(client, world, login):
    login("olive")
    response = client.post(
        f"/reviews/items/{world.call.pk}/edit/", {"status": "done", "next": "https://evil.test/"}
    )
    assert response["Location"] == f"/reviews/{world.meeting.pk}/"


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"scheduled_for": "next tuesday"}, "scheduled_for", "Enter a valid date/time."),
        ({"kind": "party"}, "kind",
         "Select a valid choice. party is not one of the available choices."),
    ],
)  # fmt: skip
def test_bad_meeting_input_is_shown_by_the_field(client, world, login, changes, field, message):
    login("head")
    before = snapshot()
    response = client.post("/reviews/new/?unit=B1", meeting_data(world, **changes))
    assert response.status_code == 400
    assert_shown_by(response.content.decode(), field, message)
    response = client.post(f"/reviews/{world.meeting.pk}/edit/", meeting_data(world, **changes))
    assert response.status_code == 400
    assert_shown_by(response.content.decode(), field, message)
    assert snapshot() == before


def test_an_outsider_cannot_be_invited_or_chair(client, world, login):
    outsider = f.UserFactory(username="outsider")
    f.EmployeeFactory(user=outsider, unit=world.tree.b2)  # B2's: not B1's to invite
    login("head")
    before = snapshot()
    data = meeting_data(world, attendees=[world.head.pk, outsider.pk], chair=outsider.pk)
    response = client.post("/reviews/new/?unit=B1", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["attendees"] == [
        f"Select a valid choice. {outsider.pk} is not one of the available choices."
    ]
    assert errors["chair"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert snapshot() == before


def test_bad_item_input_is_shown_by_the_field(client, world, login):
    login("head")
    foreign = f.ObjectiveFactory(unit=world.tree.b2, code="FAR")
    before = snapshot()
    for changes, field, message in [
        ({"due": ""}, "due", "This field is required."),
        ({"due": "soon"}, "due", "Enter a valid date."),
        ({"title": ""}, "title", "This field is required."),
        ({"objective": foreign.pk}, "objective",
         "Select a valid choice. That choice is not one of the available choices."),
    ]:  # fmt: skip
        for url in [f"/reviews/{world.meeting.pk}/items/new/",
                    f"/reviews/items/{world.call.pk}/edit/"]:  # fmt: skip
            response = client.post(url, item_data(world, **changes))
            assert response.status_code == 400, (url, field)
            assert_shown_by(response.content.decode(), field, message)
    assert snapshot() == before


def test_holding_refusals_are_shown_above_the_form(client, world, login):
    login("head")
    later = world.later  # 10 April: its day has not come on 20 March
    before = snapshot()
    response = client.post(f"/reviews/{later.pk}/", {"action": "hold", "minutes": "M"})
    assert response.status_code == 400
    assert_shown_by(
        response.content.decode(), "__all__",
        "This meeting is scheduled for 10 Apr 2026: it can be held from that day on "
        "(change its date if it met earlier).",
    )  # fmt: skip
    response = client.post(f"/reviews/{later.pk}/", {"action": "dance"})
    assert response.status_code == 400
    assert_shown_by(
        response.content.decode(), "__all__", "Choose to save the minutes or to hold the meeting."
    )
    assert snapshot() == before


def test_a_held_meeting_cannot_be_cancelled_from_the_page(client, world, login):
    login("head")
    client.post(f"/reviews/{world.meeting.pk}/", {"action": "hold", "minutes": "", "decisions": ""})
    before = snapshot()
    response = client.post(f"/reviews/{world.meeting.pk}/", {"action": "cancel"})
    assert response.status_code == 400
    assert "A meeting that was held cannot be cancelled." in text(response)
    assert snapshot() == before


def test_cancelling_from_the_page(client, world, login):
    login("head")
    response = client.post(f"/reviews/{world.later.pk}/", {"action": "cancel"}, follow=True)
    assert "Meeting &#x27;April review&#x27; cancelled." in response.content.decode()
    assert ReviewMeeting.objects.get(pk=world.later.pk).status == "cancelled"
    page = text(client.get(f"/reviews/{world.later.pk}/"))
    assert "Hold the meeting" not in page and "Cancel the meeting" not in page


# Frozen vs live on the pages ------------------------------------------------------------------


def test_after_holding_the_page_shows_the_frozen_agenda(client, world, login):
    from scorecards import services as scorecard_services

    login("head")
    client.post(
        f"/reviews/{world.meeting.pk}/",
        {"action": "hold", "minutes": "Discussed CARE.", "decisions": "Survey customers."},
    )
    # NPS recovers afterwards: 40 against 40, green.
    scorecard_services.measure_value_record(
        measure=world.nps, period=dt.date(2026, 2, 1), actual=40, target=40, actor=None
    )
    page = text(client.get(f"/reviews/{world.meeting.pk}/"))
    assert "Frozen agenda" in page and "20 Mar 2026" in page
    assert "1. Objectives off target (2)" in page and "CARE Delight customers" in page
    assert "4. Open action items (3)" in page  # as they stood, then the live tables
    assert "Survey customers." in page and "Hold the meeting" not in page
    briefing = text(client.get(f"/reviews/{world.meeting.pk}/briefing/"))
    assert (
        "frozen on 20 Mar 2026" in briefing and "Minutes and decisions of this meeting" in briefing
    )
    # The April meeting's live agenda has NPS green: CARE is off it.
    april = text(client.get(f"/reviews/{world.later.pk}/"))
    assert "1. Objectives off target (1)" in april and "CARE Delight customers" not in april


# Attendees at scale ---------------------------------------------------------------------------


def test_attendee_choices_list_everyone_when_few(client, world, login):
    ada = f.UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    f.EmployeeFactory(user=ada, unit=world.tree.t1)  # below B1: invitable
    stranger = f.UserFactory(username="stranger")
    f.EmployeeFactory(user=stranger, unit=world.tree.d2)  # B2's: not
    login("head")
    form = client.get("/reviews/new/?unit=B1").context["form"]
    offered = {label for _, label in form.fields["attendees"].choices}
    assert "Ada Lovelace (ada)" in offered and not any("stranger" in s for s in offered)
    assert "other_attendees" not in form.fields


def test_at_scale_the_usual_people_are_listed_and_others_named(client, world, login, monkeypatch):
    monkeypatch.setattr(review_forms, "LIST_ALL_UP_TO", 1)
    ada = f.UserFactory(username="ada", email="ada@example.com", first_name="Ada")
    f.EmployeeFactory(user=ada, unit=world.tree.t1)
    bob = f.UserFactory(username="bob", first_name="Bob")
    f.EmployeeFactory(user=bob, unit=world.tree.d1)
    login("head")
    form = client.get("/reviews/new/?unit=B1").context["form"]
    listed = [label for _, label in form.fields["attendees"].widget.choices]
    # The head of B1 (and of nothing else up the chain), and COURSES' owner Olive.
    assert listed == ["Hanna Head (head)", "Olive Owner (olive)"]
    assert "other_attendees" in form.fields
    data = meeting_data(world, attendees=[world.head.pk], other_attendees="ADA@example.com, bob")
    assert client.post("/reviews/new/?unit=B1", data).status_code == 302
    created = ReviewMeeting.objects.get(title="Q2 strategy review")
    assert set(created.attendees.all()) == {world.head, ada, bob}
    before = snapshot()
    bad = meeting_data(world, title="Other", other_attendees="bob nobody stranger@x.test")
    response = client.post("/reviews/new/?unit=B1", bad)
    assert response.status_code == 400
    assert_shown_by(
        response.content.decode(), "other_attendees",
        "No one B1 may invite is called: nobody, stranger@x.test. Use usernames or email "
        "addresses of people of the unit or the units below it.",
    )  # fmt: skip
    assert snapshot() == before
    # On edit, those already invited stay listed.
    form = client.get(f"/reviews/{created.pk}/edit/").context["form"]
    listed = [label for _, label in form.fields["attendees"].widget.choices]
    assert any(label.endswith("(ada)") for label in listed)


def test_an_inactive_employee_is_not_invitable(client, world, login):
    gone = f.UserFactory(username="gone")
    Employee.objects.create(user=gone, name="Gone", email="gone@example.com",
                            unit=world.tree.d1, active=False)  # fmt: skip
    login("head")
    form = client.get("/reviews/new/?unit=B1").context["form"]
    assert not any("(gone)" in label for _, label in form.fields["attendees"].choices)


# Query counts ---------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.mark.parametrize("who", ["staff", "head", "olive"])
def test_queries_do_not_grow_with_the_data(client, world, login, who):
    login(who)
    m = world.meeting
    urls = ["/reviews/", "/reviews/?unit=B1&when=past", f"/reviews/{m.pk}/",
            f"/reviews/{m.pk}/briefing/"]  # fmt: skip
    if who != "olive":
        urls += [f"/reviews/{m.pk}/edit/", f"/reviews/{m.pk}/items/new/",
                 f"/reviews/items/{world.call.pk}/edit/", "/reviews/new/?unit=B1"]  # fmt: skip
    for url in urls:
        client.get(url)  # warm-up: the group cache
    small = [_queries(client, url) for url in urls]
    grow(world, 8)
    large = [_queries(client, url) for url in urls]
    assert large == small
