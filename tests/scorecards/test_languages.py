"""The scorecard pages in French and German: the measure page, its value entry and the
message after a save, the cascade, My updates and Setup speak the reader's language, with
periods in the language's date formats ("oct. 2026", "Okt. 2026", "T4 2026", "GJ 2026") and
figures with its decimal comma (docs/development.md, "Languages")."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from core.roles import MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from scorecards.choices import Frequency
from scorecards.display import month_text, period_label
from scorecards.models import MeasureValue
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
D = Decimal


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world():
    """OEE (one decimal place) owned by `owner` in PLANT, headed by `head`; October stored:
    77.9 against 80, red flag 75 (Watch)."""
    head = f.UserFactory(roles=[UNIT_HEAD])
    unit = f.OrgUnitFactory(code="PLANT", name="Plant", parent=f.EnterpriseFactory(), head=head)
    owner = f.UserFactory(roles=[MEASURE_OWNER])
    oee = f.MeasureFactory(
        objective=f.ObjectiveFactory(unit=unit, code="EFF", name="Run the plant well"),
        code="OEE", name="Equipment effectiveness", unit_label="%", decimal_places=1,
        owner=owner,
    )  # fmt: skip
    f.MeasureValueFactory(
        measure=oee, period=dt.date(2026, 10, 1), actual=D("77.9"), target=D(80), red_flag=D(75)
    )
    return {"oee": oee, "owner": owner, "head": head, "unit": unit}


def page(client, path, language):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "fr",
            [
                "Saisir ou corriger une valeur",
                "Seuil d'alerte",
                "Enregistrer la valeur",
                "oct. 2026",
                "réel 77,9, cible 80,0, seuil d'alerte 75,0",
                "Mensuelle",
                "Toutes les périodes de OEE, la plus récente d'abord",
            ],
        ),
        (
            "de",
            [
                "Einen Wert erfassen",
                "Alarmschwelle",
                "Wert speichern",
                "Okt. 2026",
                "Istwert 77,9, Zielwert 80,0, Alarmschwelle 75,0",
                "Monatlich · Höher ist besser",
                "Perioden von OEE, die neueste zuerst",
            ],
        ),
    ],
)
def test_the_measure_page_in_french_and_german(client, world, language, words):
    client.force_login(world["owner"])
    html = page(client, f"/measures/{world['oee'].pk}/", language)
    for word in words:
        assert word in html, word
    assert "Enter or correct a value" not in html


def test_the_message_after_a_save_is_in_the_readers_language(client, world):
    client.force_login(world["owner"])
    url = f"/measures/{world['oee'].pk}/"
    response = client.post(
        url, {"period": "oct. 2026", "actual": "81,5"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == [
        "OEE, oct. 2026 : réel 77,9 → 81,5 ; statut À surveiller → Dans la cible."
    ]
    response = client.post(url, {"period": "Okt. 2026", "note": "Gut"}, HTTP_ACCEPT_LANGUAGE="de")
    assert [str(m) for m in response.wsgi_request._messages][-1] == (
        "OEE, Okt. 2026: Kommentar hinzugefügt; Status Im Ziel, unverändert."
    )
    assert MeasureValue.objects.get(measure=world["oee"]).actual == D("81.5")


def test_a_refusal_is_in_the_readers_language(client, world):
    client.force_login(world["owner"])
    response = client.post(
        f"/measures/{world['oee'].pk}/", {"period": "2026-Q4", "actual": "78"},
        HTTP_ACCEPT_LANGUAGE="de",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors["period"] == [
        "Dies bezeichnet ein Quartal, und die Kennzahl ist monatlich: Geben Sie einen Monat an."
    ]
    response = client.post(
        f"/measures/{world['oee'].pk}/", {"period": "2026-10", "actual": "779"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )  # fmt: skip
    assert response.context["form"].errors["actual"] == [
        "OEE accepte des valeurs de 0 à 100 : 779 est hors de cette plage."
    ]


def test_the_cascade_my_updates_and_setup_in_french_and_german(client, world):
    client.force_login(world["head"])
    cascade = f"/units/{world['unit'].code}/cascade/"
    assert "Déclinaison de Plant" in page(client, cascade, "fr")
    assert "Kaskadierung von Plant" in page(client, cascade, "de")
    client.force_login(world["owner"])
    assert "Mes saisies" in page(client, "/my/updates/", "fr")
    assert "Meine Eingaben" in page(client, "/my/updates/", "de")
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    assert "Créer l'unité entreprise" not in page(client, "/setup/", "fr")
    assert "Nouvelle perspective" in page(client, "/setup/", "fr")
    assert "Neue Perspektive" in page(client, "/setup/", "de")


def test_periods_follow_the_language():
    october = dt.date(2026, 10, 1)
    labels = {}
    for language in ("en", "fr", "de"):
        with translation.override(language):
            labels[language] = (
                month_text(october),
                period_label(october, Frequency.QUARTERLY, 1),
                period_label(dt.date(2026, 1, 1), Frequency.ANNUAL, 1),
            )
    assert labels == {
        "en": ("Oct 2026", "2026-Q4", "FY2026"),
        "fr": ("oct. 2026", "T4 2026", "exercice 2026"),
        "de": ("Okt. 2026", "Q4 2026", "GJ 2026"),
    }
