"""Setup without the admin: the OSM staff create, edit, move and delete units, perspectives
and themes in the app, with the services' refusals shown on the page (400, nothing
written); the Setup page is theirs alone; a unit head keeps the themes of his subtree.

Tree: ENT > A > A1 (department), ENT > B.
"""

import html as html_text
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from scorecards.models import OrgUnit, Perspective, Theme
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    ent = f.EnterpriseFactory(code="ENT", name="Enterprise")
    a = f.OrgUnitFactory(code="A", name="Alpha", parent=ent)
    b = f.OrgUnitFactory(code="B", name="Beta", parent=ent)
    a1 = f.DepartmentFactory(code="A1", name="Alpha one", parent=a)
    return ent, a, b, a1


@pytest.fixture
def staff(client):
    user = f.UserFactory(username="osm", roles=[OSM_STAFF])
    client.force_login(user)
    return user


def errors(response) -> str:
    """The page's error messages, as text."""
    found = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    return html_text.unescape(" ".join(re.sub(r"<[^>]+>", "", m) for m in found))


# Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [EXECUTIVE, UNIT_HEAD, HR, MEASURE_OWNER, EMPLOYEE, None])
def test_setup_is_the_osm_staffs_alone(client, tree, role):
    user = f.UserFactory(roles=[role] if role else [])
    if role == UNIT_HEAD:
        tree[1].head = user
        tree[1].save()
    client.force_login(user)
    assert client.get("/setup/").status_code == 403
    for url in ("/setup/units/new/", "/setup/units/A/edit/", "/setup/units/A1/move/",
                "/setup/units/A1/delete/", "/setup/perspectives/new/"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert 'href="/setup/"' not in client.get("/alignment/").content.decode()


def test_setup_needs_a_sign_in(client, tree):
    response = client.get("/setup/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_navigation_leads_osm_staff_to_setup(client, tree, staff):
    html = client.get("/alignment/").content.decode()
    assert '<a href="/setup/">Setup</a>' in html


# The Setup page ---------------------------------------------------------------------------


def test_the_page_lists_the_tree_with_themes_and_the_perspectives(client, tree, staff):
    _ent, a, _b, a1 = tree
    f.ThemeFactory(unit=a, name="Growth")
    f.ObjectiveFactory(unit=a1, code="O1")
    html = client.get("/setup/").content.decode()
    rows = re.findall(r'<tr id="unit-(\w+)">', html)
    assert rows == ["ENT", "A", "A1", "B"]  # depth first, children by code
    a_row = html[html.index('id="unit-A"') : html.index('id="unit-A1"')]
    assert "Growth" in a_row and "1 unit, 0 objectives" in a_row
    a1_row = html[html.index('id="unit-A1"') : html.index('id="unit-B"')]
    assert "0 units, 1 objective" in a1_row
    assert 'href="/setup/units/A1/move/"' in html
    assert 'href="/setup/units/ENT/move/"' not in html  # the root has nowhere to go
    perspectives = re.findall(r'href="/setup/perspectives/(\d+)/edit/"', html)
    assert [int(pk) for pk in perspectives] == list(
        Perspective.objects.order_by("order").values_list("pk", flat=True)
    )


def test_the_page_s_queries_do_not_grow_with_the_tree(client, tree, staff):
    with CaptureQueriesContext(connection) as small:
        assert client.get("/setup/").status_code == 200
    b = tree[2]
    for i in range(5):
        unit = f.DepartmentFactory(code=f"D{i}", parent=b, head=f.UserFactory())
        f.ThemeFactory(unit=unit)
        f.ObjectiveFactory(unit=unit)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/setup/").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_an_empty_organisation_starts_with_the_enterprise(client, staff):
    html = client.get("/setup/").content.decode()
    assert "Create the enterprise unit" in html
    response = client.post(
        "/setup/units/new/", {"code": "ACME", "name": "Acme Group", "kind": "enterprise"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/setup/#unit-ACME"
    acme = OrgUnit.objects.get()
    assert (acme.code, acme.name, acme.kind, acme.parent) == (
        "ACME",
        "Acme Group",
        "enterprise",
        None,
    )


# Units ------------------------------------------------------------------------------------


def test_add_a_unit_below_another(client, tree, staff):
    _ent, a, _b, _a1 = tree
    head = f.UserFactory(first_name="Hana", last_name="Head")
    html = client.get("/setup/units/new/?parent=A").content.decode()
    # A's row is chosen, and a department is the likely kind below a business unit.
    assert re.search(rf'<option value="{a.pk}" selected>— Alpha</option>', html)
    assert re.search(r'<option value="department" selected>', html)
    response = client.post(
        "/setup/units/new/",
        {"code": "A2", "name": "Alpha two", "kind": "department", "parent": a.pk, "head": head.pk},
    )
    assert response.status_code == 302
    a2 = OrgUnit.objects.get(code="A2")
    assert (a2.name, a2.kind, a2.parent_id, a2.head_id) == (
        "Alpha two",
        "department",
        a.pk,
        head.pk,
    )


@pytest.mark.parametrize(
    "data,message",
    [
        ({"code": "A", "name": "Again", "kind": "team"}, "Org unit with this Code already exists."),
        ({"code": "bad code", "name": "X", "kind": "team"},
         "A code starts with a letter and holds only letters, digits and underscores."),
        ({"code": "X2", "name": "Second root", "kind": "enterprise"},
         "There is already an enterprise unit."),
        ({"code": "X3", "name": "Orphan", "kind": "team"}, "every other unit must have one"),
    ],
)  # fmt: skip
def test_a_refused_unit_says_why_and_writes_nothing(client, tree, staff, data, message):
    before = OrgUnit.objects.count()
    if data["name"] != "Orphan":
        data["parent"] = tree[0].pk
    response = client.post("/setup/units/new/", data)
    assert response.status_code == 400
    assert message.lower() in errors(response).lower()
    assert OrgUnit.objects.count() == before


def test_edit_a_unit(client, tree, staff):
    _ent, a, _b, _a1 = tree
    head = f.UserFactory()
    data = {"code": "ALPHA", "name": "Alpha Group", "kind": "support", "head": head.pk}
    response = client.post("/setup/units/A/edit/", data)
    assert response.status_code == 302 and response["Location"] == "/setup/#unit-ALPHA"
    a.refresh_from_db()
    assert (a.code, a.name, a.kind, a.head_id) == ("ALPHA", "Alpha Group", "support", head.pk)
    assert a.parent_id == tree[0].pk  # editing never moves it


def test_a_rename_that_would_break_formulas_is_refused(client, tree, staff):
    _ent, a, b, _a1 = tree
    source = f.MeasureFactory(objective=f.ObjectiveFactory(unit=a), code="SALES")
    f.MeasureFactory(objective=f.ObjectiveFactory(unit=b), code="CALC", formula="A.SALES * 2")
    response = client.post(
        "/setup/units/A/edit/", {"code": "AA", "name": "Alpha", "kind": "business"}
    )
    assert response.status_code == 400
    assert "The formulas of B.CALC name measures as A.CODE" in errors(response)
    assert OrgUnit.objects.filter(code="A").exists() and source.pk


def test_move_a_unit(client, tree, staff):
    _ent, a, b, a1 = tree
    html = client.get("/setup/units/A1/move/").content.decode()
    assert "A1 is now below A Alpha." in html
    options = re.findall(r'<option value="(\d+)"', html)
    assert set(map(int, options)) == {tree[0].pk, a.pk, b.pk}  # not itself
    response = client.post("/setup/units/A1/move/", {"parent": b.pk})
    assert response.status_code == 302
    a1.refresh_from_db()
    assert a1.parent_id == b.pk


def test_a_unit_cannot_move_below_itself(client, tree, staff):
    _ent, a, _b, a1 = tree
    html = client.get("/setup/units/A/move/").content.decode()
    assert f'<option value="{a1.pk}"' not in html  # its own units are not offered
    response = client.post("/setup/units/A/move/", {"parent": a1.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in errors(response)
    a.refresh_from_db()
    assert a.parent_id == tree[0].pk


def test_a_move_that_breaks_links_shows_the_services_refusal(client, tree, staff):
    _ent, a, b, a1 = tree
    up = f.ObjectiveFactory(unit=a, code="A_OBJ")
    f.ObjectiveFactory(unit=a1, code="D_OBJ", supports=[up])
    response = client.post("/setup/units/A1/move/", {"parent": b.pk})
    assert response.status_code == 400
    assert (
        "Moving A1 there would break 1 link(s) to units that would no longer be above it: "
        "A1.D_OBJ supports A.A_OBJ. Change those links first."
    ) in errors(response)
    a1.refresh_from_db()
    assert a1.parent_id == a.pk


def test_the_enterprise_has_nowhere_to_move(client, tree, staff):
    html = client.get("/setup/units/ENT/move/").content.decode()
    assert "ENT is the enterprise, the top of the tree: it has no parent." in html
    response = client.post("/setup/units/ENT/move/", {"parent": tree[1].pk})
    assert response.status_code == 400
    assert OrgUnit.objects.get(code="ENT").parent_id is None


def test_delete_a_unit_nothing_depends_on(client, tree, staff):
    html = client.get("/setup/units/B/delete/").content.decode()
    assert "Delete the unit B Beta?" in html
    response = client.post("/setup/units/B/delete/")
    assert response.status_code == 302 and response["Location"] == "/setup/#unit-ENT"
    assert not OrgUnit.objects.filter(code="B").exists()


def test_a_unit_with_units_or_objectives_in_it_is_not_deleted(client, tree, staff):
    response = client.post("/setup/units/A/delete/")
    assert response.status_code == 400
    assert errors(response) == (
        "Org unit 'Alpha' cannot be deleted: 1 org unit (e.g. Alpha one) still depends on it."
    )
    f.ObjectiveFactory(unit=tree[2], code="KEEP", name="Keep")
    response = client.post("/setup/units/B/delete/")
    assert response.status_code == 400
    assert errors(response) == (
        "Org unit 'Beta' cannot be deleted: 1 objective (e.g. KEEP Keep) still depends on it."
    )
    assert OrgUnit.objects.filter(code__in=["A", "B"]).count() == 2


# Perspectives -----------------------------------------------------------------------------


def test_add_edit_and_delete_a_perspective(client, staff):
    html = client.get("/setup/perspectives/new/").content.decode()
    last = max(Perspective.objects.values_list("order", flat=True))
    assert f'value="{last + 1}"' in html  # the next place at the bottom
    data = {"name": "Mission", "order": "0", "description": "Why we exist"}
    response = client.post("/setup/perspectives/new/", data)
    assert response.status_code == 302
    mission = Perspective.objects.get(name="Mission")
    assert (mission.order, mission.description) == (0, "Why we exist")
    data = {"name": "Our mission", "order": "0"}
    response = client.post(f"/setup/perspectives/{mission.pk}/edit/", data)
    assert response.status_code == 302
    assert Perspective.objects.get(pk=mission.pk).name == "Our mission"
    response = client.post(f"/setup/perspectives/{mission.pk}/delete/")
    assert response.status_code == 302
    assert not Perspective.objects.filter(pk=mission.pk).exists()


def test_a_perspective_keeps_its_order_unique_and_its_objectives(client, tree, staff):
    customer = Perspective.objects.get(name="Customer")
    financial = Perspective.objects.get(name="Financial")
    data = {"name": "Customer", "order": financial.order}
    response = client.post(f"/setup/perspectives/{customer.pk}/edit/", data)
    assert response.status_code == 400
    assert "Perspective with this Order already exists." in errors(response)
    f.ObjectiveFactory(unit=tree[1], code="F1", name="Profit", perspective=financial)
    response = client.post(f"/setup/perspectives/{financial.pk}/delete/")
    assert response.status_code == 400
    assert "cannot be deleted: 1 objective" in errors(response)
    assert Perspective.objects.filter(pk=financial.pk).exists()


# Themes -----------------------------------------------------------------------------------


def test_add_rename_move_and_delete_a_theme(client, tree, staff):
    _ent, a, _b, a1 = tree
    response = client.post("/setup/units/A/themes/new/", {"name": "Growth", "description": "More"})
    assert response.status_code == 302 and response["Location"] == "/setup/#unit-A"
    theme = Theme.objects.get()
    assert (theme.unit_id, theme.name, theme.description) == (a.pk, "Growth", "More")
    response = client.post(
        f"/setup/themes/{theme.pk}/edit/", {"unit": a1.pk, "name": "Growth fast"}
    )
    assert response.status_code == 302 and response["Location"] == "/setup/#unit-A1"
    theme.refresh_from_db()
    assert (theme.unit_id, theme.name) == (a1.pk, "Growth fast")
    response = client.post(f"/setup/themes/{theme.pk}/delete/")
    assert response.status_code == 302
    assert not Theme.objects.exists()


def test_a_theme_refused_says_why(client, tree, staff):
    _ent, a, b, a1 = tree
    theme = f.ThemeFactory(unit=a, name="Growth")
    response = client.post("/setup/units/A/themes/new/", {"name": "Growth"})
    assert response.status_code == 400
    assert "This unit already has a theme of that name." in errors(response)
    f.ObjectiveFactory(unit=a1, code="T1", theme=theme)
    response = client.post(f"/setup/themes/{theme.pk}/edit/", {"unit": b.pk, "name": "Growth"})
    assert response.status_code == 400
    assert "A1.T1 use this theme and are not in B or below it." in errors(response)
    response = client.post(f"/setup/themes/{theme.pk}/delete/")
    assert response.status_code == 400
    assert "cannot be deleted: 1 objective" in errors(response)
    theme.refresh_from_db()
    assert theme.unit_id == a.pk


def test_a_unit_head_keeps_the_themes_of_his_subtree_only(client, tree):
    _ent, a, b, a1 = tree
    head = f.UserFactory(roles=[UNIT_HEAD])
    a.head = head
    a.save()
    client.force_login(head)
    assert client.get("/setup/").status_code == 403
    response = client.post("/setup/units/A1/themes/new/", {"name": "Local"})
    assert response.status_code == 302 and response["Location"] == "/units/A1/cascade/"
    theme = Theme.objects.get(name="Local")
    html = client.get(f"/setup/themes/{theme.pk}/edit/").content.decode()
    units = {int(pk) for pk in re.findall(r'<option value="(\d+)"', html)}
    assert units == {a.pk, a1.pk}  # only where he may keep themes
    assert client.post("/setup/units/B/themes/new/", {"name": "Theirs"}).status_code == 403
    other = f.ThemeFactory(unit=b, name="Theirs")
    assert client.post(f"/setup/themes/{other.pk}/delete/").status_code == 403
    response = client.post(f"/setup/themes/{theme.pk}/edit/", {"unit": b.pk, "name": "Local"})
    assert response.status_code == 400  # B is not offered
    assert Theme.objects.get(pk=theme.pk).unit_id == a1.pk
