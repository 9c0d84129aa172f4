"""The portfolio's filters (shared by the page and the API) and the reach of objectives
that the forms offer."""

import datetime as dt

import pytest

from initiatives.filters import InitiativePortfolioFilter
from initiatives.models import Initiative
from initiatives.selectors import objectives_within_reach, reach_unit_ids
from tests import factories as f
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def codes(params) -> list[str]:
    filters = InitiativePortfolioFilter(params, queryset=Initiative.objects.order_by("code"))
    assert filters.is_valid(), filters.errors
    return [i.code for i in filters.qs]


@pytest.fixture
def spans():
    """Initiatives of B1 (and below) and B2, running over various spans."""
    tree = f.four_level_tree()
    for code, unit, start, end in [
        ("IN2026", tree.b1, dt.date(2026, 3, 1), dt.date(2026, 6, 30)),
        ("ENDS_ON_FIRST", tree.d1, dt.date(2025, 1, 1), dt.date(2026, 1, 1)),
        ("STARTS_ON_LAST", tree.t1, dt.date(2026, 12, 31), dt.date(2027, 6, 30)),
        ("ENDED_BEFORE", tree.b2, dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("STARTS_AFTER", tree.b2, dt.date(2027, 1, 1), None),
        ("OPEN_SINCE_2024", tree.d2, dt.date(2024, 5, 1), None),
    ]:
        f.InitiativeFactory(unit=unit, code=code, start=start, end=end)
    return tree


def test_running_during_a_fiscal_year(spans, settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    # 2026-01-01..2026-12-31: start <= 2026-12-31 and (no end or end >= 2026-01-01)
    assert codes({"fiscal_year": "2026"}) == [
        "ENDS_ON_FIRST", "IN2026", "OPEN_SINCE_2024", "STARTS_ON_LAST",
    ]  # fmt: skip
    # a fiscal year from July: FY2026 is 2026-07-01..2027-06-30
    settings.FISCAL_YEAR_START_MONTH = 7
    assert codes({"fiscal_year": "2026"}) == ["OPEN_SINCE_2024", "STARTS_AFTER", "STARTS_ON_LAST"]


def test_the_unit_and_its_subtree(spans):
    assert codes({"subtree": spans.b1.pk}) == ["ENDS_ON_FIRST", "IN2026", "STARTS_ON_LAST"]
    assert codes({"subtree": spans.d1.pk}) == ["ENDS_ON_FIRST", "STARTS_ON_LAST"]
    assert codes({"subtree": spans.b2.pk, "fiscal_year": "2026"}) == ["OPEN_SINCE_2024"]


def test_the_api_shares_the_filters(spans, settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    client = client_for(f.UserFactory(roles=["Executive"]))

    def api_codes(**params):
        response = client.get("/api/v1/initiatives/", {**params, "ordering": "code"})
        assert response.status_code == 200, response.json()
        return [row["code"] for row in response.json()["results"]]

    assert api_codes(subtree=spans.b1.pk) == ["ENDS_ON_FIRST", "IN2026", "STARTS_ON_LAST"]
    assert api_codes(fiscal_year=2026, subtree=spans.b2.pk) == ["OPEN_SINCE_2024"]
    assert api_codes(unit=spans.b1.pk) == ["IN2026"]  # the API's own: that unit only
    response = client.get("/api/v1/initiatives/", {"fiscal_year": "next"})
    assert response.status_code == 400
    assert response.json()["fiscal_year"] == ["Enter a year such as 2026."]


def test_reach_of_units():
    t = f.four_level_tree()
    # D1: itself, T1 below, B1 and ENT above; not B2, D2, S1
    assert reach_unit_ids([t.d1.pk]) == {t.d1.pk, t.t1.pk, t.b1.pk, t.ent.pk}
    # B1's subtree (B1, D1, T1) as a unit head's: the same units
    assert reach_unit_ids([t.b1.pk, t.d1.pk, t.t1.pk]) == {t.b1.pk, t.d1.pk, t.t1.pk, t.ent.pk}
    # two branches: T1 and D2 reach their own chains
    assert reach_unit_ids([t.t1.pk, t.d2.pk]) == {
        t.t1.pk, t.d1.pk, t.b1.pk, t.d2.pk, t.b2.pk, t.ent.pk,
    }  # fmt: skip
    assert reach_unit_ids([]) == set()
    mine = f.ObjectiveFactory(unit=t.d1, code="MINE")
    above = f.ObjectiveFactory(unit=t.ent, code="TOP")
    f.ObjectiveFactory(unit=t.s1, code="BESIDE")
    assert list(objectives_within_reach([t.d1.pk])) == [mine, above]  # by unit code: D1, ENT
