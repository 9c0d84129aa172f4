"""The initiative form's objectives box searches the server (`/initiatives/objectives/
search/?unit=&q=`): at the enterprise 4,000 objectives are within reach at scale, too many
to write into the form."""

import pytest

from core.roles import UNIT_HEAD
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    InitiativeFactory,
    ObjectiveFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = "/initiatives/objectives/search/"


@pytest.fixture
def tree():
    top = EnterpriseFactory(code="TOP")
    sales = DepartmentFactory(code="SALES", parent=top)
    ops = DepartmentFactory(code="OPS", parent=top)
    return {
        "top": top,
        "sales": sales,
        "ops": ops,
        "grow": ObjectiveFactory(unit=top, code="GROW", name="Grow revenue"),
        "sell": ObjectiveFactory(unit=sales, code="SELL", name="Sell more"),
        "lean": ObjectiveFactory(unit=ops, code="LEAN", name="Run lean"),
    }


def texts(response):
    return [r["text"] for r in response.json()["results"]]


def test_the_reach_of_the_unit_chosen(client, tree):
    client.force_login(UserFactory(roles=["Employee"]))
    # SALES reaches itself and the units above (TOP), not its sibling OPS
    assert texts(client.get(URL, {"unit": tree["sales"].pk})) == [
        "SALES.SELL Sell more",
        "TOP.GROW Grow revenue",
    ]
    # TOP reaches everything below it
    assert texts(client.get(URL, {"unit": tree["top"].pk, "q": "lean"})) == ["OPS.LEAN Run lean"]


def test_without_a_unit_the_reach_of_the_units_the_user_may_launch_in(client, tree):
    head = UserFactory(roles=[UNIT_HEAD])
    tree["ops"].head = head
    tree["ops"].save()
    client.force_login(head)
    # the head of OPS may launch initiatives in OPS only: OPS and TOP are within reach
    assert texts(client.get(URL)) == ["OPS.LEAN Run lean", "TOP.GROW Grow revenue"]


def test_bad_input(client, tree):
    assert client.get(URL).status_code == 302  # signed out
    client.force_login(UserFactory(roles=["Employee"]))
    bad = client.get(URL, {"unit": "x"})
    assert bad.status_code == 400 and bad.json() == {"unit": ["Not a unit."]}
    assert client.get(URL, {"unit": 99999}).status_code == 404
    assert client.post(URL).status_code == 405
    client.force_login(UserFactory())  # no role
    assert client.get(URL, {"unit": tree["top"].pk}).status_code == 403


def test_the_form_writes_the_chosen_objectives_only(client, tree):
    initiative = InitiativeFactory(unit=tree["sales"], objectives=[tree["sell"]])
    client.force_login(UserFactory(is_superuser=True))

    page = client.get(f"/initiatives/{initiative.pk}/edit/").content.decode()

    start = page.index('name="objectives"')
    select = page[start : page.index("</select>", start)]
    assert select.count("<option") == 1 and "SALES.SELL Sell more" in select
    assert f'data-search-url="{URL}?unit={tree["sales"].pk}"' in select
