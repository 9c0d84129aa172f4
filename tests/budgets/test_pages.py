"""The budget page: the figures of a unit subtree's year worked out by hand, who may see
it, its parameters, the lines not linked, pagination, and a fixed number of queries.

The organisation and its lines are in conftest.py (`org`), with each line's figures.
"""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.choices import BudgetCategory
from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from tests import factories as f

from .conftest import text_of

pytestmark = pytest.mark.django_db


def test_the_page_of_a_business_unit(client, org, login):
    login(OSM_STAFF)
    response = client.get("/budgets/?unit=BU&fiscal_year=2026")
    assert response.status_code == 200
    text = text_of(response)
    # BU's subtree in 2026 = Rent, Ads, Push (BU) + Pilot, Machine (D1):
    #   planned 300 + 200 + 500 + 100 + 400 = 1,500; actual 250 + 100 + 400 + 20 + 350.50
    #   = 1,120.50; linked Ads 200 + Push 500 + Machine 400 = 1,100 -> 1100/1500 = 73.33%;
    #   STRATEX Push 500 + Pilot 100 = 600 -> 600/1500 = 40.00%.
    assert "Fiscal year 2026. Planned 1,500 , spent 1,120.50." in text
    assert "Linked to strategy: 73.33% of the planned money. STRATEX: 40.00% ." in text
    # By category: OPEX 500 / 350, linked 200/500 = 40.00%; CAPEX 400 / 350.50, all
    # linked; STRATEX 600 / 420, linked 500/600 = 83.33%.
    assert "OPEX 500 350 40.00%" in text
    assert "CAPEX 400 350.50 100.00%" in text
    assert "STRATEX 600 420 83.33%" in text
    assert "Total 1,500 1,120.50 73.33%" in text
    # Each unit, own lines: BU OPEX 500/350, CAPEX 0/0, STRATEX 500/400, total 1,000/750,
    # linked (200 + 500)/1000 = 70.00%; D1 OPEX 0/0, CAPEX 400/350.50, STRATEX 100/20,
    # total 500/370.50, linked 400/500 = 80.00%.
    assert "BU Retail 500 350 0 0 500 400 1,000 750 70.00%" in text
    assert "D1 Stores 0 0 400 350.50 100 20 500 370.50 80.00%" in text
    assert "All 500 350 400 350.50 600 420 1,500 1,120.50 73.33%" in text
    # Not linked: Rent (nothing named) and Pilot (its initiative advances no objective),
    # the largest first; not the 2025 line, not S1's or ACME's.
    unlinked = text.split("Lines not linked")[1].split("All lines")[0]
    assert "Lines not linked 2" in text
    assert unlinked.index("Rent") < unlinked.index("Pilot")
    assert "the initiative advances no objective" in unlinked
    for other in ("Ads", "Push", "Machine", "Old", "Payroll", "HQ"):
        assert other not in unlinked
    every = text.split("All lines")[1]
    assert "All lines 5" in text
    for label in ("Rent", "Ads", "Push", "Pilot", "Machine"):
        assert label in every
    # Links: Ads to SELL's page; Push names its initiative.
    assert f'href="/objectives/{org.sell.pk}/"' in response.content.decode()
    assert "Initiative BU.LINKED Linked push" in every


def test_the_chart_shows_planned_and_actual_by_category(client, org, login):
    login(EXECUTIVE)
    body = client.get("/budgets/?unit=BU&fiscal_year=2026").content.decode()
    assert 'data-chart="split-chart-data"' in body and "vendor/plotly/plotly-basic.min.js" in body
    data = json.loads(
        re.search(r'<script id="split-chart-data" type="application/json">(.*?)</script>',
                  body, re.S)[1]
    )["data"]  # fmt: skip
    planned, actual = data
    assert planned["x"] == ["OPEX", "CAPEX", "STRATEX"]
    assert planned["y"] == [500, 400, 600] and actual["y"] == [350, 350.5, 420]
    assert actual["text"] == ["350", "350.50", "420"]  # as the tables write them


def test_the_enterprise_and_the_current_year_by_default(client, org, login, monkeypatch):
    monkeypatch.setattr("budgets.views.current_fiscal_year", lambda: 2026)
    login(HR)
    text = text_of(client.get("/budgets/"))
    assert "Budget of Acme and the units below it" in text
    # ACME's subtree in 2026: BU's 1,500 + Payroll 1,000 + HQ 500 = 3,000 planned; spent
    # 1,120.50 + 900 + 480 = 2,500.50; linked BU's 1,100 + HQ 500 = 1,600 -> 1600/3000 =
    # 53.33%; STRATEX 600/3000 = 20.00%.
    assert "Fiscal year 2026. Planned 3,000 , spent 2,500.50." in text
    assert "Linked to strategy: 53.33% of the planned money. STRATEX: 20.00% ." in text


@pytest.mark.parametrize("start_month,year", [(1, 2026), (7, 2025), (3, 2026)])
def test_the_current_fiscal_year(settings, monkeypatch, start_month, year):
    from core import clock

    settings.FISCAL_YEAR_START_MONTH = start_month
    monkeypatch.setattr(clock.timezone, "localdate", lambda: dt.date(2026, 3, 15))
    # 15 March 2026: in the year starting January 2026, July 2025 or March 2026
    assert clock.current_fiscal_year() == year


def test_another_year(client, org, login):
    login(EXECUTIVE)
    text = text_of(client.get("/budgets/?unit=BU&fiscal_year=2025"))
    # 2025: only Old, 999 planned, not linked -> 0/999 = 0.00%; no STRATEX -> 0.00%.
    assert "Planned 999 , spent 999." in text
    assert "Linked to strategy: 0.00% of the planned money. STRATEX: 0.00% ." in text


def test_no_budget_says_so(client, org, login):
    login(OSM_STAFF)
    text = text_of(client.get("/budgets/?unit=S1&fiscal_year=2024"))
    assert "No budget : nothing is planned" in text
    assert "No budget line for Support and the units below it in FY2024." in text
    assert "%" not in text.split("By category")[1].split("Linked:")[0]


@pytest.mark.parametrize(
    "query,field,message",
    [
        ("unit=NOPE", "unit", "There is no unit with that code."),
        ("fiscal_year=abc", "fiscal_year", "Enter a year such as 2026."),
        ("fiscal_year=1800", "fiscal_year", "Ensure this value is greater than or equal to 1900."),
        ("fiscal_year=3000", "fiscal_year", "Ensure this value is less than or equal to 2999."),
    ],
)
def test_bad_parameters_answer_400_with_the_message_by_the_field(
    client, org, login, query, field, message
):
    login(EXECUTIVE)
    response = client.get(f"/budgets/?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    label = f'<label for="id_{field}">'
    # the message follows the field's label and input, before the next field
    after = body.split(label)[1].split("</p>")[0]
    assert message in after


ALLOWED = {OSM_STAFF: 200, EXECUTIVE: 200, HR: 200, MEASURE_OWNER: 403, EMPLOYEE: 403, None: 403}


@pytest.mark.parametrize("role,status", ALLOWED.items())
def test_who_may_see_the_page(client, org, login, role, status):
    login(role)
    for unit in ("ACME", "BU", "S1"):
        assert client.get(f"/budgets/?unit={unit}&fiscal_year=2026").status_code == status


def test_a_unit_head_sees_his_subtree_only(client, org, login):
    login(user=org.head)  # heads BU
    for unit in ("BU", "D1"):
        assert client.get(f"/budgets/?unit={unit}&fiscal_year=2026").status_code == 200
    for unit in ("ACME", "S1"):
        assert client.get(f"/budgets/?unit={unit}&fiscal_year=2026").status_code == 403
    # By default he gets his own unit (he may not see the enterprise's), and the unit list
    # offers only the units he may see.
    response = client.get("/budgets/?fiscal_year=2026")
    assert response.status_code == 200
    assert "Budget of Retail and the units below it" in text_of(response)
    options = re.findall(r'<option value="(\w*)"', response.content.decode())
    assert options == ["BU", "D1"]  # in tree order, by name; no "Default" choice


def test_a_unit_head_heading_nothing_is_refused(client, org, login):
    login(UNIT_HEAD)
    assert client.get("/budgets/").status_code == 403


def test_login_required(client, org):
    response = client.get("/budgets/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_edit_links_only_for_who_may_edit(client, org, login):
    lines = org.lines
    edit = f"/budgets/lines/{lines.rent.pk}/edit/"
    delete = f"/budgets/lines/{lines.rent.pk}/delete/"
    for role in (EXECUTIVE, HR):
        login(role)
        body = client.get("/budgets/?unit=BU&fiscal_year=2026").content.decode()
        assert edit not in body and delete not in body and "/budgets/lines/new/" not in body
    for user in (f.UserFactory(roles=[OSM_STAFF]), org.head):
        login(user=user)
        body = client.get("/budgets/?unit=BU&fiscal_year=2026").content.decode()
        assert edit in body and delete in body
        assert "/budgets/lines/new/?unit=BU&amp;fiscal_year=2026" in body


def test_an_empty_organisation(client, login):
    login(OSM_STAFF)
    response = client.get("/budgets/")
    assert response.status_code == 200
    assert "No organisation yet" in text_of(response)


def test_lines_are_paged(client, org, login):
    for i in range(55):
        f.BudgetLineFactory(unit=org.s1, label=f"Bulk {i:02}", planned=Decimal("1.00"))
    login(OSM_STAFF)
    # S1 in 2026: Payroll + 55 bulk lines = 56 lines, 50 a page: pages of 50 and 6.
    first = text_of(client.get("/budgets/?unit=S1&fiscal_year=2026"))
    assert "All lines 56" in first
    assert "Page 1 of 2 (lines 1 to 50 of 56)" in first
    second = client.get("/budgets/?unit=S1&fiscal_year=2026&page=2")
    assert "Page 2 of 2 (lines 51 to 56 of 56)" in text_of(second)
    assert len(second.context["page"].object_list) == 6


def test_the_lines_not_linked_are_capped_with_a_count(client, org, login):
    for i in range(100):
        f.BudgetLineFactory(unit=org.s1, label=f"Small {i:03}", planned=Decimal("1.00"))
    login(OSM_STAFF)
    # S1's not linked: Payroll (1,000) + 100 small ones = 101; the 100 largest shown.
    response = client.get("/budgets/?unit=S1&fiscal_year=2026")
    text = text_of(response)
    assert "Lines not linked 101" in text
    assert "the 100 largest of 101 shown" in text
    shown = response.context["unlinked"]
    assert len(shown) == 100 and shown[0].label == "Payroll"


def _grow(org, n):
    """n more departments below BU, each with an OPEX line on an objective, an unlinked
    CAPEX line and a STRATEX line on an initiative."""
    for i in range(n):
        unit = f.OrgUnitFactory(code=f"X{i}", parent=org.bu, kind="department")
        objective = f.ObjectiveFactory(unit=unit)
        initiative = f.InitiativeFactory(unit=unit, objectives=[objective])
        f.BudgetLineFactory(unit=unit, objective=objective)
        f.BudgetLineFactory(unit=unit, category=BudgetCategory.CAPEX)
        f.BudgetLineFactory(unit=unit, category=BudgetCategory.STRATEX, initiative=initiative)


@pytest.mark.parametrize("who", ["staff", "head"])
def test_queries_do_not_grow_with_units_or_lines(client, org, login, who):
    user = f.UserFactory(roles=[OSM_STAFF]) if who == "staff" else org.head
    url = "/budgets/?unit=BU&fiscal_year=2026"

    def count():
        login(user=type(user).objects.get(pk=user.pk))  # no per-user caches carried over
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    count()  # warm up (the role groups' cache)
    small = count()
    _grow(org, 20)  # 20 more units, 60 more lines: two pages of lines
    large = count()
    assert "Page 1 of 2" in text_of(client.get(url))
    assert large == small


def test_the_page_only_reads(client, org, login):
    login(OSM_STAFF)
    assert client.post("/budgets/", {"unit": "BU"}).status_code == 405


def test_the_year_field_shows_the_current_year(client, org, login, monkeypatch):
    monkeypatch.setattr("budgets.views.current_fiscal_year", lambda: 2026)
    login(EXECUTIVE)
    body = client.get("/budgets/").content.decode()
    assert re.search(r'<input type="number" name="fiscal_year" value="2026"', body)
