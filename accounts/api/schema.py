"""Who may read the API's description: the OpenAPI schema (`schema/`) and its Swagger UI
page (`docs/`) are for signed-in users (a session or a token) unless API_SCHEMA_PUBLIC
publishes them. Without it, the schema answers 401 and the docs page sends a browser to
the login page (and back)."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission


def _published(request) -> bool:
    return bool(settings.API_SCHEMA_PUBLIC) or bool(request.user and request.user.is_authenticated)


class SchemaReaders(BasePermission):
    """Signed in, unless API_SCHEMA_PUBLIC (read at each request)."""

    message = "Sign in to read the API's schema."

    def has_permission(self, request, view):
        return _published(request)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, for signed-in users unless published."""

    permission_classes = [SchemaReaders]


class SchemaDocsView(SpectacularSwaggerSplitView):
    """Swagger UI over the schema, for signed-in users unless published: an anonymous
    visitor is sent to the login page, which brings them back."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not _published(request):
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)
