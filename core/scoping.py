"""Who may see and change which rows: each model's one access declaration.

Every model of OSM's apps declares once, as its `access` attribute, the policy that applies
to it (core/policies.py), how a row reaches its org unit and, where an owner has rights,
how it reaches its owner (paths as in queryset lookups):

    class MeasureValue(TimeStampedModel):
        access = Access(policies.VALUES, unit="measure__unit", owner="measure__owner")

Everything else is derived from that one declaration (NetBox's `restrict()` pattern):
- the permission rules `app.action_model` (core/rules.py registers them with django
  `rules`), which the admin, views, API and templates ask with `user.has_perm(name, obj)`:
  without an object a rule answers "may this user do it anywhere?", with one it answers for
  that object; for `add_*` the object is the parent the new row goes into (a unit, a
  measure, an employee, a meeting), whose own declaration says where it is;
- `restrict(queryset, user)`: the rows a user may see, for every page, API list and
  related-id field.

A policy names, for each action, the grants that allow it: a role (`Role`), heading the
unit of the row or a unit above it (`HeadsUnit`), or owning the row (`Owner`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .roles import ROLES, UNIT_HEAD, group_names, has_role

ACTIONS = ("view", "add", "change", "delete")
ALL = "all"  # a grant that opens every row


def perm_name(model, action: str) -> str:
    """'app_label.action_modelname', the names the rules are registered under."""
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


# The units a user heads ----------------------------------------------------------------------
# The unit tree is the scorecards app's (core imports none of the apps): it registers how
# to find the ids of the units a user heads and of every unit below them.

_headed_units: Callable[[object], set[int]] | None = None


def register_headed_units(find: Callable[[object], set[int]]) -> None:
    """Called once by the app that owns the unit tree, in its AppConfig.ready()."""
    global _headed_units
    _headed_units = find


def headed_subtree_ids(user) -> set[int]:
    """Ids of the units in the subtrees of the units `user` heads (cached on the user)."""
    if not hasattr(user, "_osm_headed_subtree"):
        user._osm_headed_subtree = _headed_units(user) if _headed_units else set()
    return user._osm_headed_subtree


# Grants ------------------------------------------------------------------------------------------


class Grant:
    """One way of being allowed an action: `allows` answers for an object (None: anywhere),
    `rows` gives the rows it opens (ALL, a Q, or None for none)."""

    def allows(self, user, model, obj) -> bool:
        raise NotImplementedError

    def rows(self, user, model) -> Q | str | None:
        raise NotImplementedError


@dataclass(frozen=True)
class Role(Grant):
    """Users with one of these roles, everywhere (superusers have every role)."""

    names: tuple[str, ...]

    def allows(self, user, model, obj) -> bool:
        return has_role(user, *self.names)

    def rows(self, user, model):
        return ALL if has_role(user, *self.names) else None


@dataclass(frozen=True)
class HeadsUnit(Grant):
    """A unit head, for rows of the units he or she heads and of the units below them."""

    def allows(self, user, model, obj) -> bool:
        if not user.is_authenticated or UNIT_HEAD not in group_names(user):
            return False
        subtree = headed_subtree_ids(user)
        return bool(subtree) if obj is None else unit_of(obj) in subtree

    def rows(self, user, model):
        access = access_of(model)
        if not access.unit or not user.is_authenticated or UNIT_HEAD not in group_names(user):
            return None
        return Q(**{f"{access.unit}__in": headed_subtree_ids(user)})


@dataclass(frozen=True)
class Owner(Grant):
    """The owner of the row (a measure's owner for its values, an employee for his or her
    own record, the owner of an action item), if he or she has `role` (any role if None):
    a relationship grants nothing to a user without one."""

    role: str | None = None

    def _qualifies(self, user) -> bool:
        if not user.is_authenticated:
            return False
        return self.role in group_names(user) if self.role else has_role(user, *ROLES)

    def allows(self, user, model, obj) -> bool:
        if not self._qualifies(user):
            return False
        if obj is None:
            return owns_any(user, model)
        return answers_for(model, type(obj)) and owner_of(obj) == user.pk

    def rows(self, user, model):
        access = access_of(model)
        if not access.owner or not self._qualifies(user):
            return None
        return Q(**{access.owner: user})


ANY_ROLE = Role(ROLES)


@dataclass(frozen=True)
class Policy:
    """For each action, the grants that allow it (any one is enough)."""

    name: str
    view: tuple[Grant, ...] = ()
    add: tuple[Grant, ...] = ()
    change: tuple[Grant, ...] = ()
    delete: tuple[Grant, ...] = ()

    def grants(self, action: str) -> tuple[Grant, ...]:
        return getattr(self, action)


# The declaration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """A model's one declaration: its policy, and the lookup paths from a row to its unit
    (`"pk"` for a unit itself; None for rows of no unit) and to its owner (None where no
    owner has rights)."""

    policy: Policy
    unit: str | None = None
    owner: str | None = None


# Models of other packages (users, groups, job schedules) are declared by core/rules.py.
_declared: dict[type, Access] = {}


def declare(model, access: Access) -> None:
    """Declare the access of a model we do not own (a third-party model)."""
    _declared[model] = access


def access_of(model) -> Access | None:
    """A model's declaration, or None for a model without one."""
    return _declared.get(model) or getattr(model, "access", None)


def _walk(obj, path: str):
    """The id at the end of `path` from `obj` (None where a step is empty)."""
    if path == "pk":
        return obj.pk
    *steps, last = path.split("__")
    for step in steps:
        obj = getattr(obj, step)
        if obj is None:
            return None
    return getattr(obj, obj._meta.get_field(last).attname)


def unit_of(obj) -> int | None:
    """The id of the unit an object belongs to, by its model's declaration."""
    access = access_of(type(obj))
    return _walk(obj, access.unit) if access and access.unit else None


def owner_of(obj) -> int | None:
    """The user id of an object's owner, by its model's declaration."""
    access = access_of(type(obj))
    return _walk(obj, access.owner) if access and access.owner else None


@functools.cache
def answers_for(model, other) -> bool:
    """Whether an owner's rights on rows of `model` may be asked with an object of `other`:
    a row of it, a row under the same policy (an employee's own record for his or her
    goals), or the parent its owner is reached through (the measure, for a new value)."""
    if other is model:
        return True
    access, other_access = access_of(model), access_of(other)
    if other_access is not None and other_access.policy is access.policy:
        return True
    for step in (access.owner or "").split("__")[:-1]:
        model = model._meta.get_field(step).related_model
        if model is other:
            return True
    return False


def owns_any(user, model) -> bool:
    """Whether `user` owns anything that the policy of `model` gives owners rights over:
    anywhere, an owner may act where he or she owns rows. For values (owner
    `measure__owner`): whether he or she owns a measure; for the people policy: whether he
    or she has an employee record (goal templates, owned by no one, included)."""
    policy = access_of(model).policy
    return any(
        owning._default_manager.filter(**{field: user}).exists()
        for owning, field in _owners_under(policy)
    )


@functools.cache
def _owners_under(policy: Policy) -> list[tuple[type, str]]:
    """(model, field) pairs that hold an owner under `policy`: the end of every owner path
    declared with it (`measure__owner` → (Measure, "owner")), each once (asked after every
    model is registered, so kept)."""
    from django.apps import apps

    pairs = []
    for model in [*_declared, *apps.get_models()]:
        access = access_of(model)
        if access is None or access.policy is not policy or not access.owner:
            continue
        *steps, last = access.owner.split("__")
        for step in steps:
            model = model._meta.get_field(step).related_model
        if (model, last) not in pairs:
            pairs.append((model, last))
    return pairs


# Deciding --------------------------------------------------------------------------------------


def allows(user, model, action: str, obj=None) -> bool:
    """Whether `user` may do `action` on `model`'s rows (on `obj`, or anywhere)."""
    access = access_of(model)
    if access is None:
        return False
    return any(grant.allows(user, model, obj) for grant in access.policy.grants(action))


def visible_rows(model, user, action: str = "view") -> Q | str | None:
    """The rows of `model` that `user` may `action`: ALL, a Q, or None (none)."""
    access = access_of(model)
    if access is None:
        return None
    visible = None
    for grant in access.policy.grants(action):
        rows = grant.rows(user, model)
        if rows == ALL:
            return ALL
        if rows is not None:
            visible = rows if visible is None else visible | rows
    return visible


def restrict(queryset: QuerySet, user, action: str = "view") -> QuerySet:
    """`queryset` narrowed to the rows `user` may `action` (view: see)."""
    visible = visible_rows(queryset.model, user, action)
    if visible == ALL:
        return queryset
    return queryset.none() if visible is None else queryset.filter(visible)


def row_scope(model, user) -> str:
    """A name for the rows of `model` that `user` may see: two users get the same name only
    when `restrict` gives them the same rows (a cached answer is shared by its name)."""
    visible = visible_rows(model, user)
    if visible == ALL or visible is None:
        return str(visible).lower()
    return repr(_canonical(visible))


def _canonical(value):
    """A Q written out with its values in one order (sets sorted, rows as their ids)."""
    if isinstance(value, Q):
        children = [_canonical(child) for child in value.children]
        return (value.connector, value.negated, children)
    if isinstance(value, tuple):
        return tuple(_canonical(item) for item in value)
    if isinstance(value, (set, frozenset, list)):
        return sorted(_canonical(item) for item in value)
    if hasattr(value, "_meta"):
        return (value._meta.label, value.pk)
    return value
