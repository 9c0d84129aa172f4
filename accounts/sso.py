"""Single sign-on with OpenID Connect: the client, and who a verified ID token makes of an
OSM user.

The client is Authlib's Django client, built from the settings at each use (so a changed
setting, or a test's, takes effect at once). It reads the provider's discovery document
(`<OIDC_ISSUER>/.well-known/openid-configuration`), sends state, nonce and a PKCE S256
challenge, and checks the ID token's signature against the provider's published keys (JWKS)
and its issuer, audience (our client id), expiry and nonce.

A person is known by the provider's identity (`iss`, `sub`), linked at the first sign-in
to the user of the same e-mail address, or to a new user (named after `preferred_username`,
else the address). An existing account is linked only when the provider says it verified
the address (`email_verified`), and never a superuser, an `is_staff` or a break-glass
account: whoever controls that address at the provider would become that account. Each
sign-in brings the name and address up to date, re-applies the roles the groups claim maps
to (OIDC_ROLE_MAP) and links the employee record of that address if none is linked yet.
"""

import logging
import re
from dataclasses import dataclass

from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import AuditKind, audit
from core.roles import ROLES
from people import services as people_services
from people.models import Employee

from .models import SSOIdentity

log = logging.getLogger(__name__)

CLIENT_NAME = "osm_oidc"
# Seconds of clock difference allowed between OSM and the provider (token expiry).
LEEWAY = 120
HTTP_TIMEOUT = 10  # seconds, for each call to the provider


def sso_enabled() -> bool:
    """Single sign-on is on when an issuer is configured."""
    return bool(settings.OIDC_ISSUER)


def _scopes() -> str:
    scopes = settings.OIDC_SCOPES.split()
    if "openid" not in scopes:  # without it there is no ID token (and no nonce)
        scopes.insert(0, "openid")
    return " ".join(scopes)


def oidc_client():
    """A fresh Authlib client for the configured provider."""
    return OAuth().register(
        CLIENT_NAME,
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=settings.OIDC_CLIENT_SECRET,
        server_metadata_url=f"{settings.OIDC_ISSUER}/.well-known/openid-configuration",
        client_kwargs={
            "scope": _scopes(),
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT,
        },
    )


class SSORefused(PermissionDenied):
    """A sign-in refused: `reason` goes to the audit log, `message` to the person."""

    def __init__(self, reason: str, message: str):
        super().__init__(reason)
        self.reason = reason
        self.message = message


def claims_options(client) -> dict:
    """What the ID token must say: issued by the issuer the discovery document names (which
    must be the configured one: OpenID Connect Discovery 1.0, section 4.3), for our
    client id."""
    metadata = client.load_server_metadata()
    issuer = str(metadata.get("issuer") or "")
    if issuer.rstrip("/") != settings.OIDC_ISSUER:
        raise SSORefused(
            f"issuer: discovery document names {issuer!r}",
            _("The sign-in provider's configuration names another issuer than OSM expects."),
        )
    return {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": settings.OIDC_CLIENT_ID},
        "sub": {"essential": True},
    }


# The role map -------------------------------------------------------------------------------


def role_map() -> dict[str, set[str]]:
    """OIDC_ROLE_MAP ("osm-staff:OSM staff,execs:Executive") as {group: {role, ...}}. A group
    may be named more than once to give several roles; a group name may itself contain ":"
    (the role is after the last one). An unknown role is a configuration error."""
    mapping: dict[str, set[str]] = {}
    for entry in settings.OIDC_ROLE_MAP.split(","):
        if not entry.strip():
            continue
        group, sep, role = entry.rpartition(":")
        group, role = group.strip(), role.strip()
        if not sep or not group or role not in ROLES:
            raise ImproperlyConfigured(
                f"OIDC_ROLE_MAP entry {entry.strip()!r}: expected 'group:Role' with Role one "
                f"of {', '.join(ROLES)}."
            )
        mapping.setdefault(group, set()).add(role)
    return mapping


def _claimed_groups(claims: dict) -> set[str]:
    value = claims.get(settings.OIDC_GROUPS_CLAIM)
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    return {str(group) for group in value}


@dataclass
class RoleChange:
    added: list[str]
    removed: list[str]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def __str__(self) -> str:
        # The one format of a role change's audit detail (as the Users page writes it).
        parts = [f"+{name}" for name in self.added] + [f"\u2212{name}" for name in self.removed]
        return " ".join(parts) + " (single sign-on groups)"


def roles_apply(*, user, claims: dict) -> RoleChange:
    """Give the user exactly the mapped roles the groups claim asks for: a role the map
    names is added or removed to match; a role it does not name is left alone (given by
    OSM staff in OSM)."""
    mapping = role_map()
    managed = set().union(*mapping.values()) if mapping else set()
    wanted = set()
    for group in _claimed_groups(claims):
        wanted |= mapping.get(group, set())
    current = set(user.groups.filter(name__in=managed).values_list("name", flat=True))
    change = RoleChange(added=sorted(wanted - current), removed=sorted(current - wanted))
    if change.added:
        # The role groups come with a migration; got or created so a flushed test database
        # or a hand-made install still works (the names were checked against ROLES).
        user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in change.added))
    if change.removed:
        user.groups.remove(*Group.objects.filter(name__in=change.removed))
    if change:
        user.__dict__.pop("_osm_group_names", None)  # core.roles caches them per request
    return change


# The user ------------------------------------------------------------------------------------

_NOT_IN_USERNAME = re.compile(r"[^\w.@+-]")


def _email(claims: dict) -> str:
    """The person's address: `email`, else a `preferred_username` that is one (Microsoft
    Entra ID sends the sign-in name there and `email` only for users with a mailbox)."""
    email = str(claims.get("email") or "").strip()
    if not email:
        name = str(claims.get("preferred_username") or "").strip()
        if "@" in name:
            email = name
    return email


def _names(claims: dict) -> tuple[str, str]:
    first = str(claims.get("given_name") or "")
    last = str(claims.get("family_name") or "")
    if not first and not last and claims.get("name"):
        first, _sep, last = str(claims["name"]).partition(" ")
    return first[:150], last[:150]


def _free_username(claims: dict, email: str) -> str:
    """A username no one has: `preferred_username` (else the address), cleaned, with -2, -3...
    when taken (someone else of that name, known by another address)."""
    User = get_user_model()
    base = _NOT_IN_USERNAME.sub("", str(claims.get("preferred_username") or email))[:140]
    base = base or "user"
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _issuer(claims: dict) -> str:
    return str(claims.get("iss") or settings.OIDC_ISSUER)


def email_verified(claims: dict) -> bool | None:
    """Whether the provider says it verified the address: True for `true` (or the string
    "true", any case, as some providers send it), None when the claim is absent (Microsoft
    Entra ID sends none), False for anything else."""
    value = claims.get("email_verified")
    if value is None:
        return None
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _privilege(user) -> str:
    """What makes `user` too powerful to hand to whoever holds the address at the provider
    ("" when nothing does): the superusers and break-glass accounts stay the way in when
    single sign-on fails, so they are never linked."""
    if user.is_superuser:
        return "a superuser"
    break_glass = {str(name).casefold() for name in settings.BREAK_GLASS_USERNAMES}
    if user.username.casefold() in break_glass:
        return "a break-glass account"
    return ""


def _link_check(user, claims: dict, email: str, subject: str) -> None:
    """Refuse to link the provider's identity to the existing `user` found by address."""
    privilege = _privilege(user)
    if privilege:
        raise SSORefused(
            f"the address {email} belongs to {user.username}, {privilege}: not linked to "
            f"single sign-on automatically",
            _("This OSM account cannot be linked to single sign-on automatically; ask OSM staff."),
        )
    if SSOIdentity.objects.filter(user=user, issuer=_issuer(claims)).exists():
        raise SSORefused(
            f"the address {email} belongs to {user.username}, linked to another "
            f"identity of the provider (not {subject})",
            _(
                "Your e-mail address belongs to an OSM account that signs in as someone "
                "else at the provider; ask OSM staff to fix that."
            ),
        )
    verified = email_verified(claims)
    trusted = verified is None and settings.OIDC_LINK_UNVERIFIED_EMAIL and not user.is_staff
    if verified is not True and not trusted:
        # Absent is enough to create a new account, not to take over an existing one (unless
        # the provider's addresses are set by its administrators alone, and never for an
        # account with the admin's access).
        raise SSORefused(
            f"the address {email} belongs to {user.username}; the provider did not say it "
            f"verified the address (email_verified), so it is not linked",
            _(
                "The sign-in provider has not confirmed your e-mail address, so OSM cannot "
                "link it to your OSM account; ask OSM staff."
            ),
        )


def _user_for(claims: dict, email: str):
    """The user the provider's identity (`iss`, `sub`) is linked to; at the first sign-in,
    the user of that address (when `_link_check` allows it), or a new one (not yet
    saved)."""
    User = get_user_model()
    subject = str(claims.get("sub") or "")
    identity = (
        SSOIdentity.objects.select_related("user")
        .filter(issuer=_issuer(claims), subject=subject)
        .first()
    )
    if identity is not None:
        return identity.user
    found = list(User.objects.filter(email__iexact=email)[:2])
    if len(found) > 1:
        raise SSORefused(
            f"several users have the address {email}",
            _("Several OSM accounts share your e-mail address; ask OSM staff to fix that."),
        )
    if found:
        _link_check(found[0], claims, email, subject)
        return found[0]
    return User(username=_free_username(claims, email), is_active=True)


def _identity_keep(user, claims: dict) -> None:
    """Link the provider's identity to `user` (the first time) and note its use."""
    SSOIdentity.objects.update_or_create(
        issuer=_issuer(claims),
        subject=str(claims.get("sub") or ""),
        defaults={"user": user, "last_used": timezone.now()},
    )


def _employee_link(user, email: str) -> None:
    """Link the employee record of that address, if it has no user yet."""
    if Employee.objects.filter(user=user).exists():
        return
    employee = Employee.objects.filter(email__iexact=email, user__isnull=True).first()
    if employee is None:
        return
    try:
        people_services.employee_update(actor=user, instance=employee, data={"user": user})
    except ValidationError as error:  # the record has other faults: sign in all the same
        log.warning("SSO: employee %s not linked to %s: %s", employee.pk, user, error)


@transaction.atomic
def user_sign_in(*, claims: dict, request=None):
    """The user the verified claims name, created at the first sign-in and brought up to date
    (name, address, roles, employee link) at every one. Raises SSORefused."""
    if not claims.get("sub"):  # Authlib checks the ID token has one; userinfo alone may not
        raise SSORefused(
            "no subject (sub) in the ID token",
            _("The sign-in provider did not say who you are; ask OSM staff."),
        )
    email = _email(claims)
    if not email:
        raise SSORefused(
            "no e-mail address in the ID token",
            _("The sign-in provider sent no e-mail address; OSM needs one to know you."),
        )
    if email_verified(claims) is False:  # absent (Entra) is not a refusal; false, "false" are
        raise SSORefused(
            f"e-mail address {email} not verified by the provider",
            _("The sign-in provider has not verified your e-mail address."),
        )
    role_map()  # a broken map is refused before anyone is created
    user = _user_for(claims, email)
    if user.pk is not None and not user.is_active:
        raise SSORefused(
            f"user {user.username} is deactivated",
            _("Your OSM account is deactivated. Ask OSM staff to reactivate it."),
        )
    user.first_name, user.last_name = _names(claims)
    user.email = email
    if user.pk is None:
        user.set_unusable_password()  # signs in through the provider only
    user.save()
    _identity_keep(user, claims)
    change = roles_apply(user=user, claims=claims)
    if change:
        audit(
            AuditKind.ROLES_CHANGED,
            request=request,
            actor_name=f"single sign-on ({settings.OIDC_PROVIDER_NAME})"[:150],
            target=user,
            detail=str(change),
        )
    _employee_link(user, email)
    return user


def mfa_asserted(claims: dict) -> bool:
    """Whether the provider says the person used a second factor (`amr`, RFC 8176), and
    OSM is configured to trust it."""
    methods = claims.get("amr") or []
    if isinstance(methods, str):
        methods = [methods]
    return bool(settings.OIDC_TRUST_PROVIDER_MFA and set(methods) & set(settings.OIDC_MFA_AMR))
