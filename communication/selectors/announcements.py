"""Reads of announcements: who an announcement is addressed to (its audience), which ones
are addressed to a person, whether he or she has read them, and the read share by unit.

The audience of an announcement is every person with a login linked to an active employee
record of its unit or of a unit below it. A person is addressed by the announcements of his
or her own unit and of the units above it. Every read here costs a fixed number of queries,
whatever the number of announcements, units or employees.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from core.roles import OSM_STAFF, UNIT_HEAD, group_names, has_role
from core.scoping import headed_subtree_ids, restrict
from core.tree import walk
from people.models import Employee
from scorecards.models import Objective, OrgUnit

from ..models import Announcement, AnnouncementRead

# A person of the audience: a login (still active) linked to an active employee record.
# Relative to an org unit, through its employees.
_COUNTED = Q(employees__active=True, employees__user__isnull=False,
             employees__user__is_active=True)  # fmt: skip


def employee_unit_id(user) -> int | None:
    """The unit of `user`'s active employee record, or None without one (one query)."""
    if user is None or not user.is_authenticated:
        return None
    rows = Employee.objects.filter(user_id=user.pk, active=True).values_list("unit_id", flat=True)
    return rows.first()


def with_read(queryset: QuerySet, user) -> QuerySet:
    """`queryset` of announcements with `read`: whether `user` has a read mark on each (a
    subquery of the same query, so no query per row)."""
    marks = AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user_id=user.pk)
    return queryset.annotate(read=Exists(marks))


def addressed_to_unit(queryset: QuerySet, unit_id: int) -> QuerySet:
    """`queryset` narrowed to the announcements addressed to the people of `unit_id`: those of
    the unit itself and of the units above it (within the same query)."""
    chain = OrgUnit.objects.ancestors_of(unit_id, include_self=True).values("id")
    return queryset.filter(unit_id__in=chain)


def announcements_for(user, *, mine: bool = False, unit_id: int | None = None) -> QuerySet:
    """The announcements `user` may see, latest first, with their unit and author and the
    `read` flag; `mine`: only those addressed to `user` (of `unit_id`, else of his or her
    employee record's unit; none without one)."""
    rows = with_read(
        restrict(Announcement.objects.select_related("unit", "author"), user), user
    ).order_by("-published_at", "-id")
    if mine:
        unit_id = unit_id or employee_unit_id(user)
        rows = addressed_to_unit(rows, unit_id) if unit_id else rows.none()
    return rows


def latest_for(user, limit: int = 5, *, unit_id: int | None = None) -> list[Announcement]:
    """The latest `limit` announcements addressed to `user` (to his or her unit or a unit
    above it), each with `read` and its unit: two queries (one when `unit_id`, the person's
    unit, is given), however many there are. Empty without an employee record."""
    return list(announcements_for(user, mine=True, unit_id=unit_id)[:limit])


def audience_of(unit_id: int) -> QuerySet:
    """The people an announcement to `unit_id` reaches: active logins linked to an active
    employee record of the unit or of a unit below it (one query when evaluated)."""
    subtree = OrgUnit.objects.subtree_of(unit_id).values("id")
    return get_user_model().objects.filter(
        is_active=True, employee__active=True, employee__unit_id__in=subtree
    )


@dataclass(frozen=True)
class UnitReach:
    """How many of a unit's own people (not those of the units below it) have read."""

    id: int
    code: str
    name: str
    depth: int
    readers: int
    audience: int

    @property
    def share(self) -> Fraction | None:
        return read_share(self.readers, self.audience)


@dataclass(frozen=True)
class Reach:
    """The read share of an announcement: in all, and per unit of its subtree (tree order,
    depth first), the units' figures summing to the totals."""

    readers: int
    audience: int
    units: list[UnitReach]

    @property
    def share(self) -> Fraction | None:
        return read_share(self.readers, self.audience)


def read_share(readers: int, audience: int) -> Fraction | None:
    """Readers as a percentage (0-100, exact) of the audience; None for no audience."""
    return Fraction(100 * readers, audience) if audience else None


def reach_of(announcement: Announcement) -> Reach:
    """Who of its audience has read `announcement`, unit by unit (one query: the subtree's
    units with their people counted, readers among them). Read marks of people outside the
    audience (the author above the unit, the OSM staff) count nowhere."""
    readers = AnnouncementRead.objects.filter(announcement_id=announcement.pk).values("user_id")
    units = (
        OrgUnit.objects.subtree_of(announcement.unit_id)
        .annotate(
            audience=Count("employees", filter=_COUNTED),
            readers=Count("employees", filter=_COUNTED & Q(employees__user_id__in=readers)),
        )
        .values("id", "code", "name", "parent_id", "audience", "readers")
        .order_by()
    )
    walked = walk(
        units,
        key=lambda u: u["id"],
        parent=lambda u: u["parent_id"],
        order=lambda u: u["code"],
        top=announcement.unit_id,
    )
    rows = [
        UnitReach(id=u["id"], code=u["code"], name=u["name"], depth=depth,
                  readers=u["readers"], audience=u["audience"])
        for u, depth in walked
    ]  # fmt: skip
    return Reach(
        readers=sum(r.readers for r in rows), audience=sum(r.audience for r in rows), units=rows
    )


def sees_reach(user, announcement: Announcement) -> bool:
    """Whether `user` may see who has read `announcement`: its author and the OSM staff."""
    if not user.is_authenticated:
        return False
    return has_role(user, OSM_STAFF) or (
        announcement.author_id is not None and announcement.author_id == user.pk
    )


def publishable_units(user) -> QuerySet:
    """The units `user` may publish announcements to, as `communication.add_announcement`
    allows (core/policies.py ANNOUNCEMENTS): every unit for the OSM staff, the subtrees of the
    units a unit head heads, none for anyone else."""
    units = OrgUnit.objects.all()
    if has_role(user, OSM_STAFF):
        return units
    if user.is_authenticated and UNIT_HEAD in group_names(user):
        return units.filter(pk__in=headed_subtree_ids(user))
    return units.none()


def objectives_offered(user) -> QuerySet:
    """The objectives `user` may tie an announcement to: those he or she may see."""
    return restrict(Objective.objects.select_related("unit"), user).order_by("unit__code", "code")
