"""The strategy calendar pages: the calendar rendered for every role (its chart and its
table by month), the filters' bad values by the field, the event pages for each role (a
unit head inside and outside his subtree), refusals that write nothing, bad input next to
the fields, and query counts that do not grow with the organisation."""

import datetime as dt
import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF
from reviews.models import CalendarEvent
from tests import factories as f
from tests.reviews.test_calendar import at, small_world

pytestmark = pytest.mark.django_db

INDEX = "/calendar/"
NEW = "/calendar/events/new/"
ROLES = {
    "staff": [OSM_STAFF],
    "executive": [EXECUTIVE],
    "hr": [HR],
    "measure_owner": [MEASURE_OWNER],
    "employee": [EMPLOYEE],
    "no_role": [],
}
REFUSED = ["executive", "hr", "measure_owner", "employee", "no_role"]


@pytest.fixture(autouse=True)
def calendar_settings(settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    settings.MEASURE_DUE_DAYS = 10
    settings.TIME_ZONE = "UTC"


@pytest.fixture
def cal(db):
    """The small world of test_calendar.py (its docstring lists what it holds)."""
    return small_world()


@pytest.fixture
def login(client, cal):
    """`login("staff")`, `login("head")` (the head of B1), ...: the client logged in."""

    def log_in(who: str):
        user = cal.head if who == "head" else f.UserFactory(roles=ROLES[who])
        client.force_login(user)
        return user

    return log_in


def snapshot():
    return list(CalendarEvent.objects.order_by("pk").values())


def text_of(response) -> str:
    body = response.content.decode()
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def field_errors(response, name: str) -> list[str]:
    """The messages rendered next to field `name` (the errorlist the input points to)."""
    body = response.content.decode()
    found = re.search(rf'<ul class="errorlist" id="id_{name}_error"[^>]*>(.*?)</ul>', body, re.S)
    assert found, f"no errors next to {name}: {body}"
    assert re.search(rf'aria-describedby="[^"]*id_{name}_error', body), "not tied to the input"
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", found[1], re.S)]


def chart_of(response) -> dict:
    found = re.search(
        r'<script id="calendar-chart-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found
    return json.loads(found[1])


def event_data(cal, **changes) -> dict:
    data = {
        "unit": cal.b1.pk,
        "kind": "budget_deadline",
        "title": "B1 budget to Finance",
        "starts_on": "2026-10-16",
        "ends_on": "",
        "notes": "",
    }
    data.update(changes)
    return data


# The calendar page -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "executive", "hr", "measure_owner", "employee", "head"])
def test_every_role_reads_the_calendar(client, cal, login, who):
    login(who)
    response = client.get(INDEX, {"unit": "B1", "year": "2026"})
    assert response.status_code == 200
    text = text_of(response)
    assert "Strategy calendar of Business one and the units below it" in text
    # month headings, then entries by date; see test_calendar.py for the whole list
    assert "January 2026" in text and "December 2026" in text
    assert text.index("January 2026") < text.index("Offsite") < text.index("February 2026")
    assert "Group budgets due" in text and "B2 targets" not in text
    assert "3 monthly values due" in text
    assert 'data-chart="calendar-chart-data"' in response.content.decode()
    # 23 entries (worked out in test_calendar.py)
    assert "Every entry by date 23" in text


def test_the_page_links_meetings_and_the_units_scorecard(client, cal, login):
    login("executive")
    body = client.get(INDEX, {"unit": "B1", "year": "2026"}).content.decode()
    assert f'href="/reviews/{cal.meetings.b1.pk}/">B1 review</a>' in body
    assert 'href="/units/B1/">3 monthly values due</a>' in body
    # an executive changes no event: no edit link, no delete link, no add button
    assert "/calendar/events/" not in body
    assert "Add an event" not in body


def test_no_role_gets_403_and_anonymous_logs_in(client, cal, login):
    assert client.get(INDEX).status_code == 302
    login("no_role")
    assert client.get(INDEX).status_code == 403


def test_defaults_the_enterprise_and_this_fiscal_year(client, cal, login, settings):
    login("executive")
    response = client.get(INDEX)
    assert response.status_code == 200
    assert response.context["unit"] == cal.ent
    today = dt.date.today()
    assert response.context["year"] == today.year  # the fiscal year starts in January
    # the filters show what the page shows
    assert response.context["form"].initial == {"unit": "ENT", "year": today.year}


def test_a_unit_heads_default_is_the_unit_he_heads(client, cal, login):
    login("head")
    assert client.get(INDEX).context["unit"] == cal.b1


def test_the_chart_shows_the_year(client, cal, login):
    login("staff")
    figure = chart_of(client.get(INDEX, {"unit": "B1", "year": "2026"}))
    assert figure["layout"]["xaxis"]["range"] == ["2026-01-01", "2027-01-01"]
    names = [t.get("name") for t in figure["data"] if t.get("name")]
    assert names == [
        "Strategy refresh (days)", "Budget deadline", "Goal setting", "Data due",
        "Review meeting",
    ]  # fmt: skip
    assert figure["layout"]["title"]["text"] == "Business one, FY2026"


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"unit": "NOPE"}, "unit", "There is no unit with that code."),
        ({"year": "soon"}, "year", "Enter a year such as 2026."),
        ({"year": "1200"}, "year", "Ensure this value is greater than or equal to 1900."),
    ],
)
def test_bad_filters_are_400_with_the_message_by_the_field(
    client, cal, login, query, field, message
):
    login("executive")
    response = client.get(INDEX, query)
    assert response.status_code == 400
    assert field_errors(response, field) == [message]


def test_add_button_for_who_may_add_to_the_unit(client, cal, login):
    login("head")
    body = client.get(INDEX, {"unit": "D1", "year": "2026"}).content.decode()
    assert 'href="/calendar/events/new/?unit=D1">Add an event</a>' in body
    # his own events link to their edit pages and have a delete link; the enterprise's not
    assert f'href="/calendar/events/{cal.ev.goals.pk}/edit/">D1 goals</a>' in body
    assert f'href="/calendar/events/{cal.ev.goals.pk}/delete/"' in body
    assert f"/calendar/events/{cal.ev.budget.pk}/" not in body
    # outside his subtree: no button
    assert "Add an event" not in client.get(INDEX, {"unit": "ENT"}).content.decode()
    login("staff")
    body = client.get(INDEX, {"unit": "ENT", "year": "2026"}).content.decode()
    assert 'href="/calendar/events/new/?unit=ENT">Add an event</a>' in body
    assert f'href="/calendar/events/{cal.ev.budget.pk}/edit/">Group budgets due</a>' in body


def test_empty_organisation(client, db):
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    response = client.get(INDEX)
    assert response.status_code == 200
    assert "No organisation yet" in text_of(response)


# The event pages: who may ------------------------------------------------------------------


def actions(cal):
    """(name, url, POST data) of every write page, on B1's events (the head's subtree)."""
    spare = f.CalendarEventFactory(unit=cal.d1, title="Spare")
    return [
        ("new", f"{NEW}?unit=B1", event_data(cal)),
        ("edit", f"/calendar/events/{cal.ev.refresh.pk}/edit/",
         event_data(cal, kind="strategy_refresh", title="Renamed", starts_on="2026-02-10",
                    ends_on="2026-02-13")),
        ("delete", f"/calendar/events/{spare.pk}/delete/", {}),
    ]  # fmt: skip


@pytest.mark.parametrize("who", REFUSED)
def test_roles_that_may_not_write_get_403_and_write_nothing(client, cal, login, who):
    login(who)
    for name, url, data in actions(cal):
        before = snapshot()
        assert client.get(url).status_code == 403, name
        assert client.post(url, data).status_code == 403, name
        assert snapshot() == before, name


@pytest.mark.parametrize("who", ["staff", "head"])
def test_staff_and_the_unit_head_write_in_his_subtree(client, cal, login, who):
    login(who)
    for name, url, data in actions(cal):
        assert client.get(url).status_code == 200, name
        response = client.post(url, data)
        assert response.status_code == 302, (name, response.content.decode()[:3000])
    added = CalendarEvent.objects.get(title="B1 budget to Finance")
    assert (added.unit, added.kind, added.starts_on, added.ends_on) == (
        cal.b1, "budget_deadline", dt.date(2026, 10, 16), None,
    )  # fmt: skip
    changed = CalendarEvent.objects.get(pk=cal.ev.refresh.pk)
    assert (changed.title, changed.ends_on) == ("Renamed", dt.date(2026, 2, 13))
    assert not CalendarEvent.objects.filter(title="Spare").exists()


def test_after_saving_back_to_the_units_calendar_of_that_year(client, cal, login):
    login("head")
    response = client.post(NEW, event_data(cal, unit=cal.d1.pk, starts_on="2027-01-15"))
    assert response.status_code == 302
    assert response["Location"] == "/calendar/?unit=D1&year=2027"
    page = client.get(response["Location"])
    assert "B1 budget to Finance" in text_of(page)  # the message and the entry
    edit = f"/calendar/events/{cal.ev.goals.pk}/edit/"
    response = client.post(edit, event_data(cal, unit=cal.d1.pk, kind="goal_setting",
                                            title="D1 goals", starts_on="2026-01-21"))  # fmt: skip
    assert response["Location"] == "/calendar/?unit=D1&year=2026"
    response = client.post(f"/calendar/events/{cal.ev.goals.pk}/delete/")
    assert response["Location"] == "/calendar/?unit=D1&year=2026"


def test_a_unit_head_outside_his_subtree_gets_403(client, cal, login):
    login("head")
    enterprise_event = cal.ev.budget
    pages = [
        (f"{NEW}?unit=ENT", None),
        (f"{NEW}?unit=B2", None),
        (f"/calendar/events/{enterprise_event.pk}/edit/", event_data(cal, unit=cal.ent.pk)),
        (f"/calendar/events/{enterprise_event.pk}/delete/", {}),
        (f"/calendar/events/{cal.ev.sibling.pk}/edit/", event_data(cal, unit=cal.b2.pk)),
        (f"/calendar/events/{cal.ev.sibling.pk}/delete/", {}),
    ]
    for url, data in pages:
        before = snapshot()
        assert client.get(url).status_code == 403, url
        if data is not None:
            assert client.post(url, data).status_code == 403, url
        assert snapshot() == before, url
    # nor may he add to B2, or move his own event up to the enterprise
    before = snapshot()
    assert client.post(NEW, event_data(cal, unit=cal.b2.pk)).status_code == 403
    moved = event_data(cal, unit=cal.ent.pk, kind="strategy_refresh", title="B1 refresh",
                       starts_on="2026-02-10", ends_on="2026-02-12")  # fmt: skip
    assert client.post(f"/calendar/events/{cal.ev.refresh.pk}/edit/", moved).status_code == 403
    assert snapshot() == before


def test_anonymous_is_sent_to_log_in_and_writes_nothing(client, cal):
    before = snapshot()
    response = client.post(NEW, event_data(cal))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert snapshot() == before


def test_units_offered_to_a_unit_head_are_his_subtree(client, cal, login):
    login("head")
    form = client.get(NEW).context["form"]
    offered = [str(v) for v, _ in form.fields["unit"].widget.choices if v != ""]
    assert offered == [str(cal.b1.pk), str(cal.d1.pk)]  # tree order
    login("staff")
    form = client.get(f"{NEW}?unit=B2").context["form"]
    offered = [str(v) for v, _ in form.fields["unit"].widget.choices if v != ""]
    assert offered == [str(u.pk) for u in (cal.ent, cal.b1, cal.d1, cal.b2)]
    assert form.initial["unit"] == cal.b2  # preselected


def test_an_unknown_unit_to_add_to_is_404(client, cal, login):
    login("staff")
    assert client.get(f"{NEW}?unit=NOPE").status_code == 404


# Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"title": ""}, "title", "This field is required."),
        ({"starts_on": "tomorrow"}, "starts_on", "Enter a valid date."),
        ({"kind": "party"}, "kind",
         "Select a valid choice. party is not one of the available choices."),
        ({"ends_on": "2026-10-01"}, "ends_on", "The event cannot end before it starts."),
        ({"unit": ""}, "unit", "This field is required."),
    ],
)  # fmt: skip
def test_bad_input_is_shown_by_the_field_and_writes_nothing(
    client, cal, login, changes, field, message
):
    login("staff")
    for url in (NEW, f"/calendar/events/{cal.ev.refresh.pk}/edit/"):
        before = snapshot()
        response = client.post(url, event_data(cal, **changes))
        assert response.status_code == 400, url
        assert field_errors(response, field) == [message], url
        assert snapshot() == before, url


def test_a_refused_edit_shows_the_event_as_stored(client, cal, login):
    login("head")
    url = f"/calendar/events/{cal.ev.refresh.pk}/edit/"
    response = client.post(url, event_data(cal, title="Changed", ends_on="2026-01-01",
                                           starts_on="2026-02-10"))  # fmt: skip
    assert response.status_code == 400
    assert "Edit calendar event B1 refresh" in text_of(response)
    assert CalendarEvent.objects.get(pk=cal.ev.refresh.pk).title == "B1 refresh"


def test_delete_asks_first(client, cal, login):
    login("staff")
    url = f"/calendar/events/{cal.ev.goals.pk}/delete/"
    response = client.get(url)
    assert response.status_code == 200
    assert "D1 · Goal setting · 20 Jan 2026." in text_of(response)
    assert CalendarEvent.objects.filter(pk=cal.ev.goals.pk).exists()
    client.post(url)
    assert not CalendarEvent.objects.filter(pk=cal.ev.goals.pk).exists()


# Queries -----------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _grow(cal, n: int) -> None:
    """n more units below B1, each with a measure of every frequency, two events and two
    meetings in 2026."""
    for k in range(n):
        unit = f.OrgUnitFactory(code=f"X{k}", parent=cal.b1, head=cal.head)
        objective = f.ObjectiveFactory(unit=unit)
        for frequency in ("monthly", "quarterly", "annual"):
            f.MeasureFactory(objective=objective, frequency=frequency)
        for day in (1, 2):
            f.CalendarEventFactory(unit=unit, starts_on=dt.date(2026, 6, day))
            f.ReviewMeetingFactory(unit=unit, scheduled_for=at(2026, 7, day))


@pytest.mark.parametrize("who", ["staff", "head", "executive"])
def test_queries_do_not_grow_with_the_organisation(client, cal, login, who):
    login(who)
    urls = [
        INDEX,
        f"{INDEX}?unit=B1&year=2026",
        f"{NEW}?unit=B1",
        f"/calendar/events/{cal.ev.refresh.pk}/edit/",
        f"/calendar/events/{cal.ev.refresh.pk}/delete/",
    ]
    if who == "executive":
        urls = urls[:2]
    for url in urls:
        client.get(url)  # warm-up: the group cache
    small = [_queries(client, url) for url in urls]
    _grow(cal, 8)
    large = [_queries(client, url) for url in urls]
    assert large == small
