"""Goal alignment per unit (`/people/alignment/`): figures computed by hand, the same as the
alignment report's for the same data, per role, bad input, query counts."""

from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alignment.selectors import alignment_report
from people.selectors import goal_alignment
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def more(world):
    """On top of the world (2026): Eve (ENT) aligned; Gus (D1) aligned in 2025 only;
    Hal (B2) without goals. So, active employees and those aligned in 2026:
    ENT: Eve ✔ → 1, 1
    B1:  Bob ✘ (unlinked goal) → 1, 0
    D1:  Ann ✔ (Sell → B1.SELL), Gus ✘ (Dan is not active) → 2, 1
    B2:  Cid ✔ (→ ENT.GROW), Hal ✘ → 2, 1
    """
    eve = f.EmployeeFactory(name="Eve", unit=world.ent)
    f.GoalFactory(employee=eve, title="Lead", objective=world.grow)
    gus = f.EmployeeFactory(name="Gus", unit=world.d1, job_family="Sales")
    f.GoalFactory(employee=gus, fiscal_year=2025, title="Last year", objective=world.sell)
    f.GoalFactory(employee=gus, title="This year, unlinked")
    f.EmployeeFactory(name="Hal", unit=world.b2, job_family="Engineering")
    return world


def test_figures_by_hand(more):
    report = goal_alignment(more.ent, 2026)
    rows = {r.code: r for r in report.units}
    assert [(r.code, r.depth) for r in report.units] == [
        ("ENT", 0),
        ("B1", 1),
        ("D1", 2),
        ("B2", 1),
    ]
    own = {code: (r.employees, r.aligned) for code, r in rows.items()}
    assert own == {"ENT": (1, 1), "B1": (1, 0), "D1": (2, 1), "B2": (2, 1)}
    # subtrees: D1 = 2, 1; B1 = B1 + D1 = 1 + 2, 0 + 1 = 3, 1; B2 = 2, 1;
    # ENT = 1 + 3 + 2 = 6 employees, 1 + 1 + 1 = 3 aligned
    subtree = {code: (r.subtree_employees, r.subtree_aligned) for code, r in rows.items()}
    assert subtree == {"ENT": (6, 3), "B1": (3, 1), "D1": (2, 1), "B2": (2, 1)}
    # shares: 3/6 = 50 %, 1/3 = 33.33… %, 1/2 = 50 %
    assert rows["ENT"].share == Fraction(50)
    assert rows["B1"].share == Fraction(100, 3)
    assert (rows["D1"].share, rows["B2"].share) == (Fraction(50), Fraction(50))
    assert (report.employees, report.aligned, report.share) == (6, 3, Fraction(50))
    # without an aligned goal, by unit code then name: Bob (B1), Hal (B2), Gus (D1)
    assert [(e.unit_code, e.name) for e in report.unaligned] == [
        ("B1", "Bob"),
        ("B2", "Hal"),
        ("D1", "Gus"),
    ]


def test_a_subtree_only(more):
    report = goal_alignment(more.b1, 2026)
    assert [(r.code, r.depth, r.subtree_employees, r.subtree_aligned) for r in report.units] == [
        ("B1", 0, 3, 1),
        ("D1", 1, 2, 1),
    ]
    assert [e.name for e in report.unaligned] == ["Bob", "Gus"]


def test_last_year(more):
    # 2025: only Gus has a goal, linked → 1 of the 6 active employees
    report = goal_alignment(more.ent, 2025)
    assert (report.employees, report.aligned) == (6, 1)


def test_an_empty_unit_has_no_share(more):
    empty = f.OrgUnitFactory(code="EMPTY", parent=more.ent)
    report = goal_alignment(empty, 2026)
    assert (report.employees, report.share) == (0, None)  # no denominator: n/a, not 0 %


def test_the_same_figures_as_the_alignment_report(more):
    for year in (2025, 2026):
        ours = goal_alignment(more.ent, year)
        theirs = alignment_report(more.ent, fiscal_year=year)
        assert [r.code for r in ours.units] == [u.code for u in theirs.units]
        for mine, unit in zip(ours.units, theirs.units, strict=True):
            assert (mine.subtree_employees, mine.subtree_aligned) == (
                unit.counts.employees,
                unit.counts.employees_aligned,
            )
            assert mine.share == unit.metrics.goal_alignment
        assert [e.id for e in ours.unaligned] == [i.id for i in theirs.lists.unaligned_employees]


# The page ------------------------------------------------------------------------------------


def test_the_page(more, login):
    response = login(more.users["hr"]).get("/people/alignment/", {"fiscal_year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert "of 6 active employees, 3 have at least one goal linked" in html
    assert "<strong>50.00%</strong>" in html
    assert '<td class="num">33.33%</td>' in html  # B1
    assert f'<a href="/people/{more.bob.pk}/?fiscal_year=2026">Bob</a>' in html
    assert response.context["report"].unit == more.ent  # the enterprise by default


@pytest.mark.parametrize(
    ("role", "default", "b2"),
    [
        ("osm", "ENT", 200),
        ("executive", "ENT", 200),
        ("hr", "ENT", 200),
        ("head", "B1", 403),  # his or her unit by default; B2 is not his
        ("employee", None, 403),
        ("owner", None, 403),
        ("none", None, 403),
    ],
)
def test_the_page_per_role(more, login, role, default, b2):
    client = login(more.users[role])
    response = client.get("/people/alignment/")
    if default is None:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert response.context["report"].unit.code == default
    assert client.get("/people/alignment/", {"unit": "B2"}).status_code == b2


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"unit": "NOPE"}, "unit", "There is no unit with that code."),
        ({"fiscal_year": "soon"}, "fiscal_year", "Enter a year such as 2026."),
        ({"fiscal_year": "3000"}, "fiscal_year", "less than or equal to 2999"),
    ],
)
def test_bad_input(more, login, params, field, message):
    response = login(more.users["hr"]).get("/people/alignment/", params)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert 'class="form-errors" role="alert"' in response.content.decode()


def test_queries_do_not_grow_with_units_or_employees(more, login):
    client = login(more.users["hr"])
    client.get("/people/alignment/")  # warm-up
    with CaptureQueriesContext(connection) as small:
        client.get("/people/alignment/")
    for i in range(4):
        unit = f.OrgUnitFactory(code=f"N{i}", parent=more.b2)
        for j in range(5):
            employee = f.EmployeeFactory(unit=unit, name=f"N{i}-{j}")
            if j % 2:
                f.GoalFactory(employee=employee, objective=more.grow)
    with CaptureQueriesContext(connection) as large:
        response = client.get("/people/alignment/")
    assert response.context["report"].employees == 6 + 20
    assert len(large.captured_queries) == len(small.captured_queries)
