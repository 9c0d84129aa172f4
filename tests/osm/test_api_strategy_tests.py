"""API v1: GET /api/v1/units/{id}/strategy-tests/, the latest strategy test of a unit's map."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from alignment.models import StrategyTestRun
from core.roles import ROLES
from tests import factories as f

pytestmark = pytest.mark.django_db


def client_for(roles):
    client = APIClient()
    client.force_authenticate(f.UserFactory(roles=roles))
    return client


def url(unit):
    return f"/api/v1/units/{unit.pk}/strategy-tests/"


@pytest.fixture
def tested():
    """BU's map: an arrow SKILL → OTD supported (lag 2, r 0.62 on 30 periods of 3 units,
    the factory's figures), and a candidate LEAN → OTD contradicted; a later run still
    running and another unit's result are not served."""
    ent = f.EnterpriseFactory(code="ACME")
    bu = f.OrgUnitFactory(code="BU", parent=ent)
    skill = f.ObjectiveFactory(unit=bu, code="SKILL", name="Build skills")
    otd = f.ObjectiveFactory(unit=bu, code="OTD", name="Deliver on time")
    lean = f.ObjectiveFactory(unit=bu, code="LEAN", name="Run lean")
    arrow = f.CauseEffectFactory(cause=skill, effect=otd)
    train = f.MeasureFactory(objective=skill, code="TRAIN", name="Training hours")
    ontime = f.MeasureFactory(objective=otd, code="ONTIME", name="On-time delivery")
    run = f.StrategyTestRunFactory(run_on=dt.date(2026, 11, 27), tests=14)
    run.finished_at = dt.datetime(2026, 11, 27, 2, 0, 14, tzinfo=dt.UTC)
    run.save()
    f.StrategyTestResultFactory(
        run=run, link=arrow, cause_measure=train, effect_measure=ontime, units=3
    )
    f.StrategyTestResultFactory(
        run=run,
        link=None,
        unit=bu,
        cause=lean,
        effect=otd,
        exploratory=True,
        verdict="contradicted",
        lag=0,
        effect_size=-0.71,
        ci_low=-0.85,
        ci_high=-0.49,
        p_value=0.00001,
        p_adjusted=0.0004,
        periods=35,
    )
    f.StrategyTestResultFactory(run=run)  # another unit's map
    f.StrategyTestRunFactory(status=StrategyTestRun.Status.RUNNING)
    return {"ent": ent, "bu": bu, "arrow": arrow, "run": run, "objectives": (skill, otd, lean),
            "measures": (train, ontime)}  # fmt: skip


def test_the_latest_done_run_of_the_units_map(tested):
    skill, otd, _ = tested["objectives"]
    train, ontime = tested["measures"]
    body = client_for(["Employee"]).get(url(tested["bu"])).json()
    assert body["unit"] == tested["bu"].pk
    assert body["run"] == {
        "id": tested["run"].pk,
        "run_on": "2026-11-27",
        "finished_at": "2026-11-27T02:00:14Z",
        "max_lag": 6,
        "alpha": 0.05,
        "tests": 14,
    }
    arrow, candidate = body["results"]
    assert arrow == {
        "cause": {"id": skill.pk, "code": "SKILL", "name": "Build skills"},
        "effect": {"id": otd.pk, "code": "OTD", "name": "Deliver on time"},
        "link": tested["arrow"].pk,
        "exploratory": False,
        "verdict": "supported",
        "cause_measure": {
            "id": train.pk,
            "code": "TRAIN",
            "name": "Training hours",
            "unit": tested["bu"].pk,
        },
        "effect_measure": {
            "id": ontime.pk,
            "code": "ONTIME",
            "name": "On-time delivery",
            "unit": tested["bu"].pk,
        },
        "frequency": "monthly",
        "lag": 2,
        "effect_size": 0.62,
        "ci_low": 0.33,
        "ci_high": 0.80,
        "p_value": 0.0003,
        "p_adjusted": 0.002,
        "periods": 30,
        "units": 3,
        "pairs_tested": 1,
    }
    assert candidate["exploratory"] is True and candidate["link"] is None
    assert candidate["cause"]["code"] == "LEAN" and candidate["verdict"] == "contradicted"
    assert candidate["cause_measure"] is None and candidate["effect_size"] == -0.71


def test_an_arrow_without_data(tested):
    result = tested["run"].results.get(link=tested["arrow"])
    result.verdict, result.frequency = "insufficient_data", ""
    result.lag = result.effect_size = result.ci_low = result.ci_high = None
    result.p_value = result.p_adjusted = result.cause_measure = result.effect_measure = None
    result.periods = result.units = result.pairs_tested = 0
    result.save()
    arrow = client_for(["Executive"]).get(url(tested["bu"])).json()["results"][0]
    assert arrow["verdict"] == "insufficient_data"
    assert arrow["frequency"] is None and arrow["lag"] is None and arrow["p_adjusted"] is None
    assert (arrow["cause_measure"], arrow["periods"], arrow["pairs_tested"]) == (None, 0, 0)


def test_before_any_run_finished():
    unit = f.OrgUnitFactory()
    f.StrategyTestRunFactory(status=StrategyTestRun.Status.FAILED)
    body = client_for(["OSM staff"]).get(url(unit)).json()
    assert body == {"unit": unit.pk, "run": None, "results": []}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_every_units_tests(tested, role):
    # A unit head of another branch reads this one too: strategy is for everyone to see.
    response = client_for([role]).get(url(tested["bu"]))
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


def test_no_role_is_refused(tested):
    response = client_for([]).get(url(tested["bu"]))
    assert response.status_code == 403


def test_without_a_token():
    unit = f.OrgUnitFactory()
    assert APIClient().get(url(unit)).status_code == 401


def test_an_unknown_unit_is_404(tested):
    response = client_for(["Executive"]).get("/api/v1/units/999999/strategy-tests/")
    assert response.status_code == 404


def test_only_reads(tested):
    client = client_for(["OSM staff"])
    assert client.post(url(tested["bu"]), {}).status_code == 405
    assert client.delete(url(tested["bu"])).status_code == 405


def test_queries_do_not_grow_with_the_results(tested):
    client = client_for(["Unit head"])
    client.get(url(tested["bu"]))  # warm-up (the user's groups)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(tested["bu"]))
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    small, n = count()
    bu, run = tested["bu"], tested["run"]
    for k in range(5):
        arrow = f.CauseEffectFactory(
            cause=f.ObjectiveFactory(unit=bu, code=f"C{k}"),
            effect=f.ObjectiveFactory(unit=bu, code=f"E{k}"),
        )
        f.StrategyTestResultFactory(
            run=run,
            link=arrow,
            cause_measure=f.MeasureFactory(objective=arrow.cause),
            effect_measure=f.MeasureFactory(objective=arrow.effect),
        )
    big, m = count()
    assert (m, big) == (n + 5, small)
