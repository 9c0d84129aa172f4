"""User management by the OSM staff (issue 18, item 4): invite people by e-mail, give and
take roles, make someone head of units, deactivate and reactivate, unlock a login.

Every function is one transaction, refuses with a ValidationError keyed by field (so the
form shows it next to the field and the API answers `400 {"field": [...]}`), writes nothing
when it refuses, and records what it did in the security audit log. Who may call them is
the OSM staff's (`auth.change_user`): a unit head cannot grant roles, whatever door he or
she knocks on; `by=None` is a program (a command, the tests' set-up), trusted.

A person is never deleted: deactivating ends his or her sessions and API tokens at once and
keeps what he or she wrote attributed to a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import AuditKind, audit
from core.jobs import enqueue
from core.outbox import Draft, messages_compose
from core.roles import OSM_STAFF, ROLES, UNIT_HEAD, role_label
from people.models import Employee
from people.services import employee_update
from scorecards.models import OrgUnit
from scorecards.services.units import unit_update

from ..invitations import invitation_link
from ..lockout import lockouts_forgotten
from .credentials import user_access_end

INVITATION_MAIL = "invitation"
MINUS = "\u2212"  # the minus sign of a role change's detail: "+Executive \u2212HR"


def _name(user) -> str:
    return user.get_full_name() or user.username


# Checks --------------------------------------------------------------------------------------


def _require_staff(by) -> None:
    """Only the OSM staff manage users (None: a program)."""
    if by is not None and not by.has_perm("auth.change_user"):
        raise PermissionDenied(_("Only the OSM staff manage users."))


def _roles_checked(roles: Iterable[str], errors: dict) -> list[str]:
    """The role names, each once, in ROLES' order; an unknown one noted in `errors`."""
    given = [str(r).strip() for r in roles]
    unknown = [name for name in given if name not in ROLES]
    if unknown:
        errors["roles"] = _("No such role: %(unknown)s. The roles are %(roles)s.") % {
            "unknown": ", ".join(unknown),
            "roles": ", ".join(ROLES),
        }
    return [name for name in ROLES if name in given]


def _email_checked(email: str, errors: dict, *, user=None) -> str:
    """The address normalised; refused (in `errors`) when invalid or another user's."""
    email = get_user_model().objects.normalize_email((email or "").strip())
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid e-mail address.")
        return email
    others = get_user_model().objects.filter(email__iexact=email)
    if user is not None:
        others = others.exclude(pk=user.pk)
    taken = others.first()
    if taken is not None:
        errors["email"] = _(
            "%(email)s already has an account (%(username)s): change that user's roles instead."
        ) % {"email": email, "username": taken.username}
    return email


def _name_checked(full_name: str, errors: dict) -> tuple[str, str]:
    """(first name, last name) of a full name: the first word, then the rest."""
    words = (full_name or "").split()
    if any(ord(char) < 32 and not char.isspace() for char in full_name or ""):
        errors["full_name"] = _("Write the name without control characters.")
        return "", ""
    if not words:
        errors["full_name"] = _("Enter the person's name.")
        return "", ""
    first, last = words[0], " ".join(words[1:])
    if len(first) > 150 or len(last) > 150:
        errors["full_name"] = _("The name is too long (at most 150 characters a part).")
    return first, last


def _username_checked(username: str, errors: dict, *, user=None) -> str:
    """A username given by the OSM staff: Django's characters, free (any case)."""
    username = (username or "").strip()
    if not username:
        errors["username"] = _("Enter a username.")
        return username
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        errors["username"] = exc.messages[0]
        return username
    if len(username) > 150:
        errors["username"] = _("At most 150 characters.")
        return username
    others = get_user_model().objects.filter(username__iexact=username)
    if user is not None:
        others = others.exclude(pk=user.pk)
    if others.exists():
        errors["username"] = _("The username %(username)s is taken.") % {"username": username}
    return username


def username_from(email: str) -> str:
    """A free username made of the e-mail's local part ("ada.lovelace", then
    "ada.lovelace-2"..., as single sign-on numbers them): letters, digits and . + - _ only."""
    base = re.sub(r"[^\w.+-]", "", email.partition("@")[0].lower())[:140] or "user"
    taken = set(
        get_user_model()
        .objects.filter(username__istartswith=base)
        .values_list("username", flat=True)
    )
    taken = {name.lower() for name in taken}
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _keeps_a_manager(user, field: str) -> None:
    """Refuse (on `field`) what would leave no active superuser or OSM staff member: `user`
    is losing the role or the account."""
    others = get_user_model().objects.filter(is_active=True).exclude(pk=user.pk)
    if not others.filter(Q(is_superuser=True) | Q(groups__name=OSM_STAFF)).exists():
        raise ValidationError(
            {
                field: _(
                    "%(name)s is the last active OSM staff member: give someone else the role "
                    "first, or no one could manage users any more."
                )
                % {"name": _name(user)}
            }
        )


def _superuser_guard(user, by, message: str) -> None:
    """Only a superuser changes a superuser (activation, roles, name, address, a new
    invitation): the OSM staff may neither lock one out nor take the account over."""
    if user.is_superuser and by is not None and not by.is_superuser:
        raise PermissionDenied(message)


# Invitations ---------------------------------------------------------------------------------


def _invitation_compose(user, *, by) -> None:
    """Write the invitation into the outbox (delivered after commit, like every mail)."""
    password_login = settings.PASSWORD_LOGIN or user.username in settings.BREAK_GLASS_USERNAMES
    context = {
        "name": _name(user),
        "username": user.username,
        "by": (by.get_full_name() or by.username) if by is not None else "",
        "link": invitation_link(user) if password_login else "",
        "login": f"{settings.SITE_URL}{reverse('login')}",
        "provider": settings.OIDC_PROVIDER_NAME,
        "days": settings.INVITATION_DAYS,
    }
    now = timezone.now()
    drafts = [
        Draft(
            kind=INVITATION_MAIL,
            recipient=user.email,
            # One invitation per user and moment: sending one again is a new message.
            subject_key=f"invitation:{user.pk}:{now.timestamp():.0f}",
            period=timezone.localdate(now),
            subject=_("You are invited to OSM, the Office of Strategy Management"),
            body=get_template("email/invitation.txt").render(context),
            user_id=user.pk,
        )
    ]
    if messages_compose(drafts):
        enqueue("osm.tasks.deliver_outbox")


def _employee_link(user, *, by) -> None:
    """Link the employee record with the same e-mail that has no user yet."""
    employee = Employee.objects.filter(email__iexact=user.email, user__isnull=True).first()
    if employee is not None:
        employee_update(actor=by, instance=employee, data={"user": user})


@transaction.atomic
def user_invite(
    *,
    email: str,
    full_name: str,
    roles: Iterable[str],
    invited_by,
    request=None,
    username: str = "",
) -> AbstractUser:
    """Create the account of `email` with `roles` (OSM role names) and no password yet, link
    the employee record of the same e-mail, and mail the person a link to choose a password
    (it expires after `INVITATION_DAYS` days). The username is made from the e-mail unless
    given. An address that already has an account, an unknown role or a taken username is
    refused, each on its field."""
    _require_staff(invited_by)
    errors: dict = {}
    email = _email_checked(email, errors)
    first, last = _name_checked(full_name, errors)
    roles = _roles_checked(roles, errors)
    if username:
        username = _username_checked(username, errors)
    if errors:
        raise ValidationError(errors)
    user = get_user_model()(
        username=username or username_from(email),
        email=email,
        first_name=first,
        last_name=last,
        is_active=True,
    )
    user.set_unusable_password()
    user.save()
    user.groups.set(_groups(roles))
    _employee_link(user, by=invited_by)
    _invitation_compose(user, by=invited_by)
    audit(
        AuditKind.USER_INVITED,
        request=request,
        actor=invited_by,
        target=user,
        detail=", ".join(roles),
    )
    return user


@transaction.atomic
def user_invitation_resend(*, user, by, request=None) -> None:
    """Mail `user` a new invitation link (the old one expired or went astray). Only for
    someone who has never signed in and has no password yet."""
    _require_staff(by)
    _superuser_guard(user, by, _("Only a superuser may invite a superuser again."))
    if user.has_usable_password() or user.last_login is not None:
        message = _("%(name)s has signed in already: no invitation to send.")
        raise ValidationError({NON_FIELD_ERRORS: message % {"name": _name(user)}})
    if not user.is_active:
        raise ValidationError({NON_FIELD_ERRORS: _("Reactivate the user first.")})
    _invitation_compose(user, by=by)
    audit(AuditKind.USER_INVITED, request=request, actor=by, target=user, detail="again")


# Roles and units -----------------------------------------------------------------------------


def _groups(roles: Iterable[str]) -> list[Group]:
    # get_or_create: the groups come from a migration, which a flushed test database lacks
    return [Group.objects.get_or_create(name=name)[0] for name in roles]


def role_change_text(added: Iterable[str], removed: Iterable[str]) -> str:
    """ "+Executive \u2212HR" (a minus sign): the detail of a role change in the audit log
    (role names are data: English)."""
    return " ".join([*(f"+{name}" for name in added), *(f"{MINUS}{name}" for name in removed)])


def role_names(user) -> set[str]:
    """The OSM roles `user` has (groups that are not roles left out)."""
    return set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))


@transaction.atomic
def user_roles_set(*, user, roles: Iterable[str], by, request=None) -> tuple[list[str], list[str]]:
    """Give `user` exactly `roles` (OSM role names; groups that are not roles are kept):
    returns (given, taken). Taking the OSM staff role from the last active OSM staff member
    is refused, as is an unknown role."""
    _require_staff(by)
    _superuser_guard(user, by, _("Only a superuser may change a superuser's roles."))
    errors: dict = {}
    wanted = set(_roles_checked(roles, errors))
    if errors:
        raise ValidationError(errors)
    current = role_names(user)
    added = [name for name in ROLES if name in wanted - current]
    removed = [name for name in ROLES if name in current - wanted]
    if OSM_STAFF in removed and user.is_active and not user.is_superuser:
        _keeps_a_manager(user, "roles")
    if added:
        user.groups.add(*_groups(added))
    if removed:
        user.groups.remove(*Group.objects.filter(name__in=removed))
    if hasattr(user, "_osm_group_names"):
        del user._osm_group_names  # core.roles caches them on the object
    if added or removed:
        audit(
            AuditKind.ROLES_CHANGED,
            request=request,
            actor=by,
            target=user,
            detail=role_change_text(added, removed),
        )
    return added, removed


@transaction.atomic
def user_units_head_set(*, user, units: Iterable[OrgUnit], by, request=None) -> tuple[list, list]:
    """Make `user` the head of exactly `units`: of each new one in place of its head, and
    of none of the others he or she headed (they are left without a head). Through the
    scorecards' own unit service, so its rules and history apply and it records each change
    of head in the audit log (HEAD_CHANGED). Someone without the role
    Unit head is refused (heading would grant nothing); returns (units taken, units left)."""
    _require_staff(by)
    units = list(units)
    current = {unit.pk: unit for unit in OrgUnit.objects.filter(head=user).select_related("head")}
    wanted = {unit.pk: unit for unit in units}
    if wanted and not (user.is_superuser or UNIT_HEAD in role_names(user)):
        message = _(
            "Give %(name)s the role %(role)s too: without it, heading a unit grants nothing."
        )
        raise ValidationError(
            {"units": message % {"name": _name(user), "role": role_label(UNIT_HEAD)}}
        )
    if wanted and not user.is_active:
        raise ValidationError({"units": _("A deactivated user cannot head a unit.")})
    taken = [u for pk, u in wanted.items() if pk not in current]
    left = [u for pk, u in current.items() if pk not in wanted]
    fresh = OrgUnit.objects.in_bulk([u.pk for u in taken])
    for unit in sorted(taken, key=lambda u: u.code):
        unit_update(actor=by, instance=fresh[unit.pk], data={"head": user})
    for unit in sorted(left, key=lambda u: u.code):
        unit_update(actor=by, instance=unit, data={"head": None})
    return taken, left


# Deactivation --------------------------------------------------------------------------------


@transaction.atomic
def user_deactivate(*, user, by, request=None) -> tuple[int, int]:
    """Deactivate `user`: no sign-in any more, and every session and API token ends at
    once; returns (sessions, tokens) ended. Refused for oneself, and for the last active
    OSM staff member; a superuser only by a superuser. Already inactive: nothing to do."""
    _require_staff(by)
    if by is not None and by.pk == user.pk:
        raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    _superuser_guard(user, by, _("Only a superuser may deactivate a superuser."))
    if not user.is_active:
        return 0, 0
    if user.is_superuser or OSM_STAFF in role_names(user):
        _keeps_a_manager(user, "is_active")
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions, tokens = user_access_end(user=user, request=request)
    audit(
        AuditKind.USER_DEACTIVATED,
        request=request,
        actor=by,
        target=user,
        detail=f"{sessions} sessions, {tokens} tokens ended",
    )
    return sessions, tokens


@transaction.atomic
def user_reactivate(*, user, by, request=None) -> None:
    """Let `user` sign in again (with the roles he or she had); a superuser only by a
    superuser. Already active: nothing to do."""
    _require_staff(by)
    _superuser_guard(user, by, _("Only a superuser may reactivate a superuser."))
    if user.is_active:
        return
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit(AuditKind.USER_REACTIVATED, request=request, actor=by, target=user)


# Lockouts ------------------------------------------------------------------------------------


@transaction.atomic
def user_unlock(*, user, by, request=None) -> int:
    """End every login lockout of `user`'s username, from every address, and forget its
    lockouts (the next one is short again); returns how many lockout records went. The
    username as typed at the failed logins, in any case."""
    _require_staff(by)
    pairs = set(
        AccessAttempt.objects.filter(username__iexact=user.username).values_list(
            "username", "ip_address"
        )
    )
    removed = sum(axes_reset(username=name) for name in {name for name, _ip in pairs})
    for name, address in pairs:
        lockouts_forgotten(username=name, address=address)
    if removed:
        addresses = sorted({str(address) for _name, address in pairs if address})
        audit(
            AuditKind.UNLOCKED,
            request=request,
            actor=by,
            target=user,
            detail=", ".join(addresses),
        )
    return removed


# Changes through the API ---------------------------------------------------------------------


@transaction.atomic
def user_update(*, user, data: dict, by, request=None) -> AbstractUser:
    """Change `user` as the API's PUT and PATCH do (`data`: username, full_name, email,
    roles, is_active; each optional): details checked all at once, then the roles, then
    deactivation or reactivation, each recorded as its own service records it."""
    _require_staff(by)
    _superuser_guard(user, by, _("Only a superuser may change a superuser's account."))
    errors: dict = {}
    changes = {}
    if "username" in data:
        changes["username"] = _username_checked(data["username"], errors, user=user)
    if "email" in data:
        changes["email"] = _email_checked(data["email"], errors, user=user)
    if "full_name" in data:
        changes["first_name"], changes["last_name"] = _name_checked(data["full_name"], errors)
    if "roles" in data:
        _roles_checked(data["roles"], errors)
    if errors:
        raise ValidationError(errors)
    if changes:
        for name, value in changes.items():
            setattr(user, name, value)
        user.save(update_fields=list(changes))
    if "roles" in data:
        user_roles_set(user=user, roles=data["roles"], by=by, request=request)
    if "is_active" in data and data["is_active"] != user.is_active:
        if data["is_active"]:
            user_reactivate(user=user, by=by, request=request)
        else:
            user_deactivate(user=user, by=by, request=request)
    return user


@transaction.atomic
def user_access_set(*, user, roles: Iterable[str], units: Iterable[OrgUnit], by, request=None):
    """The roles, then the units headed, of `user` together (the user's page): all or
    nothing, each change recorded as `user_roles_set` and `user_units_head_set` record it."""
    user_roles_set(user=user, roles=roles, by=by, request=request)
    user_units_head_set(user=user, units=units, by=by, request=request)
    return user
