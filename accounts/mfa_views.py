"""The second-factor pages (issue 18, item 3), under /accounts/two-factor/:

- `` (status): whether the person has an authenticator app set up, how many recovery codes
  are left, whether their role requires it; links to set it up, renew the codes, remove it.
- `setup/`: the QR code (drawn here as SVG, with the secret in text for typing in), then
  the first code, which confirms it; the ten recovery codes are shown once, to print. From
  a session verified with the app in use, the same page moves it to a new phone, with a
  code of the current app (or a recovery code) beside the new phone's first code.
- `verify/`: the code asked after signing in (or a recovery code); `?next=` goes on. It
  also asks a session verified by its single sign-on provider only, of someone with an app,
  before the set-up page replaces that app (else set-up and verify would send it to each
  other without end).
- `recovery-codes/`: ten new recovery codes (the old ones stop working), shown once; only
  with the app's current code.
- `remove/`: the person removes their own, with a code, where no role requires it.
- `users/<id>/remove/`: the OSM staff remove someone's who lost the phone.

Thin: the rules and writes are accounts/services/mfa.py, the reads accounts/mfa.py. The set-up
and verify pages are reachable before the second factor is passed (SecondFactorMiddleware).
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from core.roles import OSM_STAFF, has_role
from core.views import Crumb

from .mfa import (
    ENROL,
    mfa_pending,
    mfa_required_for,
    qr_svg_data_uri,
    recovery_codes_left,
    totp_device,
    verified_by_provider,
    verified_with_device,
)
from .mfa_forms import CodeForm, ConfirmRemovalForm, NewPhoneForm
from .middleware import second_factor_exempt
from .services import mfa as services

TEMPLATES = "accounts/mfa/"
ONLY_STAFF = services.ONLY_STAFF


def _next(request) -> str:
    """Where to go once done: `next` when it is on this site, else the person's start page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _crumbs(*after: Crumb) -> list[Crumb]:
    return [Crumb(_("Two-factor sign-in"), reverse("mfa")), *after]


def _shown(codes: list[str]) -> list[str]:
    """Recovery codes as shown: in two halves, easier to copy ("abcd-efgh")."""
    return [f"{code[:4]}-{code[4:]}" for code in codes]


def _codes_page(request, codes: list[str], *, title: str, notice: str, done_url: str):
    """The recovery codes, once: in this answer only (never stored for a later page)."""
    shown = _shown(codes)
    text = "\n".join([str(_("OSM recovery codes for %(user)s") % {"user": request.user}), *shown])
    context = {
        "crumbs": _crumbs(Crumb(title)),
        "title": title,
        "notice": notice,
        "codes": shown,
        "download": "data:text/plain;charset=utf-8," + quote(text + "\n"),
        "done_url": done_url,
    }
    return render(request, TEMPLATES + "codes.html", context)  # never_cache: no-store


def _no_device(request, crumb: Crumb):
    """A page about the second factor of someone who has none: says so, offers the set-up
    (a POST to it is refused: 400)."""
    status = 400 if request.method == "POST" else 200
    return render(request, TEMPLATES + "no_device.html", {"crumbs": _crumbs(crumb)}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def mfa_status(request):
    """The person's second factor: set up or not, recovery codes left, required or not."""
    user = request.user
    device = totp_device(user)
    required = mfa_required_for(user)
    context = {
        "crumbs": [Crumb(_("Two-factor sign-in"))],
        "device": device,
        "codes_left": recovery_codes_left(user) if device else 0,
        "required": required,
        "by_provider": verified_by_provider(request),
        "can_remove": device is not None and not required,
    }
    return render(request, TEMPLATES + "status.html", context)


def _setup_page(request, device, form, *, replace: bool, status: int = 200):
    secret = b32encode(device.bin_key).decode()
    context = {
        "crumbs": _crumbs(Crumb(_("Set up"))),
        "form": form,
        "qr": qr_svg_data_uri(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "issuer": getattr(settings, "OTP_TOTP_ISSUER", "OSM"),
        "required": mfa_required_for(request.user),
        "replacing": replace,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    # the secret is on it: the views are never_cache (no-store)
    return render(request, TEMPLATES + "setup.html", context, status=status)


@second_factor_exempt
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_setup(request):
    """Set up an authenticator app: scan the QR code (or type the secret), then enter its
    first code; the recovery codes follow, shown once. Moving to a new phone also asks for
    a code of the current app (or a recovery code): a session alone cannot replace it."""
    user = request.user
    # A new phone in place of the old one, from a session verified with the old one (one
    # verified by its provider only is asked for a code on the verify page first).
    replace = totp_device(user) is not None
    if replace and not verified_with_device(user):
        return redirect(f"{reverse('mfa-verify')}?next={quote(request.get_full_path())}")
    device = services.mfa_enrolment_start(user=user, replace=replace)
    data = request.POST if request.method == "POST" else None
    form = NewPhoneForm(data) if replace else CodeForm(data, recovery=False)
    if request.method != "POST":
        return _setup_page(request, device, form, replace=replace)
    if form.is_valid():
        try:
            codes = services.mfa_enrolment_confirm(
                request=request,
                user=user,
                code=form.cleaned_data["code"],
                current_code=form.cleaned_data.get("current_code", ""),
                replace=replace,
            )
        except ValidationError as refusal:
            add_service_errors(form, refusal)
        else:
            return _codes_page(
                request,
                codes,
                title=_("Your recovery codes"),
                notice=_("Two-factor sign-in is on."),
                done_url=_next(request),
            )
    return _setup_page(request, device, form, replace=replace, status=400)


def _provider_only(request) -> bool:
    """The session passed the second factor at its single sign-on provider only, and the
    person has an authenticator app here: the set-up page asks for a code of theirs before
    it replaces that app (a session verified with the app itself may go straight on)."""
    user = request.user
    return (
        verified_by_provider(request)
        and not verified_with_device(user)
        and totp_device(user) is not None
    )


@second_factor_exempt
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_verify(request):
    """The code asked after signing in: the app's current code, or a recovery code (used up).
    Also asked of a session verified by its provider only, of someone with an app (the
    set-up page sends it here): the right code verifies the session with the app. Nothing
    to ask (verified already, no second factor): straight on to `next`."""
    pending = mfa_pending(request)
    confirming = pending is None and _provider_only(request)
    if pending is None and not confirming:
        return redirect(_next(request))
    if pending == ENROL:
        return redirect(f"{reverse('mfa-setup')}?next={quote(_next(request))}")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mfa_verify(
                request=request,
                user=request.user,
                code=form.cleaned_data["code"],
                where="after single sign-on" if confirming else "sign-in",
            )
        except ValidationError as refusal:
            add_service_errors(form, refusal)
        else:
            return redirect(_next(request))
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "confirming": confirming,
    }
    return render(request, TEMPLATES + "verify.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_recovery_codes(request):
    """Ten new recovery codes (the old ones stop working), shown once; only with the
    authenticator app's current code (a session alone cannot replace the owner's codes)."""
    user = request.user
    if totp_device(user) is None:
        return _no_device(request, Crumb(_("Recovery codes")))
    form = CodeForm(request.POST if request.method == "POST" else None, recovery=False)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.mfa_recovery_codes_regenerate(
                request=request, user=user, code=form.cleaned_data["code"]
            )
        except ValidationError as refusal:
            add_service_errors(form, refusal)
        else:
            return _codes_page(
                request,
                codes,
                title=_("Your new recovery codes"),
                notice=_("The old ones no longer work."),
                done_url=reverse("mfa"),
            )
    status = 400 if request.method == "POST" else 200
    context = {
        "crumbs": _crumbs(Crumb(_("Recovery codes"))),
        "codes_left": recovery_codes_left(user),
        "form": form,
    }
    return render(request, TEMPLATES + "recovery_codes.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_remove(request):
    """The person removes their own second factor, with a code; refused (403) where their
    role requires one."""
    user = request.user
    if mfa_required_for(user):
        raise PermissionDenied(str(services.REQUIRED))
    if totp_device(user) is None:
        return _no_device(request, Crumb(_("Remove")))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mfa_remove(
                request=request, actor=user, user=user, code=form.cleaned_data["code"]
            )
        except ValidationError as refusal:
            add_service_errors(form, refusal)
        else:
            messages.success(request, _("Your second factor is removed."))
            return redirect("mfa")
    status = 400 if request.method == "POST" else 200
    context = {"crumbs": _crumbs(Crumb(_("Remove"))), "form": form}
    return render(request, TEMPLATES + "remove.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_user_remove(request, pk: int):
    """The OSM staff remove the second factor of someone who lost the phone; where it is
    required, that person sets up a new one at the next sign-in."""
    if not has_role(request.user, OSM_STAFF):
        raise PermissionDenied(str(ONLY_STAFF))
    person = get_object_or_404(get_user_model(), pk=pk)
    if person.pk == request.user.pk:
        return redirect("mfa-remove")
    form = ConfirmRemovalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mfa_remove(request=request, actor=request.user, user=person)
        except ValidationError as refusal:
            add_service_errors(form, refusal)
        else:
            messages.success(
                request,
                _("The second factor of %(person)s is removed.")
                % {"person": person.get_full_name() or person.get_username()},
            )
            return redirect(request.path)
    status = 400 if request.method == "POST" else 200
    context = {
        "crumbs": [Crumb(_("Remove a second factor"))],
        "person": person,
        "device": totp_device(person),
        "required": mfa_required_for(person),
        "form": form,
    }
    return render(request, TEMPLATES + "user_remove.html", context, status=status)
