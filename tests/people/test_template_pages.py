"""The goal template pages: list, create, edit, delete, and the apply form with its
preview; per role, bad input, all or nothing, query counts."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people import services
from people.models import Employee, Goal, GoalTemplate
from tests import factories as f

from .conftest import ROLE_NAMES

pytestmark = pytest.mark.django_db
WRITERS = {"osm", "hr"}


def template_post(world, **changes):
    data = {
        "name": "Sales push",
        "fiscal_year": "2026",
        "kind": "performance",
        "title": "Open two accounts",
        "weight": "0.2",
        "link_unit": "B1",
        "objective": str(world.sell.pk),
        "measure": "",
    }
    data.update(changes)
    return data


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


# The list ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status", "sees", "writes"),
    [
        ("osm", 200, True, True),
        ("hr", 200, True, True),
        ("executive", 200, True, False),  # reads everything
        ("head", 200, False, False),  # templates belong to no unit: none is his
        ("employee", 200, False, False),  # nor anyone's own record
        ("owner", 403, False, False),
        ("none", 403, False, False),
    ],
)
def test_the_list_per_role(world, login, role, status, sees, writes):
    template = f.GoalTemplateFactory(name="Sales push", objective=world.sell)
    services.goal_template_apply(template=template, unit=world.b1, actor=None)
    response = login(world.users[role]).get("/people/templates/")
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert ("Sales push" in html) is sees
        assert (f"/people/templates/{template.pk}/edit/" in html) is writes
        assert (f"/people/templates/{template.pk}/apply/" in html) is writes
        assert ("/people/templates/add/" in html) is writes
        if sees:
            # applied to Ann and Bob: 2 goals given
            row = html[html.index("Sales push") :]
            assert '<td class="num">2</td>' in row[: row.index("</tr>")]


def test_list_queries_do_not_grow_with_templates(world, login):
    client = login(world.users["hr"])
    f.GoalTemplateFactory(objective=world.sell)
    client.get("/people/templates/")  # warm-up
    small = queries(client, "/people/templates/")
    for i in range(12):
        template = f.GoalTemplateFactory(objective=world.grow, measure=world.rev)
        if i % 3 == 0:
            services.goal_template_apply(template=template, unit=world.b1, actor=None)
    assert queries(client, "/people/templates/") == small


# Create, edit, delete ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_creating_a_template_per_role(world, login, role):
    client = login(world.users[role])
    page = client.get("/people/templates/add/")
    response = client.post("/people/templates/add/", template_post(world))
    if role in WRITERS:
        assert page.status_code == 200 and response.status_code == 302
        template = GoalTemplate.objects.get(name="Sales push")
        assert (template.title, template.weight, template.objective, template.measure) == (
            "Open two accounts",
            Decimal("0.2"),
            world.sell,
            None,
        )
    else:
        assert page.status_code == 403 and response.status_code == 403
        assert not GoalTemplate.objects.exists()


def test_choosing_the_unit_shows_its_strategy_and_saves_nothing(world, login):
    client = login(world.users["hr"])
    empty = client.get("/people/templates/add/")
    assert list(empty.context["form"].fields["objective"].queryset) == []
    response = client.post(
        "/people/templates/add/", template_post(world, link_unit="B1", objective="", _pick="1")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert [o.code for o in form.fields["objective"].queryset] == ["SELL"]
    assert [m.code for m in form.fields["measure"].queryset] == ["REV"]
    assert not form.errors  # a redraw, not a submission
    html = response.content.decode()
    assert "B1.SELL Sell more" in html and 'value="Sales push"' in html  # typed values kept
    assert 'hx-post="/people/templates/add/"' in html  # htmx redraws on change
    assert not GoalTemplate.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"weight": "0"}, "weight", "The weight must be positive."),
        ({"name": ""}, "name", "This field is required."),
        ({"fiscal_year": "1800"}, "fiscal_year", "The fiscal year must be between 1900 and 2999."),
        ({"link_unit": "NOPE"}, "link_unit", "There is no unit with that code."),
        # an objective of another unit than the one chosen
        ({"link_unit": "B2"}, "objective", "Select a valid choice."),
    ],
)
def test_bad_template_input_is_shown_next_to_the_field(world, login, changes, field, message):
    response = login(world.users["hr"]).post(
        "/people/templates/add/", template_post(world, **changes)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert not GoalTemplate.objects.exists()


def test_a_name_taken_in_the_year_is_refused(world, login):
    f.GoalTemplateFactory(name="Sales push", fiscal_year=2026)
    response = login(world.users["hr"]).post("/people/templates/add/", template_post(world))
    assert response.status_code == 400
    assert "A template of this fiscal year already has this name." in response.content.decode()
    assert GoalTemplate.objects.count() == 1


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_editing_and_deleting_a_template_per_role(world, login, role):
    template = f.GoalTemplateFactory(name="Old", objective=world.sell)
    services.goal_template_apply(template=template, unit=world.d1, actor=None)  # Ann's goal
    client = login(world.users[role])
    page = client.get(f"/people/templates/{template.pk}/edit/")
    edit = client.post(f"/people/templates/{template.pk}/edit/", template_post(world))
    if role in WRITERS:
        assert page.status_code == 200 and page.context["form"].initial["link_unit"] == "B1"
        assert edit.status_code == 302
        template.refresh_from_db()
        assert template.name == "Sales push"
        assert client.post(f"/people/templates/{template.pk}/delete/").status_code == 302
        assert not GoalTemplate.objects.exists()
        # the goal given from it stays
        assert Goal.objects.filter(employee=world.ann, template=None).count() == 3  # + Sell, Learn
    else:
        assert page.status_code == 403 and edit.status_code == 403
        assert client.get(f"/people/templates/{template.pk}/delete/").status_code == 403
        assert client.post(f"/people/templates/{template.pk}/delete/").status_code == 403
        template.refresh_from_db()
        assert template.name == "Old"


# Apply ---------------------------------------------------------------------------------------


def apply_url(template):
    return f"/people/templates/{template.pk}/apply/"


def test_the_preview_then_the_apply(world, login):
    template = f.GoalTemplateFactory(name="Sales push", objective=world.sell)
    client = login(world.users["hr"])
    assert client.get(apply_url(template)).status_code == 200  # the form alone
    preview = client.get(apply_url(template), {"unit": "B1"})
    assert preview.status_code == 200
    audience = preview.context["audience"]
    # B1's subtree: Ann and Bob active (Dan is not) → 2 will receive it
    assert (audience.matched, len(audience.receive), audience.skipped) == (2, 2, 0)
    html = preview.content.decode()
    assert "Confirm: give the goal to 2 employees" in html
    assert Goal.objects.filter(template=template).count() == 0  # a preview writes nothing

    done = client.post(apply_url(template), {"unit": "B1", "job_family": ""})
    assert done.status_code == 302 and done["Location"] == "/people/templates/"
    assert Goal.objects.filter(template=template).count() == 2
    assert [str(m) for m in get_messages(done.wsgi_request)] == [
        "Applied “Sales push (FY2026)”: 2 employees received the goal; 0 already had it and "
        "were skipped."
    ]
    again = client.post(apply_url(template), {"unit": "B1"})
    assert [str(m) for m in get_messages(again.wsgi_request)][-1] == (
        "Applied “Sales push (FY2026)”: 0 employees received the goal; 2 already had it and "
        "were skipped."
    )
    assert Goal.objects.filter(template=template).count() == 2
    after = client.get(apply_url(template), {"unit": "B1"}).content.decode()
    assert "Everyone already has it: nothing to apply." in after


def test_an_apply_with_someone_out_of_reach_writes_nothing(world, login):
    template = f.GoalTemplateFactory(objective=world.sell)  # B1's objective
    client = login(world.users["hr"])
    preview = client.get(apply_url(template), {"job_family": "Engineering"})
    html = preview.content.decode()
    # Engineering: Cid, in B2, outside B1
    assert "is not in Unit B1 or a unit below it" in html and "Cid (B2)" in html
    assert "Confirm" not in html
    response = client.post(apply_url(template), {"unit": "ENT"})
    assert response.status_code == 400
    errors = response.context["form"].non_field_errors()
    assert "1 of the 3 employees of ENT and the units below it is not: Cid (B2)" in errors[0]
    assert not Goal.objects.filter(template=template).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"unit": "NOPE"}, "unit", "There is no unit with that code."),
        ({"job_family": "Pilots"}, "job_family", "Select a valid choice."),
        ({"unit": "", "job_family": ""}, "__all__", "Choose a unit, a job family or both."),
    ],
)
def test_bad_apply_input(world, login, data, field, message):
    template = f.GoalTemplateFactory()
    client = login(world.users["hr"])
    for response in (client.get(apply_url(template), data), client.post(apply_url(template), data)):
        assert response.status_code == 400
        errors = response.context["form"].errors[field]
        assert any(message in e for e in errors), errors
    assert not Goal.objects.filter(template=template).exists()


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_applying_per_role(world, login, role):
    template = f.GoalTemplateFactory(objective=world.grow)
    client = login(world.users[role])
    page = client.get(apply_url(template), {"unit": "ENT"})
    response = client.post(apply_url(template), {"unit": "ENT"})
    if role in WRITERS:
        assert page.status_code == 200 and response.status_code == 302
        # ENT's active employees: Ann, Bob, Cid
        assert Goal.objects.filter(template=template).count() == 3
    else:
        assert page.status_code == 403 and response.status_code == 403
        assert not Goal.objects.filter(template=template).exists()


def test_the_apply_page_queries_do_not_grow_with_employees(world, login):
    template = f.GoalTemplateFactory(objective=world.sell)
    client = login(world.users["hr"])
    url = apply_url(template)
    client.get(url, {"unit": "B1"})  # warm-up
    small = queries(client, url, {"unit": "B1"})
    Employee.objects.bulk_create(
        Employee(name=f"M{i}", email=f"m{i}@example.com", unit=world.d1, job_family="Sales")
        for i in range(200)
    )
    services.goal_template_apply(template=template, job_family="Sales", actor=None)
    assert queries(client, url, {"unit": "B1"}) == small


def test_the_pages_render(world, login):
    template = f.GoalTemplateFactory(objective=world.sell)
    client = login(world.users["hr"])
    for url in (
        "/people/templates/",
        "/people/templates/add/",
        f"/people/templates/{template.pk}/edit/",
        f"/people/templates/{template.pk}/delete/",
        f"/people/templates/{template.pk}/apply/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert re.search(r"<h1>[^<]+", response.content.decode())
