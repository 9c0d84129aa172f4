"""Project-level endpoints: the health check (for the compose health check and load
balancers) and the favicon."""

from django.db import DatabaseError, connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 otherwise; no auth (the compose health check)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def favicon(request):
    """/favicon.ico → the SVG icon in static/."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
