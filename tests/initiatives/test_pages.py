"""The initiatives portfolio and an initiative's page: what they show, to whom, the
filters, the sums of the budget lines, the timeline's data and the query counts."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from initiatives import services
from tests import factories as f

pytestmark = pytest.mark.django_db

INDEX = "/initiatives/"


def chart_data(html: str, chart_id: str = "timeline-data") -> dict:
    found = re.search(
        rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, f"no chart {chart_id}"
    return json.loads(found[1])


def rows(response) -> dict[str, object]:
    """The initiatives of the table by UNIT.CODE."""
    return {f"{i.unit.code}.{i.code}": i for i in response.context["initiatives"]}


# The portfolio -----------------------------------------------------------------------------


def test_the_portfolio(client, world, login):
    login("staff")
    response = client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    # ordered by unit code, then code: B1, B2, D1
    assert list(rows(response)) == ["B1.LAUNCH", "B2.ELSE", "D1.TOOLS"]
    assert "Launch the product" in html and "Olive Owner" in html and "40%" in html
    # the status in words, not only as a colour
    assert '<span class="istatus istatus-active">Active</span>' in html
    assert '<span class="istatus istatus-done">Done</span>' in html
    # the objectives as links to their pages
    assert f'<a href="/objectives/{world.grow.pk}/" title="Grow">ENT.GROW</a>' in html
    assert f'<a href="/objectives/{world.sell.pk}/" title="Sell">B1.SELL</a>' in html
    assert "2026-01-01" in html and "2026-12-31" in html and "open-ended" in html
    assert '<a class="button" href="/initiatives/new/">New initiative</a>' in html


def test_budget_sums_over_all_years(client, world, login):
    login("executive")
    found = rows(client.get(INDEX))
    launch, tools, other = found["B1.LAUNCH"], found["D1.TOOLS"], found["B2.ELSE"]
    # LAUNCH: planned 1000.50 + 300.00 + 99.50 + 5000.00 = 6400.00;
    #         actual   200.25 + 300.00 +  0.00 +   10.00 =  510.25; 4 lines
    assert (launch.planned_total, launch.actual_total, launch.line_count) == (
        Decimal("6400.00"), Decimal("510.25"), 4,
    )  # fmt: skip
    # TOOLS: the one CAPEX line, 700.00 / 650.00
    assert (tools.planned_total, tools.actual_total) == (Decimal("700.00"), Decimal("650.00"))
    assert other.planned_total is None  # no line: shown as a dash
    # the unlinked 12345.00 line counts nowhere: 6400.00 + 700.00 = 7100.00;
    # 510.25 + 650.00 = 1160.25 over 5 lines
    response = client.get(INDEX)
    totals = response.context["totals"]
    assert (totals.planned, totals.actual, totals.lines) == (
        Decimal("7100.00"), Decimal("1160.25"), 5,
    )  # fmt: skip
    html = response.content.decode()
    assert '<td class="num">6,400</td><td class="num">510.25</td>' in html
    assert '<td class="num">7,100</td><td class="num">1,160.25</td>' in html


def test_budget_sums_of_one_fiscal_year(client, world, login):
    login("hr")
    response = client.get(INDEX, {"fiscal_year": 2026})
    found = rows(response)
    # running during 2026: LAUNCH (2026), TOOLS (to 2026-03-31); not ELSE (from 2027)
    assert list(found) == ["B1.LAUNCH", "D1.TOOLS"]
    # LAUNCH in 2026: 1000.50 + 99.50 + 5000.00 = 6100.00; 200.25 + 0.00 + 10.00 = 210.25
    launch = found["B1.LAUNCH"]
    assert (launch.planned_total, launch.actual_total) == (Decimal("6100.00"), Decimal("210.25"))
    # totals: 6100.00 + 700.00 = 6800.00; 210.25 + 650.00 = 860.25
    totals = response.context["totals"]
    assert (totals.planned, totals.actual) == (Decimal("6800.00"), Decimal("860.25"))
    # 2025: LAUNCH's only 2025 line (300 / 300); TOOLS (from 2025-07-01) has none in 2025
    found = rows(client.get(INDEX, {"fiscal_year": 2025}))
    assert list(found) == ["D1.TOOLS"]  # LAUNCH starts in 2026: not running in 2025
    assert found["D1.TOOLS"].planned_total is None


def test_a_unit_head_sums_the_lines_of_his_subtree_only(client, world, login):
    login("head")
    response = client.get(INDEX)
    launch = rows(response)["B1.LAUNCH"]
    # without B2's 5000.00 / 10.00 line: 1000.50 + 300.00 + 99.50 = 1400.00;
    # 200.25 + 300.00 + 0.00 = 500.25
    assert (launch.planned_total, launch.actual_total) == (Decimal("1400.00"), Decimal("500.25"))
    assert "the budget lines of the units you head only" in response.content.decode()


@pytest.mark.parametrize("who", ["measure_owner", "employee"])
def test_who_may_not_see_budgets_sees_no_money(client, world, login, who):
    login(who)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert response.context["show_money"] is False
    html = response.content.decode()
    assert "Planned" not in html and "6,400" not in html
    assert not hasattr(rows(response)["B1.LAUNCH"], "planned_total")
    detail = client.get(f"/initiatives/{world.launch.pk}/").content.decode()
    assert "Budget lines funding it" not in detail and "6,400" not in detail


def test_filter_by_unit_takes_the_subtree(client, world, login):
    login("employee")
    # B1 and the units below it (D1, T1): LAUNCH and TOOLS, not B2's ELSE
    assert list(rows(client.get(INDEX, {"subtree": world.tree.b1.pk}))) == [
        "B1.LAUNCH",
        "D1.TOOLS",
    ]
    assert list(rows(client.get(INDEX, {"subtree": world.tree.d1.pk}))) == ["D1.TOOLS"]
    assert list(rows(client.get(INDEX, {"subtree": world.tree.s1.pk}))) == []
    assert list(rows(client.get(INDEX, {"status": "proposed"}))) == ["B2.ELSE"]
    response = client.get(INDEX, {"subtree": world.tree.b1.pk, "status": "done"})
    assert list(rows(response)) == ["D1.TOOLS"]


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"fiscal_year": "soon"}, "fiscal_year", "Enter a year such as 2026."),
        ({"fiscal_year": "1200"}, "fiscal_year", "greater than or equal to 1900"),
        ({"status": "dreaming"}, "status", "Select a valid choice."),
        ({"subtree": "999999"}, "subtree", "Select a valid choice."),
        ({"subtree": "B1"}, "subtree", "Select a valid choice."),
    ],
)
def test_bad_filters_are_a_400_with_the_message_by_the_field(
    client, world, login, params, field, message
):
    login("staff")
    response = client.get(INDEX, params)
    assert response.status_code == 400
    assert message in " ".join(response.context["filters"].errors[field])
    html = response.content.decode()
    # the message follows the field's own input, inside the same paragraph
    paragraph = re.search(rf'<label for="id_{field}">.*?</p>', html, re.S)[0]
    assert 'class="form-errors" role="alert"' in paragraph
    assert "Correct the filters above" in html and "<table" not in html


def test_edit_links_only_where_allowed(client, world, login):
    login("head")
    html = client.get(INDEX).content.decode()
    assert f'href="/initiatives/{world.launch.pk}/edit/"' in html  # B1: his
    assert f'href="/initiatives/{world.tools.pk}/edit/"' in html  # D1: below B1
    assert f'href="/initiatives/{world.other_initiative.pk}/edit/"' not in html  # B2
    assert "New initiative" in html
    client.logout()
    login("executive")
    html = client.get(INDEX).content.decode()
    assert "/edit/" not in html and "New initiative" not in html


def test_pages_of_fifty(client, world, login):
    for n in range(50):
        f.InitiativeFactory(unit=world.tree.s1, code=f"P{n:02}")
    login("staff")
    first = client.get(INDEX, {"status": "active"})
    # 50 on S1 plus LAUNCH, all active: 51 → two pages
    assert len(first.context["initiatives"]) == 50
    assert 'href="?status=active&amp;page=2"' in first.content.decode()
    second = client.get(INDEX, {"status": "active", "page": 2})
    assert [i.code for i in second.context["initiatives"]] == ["P49"]
    # the totals cover every page: LAUNCH's 6400.00 (the P initiatives have no line)
    assert second.context["totals"].planned == Decimal("6400.00")


def test_no_initiative(client, db):
    client.force_login(f.UserFactory(roles=["Employee"]))
    response = client.get(INDEX)
    assert response.status_code == 200
    assert "No initiative matches." in response.content.decode()
    assert response.context["chart"] is None


def test_no_role_is_403_and_anonymous_logs_in(client, world, login):
    assert client.get(INDEX).status_code == 302
    assert client.get(f"/initiatives/{world.launch.pk}/")["Location"].startswith("/accounts/login/")
    login("no_role")
    assert client.get(INDEX).status_code == 403
    assert client.get(f"/initiatives/{world.launch.pk}/").status_code == 403


# The timeline on the page ------------------------------------------------------------------


def test_the_timeline_on_the_portfolio(client, world, login):
    login("staff")
    data = chart_data(client.get(INDEX, {"subtree": world.tree.b1.pk}).content.decode())
    bars = {trace["name"]: trace for trace in data["data"] if trace["type"] == "bar"}
    # one trace per status present, in the order of the statuses: Active, then Done
    assert list(bars) == ["Active", "Done"]
    assert bars["Active"]["y"] == ["B1.LAUNCH"] and bars["Active"]["base"] == ["2026-01-01"]
    # 2026-01-01 to 2026-12-31: 364 days of 86,400,000 ms = 31,449,600,000
    assert bars["Active"]["x"] == [31_449_600_000]
    # 2025-07-01 to 2026-03-31: 31+31+30+31+30+31 (Jul-Dec) + 31+28+30 = 273 days
    assert bars["Done"]["x"] == [273 * 86_400_000] == [23_587_200_000]
    marks = {trace["name"]: trace for trace in data["data"] if trace["type"] == "scatter"}
    today = timezone.localdate()
    # Kick-off done on 2026-02-03; Beta due 10 days ago, not done; Launch day due in 30
    assert marks["Milestone done"]["x"] == ["2026-02-03"]
    assert marks["Milestone overdue"]["x"] == [(today - dt.timedelta(days=10)).isoformat()]
    assert marks["Milestone open"]["x"] == [(today + dt.timedelta(days=30)).isoformat()]
    assert data["layout"]["shapes"][0]["x0"] == today.isoformat()  # the today line
    assert data["layout"]["yaxis"]["categoryarray"] == ["B1.LAUNCH", "D1.TOOLS"]
    assert "range" not in data["layout"]["xaxis"]
    data = chart_data(client.get(INDEX, {"fiscal_year": 2026}).content.decode())
    assert data["layout"]["xaxis"]["range"] == ["2026-01-01", "2026-12-31"]


# An initiative's page ----------------------------------------------------------------------


def test_the_initiative_page(client, world, login):
    login("hr")
    response = client.get(f"/initiatives/{world.launch.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>LAUNCH Launch the product</h1>" in html
    assert (
        "owner Olive Owner" in html and '<span class="istatus istatus-active">Active</span>' in html
    )
    assert f'<a href="/objectives/{world.grow.pk}/">ENT.GROW</a> Grow' in html
    assert f'<a href="/objectives/{world.sell.pk}/">B1.SELL</a> Sell' in html
    # the milestones by due date, their state in words
    states = [(m.name, m.state) for m in response.context["milestones"]]
    assert states == [("Kick-off", "done"), ("Beta", "overdue"), ("Launch day", "open")]
    assert '<span class="mstate mstate-done">Done</span>' in html
    assert '<span class="badge overdue">Overdue</span>' in html
    assert '<span class="mstate mstate-open">Open</span>' in html
    assert "3 Feb 2026" in html  # Kick-off done on
    # budget lines per year and category:
    # 2025 OPEX: 1 line 300.00 / 300.00; 2026 STRATEX: 3 lines,
    # 1000.50 + 99.50 + 5000.00 = 6100.00 / 200.25 + 0.00 + 10.00 = 210.25
    summary = [(r.fiscal_year, r.category, r.lines, r.planned, r.actual)
               for r in response.context["budget"]]  # fmt: skip
    assert summary == [
        (2025, "opex", 1, Decimal("300.00"), Decimal("300.00")),
        (2026, "stratex", 3, Decimal("6100.00"), Decimal("210.25")),
    ]
    assert "STRATEX (strategic)" in html
    # total 6400.00 / 510.25 (as on the portfolio)
    assert '<td class="num">4</td><td class="num">6,400</td><td class="num">510.25</td>' in html
    assert "Created: LAUNCH Launch the product, Active, 40% complete" in html  # history
    # the timeline of this one initiative
    data = chart_data(html)
    assert [t["name"] for t in data["data"] if t["type"] == "bar"] == ["Active"]
    # HR reads: no edit buttons
    assert "Edit initiative" not in html and "Add a milestone" not in html


def test_the_initiative_page_for_a_unit_head(client, world, login):
    login("head")
    html = client.get(f"/initiatives/{world.launch.pk}/").content.decode()
    assert "Edit initiative" in html and "Delete initiative" in html
    assert "Add a milestone" in html and "/milestones/" in html
    # his subtree's lines only: 2026 STRATEX 1000.50 + 99.50 = 1100.00 over 2 lines
    assert "Budget figures count the lines of the units you head only." in html
    assert '<td class="num">2</td><td class="num">1,100</td>' in html
    html = client.get(f"/initiatives/{world.other_initiative.pk}/").content.decode()
    assert "Edit initiative" not in html and "Add a milestone" not in html
    assert "No budget line you may see funds it." in html


def test_unknown_initiative_is_404(client, world, login):
    login("staff")
    assert client.get("/initiatives/999999/").status_code == 404


# Query counts ------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _grow(world, n: int) -> None:
    """n more initiatives, each with 3 milestones, 2 objectives and 2 budget lines; and 5
    more milestones, lines and changes on LAUNCH."""
    for k in range(n):
        initiative = f.InitiativeFactory(
            unit=world.tree.d1, code=f"MORE{k}", owner=world.owner,
            objectives=[world.grow, world.ship],
        )  # fmt: skip
        for m in range(3):
            f.MilestoneFactory(initiative=initiative, due=dt.date(2026, 3 + m, 1))
        for year in (2025, 2026):
            f.BudgetLineFactory(
                unit=world.tree.d1, fiscal_year=year, category="stratex", initiative=initiative
            )
    for m in range(5):
        f.MilestoneFactory(initiative=world.launch, due=dt.date(2026, 4, 1 + m))
        f.BudgetLineFactory(
            unit=world.tree.b1, category="stratex", initiative=world.launch, label=f"More {m}"
        )
        services.initiative_update(
            actor=world.owner, instance=world.launch, data={"percent_complete": 41 + m}
        )  # more history


@pytest.mark.parametrize("who", ["staff", "head", "employee"])
def test_queries_do_not_grow_with_the_portfolio(client, world, login, who):
    login(who)
    urls = [INDEX, f"{INDEX}?fiscal_year=2026&subtree={world.tree.b1.pk}",
            f"/initiatives/{world.launch.pk}/"]  # fmt: skip
    for url in urls:
        client.get(url)  # warm-up: the group cache
    small = [_queries(client, url) for url in urls]
    _grow(world, 12)
    large = [_queries(client, url) for url in urls]
    assert large == small
