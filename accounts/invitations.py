"""The set-password link of an invitation: a token like a password reset's, but its own.

`InvitationTokenGenerator` signs with its own salt, so a password reset link is never an
invitation and an invitation never a reset link, and it expires after `INVITATION_DAYS`
days (a reset's after `PASSWORD_RESET_TIMEOUT`). Like Django's, the token is spent once the
password is set (the password's hash is part of what it signs) and ends with a sign-in.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens of invitation links: their own salt, `INVITATION_DAYS` days long."""

    key_salt = "accounts.invitations.InvitationTokenGenerator"

    @property
    def timeout(self) -> int:
        """Seconds a link works."""
        return settings.INVITATION_DAYS * 24 * 3600

    def check_token(self, user, token) -> bool:
        """Django's check, with the invitation's timeout instead of the reset's."""
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if token.count("-") != 1:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in (self.secret, *self.secret_fallbacks)
        ):
            return False
        return self._num_seconds(self._now()) - timestamp <= self.timeout


invitation_tokens = InvitationTokenGenerator()


def invitation_link(user) -> str:
    """The full address of `user`'s set-password page (on `SITE_URL`), valid from now."""
    path = reverse(
        "account-invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"
