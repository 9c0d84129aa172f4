"""Single sign-on pages: the start (a redirect to the provider) and the callback (the
provider's answer, checked, then the person signed in). Both are 404 while OIDC_ISSUER is
empty.

Every refusal ends the same way: nobody signed in (a session already signed in is ended),
the login page with a message that says what went wrong, and an SSO_FAILED audit entry
with the reason."""

import logging

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    DecodeError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
)
from requests import RequestException

from core.audit import AuditKind, audit

from . import sso
from .backends import SSOBackend
from .constants import MFA_BY_PROVIDER_SESSION_KEY, SIGN_IN_METHOD_SESSION_KEY

log = logging.getLogger(__name__)

SSO_BACKEND = "accounts.backends.SSOBackend"
# Where to go after signing in, kept while the person is away at the provider.
NEXT_SESSION_KEY = "osm_sso_next"


def _refuse(request, reason: str, message: str):
    log.warning("Single sign-on refused: %s", reason)
    audit(AuditKind.SSO_FAILED, request=request, detail=reason)
    request.session.pop(NEXT_SESSION_KEY, None)
    if request.user.is_authenticated:
        logout(request)
    messages.error(request, message)
    return redirect(settings.LOGIN_URL)


def _misconfigured(request, error: Exception):
    log.error("Single sign-on is misconfigured: %s", error)
    return _refuse(
        request,
        f"configuration: {error}",
        _("Single sign-on is not configured correctly. Please tell OSM staff."),
    )


def _unreachable(request, error: Exception):
    return _refuse(
        request,
        f"provider unreachable: {error}",
        _("The sign-in provider could not be reached. Please try again later."),
    )


@require_GET
@never_cache
def sso_login(request):
    """Send the person to the provider (state, nonce and PKCE kept in the session)."""
    if not sso.sso_enabled():
        raise Http404
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[NEXT_SESSION_KEY] = target
    else:
        request.session.pop(NEXT_SESSION_KEY, None)
    try:
        sso.role_map()  # a broken map or issuer is told before the trip to the provider
        client = sso.oidc_client()
        sso.claims_options(client)
        callback = request.build_absolute_uri(reverse("sso-callback"))
        return client.authorize_redirect(request, callback)
    except sso.SSORefused as refusal:
        return _refuse(request, refusal.reason, refusal.message)
    except ImproperlyConfigured as error:
        return _misconfigured(request, error)
    except (RequestException, ValueError, RuntimeError) as error:
        return _unreachable(request, error)


def _token_refusal(request, error: Exception):
    """The refusal for what went wrong while getting and checking the ID token."""
    if isinstance(error, MismatchingStateError):
        return _refuse(
            request,
            "state: unknown, already used or expired",
            _(
                "This sign-in answer is not valid any more: it was already used, or the "
                "sign-in began in another browser. Please sign in again."
            ),
        )
    if isinstance(error, OAuthError):
        code = error.error or "error"
        return _refuse(
            request,
            f"provider error: {code}: {error.description or ''}".strip(),
            _("The sign-in provider refused the sign-in (%(error)s).") % {"error": code},
        )
    if isinstance(error, BadSignatureError | InvalidKeyIdError | DecodeError):
        return _refuse(
            request,
            f"signature: {error}",
            _(
                "The sign-in provider's answer could not be verified: its signature does "
                "not match the provider's published keys."
            ),
        )
    if isinstance(error, ExpiredTokenError):
        return _refuse(
            request,
            "expired: the ID token has expired",
            _("The sign-in provider's answer has expired. Please sign in again."),
        )
    claim = getattr(error, "claim", "") if isinstance(error, ClaimError) else ""
    messages_by_claim = {
        "aud": _("The sign-in provider's answer was meant for another application."),
        "azp": _("The sign-in provider's answer was meant for another application."),
        "nonce": _("The sign-in provider's answer does not belong to this sign-in attempt."),
        "iss": _("The sign-in provider's answer comes from another issuer than OSM expects."),
    }
    reasons = {"aud": "audience", "azp": "audience", "nonce": "nonce", "iss": "issuer"}
    return _refuse(
        request,
        f"{reasons.get(claim, 'claims')}: {error}",
        messages_by_claim.get(
            claim, _("The sign-in provider's answer is not valid (%(error)s).") % {"error": error}
        ),
    )


def _claims(request) -> dict:
    """The verified claims of the ID token the provider's answer leads to."""
    client = sso.oidc_client()
    options = sso.claims_options(client)
    token = client.authorize_access_token(request, claims_options=options, leeway=sso.LEEWAY)
    claims = token.get("userinfo")
    if not claims:
        raise sso.SSORefused(
            "no ID token in the provider's answer",
            _("The sign-in provider sent no ID token; check the scopes (openid)."),
        )
    return dict(claims)


@require_GET
@never_cache
def sso_callback(request):
    """The provider's answer: check it, find or create the user, sign him or her in."""
    if not sso.sso_enabled():
        raise Http404
    try:
        claims = _claims(request)
        # Called directly rather than through django.contrib.auth.authenticate(): a refusal
        # here is not a password failure for django-axes to count, and its reason is shown.
        user = SSOBackend().authenticate(request, oidc_claims=claims)
    except sso.SSORefused as refusal:
        return _refuse(request, refusal.reason, refusal.message)
    except ImproperlyConfigured as error:
        return _misconfigured(request, error)
    except (OAuthError, JoseError) as error:
        return _token_refusal(request, error)
    except (RequestException, ValueError, RuntimeError) as error:
        return _unreachable(request, error)
    if user is None:  # not allowed to sign in (SSOBackend.user_can_authenticate)
        return _refuse(
            request,
            "user may not sign in",
            _("Your OSM account is deactivated. Ask OSM staff to reactivate it."),
        )
    target = request.session.pop(NEXT_SESSION_KEY, "")
    user.backend = SSO_BACKEND  # accounts.receivers tells an SSO sign-in by it
    login(request, user, backend=SSO_BACKEND)
    request.session[SIGN_IN_METHOD_SESSION_KEY] = "sso"
    if sso.mfa_asserted(claims):
        request.session[MFA_BY_PROVIDER_SESSION_KEY] = True
    else:
        request.session.pop(MFA_BY_PROVIDER_SESSION_KEY, None)
    return redirect(target or settings.LOGIN_REDIRECT_URL)
