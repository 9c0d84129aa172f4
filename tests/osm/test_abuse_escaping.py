"""Abuse cases (issue 9, point 8): HTML and script in every free-text field a user can write
come back escaped, never as markup.

Every such field holds `<script>alert("TAG")</script><b>TAG</b>" onmouseover="alert(1)`, with
TAG naming the field. Then every web page (the list of tests/osm/test_every_page.py, on
these rows), the pages that echo what was posted (a formula's syntax error, a CSV's preview,
a form sent back), the charts' JSON, the strategy map's SVG and the emails' HTML must hold
no raw tag and no attribute broken out of its quotes; and each field must show up escaped
(`&lt;b&gt;TAG&lt;/b&gt;`) somewhere, so none is checked by being absent.
"""

import datetime as dt
import html
import json
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from alignment.reports import alignment_reports_compose
from communication.models import Analysis, Comment, PracticeAttachment
from communication.services.practices import attachment_add
from communication.services.pulses import pulse_reminders_compose
from core.models import Notification, OutgoingMessage
from reviews.choices import MeetingStatus
from reviews.reminders import (
    action_item_reminders_compose,
    data_reminders_compose,
    review_reminders_compose,
)
from scorecards import services as scorecard_services
from scorecards.models import Measure, Perspective
from tests import factories as f
from tests.factories import AnnouncementFactory, PracticeFactory, PulseFactory
from tests.osm.test_every_page import FILES, JSON_PAGES, PAGES, POST_ONLY

pytestmark = pytest.mark.django_db


def evil(tag: str) -> str:
    """Script, markup and an attribute-breaking quote, named by `tag`."""
    return f'<script>alert("{tag}")</script><b>{tag}</b>" onmouseover="alert(1)'


def short_evil(tag: str) -> str:
    """The same for a field of 40 characters."""
    return f'<b>{tag}</b>"onmouseover="x'


def escaped(tag: str) -> str:
    return f"&lt;b&gt;{tag}&lt;/b&gt;"


# The payloads' markup unescaped: the script, the bold tag before its quote, the handler.
RAW = ("<script>alert(", '</b>"', '" onmouseover="', '"onmouseover="')


def raw_markup(text: str) -> list[str]:
    """What of the payloads appears unescaped in `text`."""
    return [r for r in RAW if r in text]


# The fields: model and field -> tag (each written by a page, the API or the admin).
FIELDS = {
    "OrgUnit.name": "unitname",
    "Perspective.name": "perspname",
    "Perspective.description": "perspdesc",
    "Theme.name": "themename",
    "Theme.description": "themedesc",
    "Objective.name": "objname",
    "Objective.description": "objdesc",
    "CauseEffect.rationale": "rationale",
    "Measure.name": "measname",
    "Measure.unit_label": "unitlabel",
    "Measure.description": "measdesc",
    "MeasureValue.note": "valnote",
    "Initiative.name": "ininame",
    "Initiative.description": "inidesc",
    "Milestone.name": "msname",
    "BudgetLine.label": "linelabel",
    "Employee.name": "empname",
    "Employee.job_family": "jobfamily",
    "Goal.title": "goaltitle",
    "IncentiveComponent.name": "incname",
    "GoalTemplate.name": "tplname",
    "GoalTemplate.title": "tpltitle",
    "ReviewMeeting.title": "meettitle",
    "ReviewMeeting.minutes": "minutes",
    "ReviewMeeting.decisions": "decisions",
    "ActionItem.title": "itemtitle",
    "CalendarEvent.title": "evtitle",
    "CalendarEvent.notes": "evnotes",
    "MeasureValue.submitted_note": "subnote",
    "MeasureValue.review_comment": "revcomment",
    "Analysis.analysis": "analysis",
    "Analysis.recommendations": "recommend",
    "Comment.body": "commentbody",
    "Announcement.title": "anntitle",
    "Announcement.body": "annbody",
    "Practice.title": "practitle",
    "Practice.body": "pracbody",
    "PracticeAttachment.name": "attname",
    "Pulse.title": "pulsetitle",
    "Notification.text": "notetext",
    "User.first_name": "firstname",
    "User.last_name": "lastname",
}
T = SimpleNamespace(**{key.replace(".", "_"): tag for key, tag in FIELDS.items()})
# Written but shown on no page: checked by the raw markup test of every page only (the
# Setup pages show the perspectives' and themes' descriptions).
NOT_SHOWN: set[str] = set()


@pytest.fixture
def world():
    """A unit BU, headed by `owner` (who owns its objective, measure and initiative, chairs
    its meeting and owns its action item), with one row of each kind and every free-text
    field a payload, the owner's names too; `d`: the objects test_every_page's URLs take."""
    financial = Perspective.objects.get(name="Financial")
    financial.name, financial.description = (
        evil(T.Perspective_name),
        evil(T.Perspective_description),
    )
    financial.save()
    ent = f.EnterpriseFactory()
    owner = f.UserFactory(
        username="owner", first_name=evil(T.User_first_name), last_name=evil(T.User_last_name),
        roles=["Unit head", "Measure owner"],
    )  # fmt: skip
    unit = f.OrgUnitFactory(code="BU", name=evil(T.OrgUnit_name), parent=ent, head=owner)
    theme = f.ThemeFactory(
        unit=unit, name=evil(T.Theme_name), description=evil(T.Theme_description)
    )
    top = f.ObjectiveFactory(unit=ent, code="TOP", perspective=financial)
    objective = f.ObjectiveFactory(
        unit=unit, code="O1", name=evil(T.Objective_name),
        description=evil(T.Objective_description), perspective=financial, theme=theme,
        owner=owner, supports=[top],
    )  # fmt: skip
    effect = f.ObjectiveFactory(unit=unit, code="O2", perspective=financial, theme=theme)
    arrow = f.CauseEffectFactory(
        cause=objective, effect=effect, rationale=evil(T.CauseEffect_rationale)
    )
    measure = f.MeasureFactory(
        objective=objective, code="M", name=evil(T.Measure_name),
        unit_label=short_evil(T.Measure_unit_label), description=evil(T.Measure_description),
        owner=owner,
    )  # fmt: skip
    # A red value (actual 50 against a target of 100), with its note.
    value = f.MeasureValueFactory(
        measure=measure, period=dt.date(2026, 1, 1), actual=Decimal("50"),
        target=Decimal("100"), red_flag=Decimal("90"), note=evil(T.MeasureValue_note),
    )  # fmt: skip
    initiative = f.InitiativeFactory(
        unit=unit, code="INI", name=evil(T.Initiative_name),
        description=evil(T.Initiative_description), owner=owner, objectives=[objective],
    )  # fmt: skip
    milestone = f.MilestoneFactory(initiative=initiative, name=evil(T.Milestone_name))
    line = f.BudgetLineFactory(unit=unit, label=evil(T.BudgetLine_label), objective=objective)
    employee = f.EmployeeFactory(
        unit=unit, name=evil(T.Employee_name), job_family=evil(T.Employee_job_family)
    )
    goal = f.GoalFactory(employee=employee, title=evil(T.Goal_title), objective=objective)
    incentive = f.IncentiveComponentFactory(
        employee=employee, name=evil(T.IncentiveComponent_name), objective=objective
    )
    template = f.GoalTemplateFactory(
        name=evil(T.GoalTemplate_name), title=evil(T.GoalTemplate_title), objective=objective
    )
    meeting = f.ReviewMeetingFactory(
        unit=unit, title=evil(T.ReviewMeeting_title), chair=owner, attendees=[owner],
        minutes=evil(T.ReviewMeeting_minutes), decisions=evil(T.ReviewMeeting_decisions),
    )  # fmt: skip
    item = f.ActionItemFactory(
        meeting=meeting, title=evil(T.ActionItem_title), objective=objective, owner=owner
    )
    event = f.CalendarEventFactory(
        unit=unit, title=evil(T.CalendarEvent_title), notes=evil(T.CalendarEvent_notes)
    )
    # The reporting cycle: a value waiting for approval, one returned, an analysis, a comment
    # on the objective, and a notification for the OSM staff member who opens the pages.
    f.MeasureValueFactory(
        measure=measure, period=dt.date(2026, 2, 1), state="submitted",
        submitted_actual=Decimal("60"), submitted_note=evil(T.MeasureValue_submitted_note),
        submitted_by=owner,
    )  # fmt: skip
    f.MeasureValueFactory(
        measure=measure, period=dt.date(2026, 3, 1), state="returned",
        submitted_actual=Decimal("61"), submitted_by=owner,
        review_comment=evil(T.MeasureValue_review_comment),
    )  # fmt: skip
    Analysis.objects.create(
        subject_type="objective", subject_id=objective.pk, month=dt.date(2026, 1, 1),
        analysis=evil(T.Analysis_analysis), recommendations=evil(T.Analysis_recommendations),
        author=owner,
    )  # fmt: skip
    Comment.objects.create(
        subject_type="objective", subject_id=objective.pk, body=evil(T.Comment_body),
        author=owner,
    )  # fmt: skip
    osm = f.UserFactory(roles=["OSM staff"])
    notification = Notification.objects.create(
        recipient=osm, kind="mention", text=evil(T.Notification_text), url="/notifications/"
    )
    # Communication: an announcement to BU and a practice of it (about the objective, with a
    # document), and BU's pulses, one open and one closed. The OSM staff member works in BU,
    # so the open pulse asks him or her (its answer page; its reminder in the emails).
    f.EmployeeFactory(user=osm, unit=unit, name="Staff member")
    announcement = AnnouncementFactory(
        unit=unit, title=evil(T.Announcement_title), body=evil(T.Announcement_body),
        author=owner, objectives=[objective],
    )  # fmt: skip
    practice = PracticeFactory(
        unit=unit, title=evil(T.Practice_title), body=evil(T.Practice_body), author=owner,
        objectives=[objective], measures=[measure],
    )  # fmt: skip
    attachment = attachment_add(
        actor=owner, practice=practice,
        file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )  # fmt: skip
    # The name a browser sends for a file may hold markup and quotes, though not the
    # payload's slashes (the service keeps the last part of a path): written as it is.
    PracticeAttachment.objects.filter(pk=attachment.pk).update(name=evil(T.PracticeAttachment_name))
    today = timezone.localdate()
    pulse = PulseFactory(
        unit=unit, title=evil(T.Pulse_title), opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=13),
    )  # fmt: skip
    closed_pulse = PulseFactory(
        unit=unit, title=evil(T.Pulse_title), opens_on=today - dt.timedelta(days=60),
        closes_on=today - dt.timedelta(days=46),
    )  # fmt: skip
    d = SimpleNamespace(
        unit=unit, objective=objective, measure=measure, initiative=initiative,
        milestone=milestone, employee=employee, goal=goal, incentive=incentive,
        template=template, line=line, value=value, arrow=arrow, meeting=meeting, item=item,
        event=event, theme=theme, perspective=financial, notification=notification,
        announcement=announcement, practice=practice, attachment=attachment, pulse=pulse,
        closed_pulse=closed_pulse, account=owner,
        subscription=f.ReportSubscriptionFactory(user=owner, unit=unit),
        version=scorecard_services.strategy_version_publish(
            actor=None, data={"unit": unit, "name": "V1"}
        ),
    )  # fmt: skip
    return SimpleNamespace(d=d, owner=owner, osm=osm)


def staff_client(world) -> Client:
    client = Client()
    client.force_login(world.osm)
    return client


def found_tags(text: str) -> set[str]:
    return {tag for tag in FIELDS.values() if escaped(tag) in text}


def pages(world) -> dict[str, str]:
    """Every web page of test_every_page, as the OSM staff see it: URL -> HTML."""
    client, shown = staff_client(world), {}
    for name, url in PAGES.items():
        if name in POST_ONLY or name in JSON_PAGES or name in FILES or name == "logout":
            continue  # files: tests/reports/test_files.py checks what user text becomes there
        url = url(world.d)
        if name in ("budgets:index", "people:alignment", "alignment:page"):
            url += ("&" if "?" in url else "?") + "unit=BU&fiscal_year=2026"
        response = client.get(url, follow=True)
        assert response.status_code == 200, f"{name} {url}: {response.status_code}"
        shown[url] = response.content.decode()
    return shown


def test_every_page_shows_every_field_escaped(world):
    shown = pages(world)
    problems = {url: raw_markup(text) for url, text in shown.items() if raw_markup(text)}
    assert not problems, f"raw markup on: {problems}"
    everywhere = set().union(*(found_tags(text) for text in shown.values()))
    missing = set(FIELDS.values()) - NOT_SHOWN - everywhere
    assert not missing, f"fields shown escaped on no page: {sorted(missing)}"


def test_edit_forms_keep_values_inside_their_attributes(world):
    # An input's value="..." holds the payload's quote as &quot;: no attribute breaks out.
    client, d = staff_client(world), world.d
    for url, tag in (
        (f"/objectives/{d.objective.pk}/edit/", T.Objective_name),
        (f"/measures/{d.measure.pk}/edit/", T.Measure_name),
        (f"/initiatives/{d.initiative.pk}/edit/", T.Initiative_name),
        (f"/budgets/lines/{d.line.pk}/edit/", T.BudgetLine_label),
        (f"/reviews/{d.meeting.pk}/edit/", T.ReviewMeeting_title),
        (f"/calendar/events/{d.event.pk}/edit/", T.CalendarEvent_title),
        (f"/people/goals/{d.goal.pk}/edit/", T.Goal_title),
        ("/setup/units/BU/edit/", T.OrgUnit_name),
        (f"/setup/themes/{d.theme.pk}/edit/", T.Theme_name),
        (f"/setup/perspectives/{d.perspective.pk}/edit/", T.Perspective_name),
        (f"/announcements/{d.announcement.pk}/edit/", T.Announcement_title),
        (f"/practices/{d.practice.pk}/edit/", T.Practice_title),
        (f"/pulses/{d.pulse.pk}/edit/", T.Pulse_title),
    ):
        text = client.get(url).content.decode()
        value = html.escape(evil(tag), quote=True)  # as Django's escape: &lt; &gt; &quot;
        assert f'value="{value}"' in text, url
        assert not raw_markup(text), url


def test_the_strategy_map_svg_holds_text_only(world):
    text = staff_client(world).get("/units/BU/").content.decode()
    svg = text[text.index("<svg") : text.index("</svg>", text.index("<svg"))]
    # The box holds the whole name in its <title> (its lines may break inside the name).
    assert "&lt;script&gt;alert(&quot;objname&quot;)" in svg
    assert escaped(T.Perspective_name) in svg  # the band's name
    assert escaped(T.Theme_name) in svg  # the column's name
    assert not raw_markup(svg)
    # Nothing but our own elements: no <script>, <b> or event handler inside the drawing.
    assert not re.search(r"<(script|b|foreignObject)\b", svg)
    assert not re.search(r"\son\w+=[\"']", svg)  # no event handler attribute


def chart_blocks(text: str) -> list[str]:
    return re.findall(r'<script id="[^"]+" type="application/json">(.*?)</script>', text, re.S)


def test_charts_json_escapes_angle_brackets(world):
    client, d = staff_client(world), world.d
    payloads = []
    for url in ("/initiatives/", f"/initiatives/{d.initiative.pk}/", f"/measures/{d.measure.pk}/",
                f"/objectives/{d.objective.pk}/", "/budgets/?unit=BU&fiscal_year=2026",
                "/calendar/?unit=BU"):  # fmt: skip
        blocks = chart_blocks(client.get(url).content.decode())
        assert blocks, f"no chart on {url}"
        for block in blocks:
            assert "<" not in block and ">" not in block, url  # json_script's \u003C, \u003E
            payloads.append(json.dumps(json.loads(block)))
    # The names are in the figures' data, as text Plotly shows as typed (core/plotly_text.py:
    # the initiatives' timeline names them), never as Plotly's own markup.
    assert any(f"&lt;b&gt;{T.Initiative_name}&lt;/b&gt;" in p for p in payloads)
    assert not any(f"<b>{T.Initiative_name}</b>" in p for p in payloads)


def test_a_formula_error_echoing_the_input_is_escaped(world):
    d = world.d
    response = staff_client(world).post(
        f"/objectives/{d.objective.pk}/measures/new/",
        {"code": "CALC", "name": evil("formname"), "polarity": "increase", "frequency": "monthly",
         "aggregation": "last", "weight": "1", "tolerance": "0.10", "rollup": "none",
         "formula": '<script>alert(1)</script>" onmouseover="x'},
    )  # fmt: skip
    assert response.status_code == 400
    text = response.content.decode()
    assert "Syntax error: unexpected character &#x27;&lt;&#x27; (at character 1)." in text
    assert escaped("formname") in text  # the name sent back in its input
    assert not raw_markup(text)


def test_the_csv_preview_echoes_cells_escaped(world):
    rows = [
        "measure_code,period,actual,target,note",
        f'BU.M,2026-02,5,5,"{evil("csvnote").replace(chr(34), chr(34) * 2)}"',
        f'"{evil("csvcode").replace(chr(34), chr(34) * 2)}",2026-02,5,5,x',
        f'BU.M,"{evil("csvperiod").replace(chr(34), chr(34) * 2)}",5,5,x',
    ]
    response = staff_client(world).post("/measures/upload/", {"csv_text": "\n".join(rows) + "\n"})
    assert response.status_code == 400  # the bad code and period
    text = response.content.decode()
    for tag in ("csvnote", "csvcode", "csvperiod"):
        assert escaped(tag) in text, tag
    assert not raw_markup(text)


def test_a_form_sent_back_with_errors_keeps_the_input_escaped(world):
    client = staff_client(world)
    response = client.post(
        "/units/BU/objectives/new/",
        {"code": "NEW", "name": evil("postedname"), "description": evil("posteddesc"),
         "perspective": world.d.objective.perspective_id, "weight": "not a number"},
    )  # fmt: skip
    assert response.status_code == 400
    text = response.content.decode()
    assert escaped("postedname") in text and escaped("posteddesc") in text
    assert not raw_markup(text)


def test_search_shows_what_it_finds_escaped(world):
    # Each searchable field's tag is searched: the results' titles and snippets (a snippet
    # marks the word found: <mark>TAG</mark>) hold no markup of the payloads.
    searched = {T.Objective_name, T.Objective_description, T.Measure_name,
                T.Measure_description, T.Initiative_name, T.Initiative_description,
                T.Practice_title, T.Practice_body, T.Announcement_title, T.Announcement_body,
                T.ReviewMeeting_title, T.ReviewMeeting_decisions, T.ActionItem_title}  # fmt: skip
    client = staff_client(world)
    for tag in sorted(searched):
        response = client.get("/search/", {"q": tag})
        assert response.status_code == 200, tag
        text = response.content.decode()
        assert f"<mark>{tag}</mark>" in text, f"{tag} not found"
        assert not raw_markup(text), (tag, raw_markup(text))
        api = client.get("/api/v1/search/", {"q": tag}).json()
        assert api["results"], tag
        for result in api["results"]:  # the snippet is HTML; the title is text
            assert not raw_markup(result["snippet"]), (tag, result)
    # The words asked come back escaped (the title, the box, "nothing matches").
    response = client.get("/search/", {"q": evil("searchwords")})
    assert response.status_code == 200
    text = response.content.decode()
    assert escaped("searchwords") in text
    assert not raw_markup(text)


# Emails ------------------------------------------------------------------------------------


@pytest.fixture
def mail_settings(settings):
    settings.MEASURE_DUE_DAYS = 10
    settings.REMINDER_LEAD_DAYS = 5
    settings.REVIEW_LEAD_DAYS = 3
    settings.SITE_URL = "https://osm.example"


def test_emails_html_is_escaped(world, mail_settings):
    d = world.d
    # Data reminders: the measure was created mid-September and its September value is
    # in; October's is due 10 November: on 11 November it is one day late (a reminder to
    # the owner), on 17 November seven days late (an escalation to the unit's head).
    Measure.objects.filter(pk=d.measure.pk).update(
        created_at=dt.datetime(2026, 9, 15, tzinfo=dt.UTC)
    )
    d.value.delete()
    f.MeasureValueFactory(measure=d.measure, period=dt.date(2026, 9, 1), actual=Decimal(1))
    assert data_reminders_compose(day=dt.date(2026, 11, 11)) >= 1
    assert data_reminders_compose(day=dt.date(2026, 11, 17)) >= 1
    # Action items: due 1 March 2026, open: overdue on 11 November.
    assert action_item_reminders_compose(day=dt.date(2026, 11, 11)) == 1
    # Review reminders: the meeting is 3 days after the day.
    meeting = d.meeting
    meeting.scheduled_for = dt.datetime(2026, 11, 14, 9, 0, tzinfo=dt.UTC)
    meeting.status = MeetingStatus.SCHEDULED
    meeting.save()
    assert review_reminders_compose(day=dt.date(2026, 11, 11)) >= 1
    assert alignment_reports_compose(day=dt.date(2026, 11, 11)) >= 1
    # The pulse closes the day after: the OSM staff member it asks (in BU) is reminded.
    d.pulse.opens_on, d.pulse.closes_on = dt.date(2026, 11, 1), dt.date(2026, 11, 12)
    d.pulse.save()
    assert pulse_reminders_compose(day=dt.date(2026, 11, 11)) == 1
    messages = list(OutgoingMessage.objects.all())
    kinds = {m.kind for m in messages}
    # reminder, escalation, action items, review, alignment, pulse reminder
    assert len(kinds) == 6, kinds
    shown = set()
    for message in messages:
        assert message.html, message.kind
        assert not raw_markup(message.html), (message.kind, raw_markup(message.html))
        shown |= found_tags(message.html)
    # What the emails name: the measure, its unit, the owner, the item, the meeting, the pulse.
    assert {T.Measure_name, T.ActionItem_title, T.ReviewMeeting_title, T.User_first_name,
            T.OrgUnit_name, T.Pulse_title} <= shown  # fmt: skip


# No way around the escaping ----------------------------------------------------------------


def test_nothing_turns_the_escaping_off():
    """No template marks text safe or turns autoescape off, and no Python code builds
    markup with mark_safe or format_html: the escaping above holds for new pages too."""
    root = Path(settings.BASE_DIR)
    found = []
    for path in (root / "templates").rglob("*.html"):
        text = path.read_text()
        for pattern in ("|safe", "autoescape off", "|safeseq"):
            if pattern in text:
                found.append(f"{path.relative_to(root)}: {pattern}")
    apps = ("osm", "scorecards", "initiatives", "budgets", "people", "reviews", "alignment",
            "communication")  # fmt: skip
    # Markdown (analyses, comments, announcements, practices) is marked safe once nh3 has
    # sanitised it: the one place that may.
    sanitiser = root / "communication" / "text.py"
    for app in apps:
        for path in (root / app).rglob("*.py"):
            if path == sanitiser:
                continue
            text = path.read_text()
            for pattern in ("mark_safe(", "format_html(", "SafeString(", "SafeText("):
                # A template tag may build its markup with format_html, which escapes every
                # value it puts in (scorecards/templatetags/osm_trends.py).
                if pattern == "format_html(" and path.parent.name == "templatetags":
                    continue
                if pattern in text:
                    found.append(f"{path.relative_to(root)}: {pattern}")
    assert not found, found
