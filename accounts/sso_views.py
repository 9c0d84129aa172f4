"""Single sign-on pages: the start (a redirect to the provider) and the callback (the
provider's answer, checked, then the person signed in). Both are 404 while OIDC_ISSUER is
empty.

Every refusal ends on the login page with a message that says what went wrong, and an
SSO_FAILED audit entry with the reason. The callback is a GET anyone can make a browser
open (a link, an image), so:
- a session already signed in is ended only when the refused answer belongs to a sign-in
  this browser began (its `state` is one this session keeps); an answer with no state, or
  someone else's, is refused before asking the provider and leaves the session alone;
- at most FAILURES_AUDITED_PER_ADDRESS refusals per client address and hour are written to
  the audit log (counted in the cache); beyond that they are refused all the same, and
  only the server log has them."""

import hashlib
import logging

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.cache import cache
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

from core.addresses import client_address
from core.audit import AuditKind, audit

from . import sso
from .backends import SSOBackend
from .constants import MFA_BY_PROVIDER_SESSION_KEY, SIGN_IN_METHOD_SESSION_KEY

log = logging.getLogger(__name__)

SSO_BACKEND = "accounts.backends.SSOBackend"
# Where to go after signing in, kept while the person is away at the provider.
NEXT_SESSION_KEY = "osm_sso_next"


# SSO_FAILED audit entries per client address and window; beyond them, server log only.
FAILURES_AUDITED_PER_ADDRESS = 20
FAILURES_WINDOW = 3600  # seconds

STATE_REASON = "state: unknown, already used or expired"


def _state_message() -> str:
    return _(
        "This sign-in answer is not valid any more: it was already used, or the sign-in "
        "began in another browser. Please sign in again."
    )


def failures_key(address: str | None) -> str:
    """The cache key counting refusals from `address` (None: no valid address)."""
    digest = hashlib.sha256((address or "").encode()).hexdigest()
    return f"osm:sso-failed:address:{digest}"


def _failure_audited(request) -> bool:
    """Count one more refusal from the request's address; whether it is still within
    FAILURES_AUDITED_PER_ADDRESS in this window (with the cache down, always: fail open)."""
    key = failures_key(client_address(request))
    cache.add(key, 0, FAILURES_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, FAILURES_WINDOW)
        count = 1
    return count <= FAILURES_AUDITED_PER_ADDRESS


def _refuse(request, reason: str, message: str, *, end_session: bool = True):
    """The login page with `message`. `end_session` (only for a sign-in this browser began:
    see the module's docstring) signs out whoever is signed in and forgets where the
    sign-in was to lead; without it, the session is left as it was."""
    if _failure_audited(request):
        log.warning("Single sign-on refused: %s", reason)
        audit(AuditKind.SSO_FAILED, request=request, detail=reason)
    else:
        log.warning("Single sign-on refused (over the audit limit for its address): %s", reason)
    if end_session:
        request.session.pop(NEXT_SESSION_KEY, None)
        if request.user.is_authenticated:
            logout(request)
    messages.error(request, message)
    return redirect(settings.LOGIN_URL)


def _misconfigured(request, error: Exception, *, end_session: bool = True):
    log.error("Single sign-on is misconfigured: %s", error)
    return _refuse(
        request,
        f"configuration: {error}",
        _("Single sign-on is not configured correctly. Please tell OSM staff."),
        end_session=end_session,
    )


def _unreachable(request, error: Exception, *, end_session: bool = True):
    return _refuse(
        request,
        f"provider unreachable: {error}",
        _("The sign-in provider could not be reached. Please try again later."),
        end_session=end_session,
    )


@require_GET
@never_cache
def sso_login(request):
    """Send the person to the provider (state, nonce and PKCE kept in the session)."""
    if not sso.sso_enabled():
        raise Http404
    request.session.pop(NEXT_SESSION_KEY, None)  # kept again below once the trip starts
    # A refusal here leaves whoever is signed in signed in: nothing came back from the
    # provider, and a link or an image may lead here too.
    try:
        sso.role_map()  # a broken map or issuer is told before the trip to the provider
        client = sso.oidc_client()
        sso.claims_options(client)
        callback = request.build_absolute_uri(reverse("sso-callback"))
        response = client.authorize_redirect(request, callback)
    except sso.SSORefused as refusal:
        return _refuse(request, refusal.reason, refusal.message, end_session=False)
    except ImproperlyConfigured as error:
        return _misconfigured(request, error, end_session=False)
    except (RequestException, ValueError, RuntimeError) as error:
        return _unreachable(request, error, end_session=False)
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[NEXT_SESSION_KEY] = target
    return response


def _token_refusal(request, error: Exception):
    """The refusal for what went wrong while getting and checking the ID token."""
    if isinstance(error, MismatchingStateError):
        return _refuse(request, STATE_REASON, _state_message())
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


def _attempt_started(request, client) -> bool:
    """Whether the answer's `state` is one this session keeps: a sign-in this browser
    began (Authlib keeps each state in the session until its answer comes)."""
    state = request.GET.get("state")
    return bool(state) and client.framework.get_state_data(request.session, state) is not None


def _claims(request, client) -> dict:
    """The verified claims of the ID token the provider's answer leads to."""
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
    client = sso.oidc_client()
    if not _attempt_started(request, client):
        # No state, another browser's, or one already used: nothing this session began, so
        # it is neither signed out nor sent to the provider (a link or an image may lead here).
        return _refuse(request, STATE_REASON, _state_message(), end_session=False)
    try:
        claims = _claims(request, client)
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
