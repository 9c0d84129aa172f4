"""The reminder jobs on given days (values due 10 days after their period, reminders 5 days
before, again 1 and 7 days after; escalation at 7; action items weekly)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from core.clock import week_of
from core.models import OutgoingMessage
from reviews import tasks
from reviews.reminders import (
    action_item_reminders_compose,
    data_reminders_compose,
    review_reminders_compose,
)
from scorecards.models import Measure
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def leads(settings):
    settings.MEASURE_DUE_DAYS = 10
    settings.REMINDER_LEAD_DAYS = 5
    settings.SITE_URL = "https://osm.example"


@pytest.fixture
def world():
    ent = f.EnterpriseFactory(code="ACME")
    boss = f.UserFactory(first_name="Bea", last_name="Boss", email="bea@example.com")
    bu = f.OrgUnitFactory(code="BU", parent=ent, head=boss)
    team = f.DepartmentFactory(code="TEAM", parent=bu)  # no head: escalations go to BU's
    ann = f.UserFactory(first_name="Ann", last_name="Lee", email="ann@example.com")
    rev = f.MeasureFactory(objective=f.ObjectiveFactory(unit=team), code="REV", owner=ann)
    # Created mid-September: September's value is in; October's (due 10 Nov) and later
    # ones are what Ann owes.
    Measure.objects.filter(pk=rev.pk).update(created_at=dt.datetime(2026, 9, 15, tzinfo=dt.UTC))
    f.MeasureValueFactory(measure=rev, period=dt.date(2026, 9, 1), actual=Decimal(1))
    return {"boss": boss, "ann": ann, "rev": rev, "team": team}


def sent_to(kind):
    return sorted(OutgoingMessage.objects.filter(kind=kind).values_list("recipient", "period"))


def test_nothing_on_a_day_without_a_trigger(world):
    # 12 Nov: October is 2 days overdue (not 1 or 7), November due 10 Dec is 28 days away.
    assert data_reminders_compose(day=dt.date(2026, 11, 12)) == 0


def test_one_day_overdue(world):
    # 11 Nov: October was due 10 Nov, one day late -> Ann's reminder lists it and November.
    assert data_reminders_compose(day=dt.date(2026, 11, 11)) == 1
    message = OutgoingMessage.objects.get(kind="data_reminder")
    assert (message.recipient, message.period) == ("ann@example.com", dt.date(2026, 11, 11))
    assert message.subject == "OSM: 2 values to enter, 1 overdue"
    assert "TEAM.REV" in message.body and "due 10 Nov 2026, 1 day late" in message.body
    assert "due 10 Dec 2026, in 29 days" in message.body  # 11 Nov + 29 days = 10 Dec
    assert f"https://osm.example/measures/{world['rev'].pk}/?period=2026-10" in message.body
    assert "<table" in message.html
    assert sent_to("data_escalation") == []


def test_seven_days_overdue_escalates_to_the_nearest_head_above(world):
    # 17 Nov: 7 days after 10 Nov. TEAM has no head; BU's head Bea hears of it.
    assert data_reminders_compose(day=dt.date(2026, 11, 17)) == 2
    assert sent_to("data_reminder") == [("ann@example.com", dt.date(2026, 11, 17))]
    escalation = OutgoingMessage.objects.get(kind="data_escalation")
    assert escalation.recipient == "bea@example.com"
    assert "owner Ann Lee" in escalation.body and "7 days overdue" in escalation.subject


def test_due_soon(world):
    f.MeasureValueFactory(measure=world["rev"], period=dt.date(2026, 10, 1), actual=Decimal(1))
    # 5 Dec: November is due 10 Dec, in 5 days; October is in: nothing overdue.
    assert data_reminders_compose(day=dt.date(2026, 12, 5)) == 1
    message = OutgoingMessage.objects.get()
    assert message.subject == "OSM: 1 value to enter"
    assert "in 5 days" in message.body and "Overdue" not in message.body


def test_twice_the_same_day_composes_once(world):
    day = dt.date(2026, 11, 11)
    assert data_reminders_compose(day=day) == 1
    assert data_reminders_compose(day=day) == 0
    assert OutgoingMessage.objects.count() == 1


def test_no_email_no_message(world):
    world["ann"].email = ""
    world["ann"].save()
    assert data_reminders_compose(day=dt.date(2026, 11, 11)) == 0


def test_overdue_action_items_weekly(world):
    meeting = f.ReviewMeetingFactory(unit=world["team"], title="TEAM review")
    bob = f.UserFactory(first_name="Bob", email="bob@example.com")
    f.ActionItemFactory(meeting=meeting, owner=bob, title="Fix the funnel",
                        due=dt.date(2026, 11, 1))  # fmt: skip
    f.ActionItemFactory(meeting=meeting, owner=bob, title="Done already",
                        due=dt.date(2026, 11, 1), status="done")  # fmt: skip
    wednesday = dt.date(2026, 11, 11)
    assert week_of(wednesday) == dt.date(2026, 11, 9)  # that week's Monday
    assert action_item_reminders_compose(day=wednesday) == 1
    message = OutgoingMessage.objects.get(kind="action_items_overdue")
    assert message.period == dt.date(2026, 11, 9)
    assert "Fix the funnel (due 1 Nov 2026, 10 days late)" in message.body
    assert "Done already" not in message.body
    assert action_item_reminders_compose(day=dt.date(2026, 11, 12)) == 0  # same week
    assert action_item_reminders_compose(day=dt.date(2026, 11, 16)) == 1  # next Monday


def test_the_command_sends_and_says_so(world):
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-11-17", stdout=out)
    assert "Sent 2; 0 failed." in out.getvalue()
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.com", "bea@example.com"]
    call_command("send_reminders", "--date", "2026-11-17", stdout=out)
    assert len(mail.outbox) == 2  # nothing twice


@pytest.mark.parametrize("bad", ["17/11/2026", "2026-02-30", "0001-01-01"])
def test_the_command_refuses_a_bad_date(bad):
    with pytest.raises(CommandError, match="--date"):
        call_command("send_reminders", "--date", bad)


def test_the_task_composes_then_queues_the_delivery(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.send_reminders.delay("2026-11-17").get()
    assert result == {"data_reminder": 2, "review_reminder": 0, "action_items_overdue": 0}
    assert len(mail.outbox) == 2
    assert set(OutgoingMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_review_reminders_three_days_before_with_the_agenda(world, settings):
    settings.REVIEW_LEAD_DAYS = 3
    settings.TIME_ZONE = "UTC"
    chair = f.UserFactory(first_name="Cleo", last_name="Chair", email="cleo@example.com")
    guest = f.UserFactory(email="guest@example.com")
    silent = f.UserFactory(email="")  # no address: not reminded
    meeting = f.ReviewMeetingFactory(
        unit=world["team"], title="TEAM November review", chair=chair,
        scheduled_for=dt.datetime(2026, 11, 14, 9, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    meeting.attendees.set([guest, silent, chair])
    f.ReviewMeetingFactory(unit=world["team"], status="cancelled",
                           scheduled_for=dt.datetime(2026, 11, 14, 11, tzinfo=dt.UTC))  # fmt: skip
    f.ReviewMeetingFactory(unit=world["team"],
                           scheduled_for=dt.datetime(2026, 11, 15, 9, tzinfo=dt.UTC))  # fmt: skip
    # 11 Nov + 3 days = 14 Nov: the first meeting only (the other that day is cancelled).
    assert review_reminders_compose(day=dt.date(2026, 11, 11)) == 2
    rows = sorted(OutgoingMessage.objects.values_list("recipient", "subject_key", "period"))
    assert rows == [
        ("cleo@example.com", f"meeting:{meeting.pk}", dt.date(2026, 11, 14)),
        ("guest@example.com", f"meeting:{meeting.pk}", dt.date(2026, 11, 14)),
    ]
    message = OutgoingMessage.objects.get(recipient="guest@example.com")
    assert message.subject == "OSM: TEAM November review, Sat 14 Nov 09:30"
    assert (
        "Saturday 14 November 2026, 09:30" in message.body and "Chair: Cleo Chair." in message.body
    )
    # The agenda: TEAM.REV's October value is overdue on the meeting's agenda.
    assert "3. Overdue values (1)" in message.body and "REV" in message.body
    assert f"https://osm.example/reviews/{meeting.pk}/" in message.body
    assert "Overdue values" in message.html
    assert review_reminders_compose(day=dt.date(2026, 11, 11)) == 0  # once


def test_the_scheduled_run_takes_todays_date(world, django_capture_on_commit_callbacks):
    # The beat queues the task without a day: it runs for the day it runs on.
    with (
        time_machine.travel(dt.datetime(2026, 11, 17, 6, 0, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.send_reminders.delay().get()
    assert sorted(OutgoingMessage.objects.values_list("kind", "period")) == [
        ("data_escalation", dt.date(2026, 11, 17)),
        ("data_reminder", dt.date(2026, 11, 17)),
    ]


# In the recipient's language ------------------------------------------------------------------


def test_each_reminder_in_its_recipients_language_whoever_runs_the_job(world):
    """Ann chose French, Bea German; the run happens while German is active (a page asked
    in German, say): Ann still reads French, and a recipient without a choice English."""
    from django.utils import translation

    from core.models import Preferences

    Preferences.objects.create(user=world["ann"], language="fr")
    Preferences.objects.create(user=world["boss"], language="de")
    # 17 Nov: Ann owes October (7 days late) and November; Bea hears of October.
    with translation.override("de"):
        assert data_reminders_compose(day=dt.date(2026, 11, 17)) == 2
    ann = OutgoingMessage.objects.get(kind="data_reminder")
    assert ann.subject == "OSM : 2 valeurs à saisir, dont 1 en retard"
    assert ann.body.startswith("Bonjour Ann Lee,")
    # October's value: "octobre 2026", due 10 November (French dates), 7 days late.
    assert "TEAM.REV" in ann.body and "octobre 2026 : échéance 10 novembre 2026" in ann.body
    assert "7 jours de retard" in ann.body
    assert '<html lang="fr">' in ann.html
    bea = OutgoingMessage.objects.get(kind="data_escalation")
    assert bea.subject == "OSM: 1 Wert Ihrer Einheiten seit 7 Tagen überfällig"
    assert "verantwortlich: Ann Lee" in bea.body and "Oktober 2026" in bea.body
    # Without a choice: English, though German was active when the job ran.
    meeting = f.ReviewMeetingFactory(unit=world["team"], title="TEAM review")
    bob = f.UserFactory(first_name="Bob", last_name="Brown", email="bob@example.com")
    f.ActionItemFactory(meeting=meeting, owner=bob, title="Fix", due=dt.date(2026, 11, 1))
    with translation.override("de"):
        assert action_item_reminders_compose(day=dt.date(2026, 11, 11)) == 1
    bob_message = OutgoingMessage.objects.get(kind="action_items_overdue")
    assert bob_message.subject == "OSM: 1 overdue action item"
    assert "Fix (due 1 Nov 2026, 10 days late)" in bob_message.body


def test_a_review_reminder_in_french(world, settings):
    settings.REVIEW_LEAD_DAYS = 3
    settings.TIME_ZONE = "UTC"
    from core.models import Preferences

    guest = f.UserFactory(first_name="Gil", last_name="Guest", email="gil@example.com")
    Preferences.objects.create(user=guest, language="fr")
    meeting = f.ReviewMeetingFactory(
        unit=world["team"], title="Revue de novembre", kind="operational",
        scheduled_for=dt.datetime(2026, 11, 14, 9, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    meeting.attendees.set([guest])
    assert review_reminders_compose(day=dt.date(2026, 11, 11)) == 1
    message = OutgoingMessage.objects.get()
    assert message.subject == "OSM : Revue de novembre, sam 14 novembre 09:30"
    assert (
        "Revue opérationnelle « Revue de novembre » de Unit TEAM a lieu le "
        "samedi 14 novembre 2026 à 09:30." in message.body
    )
    assert "3. Valeurs en retard (1)" in message.body
