"""Strategy awareness in the alignment report (DESIGN.md "Alignment metrics": "the latest
closed awareness pulse whose audience covers the unit: the share of its answers from the
subtree that name an objective of the respondent's own unit chain; null without such a
pulse"), in the index where present, with the pulse's minimum group of 5 answers.

A small organisation, FY2026, today 27 November 2026:

    ENT (enterprise)   E1 (no objective below supports it)
    ├── BU1            (no objectives)
    │   └── DEP        (no objectives)
    └── BU2            (no objectives)

Employees, with goals of 2026 linked to E1: BU1 4 (3 linked), DEP 2 (1), BU2 2 (2). So
without a pulse each unit's metrics are goal alignment and, for ENT, cascade coverage:

    DEP  goal alignment 1/2 = 50                          index 50
    BU1  goal alignment (3 + 1) / (4 + 2) = 4/6 = 200/3   index 200/3 (66.67)
    BU2  goal alignment 2/2 = 100                         index 100
    ENT  cascade coverage 0/1 = 0 (E1 not supported);
         goal alignment (4 + 2) / (6 + 2) = 6/8 = 75     index (0 + 75) / 2 = 75/2 (37.5)

The "Spring" pulse of ENT closed on 31 October, answers (aware or not) from:
BU1 4 (T, T, T, F), DEP 3 (T, F, F), BU2 5 (T, T, F, F, F):

    DEP  3 answers: under 5, no figure                   index 50 (unchanged)
    BU1  (3 + 1) / (4 + 3) = 4/7 = 400/7 (57.14)         index (200/3 + 400/7) / 2 = 1300/21
    BU2  2/5 = 40                                        index (100 + 40) / 2 = 70
    ENT  (3 + 1 + 2) / 12 = 6/12 = 50                    index (0 + 75 + 50) / 3 = 125/3
"""

import datetime as dt
from fractions import Fraction as F

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from alignment.metrics import Counts, metrics
from alignment.selectors import alignment_report
from communication.selectors.pulses import pulse_results
from core.roles import OSM_STAFF
from tests import factories as f
from tests.communication.worlds import answers
from tests.factories import PulseFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)
T, N = True, False  # an answer naming an objective of the respondent's chain, or not


@pytest.fixture
def org():
    ent = f.EnterpriseFactory(code="ENT")
    bu1 = f.OrgUnitFactory(code="BU1", parent=ent)
    dep = f.OrgUnitFactory(code="DEP", parent=bu1, kind="department")
    bu2 = f.OrgUnitFactory(code="BU2", parent=ent)
    e1 = f.ObjectiveFactory(unit=ent, code="E1")
    for unit, people, linked in ((bu1, 4, 3), (dep, 2, 1), (bu2, 2, 2)):
        for n in range(people):
            employee = f.EmployeeFactory(unit=unit)
            f.GoalFactory(employee=employee, objective=e1 if n < linked else None)
    return {"ent": ent, "bu1": bu1, "dep": dep, "bu2": bu2}


def spring(org, **dates):
    pulse = PulseFactory(unit=org["ent"], title="Spring", opens_on=dt.date(2026, 10, 1),
                         closes_on=dt.date(2026, 10, 31), **dates)  # fmt: skip
    answers(pulse, org["bu1"], [(T, 3), (T, 3), (T, 3), (N, 3)])
    answers(pulse, org["dep"], [(T, 3), (N, 3), (N, 3)])
    answers(pulse, org["bu2"], [(T, 3), (T, 3), (N, 3), (N, 3), (N, 3)])
    return pulse


def by_code(report) -> dict:
    return {row.code: row.metrics for row in report.units}


def test_without_a_pulse_strategy_awareness_is_null_and_the_index_as_before(org):
    rows = by_code(alignment_report(org["ent"], fiscal_year=2026, today=TODAY))
    assert {code: m.strategy_awareness for code, m in rows.items()} == dict.fromkeys(
        ("ENT", "BU1", "DEP", "BU2")
    )
    assert rows["ENT"].alignment_index == F(75, 2)  # (0 + 75) / 2
    assert rows["BU1"].alignment_index == F(200, 3)
    assert rows["DEP"].alignment_index == F(50)
    assert rows["BU2"].alignment_index == F(100)


def test_with_the_spring_pulse(org):
    spring(org)
    report = alignment_report(org["ent"], fiscal_year=2026, today=TODAY)
    rows = by_code(report)
    assert rows["ENT"].strategy_awareness == F(50)  # 6/12
    assert rows["BU1"].strategy_awareness == F(400, 7)  # 4/7
    assert rows["DEP"].strategy_awareness is None  # 3 answers: under the minimum
    assert rows["BU2"].strategy_awareness == F(40)  # 2/5
    assert rows["ENT"].alignment_index == F(125, 3)  # (0 + 75 + 50) / 3
    # (200/3 + 400/7) / 2 = (1400/21 + 1200/21) / 2 = 2600/42 = 1300/21
    assert rows["BU1"].alignment_index == F(1300, 21)
    assert rows["DEP"].alignment_index == F(50)
    assert rows["BU2"].alignment_index == F(70)  # (100 + 40) / 2
    assert report.metrics == rows["ENT"]


def test_a_report_of_a_unit_below_the_pulse(org):
    spring(org)
    report = alignment_report(org["bu1"], fiscal_year=2026, today=TODAY)
    # The same figures as in the enterprise's report: the pulse of ENT covers BU1.
    assert report.metrics.strategy_awareness == F(400, 7)
    assert by_code(report)["DEP"].strategy_awareness is None


def test_an_open_pulse_does_not_count_yet(org):
    spring(org)
    later = PulseFactory(
        unit=org["ent"], title="Autumn", opens_on=dt.date(2026, 11, 20), closes_on=TODAY
    )  # fmt: skip  (open today, its last day)
    answers(later, org["bu2"], [(T, 5)] * 5)
    rows = by_code(alignment_report(org["ent"], fiscal_year=2026, today=TODAY))
    assert rows["BU2"].strategy_awareness == F(40)  # still Spring's
    # The day after it closes, Autumn is the latest: BU2 5/5, ENT 5/5 (its only answers).
    rows = by_code(alignment_report(org["ent"], fiscal_year=2026, today=dt.date(2026, 11, 28)))
    assert (rows["BU2"].strategy_awareness, rows["ENT"].strategy_awareness) == (F(100), F(100))
    assert rows["BU1"].strategy_awareness is None  # no answer of BU1 in Autumn


def test_a_later_pulse_of_a_unit_below_wins_there_only(org):
    spring(org)
    team = PulseFactory(unit=org["bu1"], title="BU1 pulse", opens_on=dt.date(2026, 11, 2),
                        closes_on=dt.date(2026, 11, 15))  # fmt: skip
    answers(team, org["bu1"], [(T, 4)] * 4 + [(N, 4)])  # BU1 4/5 = 80
    rows = by_code(alignment_report(org["ent"], fiscal_year=2026, today=TODAY))
    assert rows["BU1"].strategy_awareness == F(80)
    assert rows["DEP"].strategy_awareness is None  # BU1's pulse, no answer of DEP
    assert rows["BU2"].strategy_awareness == F(40)  # Spring, which covers BU2
    assert rows["ENT"].strategy_awareness == F(50)  # Spring: BU1's pulse does not cover ENT


def test_a_past_year_reads_the_pulses_closed_by_its_end(org):
    spring(org)
    old = PulseFactory(unit=org["ent"], title="2025", opens_on=dt.date(2025, 6, 1),
                       closes_on=dt.date(2025, 6, 30))  # fmt: skip
    answers(old, org["bu2"], [(N, 2)] * 5)  # 0/5
    rows = by_code(alignment_report(org["ent"], fiscal_year=2025, today=TODAY))
    assert (rows["BU2"].strategy_awareness, rows["ENT"].strategy_awareness) == (F(0), F(0))


def test_a_figure_the_pulse_results_hide_is_hidden_here_too(org):
    # ENT has 2 answers of its own: ENT's 14 beside BU1's 7 and BU2's 5 would give the two
    # away, so the smaller BU2 is hidden (in the results and here), ENT and BU1 stay.
    pulse = spring(org)
    answers(pulse, org["ent"], [(T, 1), (T, 1)])
    shown = {u.code: u.figures.shown for u in pulse_results(pulse).units}
    assert shown == {"ENT": True, "BU1": True, "DEP": False, "BU2": False}
    rows = by_code(alignment_report(org["ent"], fiscal_year=2026, today=TODAY))
    assert {code: m.strategy_awareness is not None for code, m in rows.items()} == shown
    assert rows["ENT"].strategy_awareness == F(800, 14)  # (6 + 2) / 14


def test_the_metric_itself_never_shows_under_five():
    # Counts from elsewhere with 4 answers are not shown, whatever they hold.
    assert metrics(Counts(pulse_answers=4, pulse_answers_aware=4)).strategy_awareness is None
    assert metrics(Counts(pulse_answers=5, pulse_answers_aware=1)).strategy_awareness == F(20)


def test_pulse_counts_are_a_subtrees_already_and_are_not_summed():
    parent = Counts(pulse_answers=10, pulse_answers_aware=5, employees=1)
    child = Counts(pulse_answers=6, pulse_answers_aware=6, employees=2)
    total = parent.plus(child)
    assert (total.pulse_answers, total.pulse_answers_aware, total.employees) == (10, 5, 3)


def test_the_report_takes_two_more_queries_with_pulses_whatever_their_answers(org):
    def count(**kwargs):
        with CaptureQueriesContext(connection) as captured:
            alignment_report(org["ent"], fiscal_year=2026, today=TODAY)
        return len(captured)

    without = count()
    pulse = spring(org)
    with_one = count()
    assert with_one == without + 2  # their answers per unit, their units
    answers(pulse, org["dep"], [(T, 2)] * 300)
    team = PulseFactory(unit=org["bu1"], title="BU1", opens_on=dt.date(2026, 11, 2),
                        closes_on=dt.date(2026, 11, 15))  # fmt: skip
    answers(team, org["bu1"], [(T, 4)] * 40)
    assert count() == with_one


# The API and the page --------------------------------------------------------------------------


@pytest.fixture
def today():
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


def test_the_api_answers_strategy_awareness(org, today):
    spring(org)
    client = APIClient()
    client.force_authenticate(f.UserFactory(roles=[OSM_STAFF]))
    body = client.get("/api/v1/alignment/?fiscal_year=2026").json()
    assert (body["strategy_awareness"], body["alignment_index"]) == (50.0, 41.67)
    units = {u["code"]: u for u in body["units"]}
    assert (units["BU1"]["strategy_awareness"], units["BU1"]["alignment_index"]) == (57.14, 61.9)
    assert units["DEP"]["strategy_awareness"] is None


def test_the_page_shows_strategy_awareness(client, org, today):
    spring(org)
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    html = client.get("/alignment/?fiscal_year=2026").content.decode()
    assert '<th scope="row">Strategy awareness</th><td class="num">50.00%</td>' in html
    assert "Alignment index: <strong>41.67%</strong>" in html
    assert 'href="/pulses/"' in html


def test_the_workbook_lists_it(org, today):
    from reports.exports import alignment_file

    spring(org)
    user = f.UserFactory(roles=[OSM_STAFF])
    made = alignment_file(org["ent"], fiscal_year=2026, user=user, fmt="csv")
    text = made.content.decode() if isinstance(made.content, bytes) else made.content
    assert "Strategy awareness" in text
