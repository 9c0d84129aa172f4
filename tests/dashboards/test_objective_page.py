"""The objective page: measure charts, figures, cascade, initiatives, goals, history."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.roles import EMPLOYEE, EXECUTIVE, HR
from scorecards import services
from scorecards.periods import add_months
from tests import factories as f

pytestmark = pytest.mark.django_db
LAST = add_months(timezone.localdate().replace(day=1), -1)


@pytest.fixture
def world():
    ent = f.EnterpriseFactory(code="ACME")
    bu = f.OrgUnitFactory(code="BU", parent=ent)
    top = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow")
    below = f.ObjectiveFactory(unit=bu, code="SELL", name="Sell", supports=[top])
    measure = f.MeasureFactory(objective=top, code="REV", name="Revenue", unit_label="EUR")
    for k, actual in enumerate((95, 100)):  # 95 then 100 against 100, red flag 90
        services.measure_value_record(
            measure=measure, period=add_months(LAST, k - 1), actual=Decimal(actual),
            target=Decimal(100), red_flag=Decimal(90),
        actor=None)  # fmt: skip
    f.InitiativeFactory(unit=ent, code="PUSH", name="Push sales", objectives=[top])
    f.GoalFactory(employee=f.EmployeeFactory(unit=bu, name="Ann"), objective=top, title="Sell it")
    return top, below, measure


def page(client, role, objective):
    client.force_login(f.UserFactory(roles=[role]))
    return client.get(f"/objectives/{objective.pk}/")


def test_the_page(client, world):
    top, below, _ = world
    response = page(client, HR, top)
    assert response.status_code == 200
    html = response.content.decode()
    # the chart's data: target 100 and the red flag 90, both periods; actual 95 then 100
    data = json.loads(re.search(r'<script id="m0" type="application/json">(.*?)</script>',
                                html, re.S)[1])  # fmt: skip
    target, red_flag, actual = data["data"]
    assert (target["y"], red_flag["y"], actual["y"]) == ([100, 100], [90, 90], [95, 100])
    assert red_flag["fill"] == "tonexty"  # the band between the red flag and the target
    # this month's figures: the last period, at target: 6.67, on target; the actual went up
    # from 95 on a higher-is-better measure: "▲ better"
    assert "actual 100, target 100, red flag 90" in html and "6.67" in html
    assert (
        '<span class="trend trend-better" title="The actual went up since the previous period '
        'with data; higher is better."><span aria-hidden="true">▲</span>'
        '<span class="visually-hidden">up,</span> better</span>'
    ) in html
    assert f'href="/objectives/{below.pk}/"' in html  # the cascade below
    assert "PUSH Push sales" in html
    assert "Sell it" in html and "1 goal you may see" in html
    assert "Created: GROW Grow" in html  # the history


def test_goals_are_shown_only_to_who_may_see_them(client, world):
    top, *_ = world
    html = page(client, EMPLOYEE, top).content.decode()
    assert "Sell it" not in html and "No goal you may see is linked to it." in html


def test_not_found_and_no_role(client, world):
    top, *_ = world
    assert page(client, EXECUTIVE, type(top)(pk=999999)).status_code == 404
    client.force_login(f.UserFactory())
    assert client.get(f"/objectives/{top.pk}/").status_code == 403


def test_queries_do_not_grow_with_values_or_measures(client, world):
    top, _, measure = world
    red = f.MeasureFactory(objective=top, code="LOW")  # a red one: its note is read
    services.measure_value_record(
        measure=red, period=LAST, actual=Decimal(1), target=Decimal(2), note="Why", actor=None
    )
    client.force_login(f.UserFactory(roles=[HR]))
    client.get(f"/objectives/{top.pk}/")  # warm-up
    with CaptureQueriesContext(connection) as small:
        client.get(f"/objectives/{top.pk}/")
    for k in range(2, 14):
        services.measure_value_record(
            measure=measure,
            period=add_months(LAST, -k),
            actual=Decimal(1),
            target=Decimal(2),
            actor=None,
        )
    for i in range(4):
        other = f.MeasureFactory(objective=top, code=f"X{i}")
        services.measure_value_record(
            measure=other, period=LAST, actual=Decimal(1), target=Decimal(2), actor=None
        )
    with CaptureQueriesContext(connection) as large:
        client.get(f"/objectives/{top.pk}/")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_owners_note_is_next_to_a_red_measure(client, world):
    top, *_ = world
    # 1 against 2, default red flag 2 - 10% = 1.8: red; the note of that period is shown
    noted = f.MeasureFactory(objective=top, code="LATE", name="Deliveries")
    services.measure_value_record(
        measure=noted, period=add_months(LAST, -1), actual=Decimal(2), target=Decimal(2),
        note="An older note", actor=None,
    )  # fmt: skip
    services.measure_value_record(
        measure=noted, period=LAST, actual=Decimal(1), target=Decimal(2),
        note="Supplier strike; a second supplier starts next month.", actor=None,
    )  # fmt: skip
    silent = f.MeasureFactory(objective=top, code="MUTE", name="Silent")
    services.measure_value_record(
        measure=silent, period=LAST, actual=Decimal(1), target=Decimal(2), actor=None
    )
    html = page(client, EXECUTIVE, top).content.decode()
    month = LAST.strftime("%b %Y")
    assert (
        f"<strong>Owner's note on {month}:</strong> Supplier strike; a second supplier starts "
        "next month."
    ) in html
    assert "An older note" not in html  # the period scored, not an earlier one
    assert f"No note on the {month} value." in html  # MUTE
    assert html.count("Owner's note on") == 1  # REV is green: no note line
