"""The API's permission class: the HTTP method becomes view/add/change/delete and the rules
are asked by name (`user.has_perm`), without an object for lists and creates, with it for
one object."""

from rest_framework import permissions

from core.scoping import perm_name

ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class HasRulePermission(permissions.BasePermission):
    """Maps the HTTP method to view/add/change/delete and asks `has_perm` by name,
    without an object for lists and creates, with it for one object."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        # Viewsets have get_queryset(); plain API views name their model by `queryset`.
        queryset = view.get_queryset() if hasattr(view, "get_queryset") else view.queryset
        return request.user.has_perm(perm_name(queryset.model, ACTIONS.get(request.method, "view")))

    def has_object_permission(self, request, view, obj):
        action = ACTIONS.get(request.method, "view")
        return request.user.has_perm(perm_name(type(obj), action), obj)
