"""API of accounts: the users whom owners, heads, chairs and attendees name."""

from django.contrib.auth import get_user_model
from rest_framework import serializers, viewsets

from core.api.permissions import HasRulePermission
from core.scoping import restrict


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
        return restrict(users, self.request.user)


ROUTES = [("users", UserViewSet, "user")]
PATHS: list = []
