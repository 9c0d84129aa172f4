"""API v1 wiring: the one router every app's viewsets register on, token login and
logout, and the schema and its browsable docs (API.md). Pagination and the error format
are in osm/drf.py."""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model, user_logged_in
from django.urls import include, path
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from knox.models import get_token_model
from knox.settings import knox_settings
from knox.views import LogoutView
from rest_framework import serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from budgets.api import ROUTES as budget_routes
from initiatives.api import ROUTES as initiative_routes
from osm import api_reads as reads
from osm.api_bulk import BulkValuesView
from osm.api_strategy import StrategyTestsView
from osm.permissions import HasRulePermission, Scope, scope_queryset
from people.api import ROUTES as people_routes
from reviews.api import ROUTES as review_routes
from scorecards.api import ROUTES as scorecard_routes


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


class TokenView(APIView):
    """`POST {"username", "password"}` → `{"token", "expiry"}`. Tokens are stored hashed
    and expire (`API_TOKEN_DAYS`, default 30); wrong credentials are a 400, never a token."""

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
            400: OpenApiResponse(description="Wrong credentials or missing fields."),
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
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            return Response(
                {
                    "detail": "Too many failed logins for this user or from this address: "
                    f"logins are refused for {minutes} minutes. The OSM staff can unlock it."
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if not valid:
            raise ValidationError(credentials.errors)
        user = credentials.validated_data["user"]
        instance, token = get_token_model().objects.create(
            user=user, expiry=knox_settings.TOKEN_TTL
        )
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response({"token": token, "expiry": instance.expiry}, status=status.HTTP_200_OK)


class RevokeView(LogoutView):
    """`POST` with a token: that token stops working."""

    @extend_schema(request=None, responses={204: None}, summary="Revoke this token")
    def post(self, request, format=None):
        return super().post(request, format)


class UserSerializer(serializers.ModelSerializer):
    full_name = serializers.SerializerMethodField(help_text="First and last name.")
    roles = serializers.SerializerMethodField(help_text="Names of the user's roles.")

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name", "email", "roles"]
        extra_kwargs = {
            "id": {"help_text": "Identifier."},
            "username": {"help_text": "Login name."},
            "email": {"help_text": "Email address."},
        }

    def get_full_name(self, user) -> str:
        return user.get_full_name()

    def get_roles(self, user) -> list[str]:
        return sorted(group.name for group in user.groups.all())


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Users (read-only): whom owners, heads, chairs and attendees refer to."""

    permission_classes = [HasRulePermission]
    serializer_class = UserSerializer
    filterset_fields = ["username", "email"]
    ordering_fields = ["username"]
    ordering = ["username"]

    def get_queryset(self):
        users = get_user_model().objects.filter(is_active=True).prefetch_related("groups")
        return scope_queryset(self.request.user, users, Scope.STRATEGY)


router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
for app_routes in (
    scorecard_routes,
    initiative_routes,
    budget_routes,
    people_routes,
    review_routes,
):
    for prefix, viewset, basename in app_routes:
        router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/logout/", RevokeView.as_view(), name="api-logout"),
    path("units/<int:pk>/scorecard/", reads.UnitScorecardView.as_view(), name="api-scorecard"),
    path("units/<int:pk>/strategy-map/", reads.StrategyMapView.as_view(), name="api-strategy-map"),
    path("units/<int:pk>/strategy-tests/", StrategyTestsView.as_view(), name="api-strategy-tests"),
    path("objectives/<int:pk>/cascade/", reads.ObjectiveCascadeView.as_view(), name="api-cascade"),
    path("alignment/", reads.AlignmentView.as_view(), name="api-alignment"),
    # Before the router's measure-values/{id}/, which would take "bulk" for an id.
    path("measure-values/bulk/", BulkValuesView.as_view(), name="api-bulk-values"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so
    # the Content-Security-Policy holds on the docs page too.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
