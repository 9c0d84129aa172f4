"""Project-level endpoints: the health check (for the compose health check and load
balancers), the favicon, and the error pages of the web app (403, 404 and a refused CSRF
check, in the app's layout with a way back; 500 and 503 are core/errors.py's). Under /api/
the errors are JSON, as the API's own are."""

import logging

from django.db import DatabaseError, connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.errors import plain_page
from core.roles import ROLES, group_names, role_label
from core.views import NOT_ALLOWED

logger = logging.getLogger(__name__)


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


# Error pages -------------------------------------------------------------------------------

NOT_FOUND = gettext_lazy(
    "Nothing is at this address. Go back to the dashboard and follow the links from there."
)
NOT_SENT = gettext_lazy(
    "Nothing was saved: the page you sent it from was too old, or your browser refused this "
    "site's cookies. Go back, reload the page, and send the form again."
)
NOT_OPEN = gettext_lazy("You may not open this page")
NOT_THERE = gettext_lazy("This page does not exist")
NOT_SENT_TITLE = gettext_lazy("Your form was not sent")


def _back(request, *, this_one: bool = False) -> str | None:
    """The page the person came from, when it is one of ours (and not this one, unless
    `this_one`: the form a refused POST came from is the way back)."""
    referer = request.META.get("HTTP_REFERER", "")
    ours = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not ours or (referer == request.build_absolute_uri() and not this_one):
        return None
    return referer


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _page(request, template: str, context: dict, status: int, title: str, message: str):
    """The error page in the app's layout; if the layout itself fails (it reads the
    session, the user's roles and the static files' manifest: the database may be down),
    the same words on the plain page (core.errors.plain_page), never a 500 instead."""
    try:
        return render(request, template, context, status=status)
    except Exception:
        logger.exception("the %s page could not be rendered in the layout", status)
        return plain_page(status, str(title), str(message))


def permission_denied(request, exception=None):
    """handler403: what was refused and who may do it (the refusal's message, from
    core.views.require), the person's roles, a way back."""
    reason = str(exception or "") or str(NOT_ALLOWED)
    if _is_api(request):
        return JsonResponse({"detail": reason}, status=403)
    try:
        user = request.user
        mine = group_names(user) if user.is_authenticated else set()
        roles = [role_label(r) for r in ROLES if r in mine]
    except DatabaseError:
        return plain_page(403, str(NOT_OPEN), reason)
    context = {"reason": reason, "roles": roles, "back": _back(request)}
    return _page(request, "errors/403.html", context, 403, NOT_OPEN, reason)


def page_not_found(request, exception=None):
    """handler404: nothing at this address, a way back."""
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    context = {"back": _back(request)}
    return _page(request, "errors/404.html", context, 404, NOT_THERE, NOT_FOUND)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form refused because its token was missing or stale (an old
    page, blocked cookies); nothing was saved. Django's technical reason is not shown."""
    if _is_api(request):
        return JsonResponse({"detail": _("CSRF check failed: reload the page.")}, status=403)
    context = {"back": _back(request, this_one=True)}
    return _page(request, "errors/csrf.html", context, 403, NOT_SENT_TITLE, NOT_SENT)
