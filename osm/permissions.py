"""Role names and the DRF permission class that asks `user.has_perm` (rules in osm/rules.py)."""

from rest_framework import permissions

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
        model = view.get_queryset().model
        return request.user.has_perm(perm_name(model, _ACTIONS.get(request.method, "view")))

    def has_object_permission(self, request, view, obj):
        action = _ACTIONS.get(request.method, "view")
        return request.user.has_perm(perm_name(type(obj), action), obj)
