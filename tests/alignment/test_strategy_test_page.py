"""A unit's Strategy test page (/units/<code>/strategy-test/): the latest run's verdicts with
their figures and charts, the exploratory candidates apart, "no run yet", the run button
(OSM staff only), each role, query counts on two sizes; and the pure chart functions
(alignment/charts.py) checked by hand on small series."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alignment import charts, tasks
from alignment.models import StrategyTestRun
from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/units/BU/strategy-test/"
READERS = [[OSM_STAFF], [EXECUTIVE], [UNIT_HEAD], [HR], [MEASURE_OWNER], [EMPLOYEE]]


def month(m: int, year: int = 2026) -> dt.date:
    return dt.date(year + (m - 1) // 12, (m - 1) % 12 + 1, 1)


def values(measure, actuals: dict[dt.date, int]):
    for period, actual in actuals.items():
        f.MeasureValueFactory(measure=measure, period=period, actual=Decimal(actual))


@pytest.fixture
def world():
    """Acme > Retail (BU). Arrows of BU's map: TRAIN → SELL (supported at lag 2 months by the
    run of 27 Nov 2026, measures HRS → REV), CARE → SELL (contradicted), SHIP → SELL
    (insufficient data), and LEARN → SELL, drawn after the run (not tested). One exploratory
    candidate, CARE → TRAIN. HRS: Jan-Jun 2026 = 1, 2, 4, 8, 16, 32; REV: Jan-Aug 2026 =
    10, 20, ..., 80."""
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent)
    obj = {
        code: f.ObjectiveFactory(unit=bu, code=code, name=name)
        for code, name in [
            ("TRAIN", "Train staff"),
            ("SELL", "Sell more"),
            ("CARE", "Delight customers"),
            ("SHIP", "Ship on time"),
            ("LEARN", "Learn"),
        ]
    }
    hrs = f.MeasureFactory(objective=obj["TRAIN"], code="HRS", name="Training hours")
    rev = f.MeasureFactory(objective=obj["SELL"], code="REV", name="Revenue")
    nps = f.MeasureFactory(objective=obj["CARE"], code="NPS", name="Net promoter score")
    values(hrs, {month(m): 2 ** (m - 1) for m in range(1, 7)})
    values(rev, {month(m): 10 * m for m in range(1, 9)})
    arrow = {
        code: f.CauseEffectFactory(cause=obj[code], effect=obj["SELL"])
        for code in ("TRAIN", "CARE", "SHIP")
    }
    run = f.StrategyTestRunFactory(run_on=dt.date(2026, 11, 27), tests=42)
    supported = f.StrategyTestResultFactory(
        run=run, link=arrow["TRAIN"], cause_measure=hrs, effect_measure=rev,
        lags=[{"lag": 2, "n": 30, "r": 0.62, "p": 0.0003, "p_adjusted": 0.002,
               "ci_low": 0.33, "ci_high": 0.80}],
    )  # fmt: skip
    contradicted = f.StrategyTestResultFactory(
        run=run, link=arrow["CARE"], verdict="contradicted", cause_measure=nps,
        effect_measure=rev, frequency="quarterly", lag=1, effect_size=-0.51, ci_low=-0.74,
        ci_high=-0.18, p_adjusted=0.0004, periods=14, units=3, pairs_tested=2,
    )  # fmt: skip
    f.StrategyTestResultFactory(
        run=run, link=arrow["SHIP"], verdict="insufficient_data", lag=None, effect_size=None,
        ci_low=None, ci_high=None, p_value=None, p_adjusted=None, periods=0,
    )  # fmt: skip
    f.CauseEffectFactory(cause=obj["LEARN"], effect=obj["SELL"])  # after the run
    f.StrategyTestResultFactory(
        run=run, link=None, unit=bu, cause=obj["CARE"], effect=obj["TRAIN"], exploratory=True,
        cause_measure=nps, effect_measure=hrs, effect_size=0.71, ci_low=0.45, ci_high=0.86,
        p_adjusted=0.004, lag=0, periods=20,
    )  # fmt: skip
    return {"bu": bu, "run": run, "supported": supported, "contradicted": contradicted, **obj}


def login(client, roles):
    user = f.UserFactory(roles=roles)
    client.force_login(user)
    return user


def figure_of(html: str, chart_id: str) -> dict:
    found = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html)
    assert found, f"no chart data {chart_id}"
    return json.loads(found.group(1))


def test_the_page_lists_each_arrow_with_its_figures(client, world):
    login(client, [EXECUTIVE])
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "27 Nov 2026" in html  # the run's date
    assert "42 tests adjusted together" in html
    # TRAIN -> SELL: the factory's supported result
    assert "TRAIN Train staff → SELL Sell more" in html
    assert '<span class="verdict verdict-supported">Supported</span>' in html
    assert "2 months" in html  # best lag 2, monthly
    assert "0.62" in html and "(0.33 to 0.80)" in html and ">0.002<" in html
    assert "HRS Training hours</a> → <a" in html and "REV Revenue</a>" in html
    # CARE -> SELL: contradicted at 1 quarter, 14 periods over 3 units, 2 pairs tried
    assert '<span class="verdict verdict-contradicted">Contradicted</span>' in html
    assert "1 quarter" in html and "-0.51" in html and "(-0.74 to -0.18)" in html
    assert ">14<" in html and ">3<" in html and "(strongest of 2 pairs)" in html
    # adjusted p 0.0004 is shown as < 0.001
    assert "&lt; 0.001" in html
    assert '<span class="verdict verdict-insufficient_data">Insufficient data</span>' in html
    # LEARN -> SELL was drawn after the run
    assert "Not tested yet (added after the run)" in html
    assert "LEARN Learn → SELL Sell more" in html


def test_candidates_are_apart_and_marked_exploratory(client, world):
    login(client, [EMPLOYEE])
    html = client.get(URL).content.decode()
    arrows, candidates = html.split('id="candidates-title"')
    assert "Exploratory: not hypotheses of the map; worth discussing, not evidence." in candidates
    assert "CARE Delight customers → TRAIN Train staff" in candidates
    assert "move together" in candidates and "0.71" in candidates
    assert "CARE Delight customers → TRAIN Train staff" not in arrows


def test_each_tested_arrow_has_its_chart_aligned_at_the_best_lag(client, world):
    login(client, [EXECUTIVE])
    html = client.get(URL).content.decode()
    assert "vendor/plotly/plotly-basic.min.js" in html and "js/charts.js" in html
    figure = figure_of(html, f"pair-{world['supported'].pk}")
    assert f'data-chart="pair-{world["supported"].pk}"' in html
    cause, effect = figure["data"]
    # lag 2 months: HRS of Jan (1) beside REV of Mar (30), Feb (2) beside Apr (40), ...,
    # Jun (32) beside Aug (80); HRS has no value after June
    assert cause["x"] == [month(m).isoformat() for m in range(1, 7)]
    assert cause["y"] == [1, 2, 4, 8, 16, 32]
    assert effect["y"] == [30, 40, 50, 60, 70, 80]
    assert effect["customdata"] == ["Mar 2026", "Apr 2026", "May 2026", "Jun 2026",
                                    "Jul 2026", "Aug 2026"]  # fmt: skip
    assert cause["name"] == "HRS Training hours (cause)"
    assert effect["name"] == "REV Revenue, 2 months later (effect)"
    # CARE -> SELL: NPS has no value in BU's own history: the page says so, no chart
    assert f'data-chart="pair-{world["contradicted"].pk}"' not in html
    assert "no period in common at this lag" in html


def test_no_run_yet(client):
    ent = f.EnterpriseFactory(code="ACME")
    bu = f.OrgUnitFactory(code="BU", parent=ent)
    f.CauseEffectFactory(cause__unit=bu, cause__code="AAA", effect__code="BBB")
    # a run that failed is never served
    f.StrategyTestRunFactory(status=StrategyTestRun.Status.FAILED, error="boom")
    login(client, [UNIT_HEAD])
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No run yet" in html and "runs every night" in html
    assert "AAA Objective AAA → BBB Objective BBB" in html  # waiting for its first test
    assert "failed" in html and "boom" not in html  # the error is for OSM staff
    assert "plotly" not in html
    assert "Run the test now" not in html


@pytest.mark.parametrize("roles", READERS)
def test_every_role_reads(client, world, roles):
    login(client, roles)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "TRAIN Train staff → SELL Sell more" in html
    assert ("Run the test now" in html) == (roles == [OSM_STAFF])


def test_no_role_is_refused(client, world):
    login(client, [])
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403


def test_unknown_unit_and_other_methods(client, world, monkeypatch):
    calls = []
    monkeypatch.setattr(tasks, "run_strategy_tests", FakeTask(calls, eager=True))
    login(client, [OSM_STAFF])
    assert client.get("/units/NOPE/strategy-test/").status_code == 404
    assert client.post("/units/NOPE/strategy-test/").status_code == 404
    assert client.put(URL).status_code == 405
    assert calls == []  # nothing run


@pytest.mark.parametrize("roles", [r for r in READERS if r != [OSM_STAFF]])
def test_only_osm_staff_may_run_the_test(client, world, roles, monkeypatch):
    started = []
    monkeypatch.setattr(tasks, "run_strategy_tests", FakeTask(started, eager=True))
    login(client, roles)
    assert client.post(URL).status_code == 403
    assert started == []


class FakeTask:
    """Stands in for alignment.tasks.run_strategy_tests: records its calls."""

    def __init__(self, calls, *, eager, fail=False):
        self.calls, self.fail = calls, fail
        self.app = type("App", (), {"conf": type("Conf", (), {"task_always_eager": eager})})

    def delay(self, **kwargs):
        self.calls.append(("delay", kwargs))

    def apply(self, args=(), kwargs=None, throw=False):
        self.calls.append(("apply", kwargs))
        if self.fail:
            raise RuntimeError("no data")


def test_osm_staff_run_it_inline_without_a_broker(client, world, monkeypatch):
    calls = []
    monkeypatch.setattr(tasks, "run_strategy_tests", FakeTask(calls, eager=True))
    staff = login(client, [OSM_STAFF])
    response = client.post(URL, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert calls == [("apply", {"by": staff.pk})]
    assert "Strategy test done" in response.content.decode()


def test_osm_staff_queue_it_for_a_worker_after_commit(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr(tasks, "run_strategy_tests", FakeTask(calls, eager=False))
    staff = login(client, [OSM_STAFF])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(URL)
    assert response.status_code == 302 and calls == []  # not before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert calls == [("delay", {"by": staff.pk})]
    assert "Strategy test queued" in client.get(URL).content.decode()


def test_a_failed_inline_run_is_said_and_the_page_stays_up(client, world, monkeypatch):
    calls = []
    fake = FakeTask(calls, eager=True, fail=True)
    monkeypatch.setattr(tasks, "run_strategy_tests", fake)
    login(client, [OSM_STAFF])
    response = client.post(URL, follow=True)
    assert response.status_code == 200
    assert "The strategy test failed" in response.content.decode()


def test_queries_do_not_grow_with_arrows_results_and_values(client, world):
    login(client, [EXECUTIVE])
    client.get(URL)  # warm up
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    bu, run = world["bu"], world["run"]
    for i in range(5):
        cause = f.ObjectiveFactory(unit=bu, code=f"C{i}")
        effect = f.ObjectiveFactory(unit=bu, code=f"E{i}")
        x = f.MeasureFactory(objective=cause, code=f"X{i}")
        y = f.MeasureFactory(objective=effect, code=f"Y{i}", frequency="quarterly")
        values(x, {month(m): m for m in range(1, 13)})
        values(y, {month(m): m for m in (1, 4, 7, 10)})
        arrow = f.CauseEffectFactory(cause=cause, effect=effect)
        f.StrategyTestResultFactory(run=run, link=arrow, cause_measure=x, effect_measure=y,
                                    frequency="quarterly", lag=1)  # fmt: skip
        f.CauseEffectFactory(cause=effect, effect=cause)  # untested
    with CaptureQueriesContext(connection) as large:
        html = client.get(URL).content.decode()
    assert html.count('data-chart="pair-') == 1 + 5
    assert len(large.captured_queries) == len(small.captured_queries), [
        q["sql"] for q in large.captured_queries
    ]


# The charts, pure -----------------------------------------------------------------------------


def test_aligned_pair_monthly_by_hand():
    cause = {month(1): 1.0, month(2): 2.0, month(3): 4.0, month(4): 8.0}
    effect = {month(2): 10.0, month(3): 20.0, month(4): 40.0, month(5): 80.0}
    frequency, rows = charts.aligned_pair(
        cause, effect, cause_frequency="monthly", effect_frequency="monthly", lag=1
    )
    # each cause month beside the effect one month later: Jan 1 / Feb 10, ..., Apr 8 / May 80
    assert frequency == "monthly"
    assert rows == [(month(1), 1, 10), (month(2), 2, 20), (month(3), 4, 40), (month(4), 8, 80)]


def test_aligned_pair_monthly_beside_quarterly_by_hand():
    cause = {month(m): float(m) for m in range(1, 7)}  # Jan..Jun = 1..6
    effect = {month(1): 100.0, month(4): 200.0, month(7): 300.0}
    frequency, rows = charts.aligned_pair(
        cause, effect, cause_frequency="monthly", effect_frequency="quarterly",
        cause_aggregation="sum", lag=1,
    )  # fmt: skip
    # the months summed into quarters: Q1 = 1 + 2 + 3 = 6, Q2 = 4 + 5 + 6 = 15; each beside
    # the effect one quarter later: Q1 / Q2 (200), Q2 / Q3 (300)
    assert frequency == "quarterly"
    assert rows == [(month(1), 6, 200), (month(4), 15, 300)]


def test_strategy_test_chart_by_hand():
    rows = [(month(1), 6.0, 200.0), (month(4), 15.0, 300.0)]
    figure = charts.strategy_test_chart(
        rows, lag=1, frequency="quarterly", cause_name="C1 Cause", effect_name="E1 Effect",
        title="C → E",
    )  # fmt: skip
    cause, effect = figure["data"]
    assert list(cause["x"]) == ["2026-01-01", "2026-04-01"] == list(effect["x"])
    assert list(cause["y"]) == [6, 15] and list(effect["y"]) == [200, 300]
    # the effect's own periods, one quarter after the cause's
    assert list(effect["customdata"]) == ["Apr 2026", "Jul 2026"]
    assert effect["yaxis"] == "y2" and figure["layout"]["yaxis2"]["overlaying"] == "y"
    assert effect["name"] == "E1 Effect, 1 quarter later (effect)"
    assert figure["layout"]["title"]["text"] == "C → E"


def test_osm_staff_run_the_real_test_inline(client, world):
    """The real task, eagerly (the tests' Celery has no broker): a new run of today that is
    done, and the page serves it."""
    login(client, [OSM_STAFF])
    before = StrategyTestRun.objects.count()
    response = client.post(URL, follow=True)
    html = response.content.decode()
    assert "Strategy test done" in html
    run = StrategyTestRun.objects.latest()
    assert StrategyTestRun.objects.count() == before + 1
    assert run.status == StrategyTestRun.Status.DONE and run.pk != world["run"].pk
    assert f"Latest run: <strong>{run.run_on:%-d %b %Y}</strong>" in html
