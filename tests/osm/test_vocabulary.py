"""One vocabulary, read on the demo company as people see it: every page for several roles,
the e-mails and the weekly report's CSV.

- a status is said in one set of words ("On target", "Watch", "Off target", "No data";
  core/formatting.py), never by its code ("green", "yellow", "red"), which only the API and
  the CSS classes use ("red flag", the threshold, is a word of the domain and stays);
- a unit is named by its name: the enterprise is "Meridian Group" everywhere, never
  "Default", "Enterprise" or "MERIDIAN — Meridian Group", and a list of units shows the
  unit the page shows as the one selected;
- no phrase is said twice in a row ("Higher is better is better");
- the alignment trend is there from the start (the demo took its snapshots).
"""

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.template import Context, Template

from alignment.models import AlignmentSnapshot
from alignment.reports import alignment_reports_compose
from core.clock import current_fiscal_year, fiscal_year_bounds
from core.formatting import STATUS_WORDS, status_word
from core.models import OutgoingMessage
from people.models import Goal, GoalTemplate
from reviews.choices import MeetingStatus
from reviews.models import ReviewMeeting
from reviews.reminders import reminders_compose
from scorecards.models import OrgUnit
from scorecards.periods import add_months

from .test_every_page import PAGES, demo_objects

WORDS = {"On target", "Watch", "Off target", "No data"}
# A status code shown as text: green, yellow or red as a word, except in "red flag".
CODE = re.compile(r"\b(green|yellow|red)\b(?![- ]flags?\b)", re.IGNORECASE)
# A phrase of one to three words said twice in a row ("is better is better"); case counts,
# so a code before its name ("LEAD Lead time") is not one.
DOUBLED = re.compile(r"\b([A-Za-z]+(?:\s+[A-Za-z]+){0,2})\s+\1\b")
READABLE_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder"}


class TextNodes(HTMLParser):
    """What a person reads on a page: text nodes and the readable attributes, not the
    scripts, the styles or the markup (where the codes live on as CSS classes)."""

    def __init__(self):
        super().__init__()
        self.nodes: list[str] = []
        self.options: list[tuple[str, bool]] = []  # (text, selected) of each <option>
        self._skip = 0
        self._option: bool | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "option":
            self._option = any(name == "selected" for name, _ in attrs)
            self.options.append(("", self._option))
        self.nodes += [v for k, v in attrs if k in READABLE_ATTRIBUTES and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "option":
            self._option = None

    def handle_data(self, data):
        if self._skip:
            return
        text = " ".join(data.split())
        if text:
            self.nodes.append(text)
            if self._option is not None:
                self.options[-1] = (self.options[-1][0] + text, self._option)


def read(html: str) -> TextNodes:
    parser = TextNodes()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo company, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--yes", verbosity=0)
        goal = Goal.objects.filter(objective__isnull=False).first()
        GoalTemplate.objects.create(  # the demo has none: HR makes one (as test_every_page)
            name="Demo template", fiscal_year=goal.fiscal_year, kind=goal.kind,
            title="Template goal", weight=1, objective=goal.objective,
        )  # fmt: skip
        yield demo_objects()
        transaction.set_rollback(True)


@pytest.fixture
def pages(demo, db, client):
    """Every page of the web app (tests/osm/test_every_page.py) a role may open: name -> the
    text nodes of its HTML."""

    def of(username: str) -> dict[str, TextNodes]:
        client.force_login(get_user_model().objects.get(username=username))
        found = {}
        for name, url in PAGES.items():
            if name == "logout":
                continue
            response = client.get(url(demo))
            if response.status_code == 200 and "text/html" in response["Content-Type"]:
                found[name] = read(response.content.decode())
        return found

    return of


# Statuses ----------------------------------------------------------------------------------


def test_the_words_are_defined_once():
    assert {code: status_word(code) for code in STATUS_WORDS} == {
        "green": "On target", "yellow": "Watch", "red": "Off target", "no_data": "No data",
    }  # fmt: skip
    assert status_word(None) == "No data"
    html = Template(
        "{% load osm_format %}{% status_badge s %} {{ s|status_label }} {% status_badge n %}"
    ).render(Context({"s": "red", "n": None}))
    assert html == (
        '<span class="status status-red">Off target</span> Off target '
        '<span class="status status-no_data">No data</span>'
    )


@pytest.mark.parametrize("username", ["osm", "owner", "employee"])
def test_no_page_shows_a_status_code(pages, username):
    shown = pages(username)
    assert len(shown) >= 15  # the crawl reached the pages (an employee may open 19)
    found = [
        f"{name}: …{node[:120]}…" for name, page in shown.items() for node in page.nodes
        if CODE.search(node)
    ]  # fmt: skip
    assert not found, "\n".join(found)
    # Not vacuous: the statuses are there, in words.
    words = {node for page in shown.values() for node in page.nodes} & WORDS
    assert words >= {"On target", "Watch"}, words


def test_no_email_or_file_shows_a_status_code(demo, db):
    today = dt.date.today()
    meeting = (
        ReviewMeeting.objects.filter(
            status=MeetingStatus.SCHEDULED, unit__parent__isnull=True, scheduled_for__date__gt=today
        )
        .order_by("scheduled_for")
        .first()
    )
    day = meeting.scheduled_for.date() - dt.timedelta(days=settings.REVIEW_LEAD_DAYS)
    reminders_compose(day=day)
    alignment_reports_compose(day=today)
    messages = list(OutgoingMessage.objects.all())
    kinds = {m.kind for m in messages}
    assert {"review_reminder", "alignment_report"} <= kinds, kinds
    texts = []
    for message in messages:
        texts += [message.subject, message.body, *read(message.html).nodes]
        texts += [a["content"] for a in message.attachments]
    found = [text[:200] for text in texts if CODE.search(text)]
    assert not found, "\n".join(found)
    reminder = next(m for m in messages if m.kind == "review_reminder")
    assert "1. Objectives off target (" in reminder.body
    assert "2. Objectives to watch (" in reminder.body
    # The report's CSV says an unfunded gap's status in the words of the pages.
    report = next(m for m in messages if m.kind == "alignment_report")
    rows = list(csv.reader(io.StringIO(report.attachments[0]["content"])))
    gaps = [row[-1] for row in rows if row[0] == "Unfunded gaps"]
    assert gaps and set(gaps) <= WORDS, gaps


# Units -------------------------------------------------------------------------------------


def test_the_top_unit_has_one_name(pages, demo):
    root = OrgUnit.objects.get(parent__isnull=True)
    assert (root.code, str(root)) == ("MERIDIAN", "Meridian Group")
    shown = pages("osm")
    others = {"Default", "Enterprise", "MERIDIAN — Meridian Group", "MERIDIAN Meridian Group"}
    found = [
        f"{name}: {node}" for name, page in shown.items() for node in page.nodes
        if (node in others or node.startswith("Default:") or "MERIDIAN — " in node)
        # Setup names a unit's level ("Enterprise") in its own column and choices.
        and not (name.startswith("setup") and node == "Enterprise")
    ]  # fmt: skip
    assert not found, "\n".join(found)
    # Each list of units to choose from names the units, the one the page shows selected
    # (the enterprise where the address names none).
    for name in ("alignment:page", "budgets:index", "calendar:index", "people:alignment"):
        options = shown[name].options
        assert options[0] == ("Meridian Group", name != "calendar:index"), (name, options[:3])
    # The unit picker of the dashboards: the enterprise's page has the enterprise selected.
    assert ("Meridian Group", True) in shown["home"].options
    calendar = shown["calendar:index"].options
    assert (demo.unit.name, True) in calendar  # the address names the unit
    assert all(text.strip() != "Default" for page in shown.values() for text, _ in page.options)


def test_a_unit_head_sees_his_unit_selected(demo, db, client):
    client.force_login(get_user_model().objects.get(username="unithead"))
    for url in ("/budgets/", "/people/alignment/"):
        options = read(client.get(url).content.decode()).options
        selected = [text.strip() for text, chosen in options if chosen]
        assert selected == ["Industrial Equipment"], (url, options)


# Phrases -----------------------------------------------------------------------------------


def test_no_phrase_is_said_twice_in_a_row(pages):
    shown = pages("osm")
    found = [
        f"{name}: {match.group(0)!r} in …{node[:120]}…"
        for name, page in shown.items()
        for node in page.nodes
        for match in DOUBLED.finditer(node)
    ]
    assert not found, "\n".join(found)
    assert "Higher is better ·" in " ".join(shown["measure"].nodes) or "Lower is better ·" in (
        " ".join(shown["measure"].nodes)
    )


# The alignment trend ------------------------------------------------------------------------


def test_the_demo_has_an_alignment_trend(demo, db, client):
    root = OrgUnit.objects.get(parent__isnull=True)
    today = dt.date.today()
    year = current_fiscal_year(today)
    start, _ = fiscal_year_bounds(year)
    expected, day = [], start
    while day < today:  # the first of every month of the fiscal year so far, then today
        expected.append(day)
        day = add_months(day, 1)
    expected.append(today)
    taken = list(
        AlignmentSnapshot.objects.filter(unit=root, fiscal_year=year)
        .order_by("taken_on")
        .values_list("taken_on", flat=True)
    )
    assert taken == expected
    client.force_login(get_user_model().objects.get(username="executive"))
    html = client.get("/alignment/").content.decode()
    assert 'id="trend-chart-data"' in html and "first snapshot" not in html
