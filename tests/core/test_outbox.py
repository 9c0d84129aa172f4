"""The outbox (core/outbox.py): composed once, delivered once, retried until it goes."""

import datetime as dt
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from core.models import OutgoingMessage
from core.outbox import Draft, backoff, message_id, messages_compose, messages_deliver

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 27)


def drafts(n, kind="data_reminder"):
    return [
        Draft(
            kind=kind,
            recipient=f"p{i}@example.com",
            subject_key=f"user:{i}",
            period=DAY,
            subject=f"Hello {i}",
            body=f"Text {i}",
            html=f"<p>Text {i}</p>",
        )
        for i in range(n)
    ]


class FlakyBackend(EmailBackend):
    """Refuses the recipients in `refuse` (like an SMTP server answering 4xx)."""

    refuse: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & self.refuse:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (451, b"try later")})
        return super().send_messages(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.FlakyBackend"
    FlakyBackend.refuse = set()
    yield FlakyBackend
    FlakyBackend.refuse = set()


def test_compose_is_idempotent():
    assert messages_compose(drafts(3)) == 3
    assert messages_compose(drafts(4)) == 1  # the first three exist
    assert OutgoingMessage.objects.count() == 4
    assert set(OutgoingMessage.objects.values_list("status", flat=True)) == {"pending"}


def test_delivered_once_with_its_parts():
    messages_compose(drafts(3))
    result = messages_deliver()
    assert len(result.sent) == 3 and not result.failed
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{i}@example.com" for i in range(3)]
    first = OutgoingMessage.objects.get(recipient="p0@example.com")
    sent = next(m for m in mail.outbox if m.to == ["p0@example.com"])
    assert sent.subject == "Hello 0" and sent.body == "Text 0"
    assert sent.alternatives[0][0] == "<p>Text 0</p>"
    assert sent.extra_headers["Message-ID"] == message_id(first)
    assert (first.status, first.attempts, first.sent_at is not None) == ("sent", 1, True)
    # Delivering again, or composing the same again, sends nothing more.
    assert messages_deliver().sent == []
    messages_compose(drafts(3))
    assert messages_deliver().sent == [] and len(mail.outbox) == 3


def test_an_attachment_travels_with_it():
    messages_compose([Draft(kind="report", recipient="a@example.com", subject_key="unit:1",
                            period=DAY, subject="Report", body="See the file",
                            attachments=({"name": "lists.csv", "content": "a,b\n1,2\n",
                                          "mimetype": "text/csv"},))])  # fmt: skip
    messages_deliver()
    assert mail.outbox[0].attachments == [("lists.csv", "a,b\n1,2\n", "text/csv")]


def test_a_refused_message_is_retried_after_the_backoff_and_the_others_go(flaky):
    messages_compose(drafts(4))
    flaky.refuse = {"p1@example.com"}
    with time_machine.travel(dt.datetime(2026, 11, 27, 8, tzinfo=dt.UTC), tick=False):
        result = messages_deliver()
    assert len(result.sent) == 3 and len(result.failed) == 1
    failed = OutgoingMessage.objects.get(recipient="p1@example.com")
    assert failed.status == "failed" and "451" in failed.error
    # First failure: tried again after 2^0 = 1 minute, not before.
    assert failed.next_attempt_at == dt.datetime(2026, 11, 27, 8, 1, tzinfo=dt.UTC)
    flaky.refuse = set()
    with time_machine.travel(dt.datetime(2026, 11, 27, 8, 0, 30, tzinfo=dt.UTC), tick=False):
        assert messages_deliver().sent == []
    with time_machine.travel(dt.datetime(2026, 11, 27, 8, 1, 1, tzinfo=dt.UTC), tick=False):
        assert messages_deliver().sent == [failed.pk]
    # Each of the four arrived once.
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{i}@example.com" for i in range(4)]
    assert OutgoingMessage.objects.get(pk=failed.pk).attempts == 2


def test_backoff_doubles_up_to_six_hours():
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4, 10, 30)] == [
        1, 2, 4, 8, 360, 360,  # 2^9 = 512 minutes is over the cap of 360
    ]  # fmt: skip


def test_a_dead_workers_claim_is_taken_again_when_its_lease_runs_out(settings):
    settings.MAIL_LEASE_SECONDS = 300
    messages_compose(drafts(2))
    start = dt.datetime(2026, 11, 27, 8, tzinfo=dt.UTC)
    # A worker claimed both and died before sending.
    OutgoingMessage.objects.update(status="sending", lease_until=start + dt.timedelta(minutes=5))
    with time_machine.travel(start + dt.timedelta(minutes=4), tick=False):
        assert messages_deliver().sent == []  # still its
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        assert len(messages_deliver().sent) == 2
    assert len(mail.outbox) == 2


def test_a_claim_too_close_to_its_lease_end_is_not_sent(settings, monkeypatch):
    # An SMTP exchange may take EMAIL_TIMEOUT: a send is not started unless the lease
    # covers it with 5 s to spare.
    settings.EMAIL_TIMEOUT, settings.MAIL_LEASE_SECONDS = 30, 70
    messages_compose(drafts(1))
    real_now = timezone.now
    calls = {"n": 0}

    def later():  # the claim happens at t, the check 40 s later: 40 + 35 > 70
        calls["n"] += 1
        return real_now() + (dt.timedelta(seconds=40) if calls["n"] > 1 else dt.timedelta())

    monkeypatch.setattr("core.outbox.timezone.now", later)
    assert messages_deliver().sent == []
    assert OutgoingMessage.objects.get().status == "sending"


def test_only_the_given_messages():
    messages_compose(drafts(3))
    ids = sorted(OutgoingMessage.objects.values_list("id", flat=True))
    assert messages_deliver(only=[ids[1]]).sent == [ids[1]]
    assert OutgoingMessage.objects.filter(status="pending").count() == 2


def test_batches(settings):
    settings.MAIL_BATCH = 2
    messages_compose(drafts(5))
    assert len(messages_deliver().sent) == 5
