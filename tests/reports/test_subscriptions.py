"""Report subscriptions (issue 16, item 6): which are due on a day, the pack composed once per
subscription and due date into the outbox (twice, retried, or from two workers at once),
delivered as an attachment; who is skipped; the API, the pages, the command, the schedule.

Days used (14 Nov 2026 is a Saturday): Monday 30 Nov 2026, Thursday 3 Dec 2026, and Sunday
28 Feb 2027 (the last day of that February)."""

import datetime as dt
import io
import threading
import time

import openpyxl
import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from core.models import OutgoingMessage, Preferences
from core.outbox import messages_deliver
from core.roles import EMPLOYEE, EXECUTIVE, OSM_STAFF
from core.xlsx import XLSX
from osm.celery import app
from reports import subscriptions, tasks
from reports.choices import PackKind
from reports.models import ReportSubscription
from reports.subscriptions import (
    figures_month,
    is_due,
    report_pack_compose,
    subscriptions_due,
)
from tests import factories as f
from tests.helpers import client_for, list_queries

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 30)
THURSDAY = dt.date(2026, 12, 3)
FEB_28 = dt.date(2027, 2, 28)  # a Sunday
NOV = dt.date(2026, 11, 1)


@pytest.fixture
def world(settings):
    """ACME > Retail (BU) with one measure, SALES, at 95 against 100 in November; Eve, an
    executive, has BU's scorecard workbook monthly on the 3rd."""
    settings.SITE_URL = "https://osm.example"
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent)
    objective = f.ObjectiveFactory(unit=bu, code="GROW", name="Grow sales")
    sales = f.MeasureFactory(objective=objective, code="SALES", name="Sales")
    f.MeasureValueFactory(measure=sales, period=NOV)
    eve = f.UserFactory(
        username="eve", first_name="Eve", email="eve@example.com", roles=[EXECUTIVE]
    )
    subscription = f.ReportSubscriptionFactory(user=eve, unit=bu)
    return {"ent": ent, "bu": bu, "eve": eve, "subscription": subscription}


def workbook_of(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content), read_only=True)


def sheet_text(book, title: str) -> str:
    return " ".join(str(c) for row in book[title].iter_rows(values_only=True) for c in row if c)


# When a subscription is due ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cadence", "day", "date", "due"),
    [
        ("weekly", 1, MONDAY, True),  # Monday = 1
        ("weekly", 1, dt.date(2026, 12, 1), False),  # a Tuesday
        ("weekly", 4, THURSDAY, True),
        ("weekly", 7, FEB_28, True),  # Sunday = 7
        ("monthly", 3, THURSDAY, True),
        ("monthly", 3, dt.date(2026, 12, 4), False),
        ("monthly", 28, FEB_28, True),  # every month has a 28th
        ("monthly", 28, dt.date(2027, 3, 1), False),
        ("monthly", 1, dt.date(2027, 3, 1), True),
    ],
)
def test_due_on_the_iso_weekday_or_the_day_of_the_month(cadence, day, date, due):
    assert is_due(ReportSubscription(cadence=cadence, day=day), date) is due


def test_the_subscriptions_due_on_a_day(world):
    eve, bu = world["eve"], world["bu"]
    weekly_sunday = f.ReportSubscriptionFactory(user=eve, unit=bu, cadence="weekly", day=7)
    on_28 = f.ReportSubscriptionFactory(user=eve, unit=bu, kind="alignment_xlsx", day=28)
    f.ReportSubscriptionFactory(user=eve, unit=world["ent"], day=28, active=False)  # paused
    assert list(subscriptions_due(FEB_28)) == [weekly_sunday, on_28]
    assert list(subscriptions_due(THURSDAY)) == [world["subscription"]]
    assert list(subscriptions_due(MONDAY)) == []
    # Marked sent for that day: no task is handed out for it again.
    ReportSubscription.objects.filter(pk=on_28.pk).update(last_sent_on=FEB_28)
    assert list(subscriptions_due(FEB_28)) == [weekly_sunday]


def test_a_pack_holds_the_last_complete_month():
    assert figures_month(THURSDAY) == NOV
    assert figures_month(dt.date(2027, 1, 3)) == dt.date(2026, 12, 1)
    assert figures_month(FEB_28) == dt.date(2027, 1, 1)


# Composing and delivering ---------------------------------------------------------------------


def test_the_job_composes_one_message_with_the_units_scorecard(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_report_packs.delay(THURSDAY.isoformat()).get() == 1
    message = OutgoingMessage.objects.get()
    sub = world["subscription"]
    assert (message.kind, message.recipient, message.subject_key, message.period) == (
        "report_pack",
        "eve@example.com",
        f"subscription:{sub.pk}",
        THURSDAY,
    )
    assert message.subject == "OSM: Scorecard workbook (Excel) of Retail, Nov 2026"
    assert message.body.startswith("Hello Eve Tester,\n\nAttached: Scorecard workbook (Excel)")
    assert "https://osm.example/reports/subscriptions/" in message.body
    (attached,) = message.attachments
    assert (attached["name"], attached["mimetype"], attached["encoding"]) == (
        "BU-scorecard-2026-11.xlsx",
        XLSX,
        "base64",
    )
    sub.refresh_from_db()
    assert sub.last_sent_on == THURSDAY
    # Delivered by the outbox (queued by the task): the workbook is BU's November scorecard.
    assert OutgoingMessage.objects.get().status == "sent"
    (email,) = mail.outbox
    assert email.to == ["eve@example.com"] and email.subject == message.subject
    ((name, content, media_type),) = email.attachments
    assert (name, media_type) == ("BU-scorecard-2026-11.xlsx", XLSX)
    book = workbook_of(content)
    assert book.sheetnames == ["Perspectives", "Scorecard"]
    text = sheet_text(book, "Scorecard")
    assert "Acme · BU Retail" in text and "Scorecard as of 2026-11" in text
    (row,) = [r for r in book["Scorecard"].iter_rows(values_only=True) if "SALES" in r]
    # 95 against 100, red flag 90: 10/3 + (95 - 90) / (100 - 90) · 10/3 = 5.00, "Watch".
    assert [c for c in row if c is not None][:6] == [
        "Financial",
        "GROW",
        "Grow sales",
        5,
        "Watch",
        "SALES",
    ]
    assert tuple(row[9:12]) == (95, 100, 90)


def test_twice_or_retried_one_message_and_no_second_build(world, monkeypatch):
    sub = world["subscription"]
    assert report_pack_compose(subscription_id=sub.pk, day=THURSDAY).status == "composed"

    def no_build(*args, **kwargs):
        raise AssertionError("the pack was built again")

    # A retry after a crash (or a second run) finds the ledger's message: nothing is built.
    monkeypatch.setattr(subscriptions, "build_pack", no_build)
    ReportSubscription.objects.filter(pk=sub.pk).update(last_sent_on=None)
    outcome = report_pack_compose(subscription_id=sub.pk, day=THURSDAY)
    assert outcome.status == "already"
    assert outcome.message_id == OutgoingMessage.objects.get().pk
    sub.refresh_from_db()
    assert sub.last_sent_on == THURSDAY
    call_command("send_report_packs", "--date", "2026-12-03", stdout=io.StringIO())
    assert OutgoingMessage.objects.count() == 1 and len(mail.outbox) == 1


def test_the_ledger_has_the_last_word(world, monkeypatch):
    """Another worker composed the message between the check and the insert: the
    database's uniqueness keeps one, and this run says so."""
    sub = world["subscription"]
    assert report_pack_compose(subscription_id=sub.pk, day=THURSDAY).status == "composed"
    first = OutgoingMessage.objects.get()
    checks = iter([None])  # the first look at the ledger misses it
    real = subscriptions._composed_before
    monkeypatch.setattr(
        subscriptions, "_composed_before", lambda *a: next(checks, None) or real(*a)
    )
    outcome = report_pack_compose(subscription_id=sub.pk, day=THURSDAY)
    assert (outcome.status, outcome.message_id) == ("already", first.pk)
    assert OutgoingMessage.objects.count() == 1


def test_a_replay_of_an_older_day_does_not_move_last_sent_back(world):
    sub = world["subscription"]
    report_pack_compose(subscription_id=sub.pk, day=THURSDAY)
    assert report_pack_compose(subscription_id=sub.pk, day=NOV.replace(day=3)).status == "composed"
    sub.refresh_from_db()
    assert sub.last_sent_on == THURSDAY
    assert OutgoingMessage.objects.count() == 2  # one per due date


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda s: ReportSubscription.objects.filter(pk=s.pk).update(active=False),
            "the subscription is inactive",
        ),
        (lambda s: s.user.groups.clear(), "the subscriber may no longer see the unit"),
        (
            lambda s: type(s.user).objects.filter(pk=s.user_id).update(email=""),
            "the subscriber has no e-mail address",
        ),
        (
            lambda s: type(s.user).objects.filter(pk=s.user_id).update(is_active=False),
            "the subscriber is inactive",
        ),
        (
            lambda s: ReportSubscription.objects.filter(pk=s.pk).update(day=4),
            "not due on 2026-12-03",
        ),
    ],
)
def test_who_gets_nothing(world, change, reason, caplog):
    sub = world["subscription"]
    change(sub)
    with caplog.at_level("INFO", logger="reports.subscriptions"):
        outcome = report_pack_compose(subscription_id=sub.pk, day=THURSDAY)
    assert (outcome.status, outcome.reason) == ("skipped", reason)
    assert f"Report subscription {sub.pk} skipped on 2026-12-03: {reason}." in caplog.text
    assert not OutgoingMessage.objects.exists()
    sub.refresh_from_db()
    assert sub.last_sent_on is None


def test_a_deleted_subscription_sends_nothing(world):
    sub = world["subscription"]
    sub.delete()
    assert report_pack_compose(subscription_id=sub.pk, day=THURSDAY).status == "gone"
    assert not OutgoingMessage.objects.exists()


def test_the_job_leaves_out_the_inactive_and_those_who_lost_their_role(
    world, django_capture_on_commit_callbacks
):
    paused = f.ReportSubscriptionFactory(unit=world["bu"], active=False)
    roleless = f.ReportSubscriptionFactory(unit=world["bu"])
    roleless.user.groups.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_report_packs.delay(THURSDAY.isoformat()).get() == 2  # not the paused
    assert [m.to for m in mail.outbox] == [["eve@example.com"]]
    assert ReportSubscription.objects.get(pk=paused.pk).last_sent_on is None
    assert ReportSubscription.objects.get(pk=roleless.pk).last_sent_on is None


def test_in_the_subscribers_language(world):
    Preferences.objects.create(user=world["eve"], language="fr")
    sub = world["subscription"]
    report_pack_compose(subscription_id=sub.pk, day=THURSDAY)
    message = OutgoingMessage.objects.get()
    assert "nov. 2026" in message.subject  # the month as French writes it
    assert "Nov 2026" not in message.subject


def test_the_alignment_workbook_as_its_subscriber_may_read_it(world):
    sub = world["subscription"]
    ReportSubscription.objects.filter(pk=sub.pk).update(kind="alignment_xlsx")
    report_pack_compose(subscription_id=sub.pk, day=THURSDAY)
    (attached,) = OutgoingMessage.objects.get().attachments
    assert attached["name"] == "BU-alignment-FY2026.xlsx"  # November's fiscal year
    messages_deliver()
    ((_name, content, media_type),) = mail.outbox[0].attachments
    assert media_type == XLSX and workbook_of(content).sheetnames


def pdf_missing() -> str | None:
    from reports.documents import pdf_available

    return pdf_available()


@pytest.mark.parametrize(
    ("kind", "ext", "media_type"),
    [
        (PackKind.SCORECARD_XLSX, "xlsx", XLSX),
        (PackKind.ALIGNMENT_XLSX, "xlsx", XLSX),
        (PackKind.SCORECARD_PDF, "pdf", "application/pdf"),
        (PackKind.UNIT_REPORT_PDF, "pdf", "application/pdf"),
        (
            PackKind.EXECUTIVE_DECK,
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
    ],
)
def test_every_kind_of_pack_arrives_as_an_attachment(world, kind, ext, media_type):
    if ext == "pdf" and (reason := pdf_missing()):
        pytest.skip(reason)
    sub = world["subscription"]
    ReportSubscription.objects.filter(pk=sub.pk).update(kind=kind)
    assert report_pack_compose(subscription_id=sub.pk, day=THURSDAY).status == "composed"
    messages_deliver()
    ((name, content, sent_type),) = mail.outbox[0].attachments
    assert name.startswith("BU-") and name.endswith(f".{ext}") and sent_type == media_type
    assert isinstance(content, bytes) and len(content) > 1000
    magic = {"xlsx": b"PK", "pptx": b"PK", "pdf": b"%PDF"}[ext]
    assert content.startswith(magic)


# Two workers at once, on PostgreSQL -----------------------------------------------------------


class Runner(threading.Thread):
    """A thread with its own database connection; keeps its result or exception."""

    def __init__(self, work):
        super().__init__(daemon=True)
        self.work, self.result, self.error = work, None, None

    def run(self):
        try:
            self.result = self.work()
        except BaseException as exc:  # re-raised in the test's thread
            self.error = exc
        finally:
            connection.close()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_compose_one_message(postgres, world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("The race needs the PostgreSQL test database (DATABASE_URL).")
    sub = world["subscription"]
    building = threading.Event()
    build = subscriptions.build_pack

    def slow_build(*args, **kwargs):
        building.set()
        time.sleep(1)  # the second worker comes while the first builds
        return build(*args, **kwargs)

    monkeypatch.setattr(subscriptions, "build_pack", slow_build)

    def first():
        return report_pack_compose(subscription_id=sub.pk, day=THURSDAY).status

    def second():
        assert building.wait(20), "the first worker never started building"
        return report_pack_compose(subscription_id=sub.pk, day=THURSDAY).status

    runners = [Runner(first), Runner(second)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(60)
        if runner.error:
            raise runner.error
    assert runners[0].result == "composed"
    assert runners[1].result in {"busy", "already"}  # gave way, or came after the commit
    assert OutgoingMessage.objects.count() == 1
    assert not mail.outbox  # composed, not yet delivered
    # The job run twice at once by hand, for a second subscriber and the first again: one
    # message each, each delivered once.
    ada = f.UserFactory(email="ada@example.com", roles=[EXECUTIVE])
    f.ReportSubscriptionFactory(user=ada, unit=world["bu"])
    out = [io.StringIO(), io.StringIO()]
    runners = [
        Runner(lambda o=o: call_command("send_report_packs", "--date", "2026-12-03", stdout=o))
        for o in out
    ]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(60)
        if runner.error:
            raise runner.error
    assert sorted(OutgoingMessage.objects.values_list("recipient", flat=True)) == [
        "ada@example.com",
        "eve@example.com",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "eve@example.com"]
    said = out[0].getvalue() + out[1].getvalue()
    assert said.count("1 composed") == 1, said


# The command and the schedule ----------------------------------------------------------------


def test_the_command_composes_sends_and_says_so(world):
    out = io.StringIO()
    call_command("send_report_packs", "--date", "2026-12-03", stdout=out)
    assert "Report packs due on 2026-12-03: 1 composed." in out.getvalue()
    assert "Sent 1; 0 failed." in out.getvalue()
    call_command("send_report_packs", "--date", "2026-12-03", stdout=out)
    assert len(mail.outbox) == 1  # nothing twice (marked sent: not even looked at again)
    call_command("send_report_packs", "--date", "2026-12-04", stdout=out)
    assert "Report packs due on 2026-12-04: none." in out.getvalue()


@pytest.mark.parametrize("bad", ["3/12/2026", "2026-02-30", "0001-01-01", "tomorrow"])
def test_the_command_refuses_a_bad_date(world, bad):
    with pytest.raises(CommandError, match="--date"):
        call_command("send_report_packs", "--date", bad)
    assert not OutgoingMessage.objects.exists()


def test_the_daily_schedule_at_seven():
    task = PeriodicTask.objects.select_related("crontab").get(name="OSM: report packs")
    assert task.task == "reports.tasks.send_report_packs"
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("7", "0", "*")
    app.loader.import_default_modules()
    assert {"reports.tasks.send_report_packs", "reports.tasks.send_report_pack"} <= set(app.tasks)


# The API -------------------------------------------------------------------------------------

URL = "/api/v1/report-subscriptions/"
FIELDS = {"id", "user", "unit", "kind", "cadence", "day", "active", "last_sent_on"}


@pytest.fixture
def people(world):
    """Eve (executive, subscribed), Noah (employee, subscribed), Sam (OSM staff), Roy (no
    role)."""
    noah = f.UserFactory(username="noah", roles=[EMPLOYEE])
    return {
        "eve": world["eve"],
        "noah": noah,
        "noah_sub": f.ReportSubscriptionFactory(
            user=noah, unit=world["ent"], cadence="weekly", day=1
        ),
        "sam": f.UserFactory(username="sam", roles=[OSM_STAFF], is_staff=True),
        "roy": f.UserFactory(username="roy", first_name="Roy", last_name="Rolle"),
    }


def test_401_without_auth():
    assert APIClient().get(URL).status_code == 401


def test_no_role_no_subscriptions(world, people):
    client = client_for(people["roy"])
    assert client.get(URL).status_code == 403
    body = {"unit": world["bu"].pk, "kind": "scorecard_xlsx", "cadence": "monthly", "day": 3}
    assert client.post(URL, body, format="json").status_code == 403
    assert ReportSubscription.objects.count() == 2


def test_an_owner_sees_only_his_own_the_staff_everyones(world, people):
    eve_sub, noah_sub = world["subscription"], people["noah_sub"]
    answer = client_for(people["noah"]).get(URL).json()
    assert [r["id"] for r in answer["results"]] == [noah_sub.pk]
    assert set(answer["results"][0]) == FIELDS
    assert answer["results"][0] == {
        "id": noah_sub.pk,
        "user": people["noah"].pk,
        "unit": world["ent"].pk,
        "kind": "scorecard_xlsx",
        "cadence": "weekly",
        "day": 1,
        "active": True,
        "last_sent_on": None,
    }
    assert client_for(people["noah"]).get(f"{URL}{eve_sub.pk}/").status_code == 404
    staff = client_for(people["sam"])
    assert [r["id"] for r in staff.get(URL).json()["results"]] == [eve_sub.pk, noah_sub.pk]
    filtered = staff.get(URL, {"user": people["noah"].pk}).json()["results"]
    assert [r["id"] for r in filtered] == [noah_sub.pk]
    # A user with a role and no subscription yet has an empty list, not a refusal.
    fresh = f.UserFactory(roles=[EMPLOYEE])
    assert client_for(fresh).get(URL).json()["count"] == 0


def test_subscribing_oneself_and_only_the_staff_others(world, people):
    noah = client_for(people["noah"])
    body = {"unit": world["bu"].pk, "kind": "alignment_xlsx", "cadence": "monthly", "day": 28}
    created = noah.post(URL, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["user"] == people["noah"].pk  # `user` left out: oneself
    refused = noah.post(
        URL, {**body, "kind": "scorecard_xlsx", "user": people["eve"].pk}, format="json"
    )
    assert refused.status_code == 403
    assert "OSM staff" in refused.json()["detail"]
    # Nor may he move his subscription to someone else.
    sub = people["noah_sub"]
    moved = noah.patch(f"{URL}{sub.pk}/", {"user": people["eve"].pk}, format="json")
    assert moved.status_code == 403
    assert ReportSubscription.objects.get(pk=sub.pk).user == people["noah"]
    assert not ReportSubscription.objects.filter(
        user=people["eve"], kind="scorecard_xlsx", unit=world["bu"], cadence="monthly", day=28
    ).exists()
    staff = client_for(people["sam"])
    made = staff.post(URL, {**body, "user": people["eve"].pk}, format="json")
    assert made.status_code == 201 and made.json()["user"] == people["eve"].pk
    # The owner changes his own; last_sent_on is the job's.
    changed = noah.patch(f"{URL}{sub.pk}/", {"day": 5, "last_sent_on": "2026-01-01"}, format="json")
    assert changed.status_code == 200 and changed.json()["day"] == 5
    assert changed.json()["last_sent_on"] is None
    assert noah.delete(f"{URL}{sub.pk}/").status_code == 204


def test_a_subscriber_who_may_not_see_the_unit_is_refused(world, people):
    body = {
        "unit": world["bu"].pk,
        "kind": "scorecard_xlsx",
        "cadence": "weekly",
        "day": 2,
        "user": people["roy"].pk,
    }
    refused = client_for(people["sam"]).post(URL, body, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "user": ["Roy Rolle may not see this unit, so would receive nothing."]
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"cadence": "weekly", "day": 0},
            "day",
            "For a weekly pack, the day is 1 (Monday) to 7 (Sunday).",
        ),
        (
            {"cadence": "weekly", "day": 8},
            "day",
            "For a weekly pack, the day is 1 (Monday) to 7 (Sunday).",
        ),
        (
            {"cadence": "monthly", "day": 29},
            "day",
            "For a monthly pack, the day is 1 to 28 (a day every month has).",
        ),
        ({"kind": "annual_report"}, "kind", '"annual_report" is not a valid choice.'),
        ({"cadence": "daily"}, "cadence", '"daily" is not a valid choice.'),
    ],
)
def test_bad_input_is_400_on_its_field(world, people, change, field, message):
    body = {"unit": world["bu"].pk, "kind": "alignment_xlsx", "cadence": "monthly", "day": 3}
    answer = client_for(people["noah"]).post(URL, {**body, **change}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {field: [message]}
    assert ReportSubscription.objects.count() == 2


def test_a_second_subscription_to_the_same_pack_is_400(world, people):
    sub = world["subscription"]
    body = {"unit": sub.unit_id, "kind": sub.kind, "cadence": "monthly", "day": 20}
    answer = client_for(people["eve"]).post(URL, body, format="json")
    assert answer.status_code == 400
    assert answer.json() == {
        "non_field_errors": [
            "This person already receives this pack of this unit at this cadence: change that "
            "subscription instead."
        ]
    }


def test_a_subscription_of_someone_who_lost_his_role_can_still_be_paused(world, people):
    sub = world["subscription"]
    people["eve"].groups.clear()
    staff = client_for(people["sam"])
    paused = staff.patch(f"{URL}{sub.pk}/", {"active": False}, format="json")
    assert paused.status_code == 200 and paused.json()["active"] is False
    moved = staff.patch(f"{URL}{sub.pk}/", {"unit": world["ent"].pk}, format="json")
    assert moved.status_code == 400 and list(moved.json()) == ["user"]


def test_a_bad_day_on_update_is_400(world, people):
    sub = people["noah_sub"]  # weekly
    answer = client_for(people["noah"]).patch(f"{URL}{sub.pk}/", {"day": 8}, format="json")
    assert answer.status_code == 400 and list(answer.json()) == ["day"]
    assert ReportSubscription.objects.get(pk=sub.pk).day == 1


def test_the_lists_queries_do_not_grow_with_the_rows(client, world, people):
    rows, few = list_queries(people["sam"], URL)
    assert rows == 2
    client.force_login(people["sam"])
    with CaptureQueriesContext(connection) as page_few:
        assert client.get("/reports/subscriptions/").status_code == 200
    for _ in range(5):
        f.ReportSubscriptionFactory(unit=world["bu"])
    assert list_queries(people["sam"], URL) == (7, few)
    with CaptureQueriesContext(connection) as page_more:
        assert client.get("/reports/subscriptions/").status_code == 200
    assert len(page_more) == len(page_few)


# The pages -----------------------------------------------------------------------------------


def test_the_list_shows_ones_own_and_the_staff_everyones(client, world, people):
    client.force_login(people["noah"])
    page = client.get("/reports/subscriptions/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Weekly on Monday" in html and "Acme" in html
    assert "Monthly on day 3" not in html  # Eve's
    client.force_login(people["sam"])
    html = client.get("/reports/subscriptions/").content.decode()
    assert "Weekly on Monday" in html and "Monthly on day 3" in html
    assert "Eve Tester" in html and "Subscriber" in html
    only_eve = client.get("/reports/subscriptions/", {"user": people["eve"].pk})
    assert "Monthly on day 3" in only_eve.content.decode()
    assert "Weekly on Monday" not in only_eve.content.decode()
    client.force_login(people["roy"])
    assert client.get("/reports/subscriptions/").status_code == 403


def test_the_new_page_is_prefilled_and_saves(client, world, people):
    client.force_login(people["noah"])
    page = client.get("/reports/subscriptions/new/?unit=BU&kind=alignment_xlsx")
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["unit"] == world["bu"].pk and form.initial["kind"] == "alignment_xlsx"
    assert "user" not in form.fields  # one subscribes oneself
    html = page.content.decode()
    assert f'<option value="{world["bu"].pk}" selected>' in html
    assert '<option value="alignment_xlsx" selected>' in html
    done = client.post(
        "/reports/subscriptions/new/",
        {
            "unit": world["bu"].pk,
            "kind": "alignment_xlsx",
            "cadence": "weekly",
            "day": 5,
            "active": "on",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/reports/subscriptions/"
    made = ReportSubscription.objects.get(kind="alignment_xlsx")
    assert (made.user, made.unit, made.cadence, made.day) == (
        people["noah"],
        world["bu"],
        "weekly",
        5,
    )


def test_a_bad_day_is_shown_on_the_form_and_nothing_saved(client, world, people):
    client.force_login(people["noah"])
    answer = client.post(
        "/reports/subscriptions/new/",
        {
            "unit": world["bu"].pk,
            "kind": "alignment_xlsx",
            "cadence": "monthly",
            "day": 29,
        },
    )
    assert answer.status_code == 400
    assert answer.context["form"].errors == {
        "day": ["For a monthly pack, the day is 1 to 28 (a day every month has)."]
    }
    assert "For a monthly pack, the day is 1 to 28" in answer.content.decode()
    assert ReportSubscription.objects.count() == 2


def test_the_staff_subscribe_someone_else(client, world, people):
    client.force_login(people["sam"])
    page = client.get("/reports/subscriptions/new/")
    assert "user" in page.context["form"].fields
    done = client.post(
        "/reports/subscriptions/new/",
        {
            "user": people["noah"].pk,
            "unit": world["bu"].pk,
            "kind": "scorecard_xlsx",
            "cadence": "monthly",
            "day": 1,
            "active": "on",
        },
    )
    assert done.status_code == 302
    assert ReportSubscription.objects.filter(user=people["noah"], unit=world["bu"]).exists()


def test_edit_and_delete_pages(client, world, people):
    sub = people["noah_sub"]
    client.force_login(people["eve"])  # not hers
    assert client.get(f"/reports/subscriptions/{sub.pk}/edit/").status_code == 403
    assert client.get(f"/reports/subscriptions/{sub.pk}/delete/").status_code == 403
    client.force_login(people["noah"])
    page = client.get(f"/reports/subscriptions/{sub.pk}/edit/")
    assert page.status_code == 200 and "Edit the subscription to" in page.content.decode()
    bad = client.post(
        f"/reports/subscriptions/{sub.pk}/edit/",
        {
            "unit": sub.unit_id,
            "kind": sub.kind,
            "cadence": "weekly",
            "day": 8,
            "active": "on",
        },
    )
    assert bad.status_code == 400 and "1 (Monday) to 7 (Sunday)" in bad.content.decode()
    done = client.post(
        f"/reports/subscriptions/{sub.pk}/edit/",
        {
            "unit": sub.unit_id,
            "kind": sub.kind,
            "cadence": "weekly",
            "day": 7,
        },
    )
    assert done.status_code == 302
    sub.refresh_from_db()
    assert (sub.day, sub.active) == (7, False)  # unchecked: paused
    page = client.get(f"/reports/subscriptions/{sub.pk}/delete/")
    assert page.status_code == 200 and "Stop the subscription to" in page.content.decode()
    assert client.post(f"/reports/subscriptions/{sub.pk}/delete/").status_code == 302
    assert not ReportSubscription.objects.filter(pk=sub.pk).exists()


def test_the_admin_lists_them_for_the_staff(client, world, people):
    client.force_login(people["sam"])
    assert client.get("/admin/reports/reportsubscription/").status_code == 200
    assert client.get("/admin/reports/reportsubscription/", {"q": "eve"}).status_code == 200
    assert client.get("/admin/reports/reportsubscription/add/").status_code == 200
    page = client.get(f"/admin/reports/reportsubscription/{world['subscription'].pk}/change/")
    assert page.status_code == 200
