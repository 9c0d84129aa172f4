"""The review meeting's agenda and briefing book in French and German, and the agenda of a
review reminder in the language its recipient chose (docs/development.md, "Languages").
The world and its figures: meeting_world.py; pages on 20 March 2026."""

import datetime as dt
import html
import re

import pytest
import time_machine

from core.models import OutgoingMessage, Preferences
from core.roles import OSM_STAFF
from reviews.reminders import review_reminders_compose
from tests import factories as f

from .meeting_world import WHEN, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db, settings):
    return build_world(settings)


def text(response) -> str:
    """The page's text without tags, entities read, spaces collapsed."""
    page = response.content.decode()
    page = page[page.index("<main") :]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


WORDS = {
    "fr": [
        "Ordre du jour en direct : généré le 20 mars 2026",
        "1. Objectifs hors cible (2)",
        "2. Objectifs à surveiller (1)",
        "3. Valeurs en retard (1)",
        "Objectif / indicateur",
        "Seuil d'alerte",
        "* seuil d'alerte issu de la tolérance de l'indicateur",
        "Aucune note sur la valeur de fév. 2026.",
        "Période manquante",
    ],
    "de": [
        "Aktuelle Tagesordnung",
        "erstellt am 20. März 2026 aus der Scorecard",
        "1. Ziele verfehlt (2)",
        "2. Ziele unter Beobachtung (1)",  # codespell:ignore unter
        "3. Überfällige Werte (1)",
        "Ziel / Kennzahl",
        "Alarmschwelle",
        "* Alarmschwelle aus der Toleranz der Kennzahl",  # codespell:ignore toleranz
        "Keine Notiz zum Wert von Feb. 2026.",
        "Fehlende Periode",  # codespell:ignore periode
    ],
}
BRIEFING = {
    "fr": [
        "Retour à la réunion",
        "Quand mardi 10 mars 2026 à 09:00",
        "Sommaire",
        "Valeurs en retard (1)",
        "Actions ouvertes (3)",
        "4. Actions ouvertes (3)",
        "Dans les temps",
        "5. Décisions de la dernière réunion",
    ],
    "de": [
        "Zurück zum Meeting",
        "Wann Dienstag, 10. März 2026, 09:00",
        "Inhalt",
        "Überfällige Werte (1)",
        "Offene Maßnahmen (3)",
        "4. Offene Maßnahmen (3)",
        "Rechtzeitig",
        "5. Beschlüsse des letzten Meetings",
    ],
}


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_agenda_and_the_briefing_book_in_french_and_german(client, world, language):
    client.force_login(world.head)
    with time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC), tick=False):
        page = text(client.get(f"/reviews/{world.meeting.pk}/", HTTP_ACCEPT_LANGUAGE=language))
        briefing = text(
            client.get(f"/reviews/{world.meeting.pk}/briefing/", HTTP_ACCEPT_LANGUAGE=language)
        )
    for words in WORDS[language]:
        assert words in page, words
        assert words in briefing, words
    for words in BRIEFING[language]:
        assert words in briefing, words
    assert "Live agenda" not in page and "Objectives off target" not in briefing


def test_a_review_reminders_agenda_in_the_language_of_its_recipient(world, settings):
    """The chair chose German, the attendee made no choice: German and English agendas."""
    settings.REVIEW_LEAD_DAYS = 3
    settings.TIME_ZONE = "UTC"
    Preferences.objects.create(user=world.head, language="de")
    assert review_reminders_compose(day=WHEN.date() - dt.timedelta(days=3)) == 2
    german = OutgoingMessage.objects.get(recipient=world.head.email).html
    english = OutgoingMessage.objects.get(recipient=world.olive.email).html
    for words in ["<strong>Aktuelle Tagesordnung</strong>: erstellt am", "1. Ziele verfehlt",
                  "Ziel / Kennzahl", "Beschlüsse des letzten Meetings"]:  # fmt: skip
        assert words in german, words
        assert words not in english, words
    assert "<strong>Live agenda</strong>: generated on" in english
    assert "1. Objectives off target" in english and "Objectives off target" not in german


def test_the_calendar_event_form_says_what_an_event_is_in_german(client, world):
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    page = text(client.get("/calendar/events/new/", HTTP_ACCEPT_LANGUAGE="de"))
    assert "Ein Schritt im Jahreszyklus." in page
    assert "A step of the year's cycle." in text(client.get("/calendar/events/new/"))
