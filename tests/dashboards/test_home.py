"""The home page shows the enterprise scorecard with the engine's scores and statuses."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.roles import EXECUTIVE
from scorecards import services
from scorecards.periods import add_months
from tests import factories as f

pytestmark = pytest.mark.django_db


def build(objectives: int):
    ent = f.EnterpriseFactory(name="Acme Holding")
    last = add_months(timezone.localdate().replace(day=1), -1)
    for i in range(objectives):
        objective = f.ObjectiveFactory(unit=ent, code=f"OBJ{i}", name=f"Grow {i}")
        measure = f.MeasureFactory(objective=objective, code=f"M{i}", name=f"Revenue {i}")
        for k in range(3):
            services.measure_value_record(
                measure=measure,
                period=add_months(last, -k),
                actual=Decimal(95),
                target=Decimal(100),
                red_flag=Decimal(90),
                actor=None,
            )
    return ent


def test_home_shows_scores_and_statuses(client):
    build(objectives=1)
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme Holding" in html
    assert "OBJ0 Grow 0" in html
    # (95 - 90) / (100 - 90) = .5 -> 10/3 + 5/3 = 5.00, yellow ("Watch"); the actual was
    # 95 the month before too: unchanged, "▶ steady"
    assert "5.00" in html
    assert "status-yellow" in html and "Watch" in html
    assert (
        '<span aria-hidden="true">▶</span><span class="visually-hidden">unchanged,</span> steady'
    ) in html
    # the scorecard: Financial 5.00, the other perspectives no data -> plain mean 5.00
    assert html.count("No data") >= 3


def test_home_queries_do_not_grow_with_the_scorecard(client, django_assert_max_num_queries):
    ent = build(objectives=1)
    f.ObjectiveFactory(unit=ent, code="EMPTY")  # an objective without data: the cascade is read
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    build_more(ent, objectives=12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/")


def build_more(ent, objectives):
    last = add_months(timezone.localdate().replace(day=1), -1)
    for i in range(objectives):
        objective = f.ObjectiveFactory(unit=ent, code=f"X{i}")
        measure = f.MeasureFactory(objective=objective, code=f"XM{i}")
        services.measure_value_record(measure=measure, period=last, actual=1, target=2, actor=None)
        f.ObjectiveFactory(unit=ent, code=f"Y{i}")  # and more without data


def test_scorecard_month_is_the_current_month(client):
    build(objectives=1)
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    html = client.get("/").content.decode()
    assert timezone.localdate().strftime("%B %Y") in html


def test_a_user_without_a_role_is_told_so(client):
    build(objectives=1)
    client.force_login(f.UserFactory())
    response = client.get("/")
    assert response.status_code == 403
