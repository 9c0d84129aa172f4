"""The viewset every API resource is: reads scoped to what the user may see (others' rows
are 404), writes through the app's services, so the API enforces exactly what the admin
and the web pages enforce."""

from django.utils.translation import gettext_lazy as _
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

from core.scoping import perm_name, restrict, row_scope

from .cached import cached_response
from .permissions import HasRulePermission

# A write the rules refuse, by action; `model` is the model's (translated) name.
REFUSALS = {
    "add": _("You may not add this %(model)s here."),
    "change": _("You may not change this %(model)s here."),
    "delete": _("You may not delete this %(model)s here."),
}


class ServiceViewSet(viewsets.ModelViewSet):
    """A model viewset whose rows are `restrict`ed by the model's access declaration and
    whose writes go through services. Subclasses set:

    - `create_service(*, actor, data)`, `update_service(*, actor, instance, data)` and
      `delete_service(*, actor, instance)`: the app's services, called with the validated
      data as they are (their ValidationErrors become 400s in the exception handler);
    - `parent(data, instance)`: the object an add or change is checked against (the unit,
      measure, employee... the row goes into), so a unit head cannot write elsewhere;
    - `cache_list = True` where a page of the list depends only on the data, the query and
      the rows the user may see (not on who asks otherwise): pages are then kept as JSON
      (core/api/cached.py) for everyone with the same scope of rows.
    """

    permission_classes = [HasRulePermission]
    create_service = None
    update_service = None
    delete_service = None
    cache_list = False

    def get_queryset(self):
        return restrict(super().get_queryset(), self.request.user)

    def list(self, request, *args, **kwargs):
        if not self.cache_list:
            return super().list(request, *args, **kwargs)
        model = self.get_queryset().model
        # the whole address: the query, and the host the pages' next/previous links name
        parts = (type(self).__qualname__, request.build_absolute_uri(),
                 row_scope(model, request.user))  # fmt: skip
        return cached_response(
            self, request, "list", parts, lambda: super(ServiceViewSet, self).list(request).data
        )

    def parent(self, data: dict, instance=None):
        """The object the write is checked against; None checks without an object."""
        return data.get("unit", getattr(instance, "unit", None))

    def check_write(self, action: str, data: dict, instance=None) -> None:
        target = self.parent(data, instance)
        model = self.get_queryset().model
        if not self.request.user.has_perm(perm_name(model, action), target):
            raise PermissionDenied(REFUSALS[action] % {"model": model._meta.verbose_name})

    def perform_create(self, serializer):
        self.check_write("add", serializer.validated_data)
        serializer.instance = type(self).create_service(
            actor=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        # The object itself was checked by has_object_permission; where it goes, here.
        self.check_write("change", serializer.validated_data, serializer.instance)
        serializer.instance = type(self).update_service(
            actor=self.request.user,
            instance=serializer.instance,
            data=dict(serializer.validated_data),
        )

    def perform_destroy(self, instance):
        type(self).delete_service(actor=self.request.user, instance=instance)
