"""The outgoing-message ledger: one row per (kind, recipient, subject, period)."""

import datetime as dt

import pytest

from core.models import OutgoingMessage
from tests import factories as f
from tests.helpers import db_refuses, refused

pytestmark = pytest.mark.django_db

KEY = {
    "kind": "reminder",
    "recipient": "ann@example.com",
    "subject_key": "measure:1",
    "period": dt.date(2026, 1, 1),
}


def test_the_same_message_twice_is_refused_by_validation():
    f.OutgoingMessageFactory(**KEY)
    with refused(
        {
            "__all__": [
                "Outgoing message with this Kind, Recipient, Subject key and Period already exists."
            ]
        }
    ):
        f.OutgoingMessageFactory(**KEY)


def test_the_database_refuses_the_same_message_twice():
    OutgoingMessage.objects.create(**KEY)
    with db_refuses():
        OutgoingMessage.objects.create(**KEY)


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "escalation"},
        {"recipient": "bob@example.com"},
        {"subject_key": "measure:2"},
        {"period": dt.date(2026, 2, 1)},
    ],
)
def test_a_message_differing_in_one_part_of_the_key_is_another_message(change):
    OutgoingMessage.objects.create(**KEY)
    OutgoingMessage.objects.create(**(KEY | change))
    assert OutgoingMessage.objects.count() == 2


def test_the_database_refuses_an_unknown_status():
    with db_refuses():
        OutgoingMessage.objects.create(**KEY, status="lost")
