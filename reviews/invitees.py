"""Whom a review meeting may invite or give an action item to, and the objectives an item
may be about (the forms' choices)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet

from core.roles import OSM_STAFF
from people.models import Employee
from scorecards.models import Measure, Objective, OrgUnit


def invitable_users(unit: OrgUnit) -> QuerySet:
    """Active users who may be invited to (or own an action item of) a meeting of `unit`:
    the users of the active employees of its subtree, the heads of the units above it and
    of its subtree, and the OSM staff (who run the reviews). Subqueries, no join: no
    duplicates."""
    User = get_user_model()
    subtree = OrgUnit.objects.subtree_of(unit.pk)
    chain = OrgUnit.objects.ancestors_of(unit.pk, include_self=True)
    staff = Group.objects.filter(name=OSM_STAFF)
    return User.objects.filter(
        Q(pk__in=Employee.objects.filter(unit__in=subtree, active=True).values("user_id"))
        | Q(pk__in=OrgUnit.objects.filter(Q(pk__in=chain) | Q(pk__in=subtree)).values("head_id"))
        | Q(pk__in=User.groups.through.objects.filter(group__in=staff).values("user_id")),
        is_active=True,
    ).order_by("first_name", "last_name", "username")


def suggested_users(unit: OrgUnit, *, also=()) -> QuerySet:
    """The few people a meeting of `unit` usually has (bounded by the unit's scorecard, not
    by its headcount): the heads of the unit, of the units above it and of the units right
    below it, the owners of its objectives and measures, the OSM staff, and `also` (user
    ids: the attendees and chair already chosen)."""
    User = get_user_model()
    chain = OrgUnit.objects.ancestors_of(unit.pk, include_self=True)
    staff = Group.objects.filter(name=OSM_STAFF)
    return User.objects.filter(
        Q(pk__in=OrgUnit.objects.filter(Q(pk__in=chain) | Q(parent=unit)).values("head_id"))
        | Q(pk__in=Objective.objects.filter(unit=unit).values("owner_id"))
        | Q(pk__in=Measure.objects.filter(unit=unit).values("owner_id"))
        | Q(pk__in=User.groups.through.objects.filter(group__in=staff).values("user_id"))
        | Q(pk__in=[pk for pk in also if pk]),
        is_active=True,
    ).order_by("first_name", "last_name", "username")


def objectives_for_items(unit: OrgUnit, *, also=()) -> QuerySet[Objective]:
    """Objectives an action item of a meeting of `unit` is offered: those of the unit and of
    the units right below it (a bounded list; the model accepts any of the subtree), plus
    `also` (ids, such as the item's current objective)."""
    return (
        Objective.objects.filter(
            Q(unit=unit) | Q(unit__parent=unit) | Q(pk__in=[pk for pk in also if pk])
        )
        .select_related("unit")
        .order_by("unit__code", "code")
    )
