"""Review meetings and their action items."""

import datetime as dt

import pytest

from reviews import services
from reviews.choices import ActionStatus, MeetingKind
from reviews.models import ActionItem, ReviewMeeting
from tests import factories as f
from tests.helpers import db_refuses, refused

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 3, 5, 9, 30, tzinfo=dt.UTC)
DUE = dt.date(2026, 3, 31)


@pytest.fixture
def tree():
    return f.four_level_tree()


@pytest.fixture
def meeting(tree):
    return services.meeting_create(
        actor=None,
        data={
            "unit": tree.b1,
            "kind": MeetingKind.STRATEGY,
            "title": "Q1 strategy review",
            "scheduled_for": WHEN,
        },
    )


def test_meeting_schedule_sets_fields_and_attendees(tree):
    chair, ann, bob = f.UserFactory.create_batch(3)
    meeting = services.meeting_create(
        actor=None,
        data={
            "unit": tree.b1,
            "kind": MeetingKind.OPERATIONAL,
            "title": "March operations",
            "scheduled_for": WHEN,
            "chair": chair,
            "attendees": [ann, bob],
        },
    )
    meeting = ReviewMeeting.objects.get(pk=meeting.pk)
    assert (meeting.unit, meeting.kind, meeting.scheduled_for, meeting.chair) == (
        tree.b1,
        MeetingKind.OPERATIONAL,
        WHEN,
        chair,
    )
    assert set(meeting.attendees.all()) == {ann, bob}


def test_an_unknown_meeting_kind_is_refused(tree):
    with refused({"kind": ["Value 'party' is not a valid choice."]}):
        services.meeting_create(
            actor=None, data={"unit": tree.b1, "kind": "party", "title": "X", "scheduled_for": WHEN}
        )
    assert not ReviewMeeting.objects.exists()


def test_the_database_refuses_an_unknown_meeting_kind(tree):
    with db_refuses():
        ReviewMeeting.objects.create(unit=tree.b1, kind="party", title="X", scheduled_for=WHEN)


@pytest.mark.parametrize("where", ["b1", "d1", "t1"])
def test_an_action_item_may_name_an_objective_of_the_meetings_unit_or_below(meeting, tree, where):
    owner = f.UserFactory()
    objective = f.ObjectiveFactory(unit=getattr(tree, where))
    item = services.action_item_create(
        actor=None,
        data={
            "meeting": meeting,
            "title": "Fix churn",
            "due": DUE,
            "objective": objective,
            "owner": owner,
        },
    )
    item = ActionItem.objects.get(pk=item.pk)
    assert (item.meeting, item.objective, item.owner, item.status) == (
        meeting,
        objective,
        owner,
        ActionStatus.OPEN,
    )


@pytest.mark.parametrize("where", ["ent", "b2"])
def test_an_action_item_naming_an_objective_above_or_elsewhere_is_refused(meeting, tree, where):
    objective = f.ObjectiveFactory(unit=getattr(tree, where), code="ELSE")
    message = f"{where.upper()}.ELSE is not an objective of B1 or a unit below it."
    with refused({"objective": [message]}):
        services.action_item_create(
            actor=None, data={"meeting": meeting, "title": "X", "due": DUE, "objective": objective}
        )
    assert not ActionItem.objects.exists()


def test_action_item_create_refuses_unknown_fields(meeting):
    with refused({"meeting_id": ["This field cannot be changed here."]}):
        services.action_item_create(
            actor=None, data={"meeting": meeting, "title": "X", "due": DUE, "meeting_id": 1}
        )


def test_the_database_refuses_an_unknown_action_status(meeting):
    with db_refuses():
        ActionItem.objects.create(meeting=meeting, title="X", due=DUE, status="maybe")


def test_action_item_model_clean_refuses_an_objective_outside_the_meeting_subtree():
    # the rule lives in ActionItem.clean, so the admin's form and the service agree
    meeting = f.ReviewMeetingFactory(unit=f.OrgUnitFactory(code="MEET"))
    elsewhere = f.ObjectiveFactory(unit=f.OrgUnitFactory(code="ELSE"), code="X1")
    item = ActionItem(meeting=meeting, objective=elsewhere, title="t", due=dt.date(2026, 1, 1))
    with refused({"objective": ["ELSE.X1 is not an objective of MEET or a unit below it."]}):
        item.full_clean()


def test_an_action_item_on_an_unsaved_meeting_is_checked_against_its_unit():
    unit = f.OrgUnitFactory(code="NEWM")
    meeting = ReviewMeeting(unit=unit, kind=MeetingKind.OPERATIONAL, title="m")
    below = f.ObjectiveFactory(unit=f.DepartmentFactory(parent=unit), code="OK1")
    item = ActionItem(meeting=meeting, objective=below, title="t", due=dt.date(2026, 1, 1))
    item.clean()  # a department's objective is below the meeting's unit: accepted
