"""`SecondFactorMiddleware`: a signed-in session that has not passed the second factor where
it needs to (accounts/mfa.py `mfa_pending`) reaches nothing but the pages that get it there.

Listed after django-otp's `OTPMiddleware` (which says whether the session is verified). A
page is answered with a redirect to the verify page (or to the set-up page when the second
factor is required and the person has none), carrying `?next=` back to where they were
going; an htmx request gets htmx's own redirect header (or, made by one of the pages
reachable unverified, a 204 that changes nothing). The API, signed in by the session
cookie, gets 403 JSON saying what to do; an API request with a token (the Authorization
header) is left alone: tokens are given only after the second factor (core/api/auth.py).

Reachable unverified: the verify and set-up pages, logging in and out, the language page,
the health check, static files and the favicon, the API token login, and any view marked
`@second_factor_exempt` (the single sign-on pages mark theirs, or are named `sso-…`).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from knox.settings import knox_settings

from .mfa import ENROL, mfa_pending

EXEMPT_VIEW_NAMES = frozenset({"login", "logout", "language", "healthz", "api-token"})
EXEMPT_NAME_PREFIXES = ("sso", "oidc")


def second_factor_exempt(view):
    """Mark a view as reachable by a signed-in session that has not passed the second factor
    (the pages that sign in or get the session verified)."""
    view.second_factor_exempt = True
    return view


def _exempt_view(match) -> bool:
    if match is None:
        return False
    if getattr(match.func, "second_factor_exempt", False):
        return True
    name = match.url_name or ""
    return name in EXEMPT_VIEW_NAMES or name.startswith(EXEMPT_NAME_PREFIXES)


def _exempt(request, view_func) -> bool:
    if getattr(view_func, "second_factor_exempt", False):
        return True
    if request.path.startswith((settings.STATIC_URL or "/static/", "/favicon.ico")):
        return True
    return _exempt_view(getattr(request, "resolver_match", None))


def _from_exempt_page(request) -> bool:
    """An htmx request made by a page the session may see unverified (the top bar's inbox
    count on the verify page): redirecting it would reload that page without end."""
    current = request.headers.get("HX-Current-URL", "")
    try:
        return _exempt_view(resolve(urlsplit(current).path or "/"))
    except Resolver404:
        return False


def _api_refusal(pending: str) -> JsonResponse:
    if pending == ENROL:
        message = _(
            "Your account must have a second factor: set it up in OSM's web app "
            "(Two-factor sign-in) before using the API from this session."
        )
    else:
        message = _(
            "This session has not passed the second factor: enter your code on OSM's "
            "two-factor page in the browser, or use an API token."
        )
    return JsonResponse({"detail": message}, status=403)


def _token_scheme(request) -> bool:
    """Whether the request names knox's scheme (`Authorization: Token ...`). Another scheme
    is not a token: knox ignores it and DRF would fall back to the session."""
    scheme = request.META.get("HTTP_AUTHORIZATION", "").split(" ", 1)[0]
    return scheme.lower() == knox_settings.AUTH_HEADER_PREFIX.lower()


class SecondFactorMiddleware:
    """Sends a signed-in session that must pass the second factor to the page that asks for
    it (or answers the API with 403), before any other view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        api = request.path.startswith("/api/")
        if api and _token_scheme(request):
            return None  # knox authenticates this request (or answers 401), never the session
        if _exempt(request, view_func):
            return None
        pending = mfa_pending(request)
        if pending is None:
            return None
        if api:
            return _api_refusal(pending)
        url = reverse("mfa-setup" if pending == ENROL else "mfa-verify")
        if request.method in ("GET", "HEAD"):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            if _from_exempt_page(request):
                return HttpResponse(status=204)  # htmx leaves the page as it is
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
