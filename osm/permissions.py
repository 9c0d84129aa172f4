"""Roles, and the API's permission plumbing that every app's `api.py` shares: the DRF
permission class that asks `user.has_perm` (the rules live in osm/rules.py), the scoping of
querysets to what a user may see, and the viewset base whose writes go through services.
"""

from django.apps import apps
from django.db.models import Q, QuerySet
from rest_framework import permissions, viewsets
from rest_framework.exceptions import PermissionDenied

OSM_STAFF = "OSM staff"
EXECUTIVE = "Executive"
UNIT_HEAD = "Unit head"
HR = "HR"
MEASURE_OWNER = "Measure owner"
EMPLOYEE = "Employee"

ROLES = (OSM_STAFF, EXECUTIVE, UNIT_HEAD, HR, MEASURE_OWNER, EMPLOYEE)

_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def perm_name(model, action: str) -> str:
    """'app_label.action_modelname', the names the rules are declared under."""
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


class HasRulePermission(permissions.BasePermission):
    """Maps the HTTP method to view/add/change/delete and asks `has_perm` by name,
    without an object for lists and creates, with it for one object."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        # Viewsets have get_queryset(); plain API views name their model by `queryset`.
        queryset = view.get_queryset() if hasattr(view, "get_queryset") else view.queryset
        return request.user.has_perm(
            perm_name(queryset.model, _ACTIONS.get(request.method, "view"))
        )

    def has_object_permission(self, request, view, obj):
        action = _ACTIONS.get(request.method, "view")
        return request.user.has_perm(perm_name(type(obj), action), obj)


# Who sees what ------------------------------------------------------------------------------


def group_names(user) -> set[str]:
    """The user's role names (cached on the user object for the request)."""
    if not hasattr(user, "_osm_group_names"):
        user._osm_group_names = set(user.groups.values_list("name", flat=True))
    return user._osm_group_names


def has_role(user, *names: str) -> bool:
    """Superusers have every role; others the groups they are in."""
    return user.is_authenticated and (user.is_superuser or bool(group_names(user) & set(names)))


def headed_subtree_ids(user) -> set[int]:
    """Ids of the units in the subtrees of the units `user` heads (cached on the user)."""
    if not hasattr(user, "_osm_headed_subtree"):
        OrgUnit = apps.get_model("scorecards", "OrgUnit")
        headed = list(OrgUnit.objects.filter(head=user).values_list("id", flat=True))
        user._osm_headed_subtree = set(
            OrgUnit.objects.subtree_of(*headed).values_list("id", flat=True)
        )
    return user._osm_headed_subtree


class Scope:
    """What part of a model's rows a user may see, declared per viewset (mirrors the view
    rules of osm/rules.py; a test checks that the two agree row by row)."""

    STRATEGY = "strategy"  # everyone with a role
    BUDGET = "budget"  # OSM staff, executives, HR; unit heads their subtree
    PEOPLE = "people"  # as BUDGET, plus each employee his or her own rows
    STAFF = "staff"  # OSM staff only


def scope_queryset(
    user, queryset: QuerySet, scope: str, *, unit_path: str = "", own_path: str = ""
) -> QuerySet:
    """`queryset` narrowed to the rows `user` may see under `scope`; `unit_path` leads from
    a row to its unit, `own_path` to the user an employee row belongs to."""
    if not has_role(user, *ROLES):
        return queryset.none()
    if scope == Scope.STRATEGY:
        return queryset
    if scope == Scope.STAFF:
        return queryset if has_role(user, OSM_STAFF) else queryset.none()
    if has_role(user, OSM_STAFF, EXECUTIVE, HR):
        return queryset
    visible = Q(pk__in=[])
    if UNIT_HEAD in group_names(user):
        visible |= Q(**{f"{unit_path}__in": headed_subtree_ids(user)})
    if scope == Scope.PEOPLE and own_path:
        visible |= Q(**{own_path: user})
    return queryset.filter(visible)


class ServiceViewSet(viewsets.ModelViewSet):
    """A model viewset whose reads are scoped to what the user may see (others' rows are
    404) and whose writes go through the app's services, so the API enforces exactly what
    the admin and the web pages enforce. Subclasses set:

    - `scope`, `unit_path`, `own_path`: see `scope_queryset`;
    - `create(by, data)` / `update(instance, by, data)` / `destroy(instance, by)` as the
      `create_with`, `update_with`, `destroy_with` callables (services' ValidationErrors
      become 400s in the exception handler);
    - `parent(data, instance)`: the object an add or change is checked against (the unit,
      measure, employee... the row goes into), so a unit head cannot write elsewhere.
    """

    permission_classes = [HasRulePermission]
    scope = Scope.STRATEGY
    unit_path = "unit"
    own_path = ""
    create_with = None
    update_with = None
    destroy_with = None

    def get_queryset(self):
        return scope_queryset(
            self.request.user,
            super().get_queryset(),
            self.scope,
            unit_path=self.unit_path,
            own_path=self.own_path,
        )

    def parent(self, data: dict, instance=None):
        """The object the write is checked against; None checks without an object."""
        return data.get("unit", getattr(instance, "unit", None))

    def check_write(self, action: str, data: dict, instance=None) -> None:
        target = self.parent(data, instance)
        model = self.get_queryset().model
        if not self.request.user.has_perm(perm_name(model, action), target):
            raise PermissionDenied(f"You may not {action} this {model._meta.verbose_name} here.")

    def perform_create(self, serializer):
        self.check_write("add", serializer.validated_data)
        serializer.instance = type(self).create_with(
            by=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        # The object itself was checked by has_object_permission; where it goes, here.
        self.check_write("change", serializer.validated_data, serializer.instance)
        serializer.instance = type(self).update_with(
            serializer.instance, by=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_destroy(self, instance):
        type(self).destroy_with(instance, by=self.request.user)
