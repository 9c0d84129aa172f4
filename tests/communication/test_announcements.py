"""Announcements' rules (communication/services/announcements.py and its selectors): who is
reached and told, read marks, the read share by unit worked out by hand, and the cost of the
reads."""

from fractions import Fraction

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from communication.models import Announcement, AnnouncementRead
from communication.selectors.announcements import (
    announcements_for,
    audience_of,
    latest_for,
    publishable_units,
    reach_of,
    sees_reach,
)
from communication.services import announcements as services
from core.models import Notification, NotificationKind
from scorecards.models import OrgUnit
from tests import factories as f
from tests.communication.worlds import small_org
from tests.factories import AnnouncementFactory, AnnouncementReadFactory
from tests.helpers import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return small_org()


def publish(actor, unit, **data):
    data = {"unit": unit, "title": "Q3 focus", "body": "Grow *key* accounts.", **data}
    return services.announcement_publish(actor=actor, data=data)


def told(announcement) -> set[str]:
    rows = Notification.objects.filter(
        kind=NotificationKind.ANNOUNCEMENT, key=f"announcement:{announcement.pk}"
    )
    return set(rows.values_list("recipient__username", flat=True))


# Who is reached and told ---------------------------------------------------------------------


def test_the_audience_is_the_people_with_a_login_of_the_subtree(org):
    # B1's subtree is B1, D1, T1: ana, ben (B1), cy, dee (D1), eve (T1). Not fay (inactive
    # record), not the record without a login, not gus (B2), not the head (no record).
    assert set(audience_of(org.b1.pk).values_list("username", flat=True)) == {
        "ana", "ben", "cy", "dee", "eve",
    }  # fmt: skip
    assert set(audience_of(org.d1.pk).values_list("username", flat=True)) == {"cy", "dee", "eve"}


def test_publishing_tells_the_audience_only_with_a_link(org):
    announcement = publish(org.head, org.b1)
    assert told(announcement) == {"ana", "ben", "cy", "dee", "eve"}
    note = Notification.objects.get(recipient=org.ana, kind=NotificationKind.ANNOUNCEMENT)
    assert note.url == f"/announcements/{announcement.pk}/"
    assert "Q3 focus" in note.text and note.read_at is None
    assert announcement.author == org.head


def test_the_author_in_the_audience_is_not_told(org):
    # The OSM staff member has an employee record in D1: he is reached, but wrote it.
    f.EmployeeFactory(user=org.staff, unit=org.d1, name="Staff")
    announcement = publish(org.staff, org.d1)
    assert told(announcement) == {"cy", "dee", "eve"}


def test_publishing_is_all_or_nothing(org, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the inbox is down")

    monkeypatch.setattr(services, "notify", broken)
    with pytest.raises(RuntimeError):
        publish(org.head, org.b1)
    assert not Announcement.objects.exists()


def test_moving_an_announcement_tells_only_those_newly_reached(org):
    announcement = publish(org.head, org.d1)  # cy, dee, eve told
    services.announcement_update(actor=org.staff, instance=announcement, data={"unit": org.b1})
    # Now B1's subtree: ana and ben are newly reached; cy, dee, eve have one notice each.
    assert told(announcement) == {"ana", "ben", "cy", "dee", "eve"}
    assert Notification.objects.filter(recipient=org.cy, kind="announcement").count() == 1


def test_withdrawing_takes_its_notifications_and_read_marks_away(org):
    announcement = publish(org.head, org.b1)
    services.announcement_read(actor=org.ana, announcement=announcement)
    services.announcement_delete(actor=org.head, instance=announcement)
    assert not Notification.objects.filter(kind="announcement").exists()
    assert not AnnouncementRead.objects.exists()


# Who may publish -----------------------------------------------------------------------------


def test_a_head_publishes_in_his_subtree_only(org):
    assert publish(org.head, org.t1).unit == org.t1  # T1 is below B1
    with pytest.raises(PermissionDenied):
        publish(org.head, org.b2)
    with pytest.raises(PermissionDenied):
        publish(org.ana, org.b1)  # an employee publishes nothing
    announcement = publish(org.staff, org.b2)
    with pytest.raises(PermissionDenied):
        services.announcement_update(actor=org.head, instance=announcement, data={"title": "X"})
    with pytest.raises(PermissionDenied):  # nor moves his own out of his subtree
        services.announcement_update(
            actor=org.head, instance=publish(org.head, org.b1), data={"unit": org.b2}
        )


def test_the_units_offered_are_those_the_rules_allow(org):
    # The head: B1's subtree (B1, D1, T1); the OSM staff: all five units; an employee: none.
    cases = [
        (org.head, {"B1", "D1", "T1"}),
        (org.staff, {"ENT", "B1", "D1", "T1", "B2"}),
        (org.ana, set()),
    ]
    for user, expected in cases:
        offered = set(publishable_units(user).values_list("code", flat=True))
        assert offered == expected
        may = "communication.add_announcement"
        assert {u.code for u in OrgUnit.objects.all() if user.has_perm(may, u)} == expected


def test_bad_input_is_refused_by_field(org):
    with refused({"title": ["Give the announcement a title."]}):
        publish(org.head, org.b1, title="   ")
    with refused({"body": ["Write the announcement."]}):
        publish(org.head, org.b1, body="")
    with refused({"unit": ["Choose the unit the announcement is addressed to."]}):
        publish(org.head, None)
    with refused({"objectives": ["No such objective, or not one you may see."]}):
        publish(org.head, org.b1, objectives=[999_999])
    assert not Announcement.objects.exists()
    sell = f.ObjectiveFactory(unit=org.b1, code="SELL")
    assert list(publish(org.head, org.b1, objectives=[sell]).objectives.all()) == [sell]


# Reading ---------------------------------------------------------------------------------------


def test_a_read_mark_is_made_once_and_reads_the_notification(org):
    announcement = publish(org.head, org.b1)
    for _ in range(3):
        services.announcement_read(actor=org.ana, announcement=announcement)
    assert AnnouncementRead.objects.filter(announcement=announcement).count() == 1
    note = Notification.objects.get(recipient=org.ana, kind="announcement")
    assert note.read_at is not None
    # ben's notification is his own: still unread.
    assert Notification.objects.get(recipient=org.ben, kind="announcement").read_at is None


def test_the_read_share_by_unit_worked_out_by_hand(org):
    announcement = publish(org.staff, org.b1)
    for reader in (org.ben, org.eve, org.gus, org.staff, org.fay):
        services.announcement_read(actor=reader, announcement=announcement)
    reach = reach_of(announcement)
    # Reached: B1 ana, ben (2); D1 cy, dee (2; fay's record is inactive, the other has no
    # login); T1 eve (1): 5 people. Read: ben (B1) and eve (T1); gus (B2) and the staff
    # member are outside, fay is not counted: 2 of 5 = 40%.
    assert [(u.code, u.depth, u.readers, u.audience) for u in reach.units] == [
        ("B1", 0, 1, 2),
        ("D1", 1, 0, 2),
        ("T1", 2, 1, 1),
    ]
    assert (reach.readers, reach.audience) == (2, 5)
    assert reach.share == Fraction(40)
    assert [u.share for u in reach.units] == [Fraction(50), Fraction(0), Fraction(100)]


def test_a_unit_without_people_has_no_share(org):
    empty = f.OrgUnitFactory(code="E1", parent=org.b2)
    reach = reach_of(publish(org.staff, empty))
    assert (reach.readers, reach.audience, reach.share) == (0, 0, None)


def test_who_sees_the_reach(org):
    announcement = publish(org.head, org.b1)
    assert sees_reach(org.head, announcement) and sees_reach(org.staff, announcement)
    assert not sees_reach(org.ana, announcement)
    other_head = f.UserFactory(roles=["Unit head"])
    org.d1.head = other_head
    org.d1.save()
    assert not sees_reach(other_head, announcement)  # a head, but not its author


# Addressed to a person -----------------------------------------------------------------------


def test_addressed_to_the_persons_unit_and_those_above(org):
    to_ent = AnnouncementFactory(unit=org.ent, title="To all")
    to_b1 = AnnouncementFactory(unit=org.b1, title="To sales")
    to_t1 = AnnouncementFactory(unit=org.t1, title="To key accounts")
    AnnouncementFactory(unit=org.b2, title="To services")
    AnnouncementReadFactory(announcement=to_b1, user=org.cy)
    # cy is in D1: ENT and B1 are above her; T1 is below, B2 elsewhere.
    mine = announcements_for(org.cy, mine=True)
    assert {a.title: a.read for a in mine} == {"To all": False, "To sales": True}
    assert {a.title for a in announcements_for(org.eve, mine=True)} == {
        "To all", "To sales", "To key accounts",
    }  # fmt: skip
    assert announcements_for(org.staff, mine=True).count() == 0  # no employee record
    assert announcements_for(org.staff).count() == 4
    assert to_ent in latest_for(org.cy) and to_t1 not in latest_for(org.cy)


def fresh(user):
    """The user as a request has it: nothing cached on it yet."""
    return get_user_model().objects.get(pk=user.pk)


def test_latest_for_is_the_latest_with_read_flags_in_three_queries(org):
    for n in range(3):
        AnnouncementFactory(unit=org.ent, title=f"Old {n}")
    AnnouncementFactory(unit=org.b1, title="Newest")
    ana = fresh(org.ana)
    with CaptureQueriesContext(connection) as few:
        small = latest_for(ana, limit=2)
    for n in range(20):
        AnnouncementFactory(unit=org.b1, title=f"More {n}")
    ana = fresh(org.ana)
    with CaptureQueriesContext(connection) as many:
        big = latest_for(ana, limit=5)
    assert [a.title for a in small] == ["Newest", "Old 2"]
    assert len(big) == 5 and all(a.read is False for a in big)
    # Her roles (what she may see), her employee record's unit, then the announcements
    # (with their units and read flags).
    assert len(few) == len(many) == 3
    with CaptureQueriesContext(connection) as known:
        latest_for(ana, unit_id=org.b1.pk)  # roles known, unit given: the announcements
    assert len(known) == 1


def test_the_reach_costs_one_query_whatever_the_size(org):
    announcement = publish(org.staff, org.b1)
    with CaptureQueriesContext(connection) as small:
        reach_of(announcement)
    for n in range(5):
        unit = f.OrgUnitFactory(code=f"X{n}", parent=org.t1)
        for m in range(4):
            user = f.UserFactory(roles=["Employee"])
            f.EmployeeFactory(user=user, unit=unit)
            if m % 2:
                services.announcement_read(actor=user, announcement=announcement)
    with CaptureQueriesContext(connection) as big:
        reach = reach_of(announcement)
    assert len(small) == len(big) == 1
    # 5 before, and 5 units of 4 people, 2 of whom read each: 25 reached, 10 readers.
    assert (reach.readers, reach.audience, len(reach.units)) == (10, 25, 8)


def test_the_latest_fragment_marks_the_unread(org):
    read, unread = (
        AnnouncementFactory(unit=org.b1, title="Seen"),
        AnnouncementFactory(unit=org.ent, title="Not seen <b>yet</b>"),
    )
    AnnouncementReadFactory(announcement=read, user=org.ana)
    html = render_to_string(
        "communication/announcements/_latest.html", {"announcements": latest_for(org.ana)}
    )
    assert "Latest announcements" in html
    assert f'class="unread"><a href="/announcements/{unread.pk}/">' in html
    assert f'class="read"><a href="/announcements/{read.pk}/">' in html
    assert "Not seen &lt;b&gt;yet&lt;/b&gt;" in html and 'href="/announcements/"' in html
    empty = render_to_string("communication/announcements/_latest.html", {"announcements": []})
    assert "No announcement has been addressed to you yet." in empty
