"""The dashboards in French and German: a unit's dashboard with its strategy map and what
needs attention, an objective's page and "My strategy" (docs/development.md, "Languages")."""

import html

import pytest

from core.models import Preferences
from tests import factories as f
from tests.dashboards.test_dashboard import org  # noqa: F401
from tests.dashboards.test_my_strategy import URL, frozen, world  # noqa: F401

pytestmark = pytest.mark.django_db


def page(client, url, language, expected=None):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == (expected or language)
    return html.unescape(response.content.decode())  # the text as read: ' for &#x27;


def test_a_unit_dashboard_in_french_and_german(client, org):  # noqa: F811
    _ent, bu = org
    french = page(client, "/units/BU/", "fr")
    assert 'Retail <span class="muted">tableau de bord prospectif</span>' in french
    assert ">À traiter <" in french
    assert "à surveiller dans Retail et les unités en dessous" in french
    assert '<h2 id="map-title">Carte stratégique</h2>' in french
    assert "Prochaines revues" in french and "Valeurs en retard" in french
    assert "Choisir l'unité et le mois" in french
    german = page(client, "/units/BU/", "de")
    assert '<h2 id="attention-title">Handlungsbedarf' in german
    assert "Ziele von Retail und darunter" in german
    assert "Überfällige Werte" in german and "Nächste Reviews" in german
    objective = bu.objectives.get(code="LOW")
    german = page(client, f"/objectives/{objective.pk}/", "de")
    assert '<h2 id="measures-title">Kennzahlen</h2>' in german
    assert "Keine Initiative treibt es voran." in german
    assert "Alarmschwelle" in german and "Änderungsverlauf" in german


def test_my_strategy_in_the_language_the_employee_chose(client, world):  # noqa: F811
    Preferences.objects.create(user=world["user"], language="de")
    client.force_login(world["user"])
    german = page(client, URL, "fr", expected="de")  # her choice wins over the browser
    assert "<h1>Meine Strategie</h1>" in german
    assert "Ihre Mitarbeiterziele für 2026" in german
    assert 'Ihre Einheit: <a href="/units/SHOP/">Shops</a>' in german
    assert "1 weiteres Ziel von BU: im" in german
    assert "eines Ihrer Mitarbeiterziele trägt dazu bei" in german
    client.force_login(f.UserFactory(roles=world["user"].groups.values_list("name", flat=True)))
    french = page(client, URL, "fr")
    assert "OSM n'a pas de fiche collaborateur pour vous" in french
