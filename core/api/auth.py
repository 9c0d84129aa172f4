"""Sign-in to the API: token login (throttled per address and per username, refused while
django-axes has locked the login out, asking for the second factor's code where the person
has one or must have one) and token revocation. The users resource is
accounts/api/users.py."""

import hashlib

from axes.helpers import get_cool_off
from django.contrib.auth import user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import get_token_model
from knox.settings import knox_settings
from knox.views import LogoutView
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from core.audit import AuditKind, audit
from core.second_factor import token_refusal


class LoginAddressThrottle(AnonRateThrottle):
    """Login attempts per client address."""

    scope = "login_address"


class LoginUserThrottle(SimpleRateThrottle):
    """Login attempts per username, whatever the address (against password guessing)."""

    scope = "login_user"

    def get_cache_key(self, request, view):
        data = request.data
        username = data.get("username") if isinstance(data, dict) else None
        if not isinstance(username, str) or not username.strip():
            return None  # the address throttle still counts the try
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


class CredentialsSerializer(AuthTokenSerializer):
    """Username and password (DRF's checks, described for the schema)."""

    username = serializers.CharField(help_text="Login name.", write_only=True)
    password = serializers.CharField(
        help_text="Password.",
        write_only=True,
        style={"input_type": "password"},
        trim_whitespace=False,
    )
    otp = serializers.CharField(
        help_text=(
            "Second factor: the code the authenticator app shows now, or an unused recovery "
            "code (used up). Required for an account that has a second factor set up, or "
            "whose role requires one (then set it up in the web app first)."
        ),
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=32,
    )


class TokenView(APIView):
    """`POST {"username", "password", "otp"}` → `{"token", "expiry"}`. Tokens are stored
    hashed and expire (`API_TOKEN_DAYS`, default 30); wrong credentials are a 400, never a
    token. `otp` (the second factor's code) is needed where the person has a second factor
    or must have one: without it, or wrong, a 400 on `otp` (a wrong code is recorded and
    throttled by django-otp). Each token given is recorded in the audit log."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (LoginAddressThrottle, LoginUserThrottle)
    serializer_class = CredentialsSerializer

    @extend_schema(
        request=CredentialsSerializer,
        responses={
            200: inline_serializer(
                "Token",
                {
                    "token": serializers.CharField(help_text="Send as `Authorization: Token …`."),
                    "expiry": serializers.DateTimeField(help_text="When the token stops working."),
                },
            ),
            400: OpenApiResponse(
                description=(
                    "Wrong credentials or missing fields; or `otp` missing, wrong or throttled "
                    'for an account with a second factor (`{"otp": ["…"]}`).'
                )
            ),
            429: OpenApiResponse(description="Too many tries, or locked out after failures."),
        },
        auth=[],
        summary="Get an API token",
    )
    def post(self, request):
        credentials = CredentialsSerializer(data=request.data, context={"request": request})
        valid = credentials.is_valid()
        # django-axes refused the login if it marked the request locked out (Django's
        # authenticate() turns its refusal into a failed login, hence the look).
        locked = getattr(request, "axes_locked_out", False) or getattr(
            request._request, "axes_locked_out", False
        )
        if locked:
            minutes = int(get_cool_off(request).total_seconds() // 60)
            return Response(
                {
                    "detail": _(
                        "Too many failed logins for this user from this address: its logins from "
                        "here are refused for %(minutes)s minutes. The OSM staff can unlock it."
                    )
                    % {"minutes": minutes}
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if not valid:
            raise ValidationError(credentials.errors)
        user = credentials.validated_data["user"]
        refusal = token_refusal(
            request=request, user=user, code=credentials.validated_data.get("otp", "")
        )
        if refusal:
            raise ValidationError({"otp": [refusal]})
        instance, token = get_token_model().objects.create(
            user=user, expiry=knox_settings.TOKEN_TTL
        )
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        audit(
            AuditKind.TOKEN_CREATED,
            request=request,
            actor=user,
            target=user,
            detail=instance.token_key[:8],
        )
        return Response({"token": token, "expiry": instance.expiry}, status=status.HTTP_200_OK)


class RevokeView(LogoutView):
    """`POST` with a token: that token stops working."""

    @extend_schema(request=None, responses={204: None}, summary="Revoke this token")
    def post(self, request, format=None):
        # Not knox's own post: it sends user_logged_out, which would record a sign-out and
        # forget the browser session riding along; this is a token's revocation.
        token = request._auth
        token.delete()
        audit(
            AuditKind.TOKEN_REVOKED,
            request=request,
            target=request.user,
            detail=token.token_key[:8],
        )
        return Response(None, status=status.HTTP_204_NO_CONTENT)
