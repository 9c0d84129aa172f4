"""API of accounts: one's own sessions and API tokens (API.md "Users and audit").

`GET auth/sessions/` lists them in one list (sessions first, then tokens), the one making
the request marked `current`; `DELETE auth/sessions/{id}/` ends one (`session-<n>`: that
browser is signed out; `token-<key>`: that token stops working), audited. Someone else's
is a 404. OSM staff add `?user=<id>` to list or end anyone's; for anyone else `?user=`
naming another person is a 403.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import UserSession
from ..selectors.sessions import credential_get, credentials_of
from ..services.credentials import session_end, token_revoke

STAFF_PERMISSION = "accounts.delete_usersession"  # OSM staff (UserSession is STAFF_ONLY)
NOT_STAFF = "`user` names someone else and you are not OSM staff."


class CredentialSerializer(serializers.Serializer):
    """A browser session or an API token."""

    id = serializers.CharField(
        help_text='"session-<n>" for a browser session, "token-<key>" for an API token (the '
        "key is the token's first characters; the rest is never stored). "
        "`DELETE auth/sessions/{id}/` ends it."
    )
    kind = serializers.CharField(help_text="session (a browser signed in) or token (API).")
    created = serializers.DateTimeField(
        help_text="When the session signed in, or the token was made."
    )
    last_seen = serializers.DateTimeField(
        allow_null=True,
        help_text="A session's last request (written every five minutes at most); null for "
        "a token.",
    )
    expiry = serializers.DateTimeField(
        allow_null=True, help_text="When a token stops working (null: never, or a session)."
    )
    address = serializers.CharField(
        allow_null=True, help_text="The client address a session signed in from; null for a token."
    )
    browser = serializers.CharField(
        help_text='The session\'s browser, e.g. "Firefox on Linux"; empty for a token.'
    )
    method = serializers.CharField(
        help_text="How a session signed in: password or sso (single sign-on); token for a token."
    )
    current = serializers.BooleanField(help_text="Whether this request comes with it.")


class UserParameter(serializers.Serializer):
    user = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="OSM staff: the id of the person whose sessions and tokens these are "
        "(default: your own). Anyone else may only name themselves.",
    )


def _subject(request):
    """Whose sessions: the caller's, or for the OSM staff the person `?user=` names."""
    parameters = UserParameter(data=request.query_params)
    parameters.is_valid(raise_exception=True)
    user_id = parameters.validated_data.get("user")
    if user_id is None or user_id == request.user.pk:
        return request.user
    if not request.user.has_perm(STAFF_PERMISSION):
        raise PermissionDenied(_("Only the OSM staff see other people's sessions."))
    return get_object_or_404(get_user_model(), pk=user_id)


def _current_keys(request, subject) -> tuple[str | None, str | None]:
    if subject.pk != request.user.pk:
        return None, None
    token = getattr(request.auth, "token_key", None)
    session = getattr(request._request, "session", None)
    session_key = session.session_key if session is not None and token is None else None
    return session_key, token


USER_PARAMETER = OpenApiParameter(
    "user",
    OpenApiTypes.INT,
    description="OSM staff: the id of the person whose sessions and tokens these are "
    "(default: your own). Anyone else may only name themselves.",
)


class SessionListView(APIView):
    """Your browser sessions and API tokens."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[USER_PARAMETER],
        responses={
            200: CredentialSerializer(many=True),
            400: OpenApiResponse(description="`user` is not an id."),
            403: OpenApiResponse(description=NOT_STAFF),
            404: OpenApiResponse(description="No user with that id (OSM staff)."),
        },
        summary="List your sessions and API tokens",
        description="Every browser session you are signed in with (latest seen first), then "
        "every API token that still works (newest first); the one making this request is "
        "`current`. Sessions idle for longer than the session lifetime are left out.",
    )
    def get(self, request):
        subject = _subject(request)
        session_key, token_key = _current_keys(request, subject)
        rows = credentials_of(subject, current_session_key=session_key, current_token_key=token_key)
        data = [
            {
                "id": row.id,
                "kind": row.kind,
                "created": row.created,
                "last_seen": row.last_seen,
                "expiry": row.expiry,
                "address": row.address,
                "browser": row.browser,
                "method": row.method,
                "current": row.current,
            }
            for row in rows
        ]
        return Response(CredentialSerializer(data, many=True).data)


class SessionEndView(APIView):
    """End one of your sessions or API tokens."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "id",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description='"session-<n>" or "token-<key>", as `GET auth/sessions/` lists it.',
            ),
            USER_PARAMETER,
        ],
        request=None,
        responses={
            204: None,
            400: OpenApiResponse(description="`user` is not an id."),
            403: OpenApiResponse(description=NOT_STAFF),
            404: OpenApiResponse(description="No such session or token of yours (or of `user`)."),
        },
        summary="End a session or revoke an API token",
        description="A session ended is signed out at its next request; a revoked token "
        "stops working at once (this one too, if it is the token of this request).",
    )
    def delete(self, request, **kwargs):
        subject = _subject(request)
        found = credential_get(subject, kwargs["id"])
        if found is None:
            raise NotFound(_("No such session or API token."))
        if isinstance(found, UserSession):
            session_end(session=found, request=request)
        else:
            token_revoke(token=found, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


ROUTES: list = []
PATHS = [
    path("auth/sessions/", SessionListView.as_view(), name="api-sessions"),
    path("auth/sessions/<str:id>/", SessionEndView.as_view(), name="api-session"),
]
