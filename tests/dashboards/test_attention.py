"""Red is visible from the top: every dashboard lists the red and yellow objectives of its
whole subtree, grouped by unit, each a link, with the owners' notes and counts by status.

The company (values of February 2026; today 20 March 2026; score = 10/3 + (a - r)/(g - r)
· 10/3, clamped to [0, 10]):

    ACME  GROW  no measure; supported by BU.SELL, so scored from it: 0 -> red
    └ BU  SELL  S: actual 70, target 100, red flag 90: 10/3 + (-20/10)·10/3 < 0 -> 0, red
      │         (the owner's note: "Two stores shut for works")
      │   KEEP  K: 95, 100, 90: 10/3 + (5/10)·10/3 = 5.00 -> yellow
      └ SHOP FLOOR F: 100, 100, 90 -> 6.67, green
             COST  C, lower is better: 130, target 100, red flag 120:
                   10/3 + (130-120)/(100-120)·10/3 = 10/3 - 5/3 = 1.67 -> red (no note)
    └ BU2 IDLE  no measure, nothing supports it -> no data

ACME and below: 3 red (GROW, SELL, COST), 1 yellow (KEEP), 1 green (FLOOR), 1 no data.
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import EXECUTIVE
from core.templatetags.osm_format import status_label
from scorecards import services
from scorecards.selectors.attention import cached_subtree_attention, subtree_attention
from tests import factories as f

pytestmark = pytest.mark.django_db
FEB = dt.date(2026, 2, 1)


@pytest.fixture(autouse=True)
def frozen(settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    settings.MEASURE_DUE_DAYS = 10
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC), tick=False):
        yield


def record(measure, actual, target, red_flag, note="", period=FEB):
    services.measure_value_record(
        measure=measure, period=period, actual=Decimal(actual), target=Decimal(target),
        red_flag=Decimal(red_flag), note=note, actor=None,
    )  # fmt: skip


@pytest.fixture
def company(client):
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    bu = f.OrgUnitFactory(code="BU", name="Retail", parent=ent)
    shop = f.DepartmentFactory(code="SHOP", name="Shops", parent=bu)
    bu2 = f.OrgUnitFactory(code="BU2", name="Services", parent=ent)
    grow = f.ObjectiveFactory(unit=ent, code="GROW", name="Grow")
    sell = f.ObjectiveFactory(unit=bu, code="SELL", name="Sell more", supports=[grow])
    keep = f.ObjectiveFactory(unit=bu, code="KEEP", name="Keep customers")
    floor = f.ObjectiveFactory(unit=shop, code="FLOOR", name="Floor ready")
    cost = f.ObjectiveFactory(unit=shop, code="COST", name="Cut cost")
    f.ObjectiveFactory(unit=bu2, code="IDLE", name="Idle")
    record(f.MeasureFactory(objective=sell, code="S", name="Sales"), 70, 100, 90,
           note="Two stores shut for works; they reopen in April.")  # fmt: skip
    record(f.MeasureFactory(objective=keep, code="K", name="Kept"), 95, 100, 90)
    record(f.MeasureFactory(objective=floor, code="F", name="Floor"), 100, 100, 90)
    cost_measure = f.MeasureFactory(
        objective=cost, code="C", name="Cost per store", polarity="decrease"
    )
    record(cost_measure, 130, 100, 120)
    return locals()


def test_the_selector_groups_the_subtree_by_unit(company):
    attention = subtree_attention(company["ent"])
    assert attention.counts == {"red": 3, "yellow": 1, "green": 1, "no_data": 1}
    assert [(u.code, u.depth, u.red, u.yellow) for u in attention.units] == [
        ("ACME", 0, 1, 0),
        ("BU", 1, 1, 1),
        ("SHOP", 2, 1, 0),
    ]  # BU2 has nothing red or yellow; red before yellow within a unit
    assert [[o.code for o in u.objectives] for u in attention.units] == [
        ["GROW"], ["SELL", "KEEP"], ["COST"]
    ]  # fmt: skip
    grow, sell, keep, cost = attention.objectives()
    assert grow.from_cascade and grow.measures == []  # its red is SELL's, listed under BU
    assert [(m.code, m.status, m.note) for m in sell.measures] == [
        ("S", "red", "Two stores shut for works; they reopen in April.")
    ]
    assert [(m.code, m.status) for m in keep.measures] == [("K", "yellow")]
    assert [(m.code, m.status, m.note, m.actual) for m in cost.measures] == [("C", "red", "", 130)]


def test_a_unit_below_sees_its_own_subtree(company):
    attention = subtree_attention(company["bu"])
    # SELL red, KEEP yellow, FLOOR green, COST red
    assert attention.counts == {"red": 2, "yellow": 1, "green": 1, "no_data": 0}
    assert [u.code for u in attention.units] == ["BU", "SHOP"]


def test_at_most_the_limit_is_listed_the_rest_counted(company):
    attention = subtree_attention(company["ent"], limit=2)
    assert [([o.code for o in u.objectives], u.unlisted) for u in attention.units] == [
        (["GROW"], 0), (["SELL"], 1), ([], 1)
    ]  # fmt: skip
    assert attention.unlisted == 2 and attention.red == 3  # the counts are all there
    assert [u.code for u in attention.listed_units] == ["ACME", "BU"]
    assert [u.code for u in attention.counted_units] == ["SHOP"]


def test_past_the_limit_the_page_counts_and_links(client, company, monkeypatch):
    monkeypatch.setattr("scorecards.selectors.attention.LIST_LIMIT", 2)
    html = client.get("/").content.decode()
    assert '1 more objective off target or to watch on <a href="/units/BU/">' in html
    assert (
        "Also off target or to watch, on their own dashboards:\n    "
        '<a href="/units/SHOP/">Shops</a> '
        '<span class="muted small">(1 off target, 0 to watch)</span>'
    ) in html
    assert "COST Cut cost" not in html.split("subtree-attention")[1]


def test_the_enterprise_dashboard_shows_every_red_below_it(client, company):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Needs attention" in html
    assert "(3 off target, 1 to watch in Acme and the units below it)" in html
    assert "Objectives of Acme and below" in html
    # each unit's group links to its dashboard, each objective and measure to its page
    assert '<a href="/units/SHOP/">Shops</a>' in html
    assert f'<a href="/objectives/{company["cost"].pk}/">COST Cut cost</a>' in html
    assert f'<a href="/objectives/{company["sell"].pk}/">SELL Sell more</a>' in html
    assert f'<a href="/measures/{company["cost_measure"].pk}/">C Cost per store</a>' in html
    # why SELL is red, in its owner's words; COST's value has no note, and it says so
    assert "<strong>Owner's note:</strong> Two stores shut for works; they reopen in April." in html
    assert "No note on this value." in html
    # the counts by status, each with its word
    for status, count in (("red", 3), ("yellow", 1), ("green", 1), ("no_data", 1)):
        assert f'status-{status}">{status_label(status)}</span> {count}</li>' in html


def test_the_month_chosen_is_kept_on_the_units_links(client, company):
    html = client.get("/units/BU/?as_of=2026-02").content.decode()
    assert '<a href="/units/SHOP/?as_of=2026-02">Shops</a>' in html
    assert "(2 off target, 1 to watch in Retail and the units below it)" in html


def test_year_to_date_is_scored_year_to_date(client, company):
    """KEEP's measure K averages: January 60 (target 100, red flag 90) and February 95.
    February alone is yellow (5.00); year to date, actual (60 + 95)/2 = 77.5, target 100,
    red flag 90: 10/3 + (-12.5/10)·10/3 < 0 -> 0, red."""
    keep_measure = company["keep"].measures.get()
    keep_measure.aggregation = "average"
    keep_measure.save()
    record(keep_measure, 60, 100, 90, note="Winter", period=dt.date(2026, 1, 1))
    month = subtree_attention(company["bu"], as_of=FEB)
    ytd = subtree_attention(company["bu"], as_of=FEB, ytd=True)
    assert month.counts["yellow"] == 1 and month.counts["red"] == 2
    assert ytd.counts["yellow"] == 0 and ytd.counts["red"] == 3
    html = client.get("/units/BU/?as_of=2026-02&ytd=1").content.decode()
    assert "(3 off target, 0 to watch in Retail and the units below it)" in html


def test_nothing_red_says_so(client):
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    ent = f.EnterpriseFactory(code="ACME", name="Acme")
    record(f.MeasureFactory(objective=f.ObjectiveFactory(unit=ent)), 100, 100, 90)
    html = client.get("/").content.decode()
    assert "No objective of Acme or of the units below it is off target or to watch." in html


def add_red_units(parent, count, tag):
    """`count` more units below `parent`, each with a red objective whose value has a note
    (and a yellow one), so the list, the notes and the counts all grow."""
    for i in range(count):
        unit = f.DepartmentFactory(code=f"{tag}{i}", parent=parent)
        red = f.ObjectiveFactory(unit=unit, code="RED")
        yellow = f.ObjectiveFactory(unit=unit, code="YEL")
        record(f.MeasureFactory(objective=red), 70, 100, 90, note=f"Why {i}")
        record(f.MeasureFactory(objective=yellow), 95, 100, 90)


@pytest.mark.parametrize("url", ["/", "/units/BU/", "/units/BU/?ytd=1"])
def test_queries_do_not_grow_with_the_subtree(client, company, url):
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as small:
        small_html = client.get(url).content.decode()
    add_red_units(company["bu"], 8, "X")
    add_red_units(company["shop"], 4, "Y")
    with CaptureQueriesContext(connection) as large:
        large_html = client.get(url).content.decode()
    assert large_html.count("<strong>Owner's note:</strong> Why") == 12  # all 12 listed
    assert small_html.count("<strong>Owner's note:</strong> Why") == 0
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_the_attention_list_is_cached_until_the_data_changes(company):
    """Near the root of a big company it scores every objective below: served from the
    cache while the data version stands (one query), computed again once a value moves."""
    cache.clear()
    ent = company["ent"]
    first = cached_subtree_attention(ent)
    with CaptureQueriesContext(connection) as cached:
        again = cached_subtree_attention(ent)
    assert again == first and len(cached) == 1  # the data version
    # KEEP's 95 becomes 100: on target, so one yellow less
    record(company["keep"].measures.get(), 100, 100, 90)
    assert cached_subtree_attention(ent).counts == {
        "red": 3, "yellow": 0, "green": 2, "no_data": 1
    }  # fmt: skip
    assert subtree_attention(ent) == cached_subtree_attention(ent)
