"""The people pages: the employee list, an employee's page with its goal and incentive
forms, per role; bad input; query counts that do not grow with the data. (Goal templates:
test_template_pages.py; goal alignment: test_goal_alignment.py.)"""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import Employee, Goal, IncentiveComponent
from people.views import GoalCreate
from tests import factories as f

from .conftest import ROLE_NAMES

pytestmark = pytest.mark.django_db


def names_listed(response) -> list[str]:
    """The employee names of the list's rows, in order."""
    html = response.content.decode()
    return re.findall(r'<th scope="row"><a href="/people/\d+/[^"]*">([^<]+)</a>', html)


def field_errors(response, name) -> list[str]:
    form = response.context["form"]
    return list(form.errors.get(name, []))


# The employee list ---------------------------------------------------------------------------


def test_the_list_renders_with_the_figures_of_the_year(world, login):
    response = login(world.users["hr"]).get("/people/", {"fiscal_year": 2026})
    assert response.status_code == 200
    assert names_listed(response) == ["Ann", "Bob", "Cid", "Dan"]
    html = response.content.decode()
    ann_row = html[html.index(">Ann</a>") : html.index(">Bob</a>")]
    # Ann: unit D1, Sales, no manager; 2 goals in 2026, "Sell" is linked → aligned;
    # incentives 0.6 (linked to REV) + 0.4 (not linked) → "0.6 of 1"
    assert "D1" in ann_row and "Sales" in ann_row
    assert '<td class="num">2</td>' in ann_row and "✔ Yes" in ann_row
    assert "0.6 of 1" in ann_row
    bob_row = html[html.index(">Bob</a>") : html.index(">Cid</a>")]
    # Bob: manager Ann, 1 unlinked goal → not aligned, no incentive
    assert (
        "<td>Ann</td>" in bob_row and "✘ No" in bob_row and '<td class="num">\u2013</td>' in bob_row
    )
    assert "Not active" in html[html.index(">Dan</a>") :]


def test_another_year_counts_that_years_goals(world, login):
    f.GoalFactory(employee=world.bob, fiscal_year=2025, title="Old", objective=world.sell)
    response = login(world.users["hr"]).get("/people/", {"fiscal_year": 2025, "q": "bob"})
    html = response.content.decode()
    assert names_listed(response) == ["Bob"]
    assert "Goals 2025" in html and '<td class="num">1</td>' in html and "✔ Yes" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"unit": "B1"}, ["Ann", "Bob", "Dan"]),  # B1 and D1 below it
        ({"unit": "D1"}, ["Ann", "Dan"]),
        ({"job_family": "Engineering"}, ["Cid"]),
        ({"active": "false"}, ["Dan"]),
        ({"active": "true", "unit": "B1"}, ["Ann", "Bob"]),
        ({"q": "an"}, ["Ann", "Dan"]),  # in the name, any case
        ({"unit": "B2", "job_family": "Sales"}, []),
    ],
)
def test_filters(world, login, params, expected):
    response = login(world.users["hr"]).get("/people/", params)
    assert response.status_code == 200
    assert names_listed(response) == expected


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"unit": "NOPE"}, "unit", "There is no unit with that code."),
        ({"fiscal_year": "twenty"}, "fiscal_year", "Enter a year such as 2026."),
        ({"fiscal_year": "1200"}, "fiscal_year", "greater than or equal to 1900"),
        ({"active": "maybe"}, "active", "Select a valid choice"),
        ({"job_family": "Astronauts"}, "job_family", "Select a valid choice"),
    ],
)
def test_a_bad_filter_is_a_400_with_the_message_next_to_the_field(
    world, login, params, field, message
):
    response = login(world.users["hr"]).get("/people/", params)
    assert response.status_code == 400
    errors = response.context["filter"].form.errors[field]
    assert any(message in e for e in errors), errors
    html = response.content.decode()
    # the message is rendered in the field's paragraph, right after the field
    paragraph = re.search(rf'<label for="id_{field}">.*?</p>', html, re.S)[0]
    assert 'class="form-errors"' in paragraph
    assert names_listed(response) == []


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("osm", ["Ann", "Bob", "Cid", "Dan"]),
        ("executive", ["Ann", "Bob", "Cid", "Dan"]),
        ("hr", ["Ann", "Bob", "Cid", "Dan"]),
        ("head", ["Ann", "Bob", "Dan"]),  # heads B1: B1 and D1, not B2
        ("employee", ["Ann"]),  # only himself or herself
        ("owner", None),  # a measure owner with no employee record: nothing to see
        ("none", None),
    ],
)
def test_the_list_shows_each_role_what_it_may_see(world, login, role, expected):
    response = login(world.users[role]).get("/people/")
    if expected is None:
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert names_listed(response) == expected


def test_a_unit_head_filtering_outside_the_subtree_sees_nobody(world, login):
    response = login(world.users["head"]).get("/people/", {"unit": "B2"})
    assert response.status_code == 200 and names_listed(response) == []


def test_the_list_is_paginated(world, login):
    Employee.objects.bulk_create(
        Employee(name=f"Zed {i:03}", email=f"zed{i}@example.com", unit=world.b2) for i in range(120)
    )
    client = login(world.users["hr"])
    first = client.get("/people/", {"unit": "B2"})
    # 121 in B2 (Cid and 120 Zeds), 50 a page → pages of 50, 50, 21
    assert first.context["page"].paginator.num_pages == 3
    assert len(names_listed(first)) == 50
    last = client.get("/people/", {"unit": "B2", "page": 3})
    assert names_listed(last) == [f"Zed {i:03}" for i in range(99, 120)]
    assert "unit=B2&amp;page=2" in last.content.decode()  # the filters stay in the links


def add_employees_with_goals(unit, objective, start, count):
    for i in range(start, start + count):
        employee = f.EmployeeFactory(name=f"Extra {i:03}", unit=unit, job_family="Sales")
        f.GoalFactory(employee=employee, objective=objective)
        f.GoalFactory(employee=employee)
        f.IncentiveComponentFactory(employee=employee, objective=objective)


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["hr", "head"])
def test_list_queries_do_not_grow_with_employees_or_goals(world, login, role):
    client = login(world.users[role])
    client.get("/people/")  # warm-up (content types, the group cache)
    small = queries(client, "/people/", {"unit": "B1", "fiscal_year": 2026})
    add_employees_with_goals(world.d1, world.sell, 0, 30)
    large = queries(client, "/people/", {"unit": "B1", "fiscal_year": 2026})
    assert large == small


# An employee's page --------------------------------------------------------------------------


def test_the_employee_page_renders_goals_and_incentives(world, login):
    response = login(world.users["hr"]).get(f"/people/{world.ann.pk}/", {"fiscal_year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ann" in html and "Sell" in html and "Learn" in html and "Development" in html
    # "Sell" serves B1.SELL: a link to the objective's page
    assert f'<a href="/objectives/{world.sell.pk}/">B1.SELL</a>' in html
    # the bonus rewards measure B1.REV: linked to its objective's page
    assert f'<a href="/objectives/{world.sell.pk}/">B1.REV</a>' in html
    assert "✘ Not linked" in html  # "Learn" and "Team bonus"
    # goal weights 0.7 + 0.3 = 1; incentive weight linked 0.6 of 0.6 + 0.4 = 1
    assert '<td class="num">1</td>' in html
    assert "<strong>0.6</strong> of 1" in html
    # HR may edit and delete
    assert f"/people/goals/{world.sell_goal.pk}/edit/" in html
    assert f"/people/incentives/{world.bonus.pk}/delete/" in html
    assert f"/people/{world.ann.pk}/goals/add/?fiscal_year=2026&amp;kind=development" in html


def test_the_employee_page_of_another_year(world, login):
    response = login(world.users["hr"]).get(f"/people/{world.ann.pk}/", {"fiscal_year": 2027})
    html = response.content.decode()
    assert "No goal for fiscal year 2027." in html
    assert "No incentive component for fiscal year 2027." in html


def test_the_employee_page_refuses_a_bad_year(world, login):
    response = login(world.users["hr"]).get(f"/people/{world.ann.pk}/", {"fiscal_year": "x"})
    assert response.status_code == 400
    assert field_errors(response, "fiscal_year") == ["Enter a year such as 2026."]


@pytest.mark.parametrize(
    ("role", "ann", "cid", "edits"),
    [
        ("osm", 200, 200, True),
        ("executive", 200, 200, False),
        ("hr", 200, 200, True),
        ("head", 200, 403, False),  # Ann is in D1, below B1; Cid in B2
        ("employee", 200, 403, False),  # Ann is the employee user
        ("owner", 403, 403, False),
        ("none", 403, 403, False),
    ],
)
def test_the_employee_page_per_role(world, login, role, ann, cid, edits):
    client = login(world.users[role])
    response = client.get(f"/people/{world.ann.pk}/")
    assert response.status_code == ann
    assert client.get(f"/people/{world.cid.pk}/").status_code == cid
    if ann == 200:
        html = response.content.decode()
        assert (f"/people/goals/{world.sell_goal.pk}/edit/" in html) is edits
        assert (f"/people/{world.ann.pk}/incentives/add/" in html) is edits


def test_an_unknown_employee_is_404(world, login):
    assert login(world.users["hr"]).get("/people/999999/").status_code == 404


def test_employee_page_queries_do_not_grow_with_goals(world, login):
    client = login(world.users["hr"])
    url = f"/people/{world.ann.pk}/"
    client.get(url)  # warm-up
    small = queries(client, url)
    for i in range(15):
        f.GoalFactory(employee=world.ann, title=f"More {i}", objective=world.grow)
        f.IncentiveComponentFactory(employee=world.ann, name=f"Part {i}", measure=world.rev)
    assert queries(client, url) == small


# Writing goals and incentive components ------------------------------------------------------

WRITERS = {"osm", "hr"}


def goal_post(world, **changes):
    data = {
        "fiscal_year": "2026",
        "kind": "performance",
        "title": "Open two new accounts",
        "weight": "0.5",
        "objective": str(world.sell.pk),
        "measure": str(world.rev.pk),
        "progress": "10",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_adding_a_goal_per_role(world, login, role):
    client = login(world.users[role])
    url = f"/people/{world.ann.pk}/goals/add/"
    before = Goal.objects.count()
    form = client.get(url)
    response = client.post(url, goal_post(world))
    if role in WRITERS:
        assert form.status_code == 200
        assert response.status_code == 302
        assert response["Location"] == f"/people/{world.ann.pk}/?fiscal_year=2026"
        goal = Goal.objects.get(title="Open two new accounts")
        assert (goal.employee, goal.objective, goal.measure, goal.weight, goal.progress) == (
            world.ann,
            world.sell,
            world.rev,
            Decimal("0.5"),
            10,
        )
        assert goal.history.get().history_user == world.users[role]
    else:
        assert form.status_code == 403
        assert response.status_code == 403
        assert Goal.objects.count() == before


def test_the_goal_form_offers_only_the_employees_unit_chain(world, login):
    response = login(world.users["hr"]).get(f"/people/{world.ann.pk}/goals/add/")
    objectives = [o.code for o in response.context["form"].fields["objective"].queryset]
    # Ann is in D1, below B1, below ENT: SELL (B1) and GROW (ENT), by unit code; never MAKE
    assert objectives == ["SELL", "GROW"]
    html = response.content.decode()
    assert "B1.SELL Sell more" in html and "B2.MAKE" not in html


def test_a_goal_linked_outside_the_unit_chain_is_refused_next_to_the_field(world, login):
    client = login(world.users["hr"])
    before = Goal.objects.count()
    response = client.post(
        f"/people/{world.ann.pk}/goals/add/", goal_post(world, objective=world.make.pk)
    )
    assert response.status_code == 400
    assert any("valid choice" in e for e in field_errors(response, "objective"))
    assert Goal.objects.count() == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"weight": "0"}, "weight", "The weight must be positive."),
        ({"weight": "abc"}, "weight", "Enter a number."),
        ({"progress": "-5"}, "progress", "greater than or equal to 0"),
        ({"fiscal_year": "3500"}, "fiscal_year", "The fiscal year must be between 1900 and 2999."),
        ({"kind": "holiday"}, "kind", "Select a valid choice"),
    ],
)
def test_bad_goal_input_is_shown_next_to_the_field(world, login, changes, field, message):
    client = login(world.users["hr"])
    before = Goal.objects.count()
    response = client.post(f"/people/{world.ann.pk}/goals/add/", goal_post(world, **changes))
    assert response.status_code == 400
    errors = field_errors(response, field) or list(response.context["form"].non_field_errors())
    assert any(message in e for e in errors), response.context["form"].errors
    assert Goal.objects.count() == before


def test_progress_above_100_is_refused(world, login):
    response = login(world.users["hr"]).post(
        f"/people/{world.ann.pk}/goals/add/", goal_post(world, progress="101")
    )
    assert response.status_code == 400
    assert "Progress is a percentage between 0 and 100." in response.content.decode()


def test_a_service_refusal_is_shown_next_to_its_field(world, login, monkeypatch):
    """What only the service knows (here made up) lands on the form, nothing written."""

    def refuse(**kwargs):
        raise ValidationError({"measure": "Measured elsewhere.", "employee": "Moved away."})

    monkeypatch.setattr(GoalCreate, "service", refuse)  # the page's service
    response = login(world.users["hr"]).post(f"/people/{world.ann.pk}/goals/add/", goal_post(world))
    assert response.status_code == 400
    assert field_errors(response, "measure") == ["Measured elsewhere."]
    assert list(response.context["form"].non_field_errors()) == ["Moved away."]
    assert not Goal.objects.filter(title="Open two new accounts").exists()


def test_editing_and_relinking_a_goal(world, login):
    client = login(world.users["hr"])
    goal = world.sell_goal
    url = f"/people/goals/{goal.pk}/edit/"
    form = client.get(url)
    assert form.status_code == 200 and form.context["form"].initial["title"] == "Sell"
    response = client.post(
        url, goal_post(world, title="Sell a lot", objective=world.grow.pk, measure="")
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.title, goal.objective, goal.measure) == ("Sell a lot", world.grow, None)


def test_editing_a_goal_out_of_the_chain_changes_nothing(world, login):
    goal = world.sell_goal
    response = login(world.users["hr"]).post(
        f"/people/goals/{goal.pk}/edit/", goal_post(world, title="Changed", objective=world.make.pk)
    )
    assert response.status_code == 400
    goal.refresh_from_db()
    assert (goal.title, goal.objective) == ("Sell", world.sell)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_editing_and_deleting_goals_per_role(world, login, role):
    client = login(world.users[role])
    goal = world.sell_goal
    edit = client.post(f"/people/goals/{goal.pk}/edit/", goal_post(world, title="Changed"))
    delete_page = client.get(f"/people/goals/{goal.pk}/delete/")
    if role in WRITERS:
        assert edit.status_code == 302 and delete_page.status_code == 200
        delete = client.post(f"/people/goals/{goal.pk}/delete/")
        assert delete.status_code == 302
        assert not Goal.objects.filter(pk=goal.pk).exists()
    else:
        assert edit.status_code == 403 and delete_page.status_code == 403
        assert client.post(f"/people/goals/{goal.pk}/delete/").status_code == 403
        goal.refresh_from_db()
        assert goal.title == "Sell"


def incentive_post(world, **changes):
    data = {
        "fiscal_year": "2026",
        "name": "Margin bonus",
        "weight": "0.25",
        "objective": str(world.grow.pk),
        "measure": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_incentive_components_per_role(world, login, role):
    client = login(world.users[role])
    before = IncentiveComponent.objects.count()
    add = client.post(f"/people/{world.ann.pk}/incentives/add/", incentive_post(world))
    edit = client.post(
        f"/people/incentives/{world.bonus.pk}/edit/",
        incentive_post(
            world, name="Revenue bonus", weight="0.8", objective="", measure=world.rev.pk
        ),
    )
    delete = client.post(f"/people/incentives/{world.bonus.pk}/delete/")
    if role in WRITERS:
        assert (add.status_code, edit.status_code, delete.status_code) == (302, 302, 302)
        added = IncentiveComponent.objects.get(name="Margin bonus")
        assert (added.employee, added.objective, added.weight) == (
            world.ann,
            world.grow,
            Decimal("0.25"),
        )
        assert not IncentiveComponent.objects.filter(pk=world.bonus.pk).exists()
    else:
        assert (add.status_code, edit.status_code, delete.status_code) == (403, 403, 403)
        assert IncentiveComponent.objects.count() == before
        world.bonus.refresh_from_db()
        assert world.bonus.weight == Decimal("0.6")


def test_editing_an_incentive(world, login):
    response = login(world.users["hr"]).post(
        f"/people/incentives/{world.bonus.pk}/edit/",
        incentive_post(
            world, name="Revenue bonus", weight="0.8", objective="", measure=world.rev.pk
        ),
    )
    assert response.status_code == 302
    world.bonus.refresh_from_db()
    assert (world.bonus.weight, world.bonus.measure, world.bonus.objective) == (
        Decimal("0.8"),
        world.rev,
        None,
    )


def test_bad_incentive_input_changes_nothing(world, login):
    client = login(world.users["hr"])
    response = client.post(
        f"/people/incentives/{world.bonus.pk}/edit/",
        incentive_post(world, weight="-1", measure=world.rev.pk, objective=world.make.pk),
    )
    assert response.status_code == 400
    assert field_errors(response, "weight") == ["The weight must be positive."]
    assert any("valid choice" in e for e in field_errors(response, "objective"))
    world.bonus.refresh_from_db()
    assert (world.bonus.name, world.bonus.weight) == ("Revenue bonus", Decimal("0.6"))


def test_the_form_pages_render_for_hr(world, login):
    client = login(world.users["hr"])
    for url in (
        f"/people/{world.ann.pk}/goals/add/?kind=development",
        f"/people/goals/{world.sell_goal.pk}/edit/",
        f"/people/goals/{world.sell_goal.pk}/delete/",
        f"/people/{world.ann.pk}/incentives/add/",
        f"/people/incentives/{world.bonus.pk}/edit/",
        f"/people/incentives/{world.bonus.pk}/delete/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<form class="form" method="post">' in response.content.decode()
    add = client.get(f"/people/{world.ann.pk}/goals/add/?kind=development")
    assert add.context["form"].initial["kind"] == "development"
