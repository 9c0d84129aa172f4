"""The alignment app in French and German: the Strategy test page's verdicts in plain words
(read by executives), the Alignment page, and the weekly report e-mail written in each
recipient's language, with its CSV (docs/development.md, "Languages")."""

import csv
import datetime as dt
import html
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from alignment.reports import alignment_reports_compose
from alignment.verdict_words import candidate_sentence, verdict_sentence
from core.models import OutgoingMessage, Preferences
from core.roles import EXECUTIVE, OSM_STAFF
from tests import factories as f
from tests.alignment.test_strategy_test_page import URL, world  # noqa: F401

pytestmark = pytest.mark.django_db


def page(client, url, language):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    return html.unescape(response.content.decode())  # the text as read: ' for &#x27;


def test_the_strategy_test_page_in_french_and_german(client, world):  # noqa: F811
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    french = page(client, URL, "fr")
    assert "<title>Test de stratégie · Retail" in french
    assert "« Sell more » a suivi « Train staff » deux mois plus tard" in french
    assert "(un lien fort sur 30 mois d'historique, trop régulier" in french
    assert "La flèche se vérifie." in french
    assert "« Sell more » a évolué à l'inverse de « Delight customers » un trimestre plus tard" in (
        french
    )
    assert "14 trimestres d'historique provenant de trois unités" in french
    assert '<span class="verdict verdict-contradicted">Contredite</span>' in french
    assert "(intervalle à 95 %)" in french
    assert "42 tests ajustés ensemble lors de la dernière exécution" in french
    german = page(client, URL, "de")
    assert "„Sell more“ ist „Train staff“ zwei Monate später gefolgt" in german
    assert "(ein starker Zusammenhang über 30 Monate Datenhistorie, zu regelmäßig" in german
    assert "Der Pfeil bestätigt sich." in german
    assert "Die beiden haben keinen Monat Datenhistorie gemeinsam" in german
    assert "Mögliche Zusammenhänge" in german and "Verglichene Kennzahlen" in german
    # The English page is as it was.
    english = page(client, URL, "en")
    assert "“Sell more” has moved with “Train staff” two months later" in english


def test_the_verdicts_in_words_in_each_language():
    arrow = {"cause": "Train staff", "effect": "Sell more", "frequency": "monthly"}
    with translation.override("fr"):
        assert verdict_sentence(verdict="not_supported", lag=3, r=0.12, periods=24, **arrow) == (
            "Pas de lien net pour l'instant : sur 24 mois d'historique, « Sell more » n'a pas "
            "suivi « Train staff » au cours du même mois ou jusqu'à six mois plus tard plus "
            "régulièrement que ne le ferait le hasard. Les données ne confirment pas la flèche "
            "à ce jour."
        )
        early = verdict_sentence(verdict="insufficient_data", lag=None, r=None, periods=1, **arrow)
        assert early.startswith(
            "Trop tôt pour juger « Train staff » → « Sell more » : les deux ont seulement un mois "
            "d'historique en "
        )
        assert early.endswith(
            "le test a besoin d'au moins douze mois pour distinguer un lien du hasard."
        )
    with translation.override("de"):
        assert verdict_sentence(
            verdict="supported", lag=1, r=0.31, periods=1500, units=2, **arrow
        ) == (
            "„Sell more“ ist „Train staff“ einen Monat später gefolgt: Wenn sich das eine "
            "verbesserte, verbesserte sich auch das andere, und auf Verschlechterung folgte "
            "Verschlechterung (ein mäßiger Zusammenhang über 1.500 Monate Datenhistorie aus "
            "zwei Einheiten, zu regelmäßig für Zufall). Der Pfeil bestätigt sich."
        )
        assert candidate_sentence(cause="A", effect="B", lag=0, r=-0.6, frequency="quarterly") == (
            "„A“ und „B“ haben sich im selben Quartal gegenläufig entwickelt."
        )


def test_the_alignment_page_in_french_and_german(client):
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent)
    f.ObjectiveFactory(unit=bu, code="LONE")  # supports nothing above
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    french = page(client, "/alignment/", "fr")
    assert "Ce qui n'est pas aligné" in french
    assert '<th scope="row">Liaison des objectifs</th>' in french
    assert "Objectifs sans lien vers le niveau supérieur" in french
    german = page(client, "/alignment/?unit=BU", "de")
    assert "von Retail und den untergeordneten Einheiten" in german
    assert '<th scope="row">Zielverknüpfung</th>' in german
    assert "Ziele ohne Verknüpfung nach oben" in german


def test_each_recipient_gets_the_report_in_his_or_her_language(settings):
    """The head chose German, one staff member French, the other nothing: English. The
    languages are read in one query whatever the number of recipients."""
    settings.SITE_URL = "https://osm.example"
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    head = f.UserFactory(email="head@example.com")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent, head=head)
    french = f.UserFactory(email="fr@example.com", roles=[OSM_STAFF])
    f.UserFactory(email="en@example.com", roles=[OSM_STAFF])
    Preferences.objects.create(user=head, language="de")
    Preferences.objects.create(user=french, language="fr")
    grow = f.ObjectiveFactory(unit=ent, code="GROW")
    f.ObjectiveFactory(unit=bu, code="SELL", supports=[grow])
    f.ObjectiveFactory(unit=bu, code="LONE")
    with translation.override("fr"), CaptureQueriesContext(connection) as queries:
        assert alignment_reports_compose(day=dt.date(2026, 11, 11)) == 3
    assert len([q for q in queries if Preferences._meta.db_table in q["sql"]]) == 1
    german = OutgoingMessage.objects.get(recipient="head@example.com")
    assert german.subject == "OSM: Ausrichtung von Retail, GJ 2026, Woche vom 9. Nov."
    assert "- Zielverknüpfung: 50" in german.body  # the figure as core.formatting writes it
    assert "Ziele ohne Verknüpfung nach oben: 1" in german.body
    rows = list(csv.reader(io.StringIO(german.attachments[0]["content"])))
    assert rows[0] == ["Liste", "Einheit", "Element", "Detail"]
    assert rows[1][:2] == ["Ziele ohne Verknüpfung nach oben", "BU"]
    french_report = OutgoingMessage.objects.get(recipient="fr@example.com")
    assert french_report.subject.startswith("OSM : ")  # French puts a space before the colon
    assert french_report.subject.endswith(" Acme, exercice 2026, semaine du 9 nov.")
    assert "Liaison des objectifs" in french_report.body
    english = OutgoingMessage.objects.get(recipient="en@example.com")
    assert english.subject == "OSM: alignment of Acme, FY2026, week of 09 Nov"
    assert "Objective linkage: " in english.body
    assert english.attachments[0]["content"].startswith("list,unit,item,detail")
