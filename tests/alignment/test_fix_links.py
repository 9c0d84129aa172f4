"""The Alignment page's "fix" links lead to the app's page where each gap is fixed, never
to the admin, and only for those the rules let fix it there.

Organisation: ACME (enterprise) > BU > D1. ACME's GROW is supported by nothing below (not
cascaded); BU's LONE supports nothing above and is yellow without an initiative
(unfunded); its measure M has January 2026 only (overdue in June); BU has an unlinked
budget line, an employee without an aligned goal and an unlinked incentive component.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alignment.fixes import fix_links
from alignment.selectors import alignment_report
from core.roles import EMPLOYEE, HR, OSM_STAFF, UNIT_HEAD
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def org():
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    head = f.UserFactory(username="bu-head", roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent, head=head)
    d1 = f.DepartmentFactory(code="D1", name="Stores", parent=bu)
    grow = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow")
    lone = f.ObjectiveFactory(unit=bu, code="LONE", name="Lonely objective")
    measure = f.MeasureFactory(objective=lone, code="M")
    f.MeasureValueFactory(measure=measure)  # January 2026: 95 against 100, flag 90: yellow
    line = f.BudgetLineFactory(unit=bu, label="Rent", planned=Decimal("300"))
    ann = f.EmployeeFactory(unit=bu, name="Ann Unaligned")
    bonus = f.IncentiveComponentFactory(employee=ann, name="Bonus")
    return {
        "ent": ent, "bu": bu, "d1": d1, "head": head, "grow": grow, "lone": lone,
        "measure": measure, "line": line, "ann": ann, "bonus": bonus,
    }  # fmt: skip


def links(org, user) -> dict[str, list[tuple[str, list[tuple[str, str]]]]]:
    """Each list: (item label, [(link label, url)...]) as `user` gets them."""
    report = alignment_report(org["ent"], fiscal_year=2026, today=TODAY)
    return {
        name: [(row.item.label, [(x.label, x.url) for x in row.fixes]) for row in shown.rows]
        for name, shown in fix_links(report, user).items()
    }


def test_each_gap_links_to_the_page_that_fixes_it(org):
    o = org
    got = links(org, f.UserFactory(roles=[OSM_STAFF]))
    assert got["not_cascaded"] == [
        ("GROW Grow", [("Cascade into BU", f"/units/BU/objectives/new/?supports={o['grow'].pk}")])
    ]
    assert got["unlinked_objectives"] == [
        ("LONE Lonely objective",
         [("Link it to an objective above", f"/objectives/{o['lone'].pk}/edit/")]),
    ]  # fmt: skip
    assert got["unfunded_gaps"] == [
        ("LONE Lonely objective",
         [("Start an initiative for it",
           f"/initiatives/new/?unit={o['bu'].pk}&objectives={o['lone'].pk}")]),
    ]  # fmt: skip
    assert got["overdue_measures"] == [
        (f"M {o['measure'].name}", [("Enter the value", f"/measures/{o['measure'].pk}/")])
    ]
    assert got["unlinked_budget_lines"] == [
        ("Rent", [("Link it", f"/budgets/lines/{o['line'].pk}/edit/")])
    ]
    assert got["unaligned_employees"] == [
        ("Ann Unaligned", [("Goals", f"/people/{o['ann'].pk}/?fiscal_year=2026")])
    ]
    assert got["unlinked_incentives"] == [
        ("Bonus (Ann Unaligned)", [("Link it", f"/people/incentives/{o['bonus'].pk}/edit/")])
    ]


def test_links_only_for_those_who_may_fix_the_gap_there(org):
    # An employee reads the strategy: only the measure's page (readable by all) is offered.
    got = links(org, f.UserFactory(roles=[EMPLOYEE]))
    offered = {name: [fixes for _, fixes in rows] for name, rows in got.items()}
    assert offered["not_cascaded"] == [[]]
    assert offered["unlinked_objectives"] == [[]]
    assert offered["unfunded_gaps"] == [[]]
    assert offered["unlinked_budget_lines"] == [[]]
    assert offered["unlinked_incentives"] == [[]]
    assert offered["overdue_measures"] == [[("Enter the value", f"/measures/{org['measure'].pk}/")]]
    # BU's head cascades ACME's objective into BU and fixes BU's objectives and budget,
    # not the incentive components (HR's).
    got = links(org, org["head"])
    assert [label for label, _ in got["not_cascaded"][0][1]] == ["Cascade into BU"]
    assert got["unlinked_objectives"][0][1] and got["unlinked_budget_lines"][0][1]
    assert got["unlinked_incentives"][0][1] == []
    # HR links pay, not objectives.
    got = links(org, f.UserFactory(roles=[HR]))
    assert got["unlinked_incentives"][0][1] and got["unlinked_objectives"][0][1] == []


def test_no_link_of_the_alignment_page_points_to_the_admin(client, org):
    client.force_login(f.UserFactory(roles=[OSM_STAFF], is_staff=True))
    html = client.get("/alignment/?fiscal_year=2026").content.decode()
    main = html[html.index("<main") :]
    hrefs = re.findall(r'href="([^"]*)"', main)
    assert hrefs, "the page has links"
    assert not [h for h in hrefs if "/admin" in h]
    fixes = re.findall(r'<a class="fix" href="([^"]*)"', main)
    # One per gap in the page's lists (the figures depend on today's date for the overdue
    # list, so count at least the six fixed ones).
    assert len(fixes) >= 6
    for href in fixes:
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href


def test_the_cascade_link_ticks_the_objective_to_support(client, org):
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    html = client.get(f"/units/BU/objectives/new/?supports={org['grow'].pk}").content.decode()
    pk = org["grow"].pk
    # A ticked box, or a selected option (whichever widget the form uses).
    ticked = re.search(rf'<input[^>]*name="supports"[^>]*value="{pk}"[^>]*>', html)
    chosen = re.search(rf'<option[^>]*value="{pk}"[^>]*>', html)
    assert "checked" in ticked.group(0) if ticked else "selected" in chosen.group(0)


def test_fix_links_add_no_query_per_item(client, org):
    client.force_login(org["head"])
    with CaptureQueriesContext(connection) as small:
        client.get("/alignment/?fiscal_year=2026")
    for i in range(6):
        objective = f.ObjectiveFactory(unit=org["d1"], code=f"X{i}")
        f.BudgetLineFactory(unit=org["d1"], label=f"Line {i}")
        f.EmployeeFactory(unit=org["d1"])
        f.ObjectiveFactory(unit=org["ent"], code=f"E{i}")
        assert objective.pk
    with CaptureQueriesContext(connection) as large:
        client.get("/alignment/?fiscal_year=2026")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_page_shows_the_first_fifty_of_a_list_and_one_list_whole_on_asking(client, org):
    # GROW and 54 more enterprise objectives that nothing below supports: 55 not cascaded
    f.ObjectiveFactory.create_batch(54, unit=org["ent"])
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))

    def not_cascaded(page: str) -> str:
        start = page.index('id="list-not_cascaded"')
        return page[start : page.index("</details>", start)]

    first = not_cascaded(client.get("/alignment/", {"unit": "ACME"}).content.decode())
    assert first.count("<li>") == 50  # the first 50 of 55
    assert "The first 50 of 55 are shown." in first
    assert 'href="?unit=ACME&amp;all=not_cascaded#list-not_cascaded">Show all 55</a>' in first

    whole = not_cascaded(
        client.get("/alignment/", {"unit": "ACME", "all": "not_cascaded"}).content.decode()
    )
    assert whole.count("<li>") == 55 and "Show all" not in whole
