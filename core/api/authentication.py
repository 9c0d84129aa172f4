"""How the API knows who asks: knox's tokens, or the browser's session, but a session only
once it has passed the second factor where it needs one (core.second_factor). The middleware
sends such a session to its code on pages; here the API refuses it whatever else the request
carries (an Authorization header of another scheme, which knox ignores, must not let DRF
fall back to a session that still owes its second factor)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication, exceptions

from core.second_factor import session_passed


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (CSRF checked), for sessions past the second factor."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and not session_passed(request._request):
            raise exceptions.PermissionDenied(
                _(
                    "This session has not passed the second factor: enter your code on OSM's "
                    "two-factor page in the browser, or use an API token."
                )
            )
        return result


class VerifiedSessionScheme(SessionScheme):
    """The schema describes it as DRF's session cookie (drf-spectacular's own extension)."""

    target_class = "core.api.authentication.SessionAuthentication"
