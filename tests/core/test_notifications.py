"""Notifications (issue 15 items 5 and 6): the inbox, its count and pages, the API, each
person's channel per kind, e-mails through the outbox ledger exactly once, the daily
digest, and what the scorecards and initiatives notify: a value submitted, returned or
approved, a month closed, a measure or objective turned red (once per subject and period),
an initiative late.

Today is 27 November 2026 (fiscal years from January)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Notification, NotificationPreference, OutgoingMessage, Preferences
from core.notifications import digests_compose, notify, unread_count
from core.outbox import messages_deliver
from core.roles import MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from initiatives.alerts import late_initiatives_notify
from scorecards import services
from tests import factories as f
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
D = Decimal
OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


def kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# notify ------------------------------------------------------------------------------------


def test_once_per_key_not_to_the_actor_nor_the_inactive():
    ana, bo, gone = f.UserFactory(), f.UserFactory(), f.UserFactory(is_active=False)
    made = notify([ana, bo, gone, None, ana], "turned_red", lambda: "REV turned red", "/m/",
                  key="measure:1:2026-10", actor=bo)  # fmt: skip
    assert [n.recipient for n in made] == [ana]
    again = notify([ana], "turned_red", lambda: "REV turned red", "/m/", key="measure:1:2026-10")
    assert again == []
    assert Notification.objects.count() == 1
    # another period is another subject
    notify([ana], "turned_red", lambda: "REV turned red", "/m/", key="measure:1:2026-11")
    assert Notification.objects.count() == 2


def test_written_in_each_recipients_language():
    from django.utils.translation import gettext as _

    anne, bob = f.UserFactory(), f.UserFactory()
    Preferences.objects.create(user=anne, language="fr")
    notify([anne, bob], "period_closed", lambda: _("Overdue"), "/")
    texts = dict(Notification.objects.values_list("recipient__username", "text"))
    assert texts == {anne.username: "En retard", bob.username: "Overdue"}


def test_email_at_once_is_composed_once_and_sent_once():
    ana = f.UserFactory(email="ana@example.com")
    bo = f.UserFactory(email="bo@example.com")  # the app only (no preference)
    NotificationPreference.objects.create(user=ana, kind="mention", channel="email")
    notify([ana, bo], "mention", lambda: "Cy mentioned you", "/measures/3/")
    assert OutgoingMessage.objects.count() == 1
    message = OutgoingMessage.objects.get()
    assert (message.recipient, message.kind) == ("ana@example.com", "notification")
    assert "Cy mentioned you" in message.body and "/measures/3/" in message.body
    messages_deliver()
    messages_deliver()  # a second run sends nothing again
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_the_daily_digest_gathers_yesterdays_unread_once():
    ana = f.UserFactory(email="ana@example.com")
    NotificationPreference.objects.create(user=ana, kind="value_returned", channel="digest")
    NotificationPreference.objects.create(user=ana, kind="mention", channel="app")
    with time_machine.travel(dt.datetime(2026, 11, 26, 15, tzinfo=dt.UTC), tick=False):
        notify([ana], "value_returned", lambda: "REV returned", "/a/")
        notify([ana], "value_returned", lambda: "OTD returned", "/b/")
        notify([ana], "mention", lambda: "mentioned", "/c/")  # not a digest kind for her
        read = notify([ana], "value_returned", lambda: "read already", "/d/")
    Notification.objects.filter(pk=read[0].pk).update(
        read_at=dt.datetime(2026, 11, 26, 16, tzinfo=dt.UTC)
    )
    notify([ana], "value_returned", lambda: "today's", "/e/")  # tomorrow's digest
    assert OutgoingMessage.objects.count() == 0  # nothing at once
    assert digests_compose(day=dt.date(2026, 11, 27)) == 1
    assert digests_compose(day=dt.date(2026, 11, 27)) == 0
    body = OutgoingMessage.objects.get().body
    assert "REV returned" in body and "OTD returned" in body
    assert "mentioned" not in body and "read already" not in body and "today's" not in body


# The pages ---------------------------------------------------------------------------------


def test_inbox_count_open_and_read_all(client):
    ana = f.UserFactory(roles=[MEASURE_OWNER])
    other = f.UserFactory(roles=[MEASURE_OWNER])
    first, second = (notify([ana], "mention", lambda n=n: f"note {n}", f"/measures/{n}/")[0]
                     for n in (1, 2))  # fmt: skip
    theirs = notify([other], "mention", lambda: "theirs", "/")[0]
    client.force_login(ana)
    page = client.get(reverse("notifications")).content.decode()
    assert "note 1" in page and "note 2" in page and "theirs" not in page
    count = client.get(reverse("notification-count")).content.decode()
    assert '<span class="count" aria-hidden="true">2</span>' in count
    assert ", 2 unread" in count and 'hx-trigger="every 60s"' in count
    opened = client.get(reverse("notification-open", args=[first.pk]))
    assert opened.status_code == 302 and opened["Location"] == "/measures/1/"
    assert unread_count(ana) == 1
    assert client.get(reverse("notification-open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications-read-all")).status_code == 302
    assert unread_count(ana) == 0 and unread_count(other) == 1
    second.refresh_from_db()
    assert second.read_at is not None


def test_a_link_elsewhere_is_not_followed(client):
    ana = f.UserFactory(roles=[MEASURE_OWNER])
    notification = notify([ana], "mention", lambda: "x", "https://evil.example/")[0]
    client.force_login(ana)
    answer = client.get(reverse("notification-open", args=[notification.pk]))
    assert answer["Location"] == reverse("notifications")


def test_the_inbox_reads_a_fixed_number_of_queries(client):
    ana = f.UserFactory(roles=[MEASURE_OWNER])
    client.force_login(ana)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("notifications")).status_code == 200
            assert client.get(reverse("notification-count")).status_code == 200
        return len(captured)

    notify([ana], "mention", lambda: "one", "/")
    few = queries()
    Notification.objects.bulk_create(
        Notification(recipient=ana, kind="mention", text=f"n{k}", url="/") for k in range(120)
    )
    assert queries() == few


def test_preferences_page(client):
    ana = f.UserFactory(roles=[MEASURE_OWNER])
    client.force_login(ana)
    assert client.get(reverse("notification-preferences")).status_code == 200
    form = {kind: "app" for kind, _label in Notification._meta.get_field("kind").choices}
    form["mention"] = "email"
    form["turned_red"] = "digest"
    assert client.post(reverse("notification-preferences"), form).status_code == 302
    chosen = dict(NotificationPreference.objects.filter(user=ana).values_list("kind", "channel"))
    assert chosen == {"mention": "email", "turned_red": "digest"}
    form["mention"] = "pigeon"
    assert client.post(reverse("notification-preferences"), form).status_code == 400
    assert NotificationPreference.objects.get(user=ana, kind="mention").channel == "email"


# The API -----------------------------------------------------------------------------------


def test_api_lists_only_ones_own_and_marks_read():
    ana, bo = f.UserFactory(roles=[MEASURE_OWNER]), f.UserFactory(roles=[MEASURE_OWNER])
    mine = notify([ana], "mention", lambda: "mine", "/a/")[0]
    notify([ana], "reply", lambda: "a reply", "/b/")
    theirs = notify([bo], "mention", lambda: "theirs", "/c/")[0]
    api = client_for(ana)
    body = api.get("/api/v1/notifications/").json()
    assert [n["text"] for n in body["results"]] == ["a reply", "mine"]  # latest first
    assert set(body["results"][0]) == {"id", "kind", "text", "url", "created_at", "read_at"}
    assert api.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    read = api.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    assert [n["text"] for n in api.get("/api/v1/notifications/?unread=1").json()["results"]] == [
        "a reply"
    ]
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert unread_count(bo) == 1
    assert client_for(bo).post("/api/v1/notifications/", {}).status_code == 405


def test_api_preferences():
    ana = f.UserFactory(roles=[MEASURE_OWNER])
    api = client_for(ana)
    rows = api.get("/api/v1/notification-preferences/").json()
    assert {r["kind"] for r in rows} >= {"mention", "turned_red", "period_closed"}
    assert all(r["channel"] == "app" for r in rows)
    answer = api.put(
        "/api/v1/notification-preferences/mention/", {"channel": "digest"}, format="json"
    )
    assert answer.status_code == 200 and answer.json() == {"kind": "mention", "channel": "digest"}
    bad = api.put("/api/v1/notification-preferences/mention/", {"channel": "fax"}, format="json")
    assert bad.status_code == 400 and "channel" in bad.json()
    assert (
        api.put(
            "/api/v1/notification-preferences/weather/", {"channel": "app"}, format="json"
        ).status_code
        == 404
    )
    assert NotificationPreference.objects.get(user=ana).channel == "digest"
    anonymous = client_for(ana)
    anonymous.force_authenticate(None)
    assert anonymous.get("/api/v1/notification-preferences/").status_code in (401, 403)


# What the scorecards notify ----------------------------------------------------------------


@pytest.fixture
def w():
    """BU (head Hal, under ACME headed by Eve) requires approval; REV is Owen's, monthly,
    higher is better, October at 95 against 100 with red flag 90 (yellow)."""
    eve = f.UserFactory(roles=[UNIT_HEAD], username="eve")
    hal = f.UserFactory(roles=[UNIT_HEAD], username="hal")
    owen = f.UserFactory(roles=[MEASURE_OWNER], username="owen")
    staff = f.UserFactory(roles=[OSM_STAFF], username="staff")
    root = f.EnterpriseFactory(code="ACME", head=eve)
    bu = f.OrgUnitFactory(code="BU", parent=root, head=hal, approval_required=True)
    objective = f.ObjectiveFactory(unit=bu, code="F1", owner=owen)
    rev = f.MeasureFactory(objective=objective, code="REV", owner=owen)
    f.MeasureValueFactory(measure=rev, period=OCT)
    return {"eve": eve, "hal": hal, "owen": owen, "staff": staff, "rev": rev, "bu": bu}


def test_submitted_returned_approved(w):
    services.measure_value_enter(
        actor=w["owen"], measure=w["rev"], period=OCT, data={"actual": D(96)}, confirm=True
    )
    assert kinds(w["hal"]) == ["value_submitted"]  # BU's head; not Eve above him
    assert kinds(w["eve"]) == []
    # editing the submission before it is reviewed does not notify again
    services.measure_value_enter(
        actor=w["owen"], measure=w["rev"], period=OCT, data={"actual": D(97)}, confirm=True
    )
    assert kinds(w["hal"]) == ["value_submitted"]
    value = w["rev"].values.get(period=OCT)
    services.measure_value_return(actor=w["hal"], instance=value, comment="Which plant?")
    returned = Notification.objects.get(recipient=w["owen"])
    assert returned.kind == "value_returned" and "Which plant?" in returned.text
    services.measure_value_enter(
        actor=w["owen"], measure=w["rev"], period=OCT, data={"note": "Plant 2"}, confirm=True
    )
    assert kinds(w["hal"]) == ["value_submitted", "value_submitted"]  # submitted again
    services.measure_value_approve(actor=w["hal"], instance=w["rev"].values.get(period=OCT))
    assert kinds(w["owen"]) == ["value_approved", "value_returned"]


def test_turned_red_once_per_subject_and_period(w):
    """Hal enters October at 80: below the red flag 90, so REV is red, and F1 (its only
    measure) too. Owen (owner of both) and Eve (head of the unit above) are told, not Hal
    who typed it. Saving 85 (still red) tells nobody again."""
    services.measure_value_enter(
        actor=w["hal"], measure=w["rev"], period=OCT, data={"actual": D(80), "note": "Strike"},
        confirm=True,
    )  # fmt: skip
    assert kinds(w["owen"]) == ["turned_red", "turned_red"]  # the measure and the objective
    assert kinds(w["eve"]) == ["turned_red", "turned_red"]
    assert kinds(w["hal"]) == []
    keys = set(Notification.objects.values_list("key", flat=True))
    assert keys == {
        f"measure:{w['rev'].pk}:2026-10-01",
        f"objective:{w['rev'].objective_id}:2026-10-01",
    }
    services.measure_value_enter(
        actor=w["hal"], measure=w["rev"], period=OCT, data={"actual": D(85)}, confirm=True
    )
    assert Notification.objects.count() == 4


def test_a_submission_turns_nothing_red_until_approved(w):
    services.measure_value_enter(
        actor=w["owen"], measure=w["rev"], period=OCT, data={"actual": D(80), "note": "Strike"},
        confirm=True,
    )  # fmt: skip
    assert not Notification.objects.filter(kind="turned_red").exists()
    services.measure_value_approve(actor=w["hal"], instance=w["rev"].values.get(period=OCT))
    assert kinds(w["owen"]) == ["turned_red", "turned_red", "value_approved"]


def test_bulk_turns_red_and_notifies_one_submission_per_reviewer(w):
    from tests.scorecards.test_approval import bulk

    bulk(w, "hal", "measure_code,period,actual,note\nBU.REV,2026-10,70,Strike\n")
    assert kinds(w["owen"]) == ["turned_red", "turned_red"]
    other = f.MeasureFactory(objective=w["rev"].objective, code="OTD", owner=w["owen"])
    bulk(w, "owen", "measure_code,period,actual\nBU.OTD,2026-10,5\nBU.OTD,2026-09,6\n")
    submitted = Notification.objects.get(recipient=w["hal"], kind="value_submitted")
    assert "2 values" in submitted.text
    assert other.values.count() == 2


def test_closing_a_month_tells_owners_and_heads(w):
    services.month_close(actor=w["staff"], month=OCT)
    told = set(
        Notification.objects.filter(kind="period_closed").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"owen", "hal", "eve"}


def test_late_initiatives_are_told_once(w):
    initiative = f.InitiativeFactory(
        unit=w["bu"], code="LEAN", owner=w["owen"], start=dt.date(2026, 1, 1),
        end=dt.date(2026, 11, 1),
    )  # fmt: skip
    f.MilestoneFactory(initiative=initiative, name="Pilot", due=dt.date(2026, 10, 15))
    f.MilestoneFactory(initiative=initiative, name="Done one", due=dt.date(2026, 9, 1),
                       done_on=dt.date(2026, 9, 1))  # fmt: skip
    f.MilestoneFactory(initiative=initiative, name="Later", due=dt.date(2026, 12, 15))
    day = dt.date(2026, 11, 27)
    # the pilot's milestone and the end date, to Owen and to Hal: 4
    assert late_initiatives_notify(day=day) == 4
    assert late_initiatives_notify(day=day) == 0
    texts = sorted(Notification.objects.filter(recipient=w["owen"]).values_list("text", flat=True))
    assert texts == [
        "Initiative LEAN is late: it was to end on 2026-11-01 and is not done.",
        "Initiative LEAN is late: milestone “Pilot” was due on 2026-10-15 and is not done.",
    ]


def test_the_commands_run_a_day_and_refuse_a_bad_date(w):
    from io import StringIO

    from django.core.management import CommandError, call_command

    initiative = f.InitiativeFactory(
        unit=w["bu"], code="LATE", owner=w["owen"], start=dt.date(2026, 1, 1),
        end=dt.date(2026, 10, 31),
    )  # fmt: skip
    out = StringIO()
    call_command("notify_late_initiatives", "--date", "2026-11-27", stdout=out)
    assert "2 new notifications" in out.getvalue()  # Owen and Hal
    call_command("notify_late_initiatives", "--date", "2026-11-27", stdout=out)
    assert Notification.objects.filter(url__endswith=f"/{initiative.pk}/").count() == 2
    call_command("send_notification_digests", "--date", "2026-11-27", stdout=out)
    assert "composed 0" in out.getvalue()
    for command in ("notify_late_initiatives", "send_notification_digests"):
        with pytest.raises(CommandError, match="--date"):
            call_command(command, "--date", "27/11/2026")
