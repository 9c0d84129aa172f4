"""Reads of user management (the OSM staff's pages and the users API): the users with
their roles and the units they head, a page of them in a fixed number of queries whatever
it holds; a user's login lockouts and how many sessions and API tokens he or she has."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from knox.models import get_token_model

from core.roles import ROLES
from scorecards.models import OrgUnit

from .. import lockout
from ..models import UserSession

ACTIVE, INACTIVE = "active", "inactive"


def users_with_access() -> QuerySet:
    """Every user, with the groups and the units headed prefetched (two queries a page),
    by name."""
    return (
        get_user_model()
        .objects.prefetch_related(
            Prefetch("groups", queryset=Group.objects.only("id", "name").order_by("name")),
            Prefetch("headed_units", queryset=OrgUnit.objects.only("id", "code", "name", "head")),
        )
        .order_by("first_name", "last_name", "username")
    )


def users_listed(*, query: str = "", role: str = "", active: str = "") -> QuerySet:
    """The users whose name, username or e-mail contains every word of `query` (any case),
    with the role `role` (one of ROLES; "" for any), active or not (`active`: "active",
    "inactive", "" for both)."""
    users = users_with_access()
    for word in query.split()[:5]:  # five words name anyone; more only cost time
        users = users.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
        )
    if role in ROLES:
        users = users.filter(groups__name=role)
    if active == ACTIVE:
        users = users.filter(is_active=True)
    elif active == INACTIVE:
        users = users.filter(is_active=False)
    return users


def roles_of(user) -> list[str]:
    """The user's OSM roles from the prefetched groups, in ROLES' order."""
    names = {group.name for group in user.groups.all()}
    return [name for name in ROLES if name in names]


@dataclass(frozen=True)
class Lockout:
    """A login lockout of the user's username from one address, until when."""

    username: str
    address: str | None
    failures: int
    until: dt.datetime


def user_lockouts(user) -> list[Lockout]:
    """The lockouts in force on `user`'s username (as typed, any case), one per address:
    those that reached the failure limit and whose cool-off has not run out."""
    attempts = AccessAttempt.objects.filter(
        username__iexact=user.username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).order_by("ip_address", "-attempt_time")
    now, found = timezone.now(), []
    for attempt in attempts:
        until = _lock_ends(attempt.username, attempt.ip_address, attempt.attempt_time)
        if until > now:
            found.append(
                Lockout(attempt.username, attempt.ip_address, attempt.failures_since_start, until)
            )
    return found


def _lock_ends(username: str, address: str | None, latest_failure: dt.datetime) -> dt.datetime:
    """When the pair's lockout ends: as accounts/lockout.py keeps it in the cache (longer
    after each lockout of the pair), else a first lockout's length after the latest
    failure (the cache was emptied)."""
    count, until = lockout._state(lockout._pair_key(username, address))
    if count and until:
        return dt.datetime.fromtimestamp(until, tz=dt.UTC)
    return latest_failure + lockout.cool_off_for(0)


def user_access_counts(user) -> tuple[int, int]:
    """(sessions, API tokens) `user` holds now: the sessions indexed at sign-in, the tokens
    not expired."""
    sessions = UserSession.objects.filter(user=user).count()
    tokens = (
        get_token_model()
        .objects.filter(user=user)
        .filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))
        .count()
    )
    return sessions, tokens
