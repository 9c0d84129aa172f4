"""API of accounts: the users (`users/`).

Everyone with a role reads the active users (whom owners, heads, chairs and attendees
name); the OSM staff read every user (`?is_active=false` for the deactivated) and write:
`POST users/` and `POST users/invite/` create an account and mail its invitation,
`PUT`/`PATCH users/{id}/` change the details, the roles (by name) and whether active (a
deactivation ends the user's sessions and API tokens at once). Nobody else writes (403,
unit heads included: a unit head cannot grant roles). A user is never deleted (405): he
or she is deactivated. The units a user heads are read here and set through `units/`
(`head`). Writes go through accounts/services/users.py, as the pages' do.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.response import Response

from core.api.permissions import HasRulePermission
from core.roles import ROLES
from core.scoping import restrict

from ..selectors.users import users_with_access
from ..services import users as services

ROLE_HELP = "Names of the user's roles: " + ", ".join(ROLES) + "."


class FullNameField(serializers.CharField):
    """First and last name, read together; written as one text (first word: first name)."""

    def get_attribute(self, instance):
        return instance.get_full_name()


class RolesField(serializers.ListField):
    """The user's role names (his or her groups), sorted; written as the full list."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.ChoiceField(choices=ROLES), **kwargs)

    def get_attribute(self, instance):
        return sorted(group.name for group in instance.groups.all())


class UserSerializer(serializers.ModelSerializer):
    full_name = FullNameField(max_length=300, help_text="First and last name.")
    roles = RolesField(help_text=ROLE_HELP)
    headed_units = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text="Ids of the org units the user heads (set through units/, `head`).",
    )

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "full_name",
            "email",
            "roles",
            "is_active",
            "headed_units",
            "last_login",
        ]
        read_only_fields = ["last_login"]
        extra_kwargs = {
            "id": {"help_text": "Identifier."},
            "username": {"help_text": "Login name.", "validators": []},
            "email": {"help_text": "Email address.", "required": True, "allow_blank": False},
            "is_active": {
                "help_text": "Whether the user may sign in; false ends his or her sessions and "
                "API tokens at once.",
                "required": True,
            },
            "last_login": {
                "help_text": "When the user last signed in (null if never, and for readers "
                "who are not OSM staff)."
            },
        }

    def to_representation(self, instance):
        # Who signed in when is the OSM staff's to see (issue 18, item 4), not every reader's.
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not request.user.has_perm("auth.change_user"):
            data["last_login"] = None
        return data


class InvitationSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="Where the invitation goes.")
    full_name = serializers.CharField(max_length=300, help_text="First and last name.")
    roles = serializers.ListField(child=serializers.ChoiceField(choices=ROLES), help_text=ROLE_HELP)


@extend_schema_view(
    create=extend_schema(
        summary="Create a user and mail the invitation (OSM staff)",
        responses={201: UserSerializer, 403: OpenApiResponse(description="Not OSM staff.")},
    ),
    update=extend_schema(summary="Change a user (OSM staff)"),
    partial_update=extend_schema(summary="Change some of a user's fields (OSM staff)"),
)
class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Users: whom owners, heads, chairs and attendees refer to; managed by the OSM staff
    (never deleted: deactivated)."""

    permission_classes = [HasRulePermission]
    serializer_class = UserSerializer
    filterset_fields = ["username", "email", "is_active"]
    ordering_fields = ["username"]
    ordering = ["username"]

    def manages(self) -> bool:
        return self.request.user.has_perm("auth.change_user")

    def get_queryset(self):
        users = users_with_access()
        if not self.manages():
            users = users.filter(is_active=True)
        return restrict(users, self.request.user)

    def check_permissions(self, request):
        # Before the rules: nobody deletes a user, so the answer is the same for everyone.
        if request.method == "DELETE":
            raise MethodNotAllowed(
                request.method, detail=_("A user is never deleted: deactivate him or her.")
            )
        super().check_permissions(request)

    def _reloaded(self, user):
        return self.get_queryset().get(pk=user.pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not data["is_active"]:
            raise ValidationError(
                {"is_active": [_("A new user starts active: deactivate him or her afterwards.")]}
            )
        user = services.user_invite(
            email=data["email"],
            full_name=data["full_name"],
            roles=data["roles"],
            username=data["username"],
            invited_by=request.user,
            request=request,
        )
        return Response(self.get_serializer(self._reloaded(user)).data, status=201)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        user = self.get_object()
        serializer = self.get_serializer(user, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.user_update(
            user=user, data=dict(serializer.validated_data), by=request.user, request=request
        )
        return Response(self.get_serializer(self._reloaded(user)).data)

    @extend_schema(
        request=InvitationSerializer,
        responses={201: UserSerializer, 403: OpenApiResponse(description="Not OSM staff.")},
        summary="Invite someone by e-mail (OSM staff)",
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def invite(self, request):
        """Create the account of `email` with `roles`, its username made from the address,
        and mail the person a link to choose a password (it expires)."""
        serializer = InvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = services.user_invite(**data, invited_by=request.user, request=request)
        return Response(
            self.get_serializer(self._reloaded(user)).data, status=status.HTTP_201_CREATED
        )


ROUTES = [("users", UserViewSet, "user")]
PATHS: list = []
