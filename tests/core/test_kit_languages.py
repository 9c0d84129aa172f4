"""The shared kit in French and German: the layout, the error pages (the 500 page too,
which needs no database), who may do what, the role names, the figures and the search
box's words follow the reader's language; English stays as it was."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.test import RequestFactory
from django.utils import translation

from core.errors import server_error
from core.roles import EMPLOYEE, OSM_STAFF, UNIT_HEAD, role_label
from core.templatetags.osm_format import (
    chart_separators,
    figure,
    fraction_percent,
    money,
    percent,
    score,
)
from core.views import who_may
from core.widgets import SearchableSelectMultiple
from tests import factories as f


@pytest.fixture(autouse=True)
def debug_off(settings):
    settings.DEBUG = False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "fr",
            [
                '<html lang="fr" data-separators=",\u00a0">',
                "<h1>Cette page n'existe pas</h1>",
                ">Aller au contenu</a>",
                'aria-label="Menu principal"',
                ">Tableau de bord</a>",
                ">Ma stratégie</a>",
                ">Retour à votre tableau de bord</a>",
                'aria-label="français : choisir une autre langue"',
            ],
        ),
        (
            "de",
            [
                '<html lang="de" data-separators=",.">',
                "<h1>Diese Seite existiert nicht</h1>",
                ">Zum Inhalt springen</a>",
                'aria-label="Hauptmenü"',
                ">Meine Strategie</a>",
                ">Zurück zu Ihrem Dashboard</a>",
                'aria-label="Deutsch: andere Sprache wählen"',
            ],
        ),
    ],
)
def test_the_layout_and_the_404_page_in_the_readers_language(client, language, words):
    client.force_login(f.UserFactory(roles=[EMPLOYEE]))
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    html = response.content.decode()
    for word in words:
        assert word in html, word
    english = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Skip to content</a>" in english and 'aria-label="Main"' in english
    assert ">Dashboard</a>" in english and "<h1>This page does not exist</h1>" in english


@pytest.mark.django_db
def test_the_403_page_says_who_may_with_the_role_names_in_the_readers_language(client):
    unit = f.OrgUnitFactory(code="SALES", name="Sales")
    objective = f.ObjectiveFactory(unit=unit, code="GROW")
    client.force_login(f.UserFactory(roles=[EMPLOYEE], first_name="Eve", last_name="Lang"))
    url = f"/objectives/{objective.pk}/edit/"
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<h1>Vous n'êtes pas autorisé à ouvrir cette page</h1>" in french
    assert "les personnes ayant le rôle « Équipe OSM » ou le responsable de l" in french
    assert "connecté en tant que <strong>Eve Lang</strong>, avec le rôle Collaborateur." in french
    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Nur Personen mit der Rolle „OSM-Team“" in german
    assert "<strong>Eve Lang</strong> angemeldet, mit der Rolle Mitarbeiter." in german


def test_who_may_in_whole_sentences_in_each_language():
    permission = "scorecards.add_measurevalue"
    with translation.override("en"):
        assert who_may(permission).startswith(
            "Only people with the role “OSM staff”, the head of the unit (or of a unit above "
            "it), or the owner (with the role “Measure owner”) may add a "
        )
        assert who_may("auth.view_user") == "Anyone with a role in OSM may see a user."
    with translation.override("fr"):
        assert who_may(permission).startswith("Ne peuvent ajouter un élément de type « ")
        assert "(avec le rôle « Responsable d'indicateur »)." in who_may(permission)
    with translation.override("de"):
        assert who_may("auth.view_user") == (
            "Jede Person mit einer Rolle in OSM darf ein Element vom Typ „Benutzer“ ansehen."
        )


def test_role_names_stay_data_and_are_shown_translated():
    with translation.override("de"):
        assert [role_label(name) for name in (OSM_STAFF, UNIT_HEAD, "Auditors")] == [
            "OSM-Team",
            "Einheitsleiter",
            "Auditors",  # a group that is not one of OSM's roles: its name as it is
        ]
    with translation.override("fr"):
        assert role_label(UNIT_HEAD) == "Responsable d'unité"


def test_the_500_page_is_in_the_readers_language_without_a_database():
    # No database marker: any query here would fail the test.
    with translation.override("fr"):
        try:
            raise ValueError("bug")
        except ValueError:
            page = server_error(RequestFactory().get("/units/SALES/"))
    html = page.content.decode()
    assert page.status_code == 500
    assert '<html lang="fr">' in html and "<h1>Une erreur s&#x27;est produite</h1>" in html
    assert '<a href="/">Retour au tableau de bord</a>' in html
    assert ">Aller au contenu</a>" in html


def test_figures_follow_the_language_and_english_stays_as_it_was():
    values = (Decimal("1120.5"), Fraction(2842, 100), Fraction(15, 2), Decimal("1234.5"))

    def written(language):
        with translation.override(language):
            amount, share, mark, actual = values
            return [
                money(amount),
                money(Decimal("1234567")),
                percent(share),
                percent(None),
                score(mark),
                figure(actual),
                fraction_percent(Decimal("0.125")),
            ]

    assert written("en") == ["1,120.50", "1,234,567", "28.42%", "n/a", "7.50", "1,234.5", "12.5%"]
    nbsp = "\u00a0"
    assert written("fr") == [
        f"1{nbsp}120,50",
        f"1{nbsp}234{nbsp}567",
        f"28,42{nbsp}%",
        "n.d.",
        "7,50",
        f"1{nbsp}234,5",
        f"12,5{nbsp}%",
    ]
    assert written("de") == [
        "1.120,50",
        "1.234.567",
        f"28,42{nbsp}%",
        "k. A.",
        "7,50",
        "1.234,5",
        f"12,5{nbsp}%",
    ]


@pytest.mark.django_db
def test_charts_are_told_the_readers_decimal_mark_and_grouping(client):
    # Plotly's `separators`: the decimal mark, then the mark between groups of three
    separators = {}
    for language in ("en", "fr", "de"):
        with translation.override(language):
            separators[language] = chart_separators()
    assert separators == {"en": ".,", "fr": ",\u00a0", "de": ",."}
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de" data-separators=",.">' in html


def test_the_search_box_is_told_its_words_in_the_readers_language():
    widget = SearchableSelectMultiple(choices=[(1, "Ann")])
    with translation.override("de"):
        html = widget.render("attendees", [1])
    assert 'data-placeholder="Zum Suchen tippen…"' in html
    assert 'data-no-results="Keine Treffer."' in html and 'data-remove="Entfernen"' in html
    with translation.override("en"):
        assert 'data-placeholder="Type to search…"' in widget.render("attendees", [])
