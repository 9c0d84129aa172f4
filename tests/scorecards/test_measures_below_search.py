"""The rollup sources box searches the measures of the units below on the server
(`/units/<code>/measures-below/?q=`): too many to write into the form at scale."""

import pytest

from scorecards.choices import Rollup
from tests.factories import (
    DepartmentFactory,
    EnterpriseFactory,
    MeasureFactory,
    ObjectiveFactory,
    RollupSourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    top = EnterpriseFactory(code="TOP")
    sales = DepartmentFactory(code="SALES", parent=top)
    return top, sales


def url(code):
    return f"/units/{code}/measures-below/"


def test_measures_of_the_units_below_matching_every_word(client, tree):
    top, sales = tree
    own = MeasureFactory(objective=ObjectiveFactory(unit=top), code="REV", name="Revenue")
    below = MeasureFactory(objective=ObjectiveFactory(unit=sales), code="REV", name="Revenue")
    MeasureFactory(objective=ObjectiveFactory(unit=sales), code="COST", name="Cost")
    client.force_login(UserFactory(roles=["Employee"]))

    results = client.get(url("TOP"), {"q": "revenue"}).json()["results"]

    # the enterprise's own REV is not below it; SALES.COST does not say "revenue"
    assert results == [{"value": below.pk, "text": "SALES.REV Revenue"}]
    assert own.pk not in [r["value"] for r in results]
    dotted = client.get(url("TOP"), {"q": "sales.co"}).json()["results"]
    assert [r["text"] for r in dotted] == ["SALES.COST Cost"]


def test_a_unit_with_nothing_below_finds_nothing(client, tree):
    _top, sales = tree
    MeasureFactory(objective=ObjectiveFactory(unit=sales))
    client.force_login(UserFactory(roles=["Employee"]))
    assert client.get(url("SALES"), {"q": ""}).json() == {"results": []}


def test_signed_out_unknown_unit_and_post(client, tree):
    assert client.get(url("TOP")).status_code == 302
    client.force_login(UserFactory(roles=["Employee"]))
    assert client.get(url("NOPE")).status_code == 404
    assert client.post(url("TOP")).status_code == 405


def test_a_user_with_no_role_may_not_search(client, tree):
    client.force_login(UserFactory())
    assert client.get(url("TOP")).status_code == 403


def test_the_measure_form_writes_the_chosen_sources_only(client, tree):
    top, sales = tree
    rollup = MeasureFactory(objective=ObjectiveFactory(unit=top), code="ALL", rollup=Rollup.SUM)
    chosen = MeasureFactory(objective=ObjectiveFactory(unit=sales), code="A1", name="Chosen")
    MeasureFactory.create_batch(3, objective=ObjectiveFactory(unit=sales))
    RollupSourceFactory(rollup_measure=rollup, source=chosen)
    client.force_login(UserFactory(is_superuser=True))

    page = client.get(f"/measures/{rollup.pk}/edit/").content.decode()

    start = page.index('name="sources"')
    select = page[start : page.index("</select>", start)]
    assert select.count("<option") == 1 and "SALES.A1 Chosen" in select
    assert 'data-search-url="/units/TOP/measures-below/"' in select
