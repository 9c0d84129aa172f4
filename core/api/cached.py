"""API answers kept as the JSON bytes they were sent as (core/reads.py): a view names what
its answer depends on besides the data, and a second request with the same parts is
served the bytes without computing, serializing or rendering anything.

Only JSON is kept. The browsable API (its page carries the user's name and a CSRF token)
and the file formats (csv, xlsx) are rendered for each request as before."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpResponse
from rest_framework.response import Response

from ..reads import cached_read


def cached_response(view, request, kind: str, parts: Iterable, build: Callable[[], object]):
    """The answer `build()` gives, rendered by the negotiated JSON renderer and kept under
    `parts` (with the media type asked, which may carry an indent); any other format is a
    plain `Response(build())`. Errors raised by `build` (a 400, a 404) are not kept."""
    renderer = request.accepted_renderer
    if renderer.format != "json":
        return Response(build())
    media_type = request.accepted_media_type

    def render() -> bytes:
        return renderer.render(build(), media_type, view.get_renderer_context())

    body = cached_read(kind, (*parts, media_type), render)
    # as DRF's Response names it: the renderer's type, with its charset if it has one
    content_type = renderer.media_type
    if renderer.charset:
        content_type = f"{content_type}; charset={renderer.charset}"
    return HttpResponse(body, content_type=content_type)
