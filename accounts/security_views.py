"""Each person's Security page (`/accounts/security/`): the browser sessions they are signed
in with (this one marked) and their API tokens, each of which they can end; "end all other
sessions"; a new API token (shown once); links to change the password and to the second
factor. OSM staff see and end anyone's at `/accounts/security/<user id>/` (403 for anyone
else). Ending is audited (services/credentials.py).

The password pages are Django's own views in the app's templates (templates/registration/),
mounted under Django's URL names: changing a password, and resetting it by e-mail, limited
per client address and per account (services/password_reset.py), answering the same
whether or not the address is known. Django's reset confirmation moves the token from the
link into the session at the first request, so it appears in no later address or Referer;
the access log's copy of that first request is redacted (accounts/access_log.py). A new
password ends the user's tokens and other sessions (accounts/password_hooks.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from knox.models import get_token_model

from core.addresses import client_address
from core.audit import AuditKind
from core.views import Crumb

from . import security_tasks  # noqa: F401  (registers the reset mail's task for inline runs)
from .models import UserSession
from .password_hooks import password_change_context
from .security_forms import TokenForm
from .selectors.sessions import credentials_of
from .services.credentials import session_end, token_revoke
from .services.password_reset import (
    parse_rate,
    password_reset_address_allowed,
    password_reset_request,
)
from .services.sessions import credentials_end_all, sessions_end_others, token_create

# OSM staff: they manage everyone's sessions (accounts.UserSession is STAFF_ONLY).
STAFF_PERMISSION = "accounts.delete_usersession"
TWO_FACTOR_PATH = "/accounts/two-factor/"


def _is_staff(user) -> bool:
    return user.has_perm(STAFF_PERMISSION)


def _two_factor_url() -> str:
    try:
        return reverse("mfa")
    except NoReverseMatch:
        return TWO_FACTOR_PATH


def _page_url(request, subject) -> str:
    """Where a person's sessions are listed: one's own page, or the staff's page of them."""
    if subject.pk == request.user.pk:
        return reverse("security")
    return reverse("security-user", args=[subject.pk])


def _render(request, subject, *, token_form=None, status=200):
    own = subject.pk == request.user.pk
    credentials = credentials_of(
        subject, current_session_key=request.session.session_key if own else None
    )
    if own:
        crumbs = [Crumb(_("Security"))]
    else:
        crumbs = [Crumb(_("Security")), Crumb(subject.get_full_name() or subject.get_username())]
    context = {
        "crumbs": crumbs,
        "subject": subject,
        "own": own,
        "sessions": [c for c in credentials if c.kind == "session"],
        "tokens": [c for c in credentials if c.kind == "token"],
        "others": sum(1 for c in credentials if c.kind == "session" and not c.current),
        "token_form": (token_form or TokenForm()) if own else None,
        "can_change_password": own and subject.has_usable_password(),
        "two_factor_url": _two_factor_url(),
        "is_staff": _is_staff(request.user),
    }
    return render(request, "accounts/security/page.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def security(request):
    """The signed-in person's sessions and tokens, and the links to their password and
    second factor."""
    return _render(request, request.user)


@login_required
@require_http_methods(["GET", "HEAD"])
def security_user(request, user_id: int):
    """Someone's sessions and tokens, for the OSM staff (403 for anyone else)."""
    if not _is_staff(request.user):
        raise PermissionDenied(_("Only the OSM staff see other people's sessions."))
    subject = get_object_or_404(get_user_model(), pk=user_id)
    if subject.pk == request.user.pk:
        return redirect("security")
    return _render(request, subject)


def _may_end(request, owner_id: int) -> bool:
    return owner_id == request.user.pk or _is_staff(request.user)


@login_required
@require_POST
def session_end_view(request, pk: int):
    """End one session (one's own, or anyone's for the OSM staff; 404 otherwise). Ending
    the session making the request is signing out."""
    row = UserSession.objects.select_related("user").filter(pk=pk).first()
    if row is None or not _may_end(request, row.user_id):
        raise Http404
    if row.session_key == request.session.session_key:
        logout(request)
        return redirect(settings.LOGOUT_REDIRECT_URL)
    session_end(session=row, request=request)
    messages.success(request, _("The session is ended: it is signed out."))
    return redirect(_page_url(request, row.user))


@login_required
@require_POST
def sessions_end_others_view(request):
    """End every session of the person but this one."""
    ended = sessions_end_others(
        user=request.user, keep_session_key=request.session.session_key, request=request
    )
    messages.success(request, _("Other sessions ended: %(count)s.") % {"count": ended})
    return redirect("security")


@login_required
@require_POST
def credentials_end_all_view(request, user_id: int):
    """OSM staff: end every session and API token of someone (403 for anyone else)."""
    if not _is_staff(request.user):
        raise PermissionDenied(_("Only the OSM staff end other people's sessions."))
    subject = get_object_or_404(get_user_model(), pk=user_id)
    keep = request.session.session_key if subject.pk == request.user.pk else None
    sessions, tokens = credentials_end_all(user=subject, request=request, keep_session_key=keep)
    messages.success(
        request,
        _("Sessions ended: %(sessions)s; API tokens revoked: %(tokens)s.")
        % {"sessions": sessions, "tokens": tokens},
    )
    return redirect(_page_url(request, subject))


@login_required
@require_POST
def token_revoke_view(request, key: str):
    """Revoke one API token (one's own, or anyone's for the OSM staff; 404 otherwise)."""
    token = get_token_model().objects.select_related("user").filter(token_key=key).first()
    if token is None or not _may_end(request, token.user_id):
        raise Http404
    owner = token.user
    token_revoke(token=token, request=request)
    messages.success(request, _("The API token is revoked: it no longer works."))
    return redirect(_page_url(request, owner))


@login_required
@require_POST
def token_new(request):
    """Make an API token for the person and show it, this once (never stored: only a hash
    of it is). A bad number of days is a 400 with the page and the field's message."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, request.user, token_form=form, status=400)
    days = form.cleaned_data["days"]
    instance, token = token_create(user=request.user, request=request, days=days)
    response = render(
        request,
        "accounts/security/token_created.html",
        {
            "crumbs": [Crumb(_("Security"), reverse("security")), Crumb(_("New API token"))],
            "token": token,
            "instance": instance,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


# Django's password pages, with the app's rules ------------------------------------------


class _Refused400:
    """A form that does not validate answers 400 (as every form of the app)."""

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordChange(_Refused400, auth_views.PasswordChangeView):
    """Django's password change; the changing session survives, the others and every
    API token end (password_hooks.py)."""

    def form_valid(self, form):
        password_change_context(
            form.user,
            kind=AuditKind.PASSWORD_CHANGED,
            request=self.request,
            keep_session_key=self.request.session.session_key,
        )
        return super().form_valid(form)


class PasswordReset(_Refused400, auth_views.PasswordResetView):
    """Asks for a reset link: the same answer whether or not the address is known. Over
    PASSWORD_RESET_RATE_PER_ADDRESS from one address, a 429 page instead."""

    def post(self, request, *args, **kwargs):
        if not password_reset_address_allowed(address=client_address(request)):
            _count, seconds = parse_rate(settings.PASSWORD_RESET_RATE_PER_ADDRESS)
            response = render(
                request,
                "accounts/security/password_reset_limited.html",
                {"minutes": max(seconds // 60, 1)},
                status=429,
            )
            response["Retry-After"] = str(seconds)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        password_reset_request(
            email=form.cleaned_data["email"], request=self.request, language=get_language()
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirm(_Refused400, auth_views.PasswordResetConfirmView):
    """Django's: the token goes from the link into the session at the first request (a
    redirect to `.../set-password/`); the new password ends every session and token."""

    def form_valid(self, form):
        password_change_context(form.user, kind=AuditKind.PASSWORD_RESET, request=self.request)
        return super().form_valid(form)
