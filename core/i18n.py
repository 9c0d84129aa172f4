"""The language OSM speaks to each person (docs/development.md, "Languages").

On a page: the signed-in person's own choice (`Preferences.language`), kept in the session
from sign-in on, so it wins over the browser and costs no query per request; without a
choice, the language cookie the language page sets in this browser; else the browser's
Accept-Language; else English (`LANGUAGE_CODE`). A language OSM does not offer (a browser
asking for Spanish, a stored choice of a language since withdrawn) counts as no choice.

In an e-mail: the recipient's choice, else English; never the language of whoever happened
to cause the mail (`speaking_to`).
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from django.conf import settings
from django.contrib.auth import SESSION_KEY as SIGNED_IN
from django.db import transaction
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation

from .models import Preferences
from .services import save_validated

# The session's copy of the signed-in person's choice.
SESSION_KEY = "osm_language"


def offered(code: str | None) -> str | None:
    """`code` if OSM offers that language, else None."""
    return code if code and code in dict(settings.LANGUAGES) else None


def language_of(user) -> str | None:
    """The language `user` chose, if OSM offers it (one query)."""
    if not getattr(user, "is_authenticated", False):
        return None
    stored = Preferences.objects.filter(user=user).values_list("language", flat=True).first()
    return offered(stored)


def languages_of(user_ids) -> dict[int, str]:
    """The chosen (and offered) language of each of these users who chose one (one query)."""
    rows = Preferences.objects.filter(user_id__in=set(user_ids)).exclude(language="")
    return {
        user_id: code for user_id, code in rows.values_list("user_id", "language") if offered(code)
    }


def speaking_to(language: str | None) -> AbstractContextManager:
    """Translations (and date and number formats) of `language` for the block, English when
    it is None or not offered: wrap whatever is written for one recipient."""
    return translation.override(offered(language) or settings.LANGUAGE_CODE)


@transaction.atomic
def language_choose(*, actor, language: str) -> Preferences:
    """Store the language `actor` chose for himself or herself ("" to follow the browser
    again); a language OSM does not offer is refused on the field `language`."""
    preferences, _created = Preferences.objects.select_for_update().get_or_create(user=actor)
    preferences.language = language
    return save_validated(preferences)


def remember_on_sign_in(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: keep the person's choice in the new session, so that
    every page from now on is in it whatever the browser asks. Only for a session sign-in
    (the API's token login has no session to keep it in)."""
    session = getattr(request, "session", None)
    if session is None or SIGNED_IN not in session:
        return
    chosen = language_of(user)
    if chosen:
        session[SESSION_KEY] = chosen
    else:
        session.pop(SESSION_KEY, None)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware (the cookie, then Accept-Language, then LANGUAGE_CODE),
    preceded by the signed-in person's own choice."""

    def process_request(self, request):
        session = getattr(request, "session", None)
        chosen = offered(session.get(SESSION_KEY)) if session is not None else None
        if chosen is None:
            super().process_request(request)
            return
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
