"""Project-level views: the health check and the home page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from scorecards import selectors as scorecard_selectors
from scorecards.selectors.scorecard import unit_scorecard


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


@login_required
def home(request):
    """The enterprise scorecard: perspectives, objectives and measures with their scores,
    statuses and trends as of this month (the dashboard grows from here)."""
    if not request.user.has_perm("scorecards.view_objective"):
        raise PermissionDenied("You have no role in OSM yet: ask the OSM staff for one.")
    root = scorecard_selectors.enterprise_unit()
    card = unit_scorecard(root) if root else None
    return render(request, "osm/home.html", {"root": root, "card": card})
