"""User management's services (accounts/services/users.py): invitations, roles, headed
units, deactivation, reactivation, unlocking; each refusal's message and that a refusal
writes nothing; what each records in the audit log."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import PermissionDenied
from knox.models import AuthToken

from accounts.invitations import invitation_tokens
from accounts.models import AuditEvent, UserSession
from accounts.services import users as services
from core.audit import AuditKind
from core.models import OutgoingMessage
from core.roles import EXECUTIVE, HR, OSM_STAFF, UNIT_HEAD
from people.models import Employee
from scorecards.models import OrgUnit
from tests import factories as f
from tests.accounts.users_world import build_world, invitation_path, roles
from tests.helpers import refused

User = get_user_model()


@pytest.fixture
def world(db):
    return build_world()


def events(kind) -> list[tuple]:
    rows = AuditEvent.objects.filter(kind=kind).order_by("id")
    return list(rows.values_list("actor_name", "target_name", "detail"))


# Invitations ---------------------------------------------------------------------------------


def test_invite_creates_the_account_links_the_employee_and_mails_a_link(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ann = services.user_invite(
            email="Ann@Example.com",
            full_name="Ann  Archer",
            roles=[EXECUTIVE, UNIT_HEAD],
            invited_by=world.staff,
        )
    ann.refresh_from_db()
    assert (ann.username, ann.email, ann.first_name, ann.last_name) == (
        "ann", "Ann@example.com", "Ann", "Archer",
    )  # fmt: skip
    assert ann.is_active and not ann.has_usable_password()
    assert roles(ann) == {EXECUTIVE, UNIT_HEAD}
    assert Employee.objects.get(email="ann@example.com").user == ann
    message = OutgoingMessage.objects.get(kind="invitation")
    assert (message.recipient, message.status) == ("Ann@example.com", "sent")
    assert [m.to for m in mail.outbox] == [["Ann@example.com"]]
    body = mail.outbox[0].body
    assert "Your username: ann" in body and "Sam Staff invites you" in body
    assert "for 7 days" in body
    assert events(AuditKind.USER_INVITED) == [("staff", "ann", "Executive, Unit head")]
    # The link's token is an invitation's, not a password reset's.
    token = invitation_path(body).rstrip("/").rsplit("/", 1)[1]
    assert invitation_tokens.check_token(ann, token)
    assert not default_token_generator.check_token(ann, token)


def test_invite_makes_a_free_username_from_the_address(world):
    f.UserFactory(username="ann")
    f.UserFactory(username="Ann-2")  # taken in another case
    ann = services.user_invite(
        email="ann@other.example", full_name="Ann Other", roles=[], invited_by=world.staff
    )
    assert ann.username == "ann-3"
    odd = services.user_invite(
        email="O'Neil+x@example.com", full_name="Pat O'Neil", roles=[], invited_by=None
    )
    assert odd.username == "oneil+x"


def test_invite_refuses_each_problem_on_its_field_and_writes_nothing(world):
    before = User.objects.count()
    with refused(
        {
            "email": ["HR@example.com already has an account (hr): change that user's roles "
                      "instead."],
            "full_name": ["Enter the person's name."],
            "roles": ["No such role: Boss. The roles are OSM staff, Executive, Unit head, HR, "
                      "Measure owner, Employee."],
        }
    ):  # fmt: skip
        services.user_invite(
            email="HR@example.com", full_name="  ", roles=["Boss", HR], invited_by=world.staff
        )
    with refused({"email": ["Enter a valid e-mail address."]}):
        services.user_invite(email="nobody", full_name="No One", roles=[], invited_by=world.staff)
    with refused({"username": ["The username HEAD is taken."]}):
        services.user_invite(
            email="x@example.com", full_name="X", roles=[], invited_by=world.staff, username="HEAD"
        )
    assert User.objects.count() == before
    assert not OutgoingMessage.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.USER_INVITED).exists()


@pytest.mark.parametrize("who", ["head", "hr", "employee"])
def test_only_the_osm_staff_invite(world, who):
    with pytest.raises(PermissionDenied):
        services.user_invite(
            email="new@example.com", full_name="New One", roles=[], invited_by=getattr(world, who)
        )
    assert not User.objects.filter(email="new@example.com").exists()


def test_the_invitation_link_expires_after_invitation_days(world, settings):
    settings.INVITATION_DAYS = 3
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        ann = services.user_invite(
            email="ann@example.com", full_name="Ann", roles=[], invited_by=world.staff
        )
        token = invitation_tokens.make_token(ann)
    with time_machine.travel(start + dt.timedelta(days=3), tick=False):
        assert invitation_tokens.check_token(ann, token)
    with time_machine.travel(start + dt.timedelta(days=3, seconds=1), tick=False):
        assert not invitation_tokens.check_token(ann, token)
    # A password reset's token (its own salt and timeout) is no invitation.
    assert not invitation_tokens.check_token(ann, default_token_generator.make_token(ann))
    assert not invitation_tokens.check_token(ann, "garbage")
    assert not invitation_tokens.check_token(ann, "a-b-c")


def test_sending_the_invitation_again(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ann = services.user_invite(
            email="ann@example.com", full_name="Ann", roles=[], invited_by=world.staff
        )
    later = time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))
    with later, django_capture_on_commit_callbacks(execute=True):
        services.user_invitation_resend(user=ann, by=world.staff)
    assert len(mail.outbox) == 2
    assert events(AuditKind.USER_INVITED)[-1] == ("staff", "ann", "again")
    message = "Head Hal has signed in already: no invitation to send."
    world.head.first_name, world.head.last_name = "Head", "Hal"
    with refused({"__all__": [message]}):
        services.user_invitation_resend(user=world.head, by=world.staff)


# Roles ---------------------------------------------------------------------------------------


def test_roles_are_given_and_taken_and_recorded(world):
    added, removed = services.user_roles_set(
        user=world.hr, roles=[EXECUTIVE, UNIT_HEAD], by=world.staff
    )
    assert (added, removed) == ([EXECUTIVE, UNIT_HEAD], [HR])
    assert roles(world.hr) == {EXECUTIVE, UNIT_HEAD}
    assert events(AuditKind.ROLES_CHANGED) == [("staff", "hr", "+Executive +Unit head \u2212HR")]
    # The same roles again change nothing and record nothing.
    assert services.user_roles_set(user=world.hr, roles=[UNIT_HEAD, EXECUTIVE], by=world.staff) == (
        [], [],
    )  # fmt: skip
    assert AuditEvent.objects.filter(kind=AuditKind.ROLES_CHANGED).count() == 1


def test_groups_that_are_not_roles_are_kept(world):
    from django.contrib.auth.models import Group

    world.hr.groups.add(Group.objects.create(name="Board readers"))
    services.user_roles_set(user=world.hr, roles=[EXECUTIVE], by=world.staff)
    assert roles(world.hr) == {EXECUTIVE, "Board readers"}


def test_roles_refusals(world):
    with refused({"roles": ["No such role: Admin. The roles are OSM staff, Executive, Unit "
                            "head, HR, Measure owner, Employee."]}):  # fmt: skip
        services.user_roles_set(user=world.hr, roles=["Admin"], by=world.staff)
    # A unit head cannot grant roles, not even to himself.
    with pytest.raises(PermissionDenied):
        services.user_roles_set(user=world.head, roles=[UNIT_HEAD, OSM_STAFF], by=world.head)
    services.user_roles_set(user=world.boss, roles=[], by=world.staff)
    message = (
        "Sam Staff is the last active OSM staff member: give someone else the role first, or "
        "no one could manage users any more."
    )
    with refused({"roles": [message]}):
        services.user_roles_set(user=world.staff, roles=[EXECUTIVE], by=world.staff)
    assert roles(world.staff) == {OSM_STAFF}
    assert roles(world.head) == {UNIT_HEAD}


# Units headed --------------------------------------------------------------------------------


def test_units_headed_are_set_through_the_unit_service_and_recorded(world):
    services.user_roles_set(user=world.hr, roles=[HR, UNIT_HEAD], by=world.staff)
    taken, left = services.user_units_head_set(
        user=world.hr, units=[world.sales, world.make], by=world.staff
    )
    assert {u.code for u in taken} == {"SALES", "MAKE"} and left == []
    assert set(OrgUnit.objects.filter(head=world.hr).values_list("code", flat=True)) == {
        "SALES", "MAKE",
    }  # fmt: skip
    # Recorded by the unit service (scorecards/services/units.py), once per unit.
    assert events(AuditKind.HEAD_CHANGED) == [
        ("staff", "hr", "unit MAKE; head before: nobody"),
        ("staff", "hr", "unit SALES; head before: head"),
    ]
    taken, left = services.user_units_head_set(user=world.hr, units=[world.make], by=world.staff)
    assert taken == [] and [u.code for u in left] == ["SALES"]
    assert OrgUnit.objects.get(code="SALES").head is None
    assert events(AuditKind.HEAD_CHANGED)[-1] == ("staff", "", "unit SALES; head before: hr")


def test_units_need_the_unit_head_role_and_an_active_user(world):
    message = "Give Hana Human the role Unit head too: without it, heading a unit grants nothing."
    with refused({"units": [message]}):
        services.user_units_head_set(user=world.hr, units=[world.make], by=world.staff)
    assert OrgUnit.objects.get(code="MAKE").head is None
    with pytest.raises(PermissionDenied):
        services.user_units_head_set(user=world.head, units=[world.make], by=world.head)


def test_roles_and_units_together_are_all_or_nothing(world):
    message = "Give Hana Human the role Unit head too: without it, heading a unit grants nothing."
    with refused({"units": [message]}):
        services.user_access_set(user=world.hr, roles=[EXECUTIVE], units=[world.make],
                                 by=world.staff)  # fmt: skip
    assert roles(world.hr) == {HR}
    assert not AuditEvent.objects.exists()
    services.user_access_set(
        user=world.hr, roles=[HR, UNIT_HEAD], units=[world.make], by=world.staff
    )
    assert OrgUnit.objects.get(code="MAKE").head == world.hr


# Deactivation, reactivation ------------------------------------------------------------------


def test_deactivation_ends_every_session_and_token_at_once(world):
    UserSession.objects.create(session_key="k1", user=world.hr)
    UserSession.objects.create(session_key="k2", user=world.hr)
    AuthToken.objects.create(world.hr)
    AuthToken.objects.create(world.head)
    assert services.user_deactivate(user=world.hr, by=world.staff) == (2, 1)
    world.hr.refresh_from_db()
    assert not world.hr.is_active
    assert not UserSession.objects.filter(user=world.hr).exists()
    assert not AuthToken.objects.filter(user=world.hr).exists()
    assert AuthToken.objects.filter(user=world.head).count() == 1
    assert events(AuditKind.USER_DEACTIVATED) == [("staff", "hr", "2 sessions, 1 tokens ended")]
    # Twice: nothing more to do, nothing recorded.
    assert services.user_deactivate(user=world.hr, by=world.staff) == (0, 0)
    assert AuditEvent.objects.filter(kind=AuditKind.USER_DEACTIVATED).count() == 1
    services.user_reactivate(user=world.hr, by=world.staff)
    world.hr.refresh_from_db()
    assert world.hr.is_active and roles(world.hr) == {HR}
    assert events(AuditKind.USER_REACTIVATED) == [("staff", "hr", "")]


def test_deactivation_refusals(world):
    with refused({"is_active": ["You cannot deactivate yourself."]}):
        services.user_deactivate(user=world.staff, by=world.staff)
    services.user_deactivate(user=world.boss, by=world.staff)
    superuser = f.UserFactory(username="root", is_superuser=True)
    with pytest.raises(PermissionDenied):
        services.user_deactivate(user=superuser, by=world.staff)
    # The superuser deactivates the last OSM staff member (a superuser is left)...
    services.user_deactivate(user=world.staff, by=superuser)
    services.user_reactivate(user=world.staff, by=superuser)
    # ...but not the last one who could manage users.
    superuser.is_active = False
    superuser.save()
    with refused(
        {
            "is_active": [
                "Sam Staff is the last active OSM staff member: give someone "
                "else the role first, or no one could manage users any more."
            ]
        }
    ):
        services.user_deactivate(user=world.staff, by=None)  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.user_deactivate(user=world.hr, by=world.head)
    with pytest.raises(PermissionDenied):
        services.user_reactivate(user=world.boss, by=world.hr)


# Unlocking -----------------------------------------------------------------------------------


def lock(username: str, address: str, failures: int = 5) -> AccessAttempt:
    return AccessAttempt.objects.create(
        username=username, ip_address=address, user_agent="test", failures_since_start=failures,
        get_data="", post_data="", http_accept="", path_info="/accounts/login/",
    )  # fmt: skip


def test_unlock_clears_every_lockout_of_the_username(world):
    lock("hr", "10.0.0.1")
    lock("HR", "10.0.0.2")
    lock("head", "10.0.0.1")
    assert services.user_unlock(user=world.hr, by=world.staff) == 2
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["head"]
    assert events(AuditKind.UNLOCKED) == [("staff", "hr", "10.0.0.1, 10.0.0.2")]
    assert services.user_unlock(user=world.hr, by=world.staff) == 0  # nothing to unlock
    assert AuditEvent.objects.filter(kind=AuditKind.UNLOCKED).count() == 1
    with pytest.raises(PermissionDenied):
        services.user_unlock(user=world.head, by=world.head)


# The API's changes ---------------------------------------------------------------------------


def test_user_update_checks_every_detail_at_once(world):
    with refused({
        "username": ["The username Head is taken."],
        "email": ["Enter a valid e-mail address."],
        "full_name": ["Enter the person's name."],
    }):  # fmt: skip
        services.user_update(
            user=world.hr, data={"username": "Head", "email": "x", "full_name": ""}, by=world.staff
        )
    assert world.hr.username == "hr"  # the object is left as it was, too
    world.hr.refresh_from_db()
    assert world.hr.username == "hr"
    services.user_update(
        user=world.hr,
        data={"username": "hana", "full_name": "Hana Hu Man", "email": "hana@example.com",
              "roles": [HR, EXECUTIVE], "is_active": False},
        by=world.staff,
    )  # fmt: skip
    world.hr.refresh_from_db()
    assert (world.hr.username, world.hr.first_name, world.hr.last_name, world.hr.email) == (
        "hana", "Hana", "Hu Man", "hana@example.com",
    )  # fmt: skip
    assert not world.hr.is_active and roles(world.hr) == {HR, EXECUTIVE}
    assert [kind for (kind,) in AuditEvent.objects.order_by("id").values_list("kind")] == [
        AuditKind.ROLES_CHANGED, AuditKind.USER_DEACTIVATED,
    ]  # fmt: skip


def test_without_password_sign_in_the_invitation_points_to_single_sign_on(
    world, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_LOGIN = False
    settings.OIDC_PROVIDER_NAME = "Contoso ID"
    with django_capture_on_commit_callbacks(execute=True):
        services.user_invite(
            email="ann@example.com", full_name="Ann", roles=[EXECUTIVE], invited_by=world.staff
        )
    body = mail.outbox[0].body
    assert "Sign in with Contoso ID at http://" in body and "/accounts/login/" in body
    assert "/accounts/users/invitation/" not in body
