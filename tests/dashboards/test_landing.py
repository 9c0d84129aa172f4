"""Where each role lands after signing in: LOGIN_REDIRECT_URL is the routing page /start/,
which honours a safe `?next=` and otherwise sends each person to where the work is."""

import pytest
from django.core.cache import cache

from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "pw-long-enough-1"  # UserFactory's


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()  # login attempts are counted in the cache
    yield
    cache.clear()


@pytest.fixture
def tree():
    ent = f.EnterpriseFactory(code="ACME")
    bu = f.OrgUnitFactory(code="BU", parent=ent)
    bu2 = f.OrgUnitFactory(code="BU2", parent=ent)
    shop = f.DepartmentFactory(code="SHOP", parent=bu)
    return ent, bu, bu2, shop


def sign_in(client, user, next_url=None):
    """Sign in through the login form, as a person does; the page it leads to, after the
    routing page's redirect."""
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    if response["Location"] != "/start/":
        return response["Location"]
    landing = client.get("/start/")
    assert landing.status_code == 302
    return landing["Location"]


def test_signing_in_leads_to_the_routing_page(client, tree):
    user = f.UserFactory(roles=[EXECUTIVE])
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response["Location"] == "/start/"


@pytest.mark.parametrize("role", [OSM_STAFF, EXECUTIVE])
def test_staff_and_executives_land_on_the_top_dashboard(client, tree, role):
    assert sign_in(client, f.UserFactory(roles=[role])) == "/"


def test_a_superuser_lands_on_the_top_dashboard(client, tree):
    assert sign_in(client, f.UserFactory(is_superuser=True)) == "/"


def test_a_unit_head_lands_on_the_unit_he_heads(client, tree):
    _, bu, *_ = tree
    head = f.UserFactory(roles=[UNIT_HEAD, MEASURE_OWNER])  # heading comes first
    bu.head = head
    bu.save()
    assert sign_in(client, head) == "/units/BU/"


def test_a_head_of_several_lands_on_the_highest(client, tree):
    _, bu, bu2, shop = tree
    head = f.UserFactory(roles=[UNIT_HEAD])
    for unit in (shop, bu2, bu):  # SHOP is below BU; BU and BU2 are as high: BU by code
        unit.head = head
        unit.save()
    assert sign_in(client, head) == "/units/BU/"
    shop.head = bu.head = None  # only BU2 left
    shop.save()
    bu.save()
    client.logout()
    assert sign_in(client, head) == "/units/BU2/"


def test_the_head_of_the_enterprise_lands_on_the_top_dashboard(client, tree):
    ent, *_ = tree
    head = f.UserFactory(roles=[UNIT_HEAD])
    ent.head = head
    ent.save()
    assert sign_in(client, head) == "/"


def test_a_unit_head_heading_nothing_falls_through(client, tree):
    # the role without a unit: nothing to land on but the top dashboard
    assert sign_in(client, f.UserFactory(roles=[UNIT_HEAD])) == "/"


def test_a_measure_owner_lands_on_my_updates(client, tree):
    assert sign_in(client, f.UserFactory(roles=[MEASURE_OWNER])) == "/my/updates/"


def test_an_employee_who_owns_a_measure_sees_the_strategy_first(client, tree):
    """Everyone with an employee record lands on "My strategy" (issue 17: each person sees
    first the strategy as it concerns him or her), which links on to the work."""
    _, bu, *_ = tree
    user = f.UserFactory(roles=[EMPLOYEE])
    f.EmployeeFactory(user=user, unit=bu)
    f.MeasureFactory(objective=f.ObjectiveFactory(unit=bu), owner=user)
    assert sign_in(client, user) == "/my/strategy/"
    html = client.get("/my/strategy/").content.decode()
    assert '<a class="button" href="/my/updates/">Your work</a>' in html


@pytest.mark.parametrize("role", [OSM_STAFF, EXECUTIVE, HR])
def test_every_role_with_an_employee_record_sees_the_strategy_first(client, tree, role):
    _, bu, *_ = tree
    user = f.UserFactory(roles=[role])
    f.EmployeeFactory(user=user, unit=bu)
    assert sign_in(client, user) == "/my/strategy/"


def test_a_unit_head_with_an_employee_record_sees_the_strategy_first(client, tree):
    _, bu, *_ = tree
    head = f.UserFactory(roles=[UNIT_HEAD])
    f.EmployeeFactory(user=head, unit=bu)
    bu.head = head
    bu.save()
    assert sign_in(client, head) == "/my/strategy/"
    html = client.get("/my/strategy/").content.decode()
    assert '<a class="button" href="/units/BU/">Your work</a>' in html


def test_a_record_without_a_role_lands_on_the_top_dashboard(client, tree):
    # which tells him or her to ask for a role; "My strategy" would refuse (403)
    _, bu, *_ = tree
    user = f.UserFactory()
    f.EmployeeFactory(user=user, unit=bu)
    assert sign_in(client, user) == "/"


def test_hr_lands_on_the_people(client, tree):
    assert sign_in(client, f.UserFactory(roles=[HR])) == "/people/"


def test_an_employee_lands_on_the_strategy_as_it_concerns_her(client, tree):
    _, _, _, shop = tree
    user = f.UserFactory(roles=[EMPLOYEE])
    f.EmployeeFactory(user=user, unit=shop)
    assert sign_in(client, user) == "/my/strategy/"


def test_an_employee_without_a_record_lands_on_the_top_dashboard(client, tree):
    assert sign_in(client, f.UserFactory(roles=[EMPLOYEE])) == "/"


def test_next_is_respected(client, tree):
    user = f.UserFactory(roles=[MEASURE_OWNER])
    assert sign_in(client, user, next_url="/reviews/") == "/reviews/"


def test_the_routing_page_honours_a_safe_next_only(client, tree):
    client.force_login(f.UserFactory(roles=[HR]))
    assert client.get("/start/?next=/alignment/")["Location"] == "/alignment/"
    for unsafe in ("https://evil.example/", "//evil.example/x"):
        assert client.get("/start/", {"next": unsafe})["Location"] == "/people/"


def test_the_routing_page_needs_a_sign_in(client):
    response = client.get("/start/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
