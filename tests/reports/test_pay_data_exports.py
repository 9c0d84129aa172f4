"""The pay data files (issue 18, point 7): a unit subtree's goals and incentive components
for a fiscal year, as a workbook or CSV, from the web app (`/reports/units/<code>/goals/`,
`.../incentives/`, offered in the people page's download menu) and the API
(`/api/v1/units/{id}/goals/`, `.../incentives/`). Only who may see the unit's people gets
them (OSM staff, executives, HR, the unit's heads), only the rows he or she may see, and
each download is recorded in the security audit log.

The world of these tests (fiscal year 2026 unless said):
- ACME (enterprise, objective CORP) > IND (business; objective GROW, its measure REV) > OPS
  (department); RET (business) beside IND.
- Ada Lovelace (IND): a development goal "Learn Python" (weight 1, progress 0, no link)
  and a performance goal "Grow export" (weight 2, IND.GROW / IND.REV, progress 40); an
  old goal of 2025; incentive "Export bonus" (0.6, IND.REV).
- Bob Martin (OPS): a performance goal titled PAYLOAD (weight 0.5, ACME.CORP, progress
  100); incentive "Team bonus" (0.4, no link).
- Zoe Other (RET): a goal and an incentive, never in IND's files.

So IND's goals, by employee then kind (development before performance) then title, are
Ada's "Learn Python", Ada's "Grow export", Bob's PAYLOAD; its incentives Ada's then Bob's.
"""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from core.audit import AuditKind
from core.clock import current_fiscal_year
from core.roles import EMPLOYEE, EXECUTIVE, HR, OSM_STAFF, UNIT_HEAD
from people.choices import GoalKind
from tests import factories as f

pytestmark = pytest.mark.django_db

PAYLOAD = "=cmd|' /C calc'!A0"
CLIENT = "198.51.100.7"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOAL_HEADER = ["Employee", "E-mail", "Unit code", "Kind", "Title", "Weight", "Objective code",
               "Measure code", "Progress (%)"]  # fmt: skip
GOAL_ROWS = [
    ["Ada Lovelace", "ada@example.com", "IND", "Development", "Learn Python", "1", "", "", "0"],
    ["Ada Lovelace", "ada@example.com", "IND", "Performance", "Grow export", "2", "IND.GROW",
     "IND.REV", "40"],
    ["Bob Martin", "bob@example.com", "OPS", "Performance", "'" + PAYLOAD, "0.5", "ACME.CORP",
     "", "100"],
]  # fmt: skip
INCENTIVE_HEADER = ["Employee", "E-mail", "Unit code", "Component", "Weight", "Objective code",
                    "Measure code"]  # fmt: skip
INCENTIVE_ROWS = [
    ["Ada Lovelace", "ada@example.com", "IND", "Export bonus", "0.6", "", "IND.REV"],
    ["Bob Martin", "bob@example.com", "OPS", "Team bonus", "0.4", "", ""],
]


@pytest.fixture
def world(db):
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    ind = f.OrgUnitFactory(code="IND", name="Industry", parent=ent)
    ops = f.DepartmentFactory(code="OPS", name="Operations", parent=ind)
    ret = f.OrgUnitFactory(code="RET", name="Retail", parent=ent)
    corp = f.ObjectiveFactory(unit=ent, code="CORP")
    grow = f.ObjectiveFactory(unit=ind, code="GROW")
    rev = f.MeasureFactory(objective=grow, code="REV")
    ada = f.EmployeeFactory(name="Ada Lovelace", email="ada@example.com", unit=ind)
    bob = f.EmployeeFactory(name="Bob Martin", email="bob@example.com", unit=ops)
    zoe = f.EmployeeFactory(name="Zoe Other", email="zoe@example.com", unit=ret)
    f.GoalFactory(employee=ada, kind=GoalKind.PERFORMANCE, title="Grow export",
                  weight=Decimal("2"), objective=grow, measure=rev, progress=40)  # fmt: skip
    f.GoalFactory(employee=ada, kind=GoalKind.DEVELOPMENT, title="Learn Python")
    f.GoalFactory(employee=ada, fiscal_year=2025, title="Old goal")
    f.GoalFactory(employee=bob, title=PAYLOAD, weight=Decimal("0.5"), objective=corp,
                  progress=100)  # fmt: skip
    f.GoalFactory(employee=zoe, title="Retail goal")
    f.IncentiveComponentFactory(employee=ada, name="Export bonus", weight=Decimal("0.6"),
                                measure=rev)  # fmt: skip
    f.IncentiveComponentFactory(employee=bob, name="Team bonus", weight=Decimal("0.4"))
    f.IncentiveComponentFactory(employee=zoe, name="Retail bonus")
    return {"ent": ent, "ind": ind, "ops": ops, "ret": ret, "ada": ada, "bob": bob}


def user(*roles, heads=(), **kwargs):
    person = f.UserFactory(roles=list(roles), **kwargs)
    for unit in heads:
        unit.head = person
        unit.save()
    return person


def web(person):
    from django.test import Client

    client = Client()
    client.force_login(person)
    return client


def api(person):
    client = APIClient()
    client.force_authenticate(person)
    return client


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def sheet_rows(response) -> tuple[list[str], list[tuple]]:
    """The notes above the table, then its header and rows, as openpyxl reads them."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header_row = 4  # two notes, a blank row, then the header
    header = tuple(c.value for c in sheet[header_row])
    notes = [sheet.cell(row=1, column=1).value, sheet.cell(row=2, column=1).value]
    return notes, [header, *sheet.iter_rows(min_row=header_row + 1, values_only=True)]


def entries() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditKind.PAY_DATA_DOWNLOADED).order_by("id"))


# The files -------------------------------------------------------------------------------------


def test_goals_csv_of_a_subtree(world):
    response = web(user(HR)).get("/reports/units/IND/goals/?fiscal_year=2026&format=csv")
    assert response["Content-Disposition"] == 'attachment; filename="IND-goals-FY2026.csv"'
    assert csv_rows(response) == [GOAL_HEADER, *GOAL_ROWS]  # PAYLOAD arrives as text


def test_incentives_csv_of_a_subtree(world):
    response = web(user(EXECUTIVE)).get(
        "/reports/units/IND/incentives/?fiscal_year=2026&format=csv"
    )
    assert response["Content-Disposition"] == 'attachment; filename="IND-incentives-FY2026.csv"'
    assert csv_rows(response) == [INCENTIVE_HEADER, *INCENTIVE_ROWS]


def test_goals_workbook_has_typed_cells_and_the_payload_as_text(world):
    response = web(user(OSM_STAFF)).get("/reports/units/IND/goals/?fiscal_year=2026")
    assert response["Content-Disposition"] == 'attachment; filename="IND-goals-FY2026.xlsx"'
    notes, rows = sheet_rows(response)
    assert notes == [
        "Acme · IND Industry",
        "Goals of fiscal year 2026, of IND and the units below it.",
    ]
    assert rows == [
        tuple(GOAL_HEADER),
        ("Ada Lovelace", "ada@example.com", "IND", "Development", "Learn Python", 1, None,
         None, 0),  # numbers as numbers; no link, an empty cell
        ("Ada Lovelace", "ada@example.com", "IND", "Performance", "Grow export", 2,
         "IND.GROW", "IND.REV", 40),
        ("Bob Martin", "bob@example.com", "OPS", "Performance", PAYLOAD, 0.5, "ACME.CORP",
         None, 100),
    ]  # fmt: skip
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    title = sheet.cell(row=7, column=5)
    assert (title.value, title.data_type) == (PAYLOAD, "s")  # text, never a formula


def test_incentives_workbook_from_the_api(world):
    response = api(user(HR)).get(f"/api/v1/units/{world['ind'].pk}/incentives/?fiscal_year=2026")
    assert response["Content-Disposition"] == 'attachment; filename="IND-incentives-FY2026.xlsx"'
    _, rows = sheet_rows(response)
    assert rows == [
        tuple(INCENTIVE_HEADER),
        ("Ada Lovelace", "ada@example.com", "IND", "Export bonus", 0.6, None, "IND.REV"),
        ("Bob Martin", "bob@example.com", "OPS", "Team bonus", 0.4, None, None),
    ]


def test_goals_csv_from_the_api_is_the_web_s(world):
    hr = user(HR)
    from_api = api(hr).get(f"/api/v1/units/{world['ind'].pk}/goals/?fiscal_year=2026&format=csv")
    assert csv_rows(from_api) == [GOAL_HEADER, *GOAL_ROWS]


def test_another_year_and_a_smaller_subtree(world):
    hr = web(user(HR))
    old = csv_rows(hr.get("/reports/units/IND/goals/?fiscal_year=2025&format=csv"))
    assert old == [GOAL_HEADER,
                   ["Ada Lovelace", "ada@example.com", "IND", "Performance", "Old goal", "1", "",
                    "", "0"]]  # fmt: skip
    ops = csv_rows(hr.get("/reports/units/OPS/goals/?fiscal_year=2026&format=csv"))
    assert ops == [GOAL_HEADER, GOAL_ROWS[2]]
    empty = csv_rows(hr.get("/reports/units/IND/incentives/?fiscal_year=2030&format=csv"))
    assert empty == [INCENTIVE_HEADER]


def test_without_a_year_the_current_one(world):
    year = current_fiscal_year()
    response = web(user(HR)).get("/reports/units/IND/goals/?format=csv")
    assert response["Content-Disposition"] == f'attachment; filename="IND-goals-FY{year}.csv"'
    assert entries()[0].detail == f"goals: unit=IND fiscal_year={year} csv"


# Who may have them ----------------------------------------------------------------------------


def test_a_unit_head_gets_his_subtree_and_only_it(world):
    head = user(UNIT_HEAD, heads=[world["ops"]])
    client = web(head)
    rows = csv_rows(client.get("/reports/units/OPS/goals/?fiscal_year=2026&format=csv"))
    assert rows == [GOAL_HEADER, GOAL_ROWS[2]]
    assert client.get("/reports/units/IND/goals/?fiscal_year=2026").status_code == 403
    assert client.get("/reports/units/ACME/incentives/").status_code == 403
    assert api(head).get(f"/api/v1/units/{world['ind'].pk}/goals/").status_code == 403


def test_the_head_of_another_subtree_is_refused(world):
    head = user(UNIT_HEAD, heads=[world["ret"]])
    assert web(head).get("/reports/units/IND/goals/").status_code == 403
    assert web(head).get("/reports/units/IND/incentives/?format=csv").status_code == 403
    for path in ("goals", "incentives"):
        response = api(head).get(f"/api/v1/units/{world['ind'].pk}/{path}/?format=csv")
        assert response.status_code == 403
        assert response["Content-Type"] == "application/json"
    assert not entries()


def test_an_employee_gets_no_file_even_of_his_own_unit(world):
    ada = user(EMPLOYEE)
    world["ada"].user = ada
    world["ada"].save()
    assert web(ada).get("/reports/units/IND/goals/").status_code == 403
    assert web(ada).get("/reports/units/IND/incentives/").status_code == 403
    assert api(ada).get(f"/api/v1/units/{world['ind'].pk}/goals/").status_code == 403
    assert api(ada).get(f"/api/v1/units/{world['ind'].pk}/incentives/").status_code == 403
    assert not entries()


def test_anonymous_is_sent_to_sign_in_or_refused(world):
    from django.test import Client

    response = Client().get("/reports/units/IND/goals/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert APIClient().get(f"/api/v1/units/{world['ind'].pk}/goals/").status_code in (401, 403)


def test_no_such_unit(world):
    assert web(user(HR)).get("/reports/units/NOPE/goals/").status_code == 404
    assert api(user(HR)).get("/api/v1/units/999999/incentives/").status_code == 404


# Bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,field",
    [("fiscal_year=20x6", "fiscal_year"), ("fiscal_year=1066", "fiscal_year"),
     ("format=pdf", "format")],
)  # fmt: skip
def test_web_bad_parameters_are_a_400_naming_them(world, query, field):
    response = web(user(HR)).get(f"/reports/units/IND/goals/?{query}")
    assert response.status_code == 400
    assert field in response.content.decode()
    assert not entries()


@pytest.mark.parametrize(
    "query,field",
    [("fiscal_year=abc", "fiscal_year"), ("fiscal_year=3000", "fiscal_year"),
     ("format=pdf", "format"), ("format=json", "format")],
)  # fmt: skip
def test_api_bad_parameters_are_a_400_naming_them(world, query, field):
    response = api(user(HR)).get(f"/api/v1/units/{world['ind'].pk}/incentives/?{query}")
    assert response.status_code == 400
    assert field in response.json()
    assert not entries()


# The audit log --------------------------------------------------------------------------------


def test_each_web_download_is_recorded(world):
    hr = user(HR, username="hr")
    client = web(hr)
    client.get("/reports/units/IND/goals/?fiscal_year=2026&format=csv", REMOTE_ADDR=CLIENT)
    client.get("/reports/units/OPS/incentives/?fiscal_year=2025", REMOTE_ADDR=CLIENT)
    goals, incentives = entries()
    assert (goals.actor, goals.address, goals.target_name) == (hr, CLIENT, "IND")
    assert goals.detail == "goals: unit=IND fiscal_year=2026 csv"
    assert (incentives.actor, incentives.target_name) == (hr, "OPS")
    assert incentives.detail == "incentives: unit=OPS fiscal_year=2025 xlsx"


def test_each_api_download_is_recorded_with_the_client_s_address(world, settings):
    settings.NUM_PROXIES = 1
    executive = user(EXECUTIVE, username="exec")
    client = APIClient(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {CLIENT}")
    client.force_authenticate(executive)
    pk = world["ind"].pk
    assert client.get(f"/api/v1/units/{pk}/goals/?fiscal_year=2026").status_code == 200
    assert client.get(f"/api/v1/units/{pk}/incentives/?format=csv").status_code == 200
    goals, incentives = entries()
    assert (goals.kind, goals.actor, goals.address) == (
        AuditKind.PAY_DATA_DOWNLOADED, executive, CLIENT,
    )  # fmt: skip
    assert goals.detail == "goals: unit=IND fiscal_year=2026 xlsx"
    year = current_fiscal_year()
    assert incentives.detail == f"incentives: unit=IND fiscal_year={year} csv"


# The people page's menu -------------------------------------------------------------------------


def test_the_people_page_offers_the_files(world):
    page = web(user(HR)).get("/people/?unit=IND&fiscal_year=2026").content.decode()
    assert 'href="/reports/units/IND/goals/?fiscal_year=2026"' in page
    assert 'href="/reports/units/IND/goals/?fiscal_year=2026&amp;format=csv"' in page
    assert 'href="/reports/units/IND/incentives/?fiscal_year=2026"' in page
    assert "Goals of IND, fiscal year 2026" in page
    page = web(user(HR)).get("/people/").content.decode()
    assert f'href="/reports/units/ACME/incentives/?fiscal_year={current_fiscal_year()}' in page


def test_the_menu_offers_a_head_his_units_and_an_employee_nothing(world):
    head = user(UNIT_HEAD, EMPLOYEE, heads=[world["ind"], world["ops"]])
    world["bob"].user = head
    world["bob"].save()
    page = web(head).get("/people/").content.decode()
    assert "/reports/units/IND/goals/" in page and "/reports/units/OPS/" not in page
    page = web(head).get("/people/?unit=RET").content.decode()  # no one's people to offer
    assert "/reports/units/" not in page
    ada = user(EMPLOYEE)
    world["ada"].user = ada
    world["ada"].save()
    page = web(ada).get("/people/")
    assert page.status_code == 200 and "/reports/units/" not in page.content.decode()


# Queries ------------------------------------------------------------------------------------------


def queries(client, url) -> int:
    client.get(url)  # warm: what a session caches once (the user's roles) is not counted
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_constant_number_of_queries_whatever_the_number_of_people(world):
    hr = user(HR)
    client, rest = web(hr), api(hr)
    pk = world["ind"].pk
    urls = ["/reports/units/IND/goals/?fiscal_year=2026&format=csv",
            "/reports/units/IND/incentives/?fiscal_year=2026",
            f"/api/v1/units/{pk}/goals/?fiscal_year=2026&format=csv",
            f"/api/v1/units/{pk}/incentives/?fiscal_year=2026"]  # fmt: skip
    before = [queries(rest if "/api/" in url else client, url) for url in urls]
    grow = world["ada"].goals.get(title="Grow export")
    for n in range(8):
        someone = f.EmployeeFactory(unit=world["ops"] if n % 2 else world["ind"])
        f.GoalFactory(employee=someone, objective=grow.objective, measure=grow.measure)
        f.IncentiveComponentFactory(employee=someone, objective=grow.objective)
    after = [queries(rest if "/api/" in url else client, url) for url in urls]
    assert after == before
