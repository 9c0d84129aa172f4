"""Reminders of an awareness pulse (communication/services/pulses.py): in its last two days,
each person it asks who has not answered gets one e-mail through the outbox ledger, once,
however often the job runs; the Celery task and the management command.

The world (tests/communication/worlds.py): a pulse of BU (dana, nora of DEP and
bob of BU asked) open from 20 November to 4 December 2026."""

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from communication.services.pulses import PULSE_REMINDER, pulse_answer, pulse_reminders_compose
from communication.tasks import send_pulse_reminders
from core.models import OutgoingMessage, Preferences
from tests.communication.worlds import pulse_world

pytestmark = pytest.mark.django_db
DEC = {day: dt.date(2026, 12, day) for day in range(1, 6)}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def w():
    world = pulse_world()
    pulse_answer(actor=world.bob, pulse=world.pulse, objective=None, understanding=3)
    return world


def recipients() -> list[str]:
    messages = OutgoingMessage.objects.filter(kind=PULSE_REMINDER)
    return sorted(messages.values_list("recipient", flat=True))


@pytest.mark.parametrize("day", [dt.date(2026, 11, 27), DEC[1], DEC[2]])
def test_nothing_before_the_last_two_days(w, day):
    assert pulse_reminders_compose(day=day) == 0


def test_the_day_before_it_closes_those_who_have_not_answered(w):
    # dana and nora of DEP have not answered; bob has; olga (OTHER) and ivan (inactive
    # record) are not asked.
    assert pulse_reminders_compose(day=DEC[3]) == 2
    assert recipients() == ["dana@example.com", "nora@example.com"]
    message = OutgoingMessage.objects.get(recipient="dana@example.com")
    assert (message.subject_key, message.period, message.user_id) == (
        f"pulse:{w.pulse.pk}", DEC[4], w.dana.pk
    )  # fmt: skip
    assert message.subject == "OSM: “Autumn pulse” closes on 4 Dec 2026: two questions"
    assert f"/pulses/{w.pulse.pk}/answer/" in message.body
    assert "never with your name" in message.body and "Hello First" in message.body
    assert f"/pulses/{w.pulse.pk}/answer/" in message.html


def test_once_however_often_the_job_runs(w):
    assert pulse_reminders_compose(day=DEC[3]) == 2
    assert pulse_reminders_compose(day=DEC[3]) == 0
    assert pulse_reminders_compose(day=DEC[4]) == 0  # its last day: already reminded
    assert pulse_reminders_compose(day=DEC[5]) == 0  # closed
    assert len(recipients()) == 2


def test_who_answers_in_between_is_not_reminded(w):
    pulse_answer(actor=w.dana, pulse=w.pulse, objective=None, understanding=3,
                 today=DEC[3])  # fmt: skip
    assert pulse_reminders_compose(day=DEC[4]) == 1
    assert recipients() == ["nora@example.com"]


def test_a_login_without_an_address_uses_the_employee_record(w):
    w.nora.email = ""
    w.nora.save()
    pulse_reminders_compose(day=DEC[3])
    nora_record = w.nora.employee.email
    assert recipients() == sorted(["dana@example.com", nora_record])


def test_a_reminder_in_the_recipients_language(w):
    Preferences.objects.update_or_create(user=w.dana, defaults={"language": "fr"})
    pulse_reminders_compose(day=DEC[3])
    french = OutgoingMessage.objects.get(recipient="dana@example.com")
    english = OutgoingMessage.objects.get(recipient="nora@example.com")
    assert french.subject != english.subject
    assert english.subject.startswith("OSM: “Autumn pulse” closes on")


def test_a_pulse_closing_later_reminds_before_its_new_day(w):
    pulse_reminders_compose(day=DEC[3])
    w.pulse.closes_on = dt.date(2026, 12, 11)
    w.pulse.save()
    assert pulse_reminders_compose(day=dt.date(2026, 12, 10)) == 2


def test_the_task_composes_and_delivers(w, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_pulse_reminders.delay("2026-12-03").get() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["dana@example.com", "nora@example.com"]
    assert set(OutgoingMessage.objects.values_list("status", flat=True)) == {"sent"}
    with django_capture_on_commit_callbacks(execute=True):
        assert send_pulse_reminders.delay("2026-12-03").get() == 0
    assert len(mail.outbox) == 2


def test_the_command(w):
    out = io.StringIO()
    call_command("send_pulse_reminders", "--date", "2026-12-03", stdout=out)
    assert "Pulse reminders of 2026-12-03: composed 2." in out.getvalue()
    assert "Sent 2; 0 failed." in out.getvalue()
    with pytest.raises(CommandError, match="--date"):
        call_command("send_pulse_reminders", "--date", "3 Dec", stdout=io.StringIO())
