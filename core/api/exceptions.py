"""The error format of API v1 (`400 {"field": [...]}`), named by REST_FRAMEWORK.

Kept apart from the router (which imports the schema views) because DRF imports it while
it is itself being imported.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.utils.translation import gettext as _
from rest_framework.exceptions import UnsupportedMediaType, ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, plus the services' Django ValidationErrors as `400 {"field": [...]}`
    (`non_field_errors` for the object as a whole), and integrity races and numbers out of
    the database's range as 400s. A body of a type the endpoint does not take (a form
    post to a JSON endpoint) is a 415 whose detail says which types it takes."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                ("non_field_errors" if field == "__all__" else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        exc = ValidationError(detail)
    elif isinstance(exc, IntegrityError):
        exc = ValidationError({"non_field_errors": [_("This conflicts with existing data.")]})
    elif isinstance(exc, (OverflowError, DataError)):
        # An id or number beyond what the database stores (a filter like ?unit=1e30).
        exc = ValidationError({"detail": _("A number in the request is out of range.")})
    elif isinstance(exc, UnsupportedMediaType):
        view = context.get("view")
        accepted = " or ".join(p.media_type for p in getattr(view, "parser_classes", ()))
        if accepted:
            exc = UnsupportedMediaType(
                None,
                detail=_("%(problem)s Send %(types)s.")
                % {"problem": exc.detail, "types": accepted},
            )
    return drf_exception_handler(exc, context)
