"""Analyses and recommendations per month, and comments with replies and mentions (issue 15
items 3 and 4): who writes them, that a closed month's analyses are locked, that Markdown
reaches a page sanitised, that mentions and replies notify, that authors edit and delete
their own and the OSM staff moderate; the pages and the API.

The world: ACME (head Eve) above BU (head Hal) and, beside it, OTHER (head Olga). Owen owns
BU's objective F1 and its measure REV. Today is 27 November 2026."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communication import services
from communication.models import Analysis, Comment
from communication.selectors import thread
from core.models import Notification
from core.roles import EXECUTIVE, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from scorecards import services as scorecard_services
from tests import factories as f
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
OCT, SEP = dt.date(2026, 10, 1), dt.date(2026, 9, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def w():
    people = {
        "eve": f.UserFactory(username="eve", roles=[UNIT_HEAD]),
        "hal": f.UserFactory(username="hal", roles=[UNIT_HEAD]),
        "olga": f.UserFactory(username="olga", roles=[UNIT_HEAD]),
        "owen": f.UserFactory(username="owen", roles=[MEASURE_OWNER]),
        "xena": f.UserFactory(username="xena", roles=[EXECUTIVE]),
        "staff": f.UserFactory(username="staff", roles=[OSM_STAFF]),
    }
    root = f.EnterpriseFactory(code="ACME", head=people["eve"])
    bu = f.OrgUnitFactory(code="BU", parent=root, head=people["hal"])
    f.OrgUnitFactory(code="OTHER", parent=root, head=people["olga"])
    objective = f.ObjectiveFactory(unit=bu, code="F1", owner=people["owen"])
    measure = f.MeasureFactory(objective=objective, code="REV", owner=people["owen"])
    value = f.MeasureValueFactory(measure=measure, period=OCT)
    initiative = f.InitiativeFactory(unit=bu, code="LEAN", owner=people["hal"])
    return {**people, "objective": objective, "measure": measure, "value": value,
            "initiative": initiative}  # fmt: skip


def analyse(w, who, month=OCT, subject="objective", **text):
    text = {"analysis": "Sales fell in the south.", "recommendations": "", **text}
    return services.analysis_save(
        actor=w[who], subject_type=subject, subject_id=w[subject].pk, month=month, **text
    )


def comment(w, who, body, subject="objective", parent=None):
    data = {"subject_type": subject, "subject": w[subject].pk, "body": body, "parent": parent}
    return services.comment_create(actor=w[who], data=data)


# Analyses ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owen", "hal", "eve", "staff"])
def test_the_owner_the_heads_above_and_staff_write_the_analysis(w, who):
    analysis, created = analyse(w, who, recommendations="Two more reps.")
    assert created and (analysis.author, analysis.month) == (w[who], OCT)


@pytest.mark.parametrize("who", ["olga", "xena"])
def test_others_may_not(w, who):
    with pytest.raises(PermissionDenied):
        analyse(w, who)
    assert not Analysis.objects.exists()


def test_one_per_subject_and_month_with_its_history(w):
    analyse(w, "owen", analysis="First draft")
    analyse(w, "hal", analysis="Reviewed by Hal")
    row = Analysis.objects.get()
    assert (row.analysis, row.author) == ("Reviewed by Hal", w["hal"])
    assert [h.analysis for h in row.history.order_by("history_date")] == [
        "First draft",
        "Reviewed by Hal",
    ]
    analyse(w, "owen", month=SEP, analysis="September")
    assert Analysis.objects.count() == 2


def test_an_empty_analysis_and_a_day_that_is_not_a_month_are_refused(w):
    with pytest.raises(ValidationError) as refused:
        analyse(w, "owen", analysis="  ", recommendations="")
    assert "analysis" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        analyse(w, "owen", month=dt.date(2026, 10, 5))
    assert "month" in refused.value.message_dict


def test_a_closed_months_analyses_are_locked(w):
    analyse(w, "owen", analysis="Before the close")
    scorecard_services.month_close(actor=w["staff"], month=OCT)
    for who in ("owen", "staff"):
        with pytest.raises(ValidationError, match="Oct 2026 is closed"):
            analyse(w, who, analysis="After the close")
    with pytest.raises(ValidationError, match="Oct 2026 is closed"):
        services.analysis_delete(actor=w["staff"], instance=Analysis.objects.get())
    assert Analysis.objects.get().analysis == "Before the close"
    analyse(w, "owen", month=SEP)  # another month is open


# Comments ----------------------------------------------------------------------------------


def test_a_mention_and_a_reply_notify_once_each(w):
    """Xena mentions Owen (written @OWEN: case does not matter) and herself; Owen replies and
    mentions Hal: Xena hears of the reply, Hal of the mention, nobody of his or her own."""
    first = comment(w, "xena", "Why is F1 red? @OWEN, @xena and @nobody")
    assert list(first.mentions.all()) == [w["owen"]]
    reply = comment(w, "owen", "Two reps left in May. @hal knows.", parent=first)
    told = sorted(Notification.objects.values_list("recipient__username", "kind"))
    assert told == [("hal", "mention"), ("owen", "mention"), ("xena", "reply")]
    assert Notification.objects.get(recipient=w["owen"]).url.endswith(f"#comment-{first.pk}")
    assert thread("objective", w["objective"].pk)[0].replies_in_order == [reply]


def test_a_reply_stays_on_its_comments_subject(w):
    first = comment(w, "xena", "On F1")
    with pytest.raises(ValidationError) as refused:
        comment(w, "owen", "On REV?", subject="measure", parent=first)
    assert "parent" in refused.value.message_dict


@pytest.mark.parametrize("subject", ["objective", "measure", "initiative", "value"])
def test_every_subject_takes_comments(w, subject):
    kind = {"value": "measure_value"}.get(subject, subject)
    data = {"subject_type": kind, "subject": w[subject].pk, "body": "Noted."}
    assert services.comment_create(actor=w["xena"], data=data).subject_type == kind


def test_an_action_item_takes_comments(w):
    item = f.ActionItemFactory(meeting=f.ReviewMeetingFactory(unit=w["objective"].unit))
    data = {"subject_type": "action_item", "subject": item.pk, "body": "Done by Friday?"}
    assert services.comment_create(actor=w["xena"], data=data).subject_id == item.pk


def test_bad_comments_are_refused_by_field(w):
    for data, field in [
        ({"subject_type": "budget", "subject": 1, "body": "x"}, "subject_type"),
        ({"subject_type": "objective", "subject": 999_999, "body": "x"}, "subject"),
        ({"subject_type": "objective", "subject": w["objective"].pk, "body": "  "}, "body"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.comment_create(actor=w["xena"], data=data)
        assert field in refused.value.message_dict
    assert not Comment.objects.exists()


def test_authors_edit_their_own_and_staff_moderate(w):
    mine = comment(w, "xena", "Draft one")
    services.comment_update(actor=w["xena"], instance=mine, data={"body": "First, @hal"})
    mine.refresh_from_db()
    assert (mine.body, mine.edited_at is not None) == ("First, @hal", True)
    assert Notification.objects.filter(recipient=w["hal"], kind="mention").count() == 1
    with pytest.raises(PermissionDenied):
        services.comment_update(actor=w["staff"], instance=mine, data={"body": "Moderated"})
    with pytest.raises(PermissionDenied):
        services.comment_delete(actor=w["owen"], instance=mine)
    reply = comment(w, "owen", "Agreed", parent=mine)
    services.comment_delete(actor=w["staff"], instance=mine)
    mine.refresh_from_db()
    assert mine.deleted_at is not None and mine.body == ""
    assert thread("objective", w["objective"].pk)[0].replies_in_order == [reply]
    with pytest.raises(ValidationError):
        comment(w, "owen", "Late reply", parent=mine)


def test_the_thread_reads_a_fixed_number_of_queries(w):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            for top in thread("objective", w["objective"].pk):
                [c.author for c in top.replies_in_order] + list(top.mentions.all())
        return len(captured)

    first = comment(w, "xena", "One @owen")
    few = queries()
    for n in range(6):
        comment(w, "owen", f"Reply {n} @hal", parent=first)
        comment(w, "hal", f"Another {n}")
    assert queries() == few


# The pages ---------------------------------------------------------------------------------


def test_markdown_reaches_the_page_sanitised(w, client):
    comment(w, "xena", "**Red** <script>alert(1)</script> [x](javascript:alert(1)) "
                       '<img src=x onerror="alert(1)">')  # fmt: skip
    analyse(w, "owen", analysis="*Strike* <iframe src=https://evil.example></iframe>")
    client.force_login(w["xena"])
    html = client.get(reverse("discussion", args=["objective", w["objective"].pk]),
                      {"month": "2026-10"}).content.decode()  # fmt: skip
    assert "<strong>Red</strong>" in html and "<em>Strike</em>" in html
    assert "<script>alert" not in html and "<iframe" not in html and "<img" not in html
    assert 'href="javascript:' not in html


def test_the_panel_and_its_forms(w, client):
    client.force_login(w["owen"])
    url = reverse("discussion", args=["measure", w["measure"].pk])
    panel = client.get(url, {"month": "2026-10"}, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and b"<html" not in panel.content
    assert b"Write the analysis" in panel.content  # the owner writes it
    post = reverse("analysis-post", args=["measure", w["measure"].pk])
    assert (
        client.post(post, {"month": "2026-10", "analysis": "", "recommendations": ""}).status_code
        == 400
    )
    answer = client.post(post, {"month": "2026-10", "analysis": "Plant 2 stopped.",
                                "recommendations": "Buy a spare pump."})  # fmt: skip
    assert answer.status_code == 302
    assert Analysis.objects.get().recommendations == "Buy a spare pump."
    posted = client.post(reverse("comment-post", args=["measure", w["measure"].pk]),
                         {"body": "See the analysis, @hal"})  # fmt: skip
    assert posted.status_code == 302 and Comment.objects.count() == 1
    assert client.post(reverse("comment-post", args=["measure", w["measure"].pk]),
                       {"body": ""}).status_code == 400  # fmt: skip
    client.force_login(w["olga"])  # heads another unit: reads, comments, no analysis form
    assert b"Write the analysis" not in client.get(url, {"month": "2026-10"}).content
    assert client.post(post, {"month": "2026-10", "analysis": "Mine"}).status_code == 403
    assert Analysis.objects.get().analysis == "Plant 2 stopped."


def test_an_unknown_subject_is_404(w, client):
    client.force_login(w["xena"])
    assert client.get("/discuss/budget/1/").status_code == 404
    assert client.get("/discuss/objective/999999/").status_code == 404


# The API -----------------------------------------------------------------------------------


def test_api_analyses(w):
    owen, olga = client_for(w["owen"]), client_for(w["olga"])
    body = {"subject_type": "objective", "subject": w["objective"].pk, "month": "2026-10",
            "analysis": "South down.", "recommendations": "Hire."}  # fmt: skip
    assert olga.post("/api/v1/analyses/", body, format="json").status_code == 403
    made = owen.post("/api/v1/analyses/", body, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["month"] == "2026-10-01" and made.json()["author"] == w["owen"].pk
    again = owen.post("/api/v1/analyses/", body, format="json")
    assert again.status_code == 400 and "month" in again.json()
    pk = made.json()["id"]
    changed = owen.patch(f"/api/v1/analyses/{pk}/", {"analysis": "South and east."}, format="json")
    assert changed.status_code == 200 and changed.json()["recommendations"] == "Hire."
    moved = owen.patch(f"/api/v1/analyses/{pk}/", {"month": "2026-09"}, format="json")
    assert moved.status_code == 400 and "month" in moved.json()
    bad = owen.post("/api/v1/analyses/", {**body, "subject_type": "budget", "month": "Oct"},
                    format="json")  # fmt: skip
    assert bad.status_code == 400 and {"subject_type", "month"} <= set(bad.json())
    listed = olga.get("/api/v1/analyses/", {"subject_type": "objective", "month": "2026-10"})
    assert [a["analysis"] for a in listed.json()["results"]] == ["South and east."]
    scorecard_services.month_close(actor=w["staff"], month=OCT)
    locked = client_for(w["staff"]).patch(
        f"/api/v1/analyses/{pk}/", {"analysis": "x"}, format="json"
    )
    assert locked.status_code == 400 and "Oct 2026 is closed" in str(locked.json())


def test_api_comments(w):
    xena, owen, staff = client_for(w["xena"]), client_for(w["owen"]), client_for(w["staff"])
    made = xena.post("/api/v1/comments/", {"subject_type": "measure", "subject": w["measure"].pk,
                                           "body": "Ask @owen"}, format="json")  # fmt: skip
    assert made.status_code == 201, made.json()
    assert made.json()["mentions"] == [w["owen"].pk]
    pk = made.json()["id"]
    on_rev = {"subject_type": "measure", "subject": w["measure"].pk}
    reply = owen.post("/api/v1/comments/", {**on_rev, "parent": pk, "body": "Done."}, format="json")
    assert reply.status_code == 201 and reply.json()["parent"] == pk
    assert (
        owen.patch(f"/api/v1/comments/{pk}/", {"body": "Mine now"}, format="json").status_code
        == 403
    )
    assert xena.patch(f"/api/v1/comments/{pk}/", {"body": ""}, format="json").status_code == 400
    assert owen.delete(f"/api/v1/comments/{pk}/").status_code == 403
    assert staff.delete(f"/api/v1/comments/{pk}/").status_code == 204
    listed = owen.get("/api/v1/comments/", {"subject_type": "measure", "subject": w["measure"].pk})
    assert [(c["body"], bool(c["deleted_at"])) for c in listed.json()["results"]] == [
        ("", True),
        ("Done.", False),
    ]
    bad = xena.post("/api/v1/comments/", {"subject_type": "measure", "subject": 999999,
                                          "body": "x"}, format="json")  # fmt: skip
    assert bad.status_code == 400 and "subject" in bad.json()


def test_the_measure_page_links_each_value_to_its_comments(w, client):
    client.force_login(w["xena"])
    html = client.get(reverse("measure", args=[w["measure"].pk])).content.decode()
    assert f'href="/discuss/measure_value/{w["value"].pk}/"' in html
    page = client.get(f"/discuss/measure_value/{w['value'].pk}/")
    assert page.status_code == 200 and b"BU.REV Oct 2026" in page.content
