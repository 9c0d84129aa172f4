"""Limits every request meets before a view reads its body, and so before the API
authenticates anyone:

- its size: the declared Content-Length (Django reads no further) against what the view
  takes: `REQUEST_MAX_BYTES` (Django's default of 2.5 MB) unless the view is marked with
  `core.uploads.takes_large_body` (the uploads), which then checks its own limit and says
  so in its own words;
- for a JSON body, how deeply it nests (`core.api.parsers.MAX_JSON_DEPTH`): a deeply nested
  body answers 400, never a RecursionError from the JSON decoder (a 500).

The API gets `{"detail": "..."}`, other addresses the message as text.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse

from .api.parsers import TOO_DEEP, nests_too_deep
from .uploads import large_body_limit


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _refuse(request, status: int, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _is_json(request) -> bool:
    kind = request.content_type or ""
    return kind == "application/json" or kind.endswith("+json")


class RequestLimitsMiddleware:
    """Refuses a body larger than its view takes (413) and a JSON body nested too deep
    (400), before the view runs. Listed before the middleware that read bodies (CSRF)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(request, 400, "The Content-Length header is not a number.")
        own_limit = large_body_limit(view_func)
        if own_limit is None and length > settings.REQUEST_MAX_BYTES:
            return _refuse(
                request,
                413,
                f"The request body is {_megabytes(length)}; this address takes at most "
                f"{_megabytes(settings.REQUEST_MAX_BYTES)}.",
            )
        # A body over an upload's own limit is left to the view, which refuses it unread.
        within = length <= (own_limit if own_limit is not None else settings.REQUEST_MAX_BYTES)
        if length and within and _is_json(request):
            try:
                body = request.body
            except RequestDataTooBig:  # an upload allowed more than Django's own ceiling
                return _refuse(request, 413, "The request body is too large.")
            if nests_too_deep(body):
                return _refuse(request, 400, TOO_DEEP)
        return None
