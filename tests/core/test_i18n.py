"""OSM in the person's language: which language a page is in, the language page, the
formats that follow the language, and catalogues that are complete and in step with the
code (docs/development.md, "Languages")."""

import datetime as dt
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import formats, translation

from core.i18n import SESSION_KEY, language_choose, languages_of, speaking_to
from core.management.commands.makemessages import catalogue_app, project_apps
from core.models import Preferences
from core.roles import EMPLOYEE
from tests import factories as f
from tests.helpers import refused
from tests.osm.test_every_page import PAGES, POST_ONLY, demo, demo_objects  # noqa: F401

ROOT = Path(settings.BASE_DIR)
TRANSLATED = ("fr", "de")
PAGE = "/accounts/language/"
# The language page's title in each language: the page says which language it is in.
TITLE = {"en": "<h1>Language</h1>", "fr": "<h1>Langue</h1>", "de": "<h1>Sprache</h1>"}


def language_of_page(response) -> str:
    """The language a page is in: what it says it is in, checked against its words."""
    language = response["Content-Language"]
    assert TITLE[language] in response.content.decode(), language
    return language


# Settings --------------------------------------------------------------------------------------


def test_english_french_and_german_are_offered_english_first():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "fr", "de"]
    assert settings.LANGUAGE_CODE == "en"
    assert settings.USE_I18N


def test_the_language_is_chosen_after_the_session_is_read_and_before_common():
    chain = settings.MIDDLEWARE
    locale = chain.index("core.i18n.LocaleMiddleware")
    assert chain.index("django.contrib.sessions.middleware.SessionMiddleware") < locale
    assert locale < chain.index("django.middleware.common.CommonMiddleware")
    assert "django.middleware.locale.LocaleMiddleware" not in chain


def test_numbers_and_dates_are_written_and_read_in_the_language():
    """12.5 is "12,5" in French and German and "12.5" in English; a localised decimal field
    reads "12,5" as 12.5 in French and refuses it in English; dates follow the language."""
    day = dt.date(2026, 12, 31)
    written = {}
    for language in ("en", "fr", "de"):
        with translation.override(language):
            written[language] = (formats.localize(Decimal("12.5")), formats.date_format(day))
    assert written == {
        "en": ("12.5", "31 Dec 2026"),
        "fr": ("12,5", "31 décembre 2026"),
        "de": ("12,5", "31. Dezember 2026"),
    }

    class Figure(forms.Form):
        value = forms.DecimalField(localize=True)

    with translation.override("fr"):
        form = Figure({"value": "12,5"})
        assert form.is_valid() and form.cleaned_data["value"] == Decimal("12.5")
    with translation.override("en"):
        assert not Figure({"value": "12,5"}).is_valid()
    # Years and ids are never grouped ("2026", not "2,026" or "2 026").
    with translation.override("fr"):
        assert formats.localize(2026) == "2026"
    # English dates are never read month-first: 03/02/2026 is refused, not guessed.
    with translation.override("en"):
        field = forms.DateField(localize=True)
        assert field.clean("2026-02-03") == dt.date(2026, 2, 3)
        assert field.clean("3 Feb 2026") == dt.date(2026, 2, 3)
        with pytest.raises(forms.ValidationError):
            field.clean("03/02/2026")
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "2026-12-31"


# Which language a page is in ---------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_choice_the_browser_language_is_used(client):
    client.force_login(f.UserFactory())
    for asked, expected in (("fr-FR,fr;q=0.9,en;q=0.8", "fr"), ("de-CH", "de"), ("en-GB", "en")):
        response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE=asked)
        assert response.status_code == 200
        assert language_of_page(response) == expected, asked


@pytest.mark.django_db
def test_a_language_osm_does_not_speak_falls_back_to_english(client):
    client.force_login(f.UserFactory())
    for asked in ("es-ES,es;q=0.9", "xx", "*"):
        assert language_of_page(client.get(PAGE, HTTP_ACCEPT_LANGUAGE=asked)) == "en", asked
    # A choice kept from before a language was withdrawn counts as no choice: the browser's.
    session = client.session
    session[SESSION_KEY] = "es"
    session.save()
    assert language_of_page(client.get(PAGE, HTTP_ACCEPT_LANGUAGE="de")) == "de"
    assert language_of_page(client.get(PAGE)) == "en"
    # Anonymous, with a cookie naming a language OSM does not speak.
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert language_of_page(client.get(PAGE)) == "en"


@pytest.mark.django_db
def test_the_persons_choice_wins_over_the_browser_from_sign_in_on(client):
    user = f.UserFactory()
    Preferences.objects.create(user=user, language="de")
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": f.UserFactory.password},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == "de"
    assert language_of_page(client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fr")) == "de"
    # Signed out, the browser speaks again.
    client.post("/accounts/logout/")
    assert language_of_page(client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fr")) == "fr"


@pytest.mark.django_db
def test_the_choice_also_applies_to_a_session_opened_by_force_login(client):
    user = f.UserFactory()
    Preferences.objects.create(user=user, language="fr")
    client.force_login(user)
    assert language_of_page(client.get(PAGE, HTTP_ACCEPT_LANGUAGE="de")) == "fr"


@pytest.mark.django_db
def test_an_api_token_sign_in_keeps_no_language_in_a_session(client):
    user = f.UserFactory()
    Preferences.objects.create(user=user, language="fr")
    response = client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": f.UserFactory.password},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert SESSION_KEY not in client.session


# The language page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_choosing_a_language_stores_it_and_speaks_it_at_once(client):
    user = f.UserFactory()
    client.force_login(user)
    response = client.post(
        PAGE, {"language": "fr", "next": "/accounts/language/?x=1"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/language/?x=1"
    assert Preferences.objects.get(user=user).language == "fr"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="de")
    assert language_of_page(page) == "fr"
    assert "OSM vous parle désormais dans cette langue." in page.content.decode()


@pytest.mark.django_db
def test_going_back_to_the_browser_forgets_the_choice(client):
    user = f.UserFactory()
    Preferences.objects.create(user=user, language="de")
    client.force_login(user)
    response = client.post(PAGE, {"language": "", "next": PAGE}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert Preferences.objects.get(user=user).language == ""
    assert SESSION_KEY not in client.session
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted
    assert language_of_page(client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fr")) == "fr"


@pytest.mark.django_db
def test_signed_out_a_choice_is_remembered_by_the_browser_only(client):
    response = client.post(PAGE, {"language": "de", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not Preferences.objects.exists()
    assert language_of_page(client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fr")) == "de"
    # "As my browser asks" is a signed-in person's choice only.
    assert client.post(PAGE, {"language": ""}).status_code == 400


@pytest.mark.django_db
def test_a_language_not_offered_is_refused_and_nothing_is_stored(client):
    user = f.UserFactory()
    client.force_login(user)
    response = client.post(PAGE, {"language": "es"})
    assert response.status_code == 400
    assert "es is not one of the available choices" in response.content.decode()
    assert not Preferences.objects.exists()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_the_page_only_goes_on_to_pages_of_this_site(client):
    client.force_login(f.UserFactory())
    response = client.post(PAGE, {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_the_page_offers_each_language_in_its_own_name(client):
    client.force_login(f.UserFactory())
    html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    for name in ("English", "Français", "Deutsch", "Wie mein Browser es wünscht"):
        assert name in html
    assert client.put(PAGE).status_code == 405


@pytest.mark.django_db
def test_every_page_names_the_current_language_and_links_to_the_language_page(client):
    client.force_login(f.UserFactory(roles=[EMPLOYEE]))
    html = client.get("/initiatives/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr" ' in html
    assert 'href="/accounts/language/?next=/initiatives/"' in html
    assert ">français</a>" in html


# The stored choice -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_stores_one_row_per_person_and_refuses_other_languages():
    user = f.UserFactory()
    language_choose(actor=user, language="fr")
    language_choose(actor=user, language="de")
    assert list(Preferences.objects.values_list("user_id", "language")) == [(user.pk, "de")]
    with refused({"language": ["Value 'es' is not a valid choice."]}):
        language_choose(actor=user, language="es")
    assert Preferences.objects.get(user=user).language == "de"


@pytest.mark.django_db
def test_languages_of_recipients_in_one_query(django_assert_num_queries):
    users = f.UserFactory.create_batch(3)
    Preferences.objects.create(user=users[0], language="fr")
    Preferences.objects.create(user=users[1], language="")
    with django_assert_num_queries(1):
        assert languages_of(u.pk for u in users) == {users[0].pk: "fr"}


def test_an_email_is_written_in_the_recipients_language_or_english():
    with translation.override("de"):  # whoever caused the mail speaks German
        for chosen, expected in (("fr", "fr"), (None, "en"), ("es", "en")):
            with speaking_to(chosen):
                assert translation.get_language() == expected
        assert translation.get_language() == "de"


@pytest.mark.django_db
def test_a_deleted_user_takes_his_preferences_along():
    user = f.UserFactory()
    Preferences.objects.create(user=user, language="fr")
    get_user_model().objects.filter(pk=user.pk).delete()
    assert not Preferences.objects.exists()


# The catalogues ---------------------------------------------------------------------------


def gettext_tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"GNU gettext's {name} is missing: `make install` installs it"
    return path


def run(*args, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}  # the tools' messages in English
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env, check=False)


def catalogues() -> list[Path]:
    return sorted(ROOT.glob("*/locale/*/LC_MESSAGES/django.po"))


def test_every_app_with_strings_has_a_french_and_a_german_catalogue():
    apps_with_catalogues = {po.parts[-5] for po in catalogues()}
    assert {"core", "budgets", "initiatives", "people", "reviews"} <= apps_with_catalogues
    for app in apps_with_catalogues:
        languages = {p.name for p in (ROOT / app / "locale").iterdir() if p.is_dir()}
        assert languages == set(TRANSLATED), app


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_catalogue_is_complete_and_valid(po):
    """Every string translated, none fuzzy (a guess msgmerge made), placeholders as in the
    English (msgfmt --check), the header naming the language and its plural forms."""
    result = run(gettext_tool("msgfmt"), "--check", "--statistics", "-o", os.devnull, str(po))
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, (
        result.stderr
        + run("msgattrib", "--untranslated", "--no-obsolete", str(po)).stdout
        + run("msgattrib", "--only-fuzzy", "--no-obsolete", str(po)).stdout
    )
    text = po.read_text(encoding="utf-8")
    language = po.parts[-3]
    assert f'"Language: {language}\\n"' in text
    assert "#~" not in text, "obsolete entries: run makemessages (it drops them)"
    assert text.count("#, fuzzy") == 0


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_catalogue_is_compiled(po):
    """`make install` compiles every catalogue (the .mo files are not in git)."""
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
        f"{mo.relative_to(ROOT)} is missing or older than its catalogue: run `make install`"
    )


def test_the_catalogues_hold_exactly_the_strings_of_the_code(tmp_path, monkeypatch):
    """makemessages, run on a copy of the project, finds the same strings as the committed
    catalogues hold: none marked in the code is missing, none is left over."""
    gettext_tool("xgettext")
    copy = tmp_path / "osm"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".*", "__pycache__", "*.mo", "tests", "docs", "static", "var", "mutants",
            "staticfiles", "node_modules", "migrations",
        ),
    )  # fmt: skip
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["fr"], keep_pot=True, verbosity=0)
    found = {pot.parts[-3] for pot in copy.glob("*/locale/django.pot")}
    committed = {po.parts[-5] for po in catalogues()}
    assert found == committed, "apps with marked strings and apps with catalogues differ"
    problems = []
    for app in sorted(found):
        pot = copy / app / "locale" / "django.pot"
        for language in TRANSLATED:
            po = ROOT / app / "locale" / language / "LC_MESSAGES" / "django.po"
            result = run(gettext_tool("msgcmp"), "--use-untranslated", str(po), str(pot))
            if result.returncode or result.stdout or result.stderr:
                problems.append(result.stdout + result.stderr)
    command = ".venv/bin/python manage.py makemessages -l fr -l de"
    assert not problems, (
        f"the catalogues are not in step with the code: run `{command}` and translate\n"
        + "\n".join(problems)
    )


def test_strings_go_to_the_catalogue_of_their_app():
    names = project_apps()
    assert {"core", "budgets", "people", "reviews", "scorecards"} <= names
    assert catalogue_app("budgets", names) == "budgets"
    assert catalogue_app("templates/budgets", names) == "budgets"
    assert catalogue_app("reviews/management/commands", names) == "reviews"
    assert catalogue_app("templates", names) == "core"  # base.html
    assert catalogue_app("templates/email", names) == "core"
    assert catalogue_app("templates/registration", names) == "core"
    assert catalogue_app("osm", names) == "core"


# Every page in every language ---------------------------------------------------------------

# The pages phase 1 of the translation covers (docs/development.md, "Languages"): each must
# read differently in French and German than in English.
TRANSLATED_PAGES = (
    "budgets:",
    "initiatives:",
    "people:",
    "reviews:",
    "calendar:",
    "login",
    "language",
)


@pytest.mark.usefixtures("demo")
def test_every_page_renders_in_french_and_german(client):
    """The OSM staff open every page in English, French and German: the same status each
    time (a translation whose placeholders do not match would fail here), the language
    said, and the translated apps' pages in words of their own."""
    objects = demo_objects()
    client.force_login(get_user_model().objects.get(username="osm"))
    failures = []
    for name, url in PAGES.items():
        if name in POST_ONLY or name == "logout":
            continue
        url = url(objects)
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        for language in TRANSLATED:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            if response.status_code != english.status_code:
                failures.append(f"{url} in {language}: {response.status_code}")
            elif "text/html" in response["Content-Type"]:
                if response["Content-Language"] != language:
                    failures.append(f"{url} in {language}: said {response['Content-Language']}")
                if name.startswith(TRANSLATED_PAGES) and response.content == english.content:
                    failures.append(f"{url} in {language}: the same as in English")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_the_api_answers_in_the_language_of_accept_language():
    from core.roles import OSM_STAFF
    from tests.helpers import client_for

    client = client_for(f.UserFactory(roles=[OSM_STAFF]))
    body = {"name": "T", "fiscal_year": 2026, "kind": "performance", "title": "T", "weight": "0"}
    answers = {
        language: client.post("/api/v1/goal-templates/", body, HTTP_ACCEPT_LANGUAGE=language)
        for language in ("en", "de")
    }
    assert {lang: r.status_code for lang, r in answers.items()} == {"en": 400, "de": 400}
    assert answers["en"].json() == {"weight": ["The weight must be positive."]}
    assert answers["de"].json() == {"weight": ["Die Gewichtung muss positiv sein."]}
