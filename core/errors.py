"""The error pages: a database that does not answer is a 503 saying so (the app recovers
by itself when it is back: connections are health-checked before reuse), anything else a
plain 500. The API gets JSON, people a page; never a traceback."""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import JsonResponse
from django.template import loader
from django.template.response import SimpleTemplateResponse
from django.templatetags.static import static

UNAVAILABLE = (
    "The database is not answering. Nothing you sent was half-saved: try again in a minute."
)


def _is_outage(exc) -> bool:
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
    )


def server_error(request):
    """handler500: called while the exception is being handled, so it can look at it."""
    exc = sys.exc_info()[1]
    status, message = (503, UNAVAILABLE) if _is_outage(exc) else (500, "Something went wrong.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=status)
    else:
        # No context processors, no database: the page must render during the outage.
        template = loader.get_template("errors/error.html")
        try:
            stylesheet = static("css/osm.css")
        except ValueError:  # no collectstatic manifest: the page still renders, plainer
            stylesheet = None
        response = SimpleTemplateResponse(
            template,
            {"status": status, "message": message, "stylesheet": stylesheet},
            status=status,
        )
        response.render()
    if status == 503:
        response["Retry-After"] = "60"
    return response
