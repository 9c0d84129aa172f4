"""The language page (/accounts/language/): each person chooses the language OSM speaks to
him or her in, reachable from every page (the language's name in the top bar) and from the
sign-in page. Signed in, the choice is stored (core.i18n.language_choose) and kept in the
session; in any case this browser remembers it in the language cookie."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods

from .forms import add_service_errors
from .i18n import SESSION_KEY, language_choose, language_of

BROWSER = ""  # the choice "as my browser asks"


class LanguageForm(forms.Form):
    """One of the offered languages, each named in its own language; signed-in people may
    also go back to following their browser."""

    language = forms.ChoiceField(label=gettext_lazy("Language"), widget=forms.RadioSelect)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, signed_in: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(settings.LANGUAGES)
        if signed_in:
            choices.append((BROWSER, gettext_lazy("As my browser asks")))
        self.fields["language"].choices = choices
        self.fields["language"].required = not signed_in  # BROWSER is the empty choice


def _safe_next(request, url: str | None) -> str:
    """Where to go afterwards: `url` if it is a page of this site, else the home page."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


@require_http_methods(["GET", "POST"])
def language_page(request):
    """GET: the choice; POST: store it (signed in), remember it in this browser, go on."""
    signed_in = request.user.is_authenticated
    if request.method == "GET":
        current = language_of(request.user) if signed_in else None
        if signed_in and current is None:
            current = BROWSER
        form = LanguageForm(
            initial={
                "language": current if current is not None else translation.get_language(),
                "next": request.GET.get("next", ""),
            },
            signed_in=signed_in,
        )
        return _render(request, form)
    form = LanguageForm(request.POST, signed_in=signed_in)
    if not form.is_valid():
        return _render(request, form, status=400)
    language = form.cleaned_data["language"]
    if signed_in:
        try:
            language_choose(actor=request.user, language=language)
        except ValidationError as error:
            add_service_errors(form, error)
            return _render(request, form, status=400)
        if language:
            request.session[SESSION_KEY] = language
        else:
            request.session.pop(SESSION_KEY, None)
    # From here on, the answer is in the new language: the one chosen, or the browser's
    # (asked without the cookie this answer deletes).
    if not language:
        request.COOKIES.pop(settings.LANGUAGE_COOKIE_NAME, None)
    translation.activate(language or translation.get_language_from_request(request))
    request.LANGUAGE_CODE = translation.get_language()
    messages.success(
        request,
        _("OSM now speaks to you in this language.")
        if language
        else _("OSM now speaks to you in the language your browser asks for."),
    )
    response = redirect(_safe_next(request, form.cleaned_data["next"]))
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


def _render(request, form, status: int = 200):
    context = {
        "title": _("Language"),
        "lead": _("The language of OSM's pages and of the e-mails it sends you."),
        "form": form,
        "submit_label": pgettext("button", "Save"),
        "cancel_url": _safe_next(request, form["next"].value()),
        "crumbs": [],
    }
    return TemplateResponse(request, "core/form.html", context, status=status)
