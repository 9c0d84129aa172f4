"""API v1 of goal templates (`goal-templates/`): CRUD through the services with the web
pages' permissions (OSM staff and HR write; OSM staff, executives and HR read; templates
belong to no unit and no one, so unit heads and employees see none), filters and ordering,
bad input as 400s naming the field, and `POST goal-templates/{id}/apply/`: the goals created
counted by hand on a small tree, a second apply giving nobody a second goal, and every
refusal writing nothing.

The organisation is tests/people/conftest.py's: ENT > B1 > D1, and ENT > B2; objectives
ENT.GROW, B1.SELL (measure B1.REV), B2.MAKE; active employees Ann (D1, Sales), Bob (B1,
Sales) and Cid (B2, Engineering); Dan (D1, Sales) is not active.
"""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from people.models import Goal, GoalTemplate
from tests import factories as f
from tests.helpers import client_for, ids, list_queries

from .conftest import ROLE_NAMES

pytestmark = pytest.mark.django_db

URL = "/api/v1/goal-templates/"
FIELDS = {"id", "name", "fiscal_year", "kind", "title", "weight", "objective", "measure"}
WRITERS = {"osm", "hr"}
READERS = {"osm", "hr", "executive"}
# May list (an empty list: no template is theirs) without seeing any row: unit heads and
# employees with a record, as on the web's list of templates.
EMPTY_LIST = {"head", "employee"}


def body(**changes):
    return {
        "name": "Sales push",
        "fiscal_year": 2026,
        "kind": "performance",
        "title": "Open two accounts",
        "weight": "0.250",
        "objective": None,
        "measure": None,
        **changes,
    }


def apply_url(template) -> str:
    return f"{URL}{template.pk}/apply/"


@pytest.fixture
def hr_client(world):
    return client_for(world.users["hr"])


# Permissions -------------------------------------------------------------------------------


def test_401_without_auth(world):
    template = f.GoalTemplateFactory()
    anonymous = APIClient()
    assert anonymous.get(URL).status_code == 401
    assert anonymous.get(f"{URL}{template.pk}/").status_code == 401
    assert anonymous.post(URL, body(), format="json").status_code == 401
    assert anonymous.patch(f"{URL}{template.pk}/", {"name": "X"}).status_code == 401
    assert anonymous.delete(f"{URL}{template.pk}/").status_code == 401
    assert anonymous.post(apply_url(template), {"unit": world.b1.pk}).status_code == 401
    assert GoalTemplate.objects.get().name == template.name
    assert not Goal.objects.filter(template=template).exists()


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_reads_per_role(world, role):
    template = f.GoalTemplateFactory(objective=world.sell)
    user = world.users[role]
    client = client_for(user)
    listing = client.get(URL)
    detail = client.get(f"{URL}{template.pk}/")
    if role in READERS:
        assert listing.status_code == 200 and detail.status_code == 200
        assert [row["id"] for row in listing.json()["results"]] == [template.pk]
        assert detail.json()["objective"] == world.sell.pk
    elif role in EMPTY_LIST:
        assert listing.status_code == 200 and listing.json()["count"] == 0
        assert detail.status_code == 404
    else:  # a measure owner without an employee record, no role
        assert listing.status_code == 403 and detail.status_code == 403
    # the same answer as the rules give (`restrict()` of the model's declaration)
    assert user.has_perm("people.view_goaltemplate", template) is (role in READERS)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_writes_per_role(world, role):
    template = f.GoalTemplateFactory(name="Old", objective=world.sell)
    client = client_for(world.users[role])
    created = client.post(URL, body())
    changed = client.patch(f"{URL}{template.pk}/", {"name": "New"})
    applied = client.post(apply_url(template), {"unit": world.b1.pk})
    deleted = client.delete(f"{URL}{template.pk}/")
    codes = (created.status_code, changed.status_code, applied.status_code, deleted.status_code)
    if role in WRITERS:
        assert codes == (201, 200, 200, 204)
        assert list(GoalTemplate.objects.values_list("name", flat=True)) == ["Sales push"]
        assert Goal.objects.filter(title=template.title).count() == 2  # Ann and Bob
    else:
        assert codes == (403, 403, 403, 403)
        assert list(GoalTemplate.objects.values_list("name", flat=True)) == ["Old"]
        assert not Goal.objects.filter(template=template).exists()


def test_an_unknown_template_is_404(world, hr_client):
    assert hr_client.get(f"{URL}999999/").status_code == 404
    assert hr_client.post(f"{URL}999999/apply/", {"unit": world.b1.pk}).status_code == 404


# CRUD and bad input ------------------------------------------------------------------------


def test_crud(world, hr_client):
    sent = body(objective=world.grow.pk, measure=world.rev.pk)
    created = hr_client.post(URL, sent)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert set(data) == FIELDS
    assert data == {**sent, "id": data["id"]}
    url = f"{URL}{data['id']}/"
    assert hr_client.get(url).json() == data
    put = hr_client.put(url, {**sent, "kind": "development", "weight": "1.500"})
    assert put.status_code == 200, put.json()
    assert (put.json()["kind"], put.json()["weight"]) == ("development", "1.500")
    patch = hr_client.patch(url, {"measure": None, "fiscal_year": 2027})
    assert patch.status_code == 200
    template = GoalTemplate.objects.get()
    assert (template.measure, template.fiscal_year, template.objective) == (None, 2027, world.grow)
    assert hr_client.delete(url).status_code == 204
    assert hr_client.get(url).status_code == 404


def test_deleting_a_template_keeps_the_goals_it_gave(world, hr_client):
    template = f.GoalTemplateFactory(objective=world.sell)
    assert hr_client.post(apply_url(template), {"unit": world.d1.pk}).status_code == 200
    assert hr_client.delete(f"{URL}{template.pk}/").status_code == 204
    assert Goal.objects.filter(employee=world.ann, title=template.title, template=None).exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"objective": 999999}, "objective"),  # unknown
        ({"objective": "SELL"}, "objective"),
        ({"measure": 2**63}, "measure"),
        ({"weight": "-1"}, "weight"),
        ({"weight": "0"}, "weight"),
        ({"weight": "heavy"}, "weight"),
        ({"kind": "bogus"}, "kind"),
        ({"kind": None}, "kind"),
        ({"fiscal_year": 1800}, "fiscal_year"),
        ({"fiscal_year": 3000}, "fiscal_year"),
        ({"fiscal_year": "next"}, "fiscal_year"),
        ({"name": ""}, "name"),
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
    ],
)
def test_bad_input_names_the_field(world, hr_client, changes, field):
    response = hr_client.post(URL, body(**changes))
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not GoalTemplate.objects.exists()


def test_a_measure_of_another_units_chain_is_refused(world, hr_client):
    """B1.SELL's goals go to B1's subtree, a measure of B2 to B2's: nobody is in both."""
    make_measure = f.MeasureFactory(objective=world.make, code="QUAL")
    sent = body(objective=world.sell.pk, measure=make_measure.pk)
    response = hr_client.post(URL, sent)
    assert response.status_code == 400
    assert response.json() == {
        "measure": [
            "B2.QUAL and the objective B1.SELL are on different branches of the "
            "organisation: no employee could receive the goal."
        ]
    }
    assert not GoalTemplate.objects.exists()
    # one above the other is fine: ENT.GROW with a measure of B1
    assert (
        hr_client.post(URL, body(objective=world.grow.pk, measure=world.rev.pk)).status_code == 201
    )
    template = GoalTemplate.objects.get()
    patch = hr_client.patch(f"{URL}{template.pk}/", {"objective": world.make.pk})
    assert patch.status_code == 400 and "measure" in patch.json()
    template.refresh_from_db()
    assert template.objective == world.grow


def test_a_name_is_unique_within_its_fiscal_year(world, hr_client):
    f.GoalTemplateFactory(name="Sales push", fiscal_year=2026)
    response = hr_client.post(URL, body())
    assert response.status_code == 400
    assert response.json() == {"name": ["A template of this fiscal year already has this name."]}
    assert hr_client.post(URL, body(fiscal_year=2027)).status_code == 201  # another year
    other = GoalTemplate.objects.get(fiscal_year=2027)
    renamed = hr_client.patch(f"{URL}{other.pk}/", {"fiscal_year": 2026})
    assert renamed.status_code == 400 and "name" in renamed.json()
    assert hr_client.put(f"{URL}{other.pk}/", body(fiscal_year=2027)).status_code == 200  # itself


# Filters and ordering ----------------------------------------------------------------------


def test_filters_and_ordering(world, hr_client):
    a = f.GoalTemplateFactory(name="A", fiscal_year=2026, objective=world.sell)
    b = f.GoalTemplateFactory(name="B", fiscal_year=2027, kind="development", measure=world.rev)
    c = f.GoalTemplateFactory(name="C", fiscal_year=2026, weight=Decimal("3"))
    assert ids(hr_client, URL) == [b.pk, a.pk, c.pk]  # the latest year first, then by name
    assert ids(hr_client, URL, fiscal_year=2026) == [a.pk, c.pk]
    assert ids(hr_client, URL, kind="development") == [b.pk]
    assert ids(hr_client, URL, objective=world.sell.pk) == [a.pk]
    assert ids(hr_client, URL, measure=world.rev.pk) == [b.pk]
    assert ids(hr_client, URL, ordering="-weight") == [c.pk, a.pk, b.pk]
    assert ids(hr_client, URL, ordering="name") == [a.pk, b.pk, c.pk]
    for bad in ({"fiscal_year": "x"}, {"kind": "x"}, {"objective": 999999}, {"measure": "x"}):
        assert hr_client.get(URL, bad).status_code == 400, bad
    page = hr_client.get(URL, {"page_size": 2}).json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]


def test_list_queries_do_not_grow(world):
    for _ in range(3):
        f.GoalTemplateFactory(objective=world.sell, measure=world.rev)
    small = list_queries(world.users["hr"], URL)
    for _ in range(27):
        f.GoalTemplateFactory(objective=world.grow)
    rows, queries = list_queries(world.users["hr"], URL)
    assert (rows, queries) == (30, small[1])


# Apply -------------------------------------------------------------------------------------


@pytest.fixture
def more(world):
    """Two more active employees: Eve (D1, Engineering) and Fay (B2, Sales)."""
    eve = f.EmployeeFactory(name="Eve", unit=world.d1, job_family="Engineering")
    fay = f.EmployeeFactory(name="Fay", unit=world.b2, job_family="Sales")
    return eve, fay


def given(template) -> list[str]:
    return sorted(Goal.objects.filter(template=template).values_list("employee__name", flat=True))


def test_applying_counts_by_hand(world, hr_client, more):
    sell = f.GoalTemplateFactory(objective=world.sell, weight=Decimal("0.5"))
    # B1's subtree is B1 and D1: Ann, Bob and Eve are active there (Dan is not)
    done = hr_client.post(apply_url(sell), {"unit": world.b1.pk})
    assert done.status_code == 200, done.json()
    assert done.json() == {"matched": 3, "created": 3, "skipped": 0}
    assert given(sell) == ["Ann", "Bob", "Eve"]
    goal = Goal.objects.get(template=sell, employee=world.ann)
    assert (goal.title, goal.weight, goal.objective, goal.progress) == (
        sell.title,
        Decimal("0.5"),
        world.sell,
        0,
    )
    assert goal.history.get().history_user == world.users["hr"]
    # Sales in D1: Ann only, who has it already
    again = hr_client.post(apply_url(sell), {"unit": world.d1.pk, "job_family": "Sales"})
    assert again.json() == {"matched": 1, "created": 0, "skipped": 1}
    # unlinked, to Sales anywhere: Ann, Bob and Fay (Dan is not active)
    unlinked = f.GoalTemplateFactory()
    done = hr_client.post(apply_url(unlinked), {"job_family": "Sales"})
    assert done.json() == {"matched": 3, "created": 3, "skipped": 0}
    assert given(unlinked) == ["Ann", "Bob", "Fay"]
    # ENT's subtree: every active employee, Ann, Bob, Cid, Eve and Fay
    grow = f.GoalTemplateFactory(objective=world.grow)
    done = hr_client.post(apply_url(grow), {"unit": world.ent.pk, "job_family": None})
    assert done.json() == {"matched": 5, "created": 5, "skipped": 0}


def test_applying_twice_gives_nobody_a_second_goal(world, hr_client, more):
    template = f.GoalTemplateFactory(objective=world.sell)
    first = hr_client.post(apply_url(template), {"unit": world.b1.pk})
    assert first.json() == {"matched": 3, "created": 3, "skipped": 0}
    second = hr_client.post(apply_url(template), {"unit": world.b1.pk})
    assert second.status_code == 200
    assert second.json() == {"matched": 3, "created": 0, "skipped": 3}
    f.EmployeeFactory(name="Gil", unit=world.d1)  # joins later
    third = hr_client.post(apply_url(template), {"unit": world.b1.pk})
    assert third.json() == {"matched": 4, "created": 1, "skipped": 3}
    assert given(template) == ["Ann", "Bob", "Eve", "Gil"]


def test_someone_out_of_reach_and_nothing_is_applied(world, hr_client, more):
    template = f.GoalTemplateFactory(objective=world.sell)  # B1's objective
    before = Goal.objects.count()
    # Sales: Ann (D1) and Bob (B1) are within B1, Fay (B2) is not
    response = hr_client.post(apply_url(template), {"job_family": "Sales"})
    assert response.status_code == 400
    (message,) = response.json()["non_field_errors"]
    assert message == (
        "The goal serves objective B1.SELL, so only employees of B1 or a unit below it may "
        "have it; 1 of the 3 employees of job family Sales is not: Fay (B2). Nothing was "
        "applied: choose a unit within B1, or a template linked higher up."
    )
    assert Goal.objects.count() == before


@pytest.mark.parametrize(
    "sent, field, message",
    [
        ({}, "non_field_errors", "Choose a unit, a job family or both."),
        (
            {"unit": None, "job_family": ""},
            "non_field_errors",
            "Choose a unit, a job family or both.",
        ),
        ({"unit": 999999}, "unit", "Invalid pk"),
        ({"unit": "B1"}, "unit", "A valid integer is required."),
        ({"unit": 2**63}, "unit", "Invalid pk"),
        ({"unit": 1.5}, "unit", "A valid integer is required."),
        ({"job_family": "Pilots"}, "job_family", "No employee has the job family “Pilots”."),
        ({"job_family": ["Sales"]}, "job_family", "Not a valid string."),
    ],
)
def test_bad_apply_input(world, hr_client, sent, field, message):
    template = f.GoalTemplateFactory()
    before = Goal.objects.count()
    response = hr_client.post(apply_url(template), sent)
    assert response.status_code == 400
    errors = response.json()[field]
    assert any(message in e for e in errors), errors
    assert Goal.objects.count() == before


def test_nobody_matching_is_refused(world, hr_client):
    empty = f.OrgUnitFactory(code="B3", parent=world.ent)
    f.EmployeeFactory(unit=empty, active=False)
    template = f.GoalTemplateFactory()
    response = hr_client.post(apply_url(template), {"unit": empty.pk})
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["No active employee of B3 and the units below it."]
    }
    assert not Goal.objects.filter(template=template).exists()


def test_apply_takes_json_only(world, hr_client):
    template = f.GoalTemplateFactory()
    form = hr_client.post(apply_url(template), {"unit": world.b1.pk}, format="multipart")
    assert form.status_code == 415
    assert not Goal.objects.filter(template=template).exists()


# The schema --------------------------------------------------------------------------------


def test_the_schema_describes_the_resource(world, hr_client):
    schema = hr_client.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert set(paths[URL]) >= {"get", "post"}
    assert set(paths[f"{URL}{{id}}/"]) >= {"get", "put", "patch", "delete"}
    apply = paths[f"{URL}{{id}}/apply/"]["post"]
    assert apply["description"].startswith("Give the template's goal to every active employee")
    parameters = {p["name"]: p for p in paths[URL]["get"]["parameters"]}
    assert {"fiscal_year", "kind", "objective", "measure", "ordering"} <= set(parameters)
    assert all(p.get("description") for p in parameters.values())
    components = schema["components"]["schemas"]
    request = apply["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    answer = apply["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    for ref in (request, answer, "#/components/schemas/GoalTemplate"):
        properties = components[ref.rsplit("/", 1)[1]]["properties"]
        assert properties and all(spec.get("description") for spec in properties.values()), ref
    assert set(components["GoalTemplate"]["properties"]) == FIELDS
    assert set(components[answer.rsplit("/", 1)[1]]["properties"]) == {
        "matched",
        "created",
        "skipped",
    }
