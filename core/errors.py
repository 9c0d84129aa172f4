"""The error pages: a database that does not answer is a 503 saying so (the app recovers
by itself when it is back: connections are health-checked before reuse), anything else a
plain 500. The API gets JSON, people a page; never a traceback.

`plain_page` is the page that needs nothing that may be broken (no database, no request,
no session, no static files' manifest): the 500 and 503 pages, and the fallback of the
other error pages (osm/views.py) when the app's layout cannot be rendered."""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import JsonResponse
from django.template import loader
from django.template.response import SimpleTemplateResponse
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

UNAVAILABLE = gettext_lazy(
    "The database is not answering. Nothing you sent was half-saved: try again in a minute."
)


def _is_outage(exc) -> bool:
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
    )


WRITTEN_DOWN = gettext_lazy(
    "It was written to the server's log for the OSM staff. What you sent may not have been "
    "saved: go back and check before you send it again."
)


def plain_page(status: int, title: str, message: str, note: str = "") -> SimpleTemplateResponse:
    """An error page on the minimal base (templates/errors/minimal.html), rendered."""
    # No context processors, no database: the page must render during an outage.
    template = loader.get_template("errors/error.html")
    try:
        stylesheet = static("css/osm.css")
    except ValueError:  # no collectstatic manifest: the page still renders, plainer
        stylesheet = None
    context = {"title": title, "message": message, "note": note, "stylesheet": stylesheet}
    response = SimpleTemplateResponse(template, context, status=status)
    response.render()
    return response


def server_error(request):
    """handler500: called while the exception is being handled, so it can look at it."""
    exc = sys.exc_info()[1]
    if _is_outage(exc):
        status, message = 503, str(UNAVAILABLE)
    else:
        status, message = 500, _("Something went wrong.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=status)
    elif status == 503:
        response = plain_page(503, _("OSM is unavailable for a moment"), message)
    else:
        response = plain_page(500, _("Something went wrong"), message, str(WRITTEN_DOWN))
    if status == 503:
        response["Retry-After"] = "60"
    return response
