"""Authentication backends: password sign-in that can be switched off for all but the
break-glass accounts, and single sign-on (the user a verified ID token names).

Settings: AUTHENTICATION_BACKENDS lists PasswordBackend instead of Django's ModelBackend,
and SSOBackend (which also restores single sign-on sessions), after the django-axes
backend."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import sso
from .mfa import HAS_DEVICE


class _SessionUsers(ModelBackend):
    """Loads a session's user (every request) with whether he or she has a confirmed
    authenticator, in the same one query: the second factor's check then costs nothing."""

    def get_user(self, user_id):
        User = get_user_model()
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        try:
            user = User._default_manager.annotate(**{HAS_DEVICE: Exists(devices)}).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def password_login_allowed(username) -> bool:
    """Password sign-in is on, or the username is a break-glass account."""
    return bool(settings.PASSWORD_LOGIN) or (
        isinstance(username, str) and username in settings.BREAK_GLASS_USERNAMES
    )


class PasswordBackend(_SessionUsers):
    """Django's username and password check (web and API token login), refused when
    PASSWORD_LOGIN is off unless the username is in BREAK_GLASS_USERNAMES."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not password_login_allowed(username):
            # Hash anyway, as ModelBackend does for an unknown user: a refusal that answered
            # at once would tell the break-glass accounts' names by timing.
            get_user_model()().set_password(password)
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class SSOBackend(_SessionUsers):
    """The user of a verified ID token's claims (accounts.sso.user_sign_in), created or
    brought up to date; None for anything else or a deactivated user. The sign-in view
    calls it directly, so a refusal's reason reaches the person (SSORefused)."""

    def authenticate(self, request, oidc_claims=None, **kwargs):
        if oidc_claims is None:
            return None
        user = sso.user_sign_in(claims=oidc_claims, request=request)
        return user if self.user_can_authenticate(user) else None
