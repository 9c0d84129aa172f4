"""The Alignment page: renders for every role, checks its parameters, hides lists a role
may not see, stays within a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alignment.models import AlignmentSnapshot
from core.roles import EMPLOYEE, EXECUTIVE, HR, OSM_STAFF
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent)
    top = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow")
    f.ObjectiveFactory(unit=bu, code="SELL", name="Sell more", supports=[top])
    f.ObjectiveFactory(unit=bu, code="LONE", name="Lonely objective")
    f.BudgetLineFactory(unit=bu, label="Rent", planned=Decimal("300"))
    f.EmployeeFactory(unit=bu, name="Ann Unaligned")
    return ent, bu


def login(client, role):
    user = f.UserFactory(roles=[role] if role else [])
    client.force_login(user)
    return user


def test_page_shows_metrics_units_and_lists(client, org):
    login(client, OSM_STAFF)
    html = client.get("/alignment/").content.decode()
    # objective linkage: BU's 2 objectives, 1 supports GROW -> 1/2 = 50.00%
    assert "50.00%" in html
    # cascade coverage of ACME: GROW is supported by SELL -> 1/1 = 100.00%
    assert "100.00%" in html
    assert "LONE Lonely objective" in html  # linked to nothing above
    assert "Rent" in html and "Ann Unaligned" in html  # OSM staff see every list
    assert 'data-chart="bar-chart-data"' in html and 'id="bar-chart-data"' in html
    assert "vendor/plotly/plotly-basic.min.js" in html


def test_a_unit_and_year_can_be_chosen(client, org):
    login(client, EXECUTIVE)
    response = client.get("/alignment/?unit=BU&fiscal_year=2025")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fiscal year 2025." in html
    assert "of Retail and the units below it" in html


@pytest.mark.parametrize(
    "query,message",
    [
        ("unit=NOPE", "There is no unit with that code."),
        ("fiscal_year=abc", "Enter a year such as 2026."),
        ("fiscal_year=1800", "Ensure this value is greater than or equal to 1900."),
    ],
)
def test_bad_parameters_answer_400_with_a_message(client, org, query, message):
    login(client, EXECUTIVE)
    response = client.get(f"/alignment/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_lists_of_people_and_money_only_for_those_who_may_see_them(client, org):
    login(client, EMPLOYEE)
    html = client.get("/alignment/").content.decode()
    assert "LONE Lonely objective" in html  # the strategy is everyone's
    assert "Ann Unaligned" not in html and "Rent" not in html
    login(client, HR)
    html = client.get("/alignment/").content.decode()
    assert "Ann Unaligned" in html


def test_no_role_no_page_and_login_required(client, org):
    assert client.get("/alignment/").status_code == 302
    login(client, None)
    assert client.get("/alignment/").status_code == 403


def test_trend_from_snapshots(client, org):
    ent, _ = org
    for day, index in ((dt.date(2026, 1, 5), "40.00"), (dt.date(2026, 2, 5), "55.50")):
        AlignmentSnapshot.objects.create(
            unit=ent, fiscal_year=2026, taken_on=day, alignment_index=Decimal(index)
        )
    login(client, EXECUTIVE)
    html = client.get("/alignment/?fiscal_year=2026").content.decode()
    assert 'id="trend-chart-data"' in html
    assert "2026-02-05" in html and "55.5" in html


def test_queries_do_not_grow_with_the_organisation(client, org):
    _ent, bu = org
    login(client, OSM_STAFF)
    with CaptureQueriesContext(connection) as small:
        client.get("/alignment/")
    for i in range(8):
        unit = f.DepartmentFactory(code=f"D{i}", parent=bu)
        objective = f.ObjectiveFactory(unit=unit)
        f.EmployeeFactory(unit=unit)
        f.BudgetLineFactory(unit=unit, objective=objective)
    with CaptureQueriesContext(connection) as large:
        client.get("/alignment/")
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_the_report_is_cached_until_the_data_changes(org):
    from django.core.cache import cache

    from alignment.selectors import cached_alignment_report
    from core.versioning import data_version

    cache.clear()
    ent, bu = org
    before = data_version()
    first = cached_alignment_report(ent)
    with CaptureQueriesContext(connection) as captured:
        again = cached_alignment_report(ent)
    assert len(captured.captured_queries) == 1  # the data version only
    assert again.metrics == first.metrics
    # any write moves the version on: linking BU's lone objective changes the numbers
    lone = bu.objectives.get(code="LONE")
    from scorecards import services

    services.objective_support(
        objective=lone, supported=ent.objectives.get(code="GROW"), actor=None
    )
    assert data_version() != before
    fresh = cached_alignment_report(ent)
    # objective linkage: 1 of 2 -> 2 of 2 below the root
    assert (first.metrics.objective_linkage, fresh.metrics.objective_linkage) == (50, 100)
