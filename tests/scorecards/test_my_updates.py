"""My updates: what each person owes and when it is due."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import EMPLOYEE, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from scorecards.models import Measure
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/my/updates/"


@pytest.fixture(autouse=True)
def frozen(settings):
    settings.MEASURE_DUE_DAYS = 10
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC), tick=False):
        yield


def measure_of(owner, unit, code):
    measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=unit), code=code, owner=owner)
    # Created on 20 Oct: only October (due 10 Nov, overdue) and November (due 10 Dec) count.
    Measure.objects.filter(pk=measure.pk).update(
        created_at=dt.datetime(2026, 10, 20, tzinfo=dt.UTC)
    )
    return measure


@pytest.fixture
def world():
    ent = f.EnterpriseFactory(code="ACME")
    head = f.UserFactory(roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", parent=ent, head=head)
    ann = f.UserFactory(roles=[MEASURE_OWNER], first_name="Ann", last_name="Lee")
    bob = f.UserFactory(roles=[MEASURE_OWNER], first_name="Bob", last_name="Roe")
    rev = measure_of(ann, bu, "REV")
    measure_of(bob, bu, "COST")
    measure_of(bob, f.OrgUnitFactory(code="ELSE", parent=ent), "FAR")
    return {"head": head, "ann": ann, "bob": bob, "rev": rev}


def test_an_owner_sees_what_he_owes(client, world):
    client.force_login(world["ann"])
    response = client.get(URL)
    assert response.status_code == 200
    overdue, upcoming = response.context["overdue"], response.context["upcoming"]
    # October was due 31 Oct + 10 = 10 Nov: 17 days late; November is due 10 Dec, in 13 days.
    assert [(o.measure_code, o.period, o.days) for o in overdue] == [
        ("REV", dt.date(2026, 10, 1), 17)
    ]
    assert [(o.measure_code, o.period, o.days) for o in upcoming] == [
        ("REV", dt.date(2026, 11, 1), 13)
    ]
    html = response.content.decode()
    assert f"/measures/{world['rev'].pk}/?period=2026-10#value-form" in html
    assert "Owed in your units" not in html


def test_entering_the_value_clears_it(client, world):
    f.MeasureValueFactory(
        measure=world["rev"], period=dt.date(2026, 10, 1), actual=Decimal(1), red_flag=None
    )
    client.force_login(world["ann"])
    assert client.get(URL).context["overdue"] == []


def test_a_unit_head_sees_each_owner_of_his_units(client, world):
    client.force_login(world["head"])
    owners = client.get(URL).context["owners"]
    # BU's owners only: Ann (REV) and Bob (COST, not FAR of ELSE); one overdue each.
    rows = {(o["owner"].first_name, o["overdue"], tuple(o["units"])) for o in owners}
    assert rows == {("Ann", 1, ("BU",)), ("Bob", 1, ("BU",))}


def test_osm_staff_see_every_owner(client, world):
    client.force_login(f.UserFactory(roles=[OSM_STAFF]))
    owners = {o["owner"].first_name: o for o in client.get(URL).context["owners"]}
    assert owners["Bob"]["overdue"] == 2 and owners["Bob"]["units"] == ["BU", "ELSE"]


def test_roles(client, world):
    client.force_login(f.UserFactory(roles=[EMPLOYEE]))
    html = client.get(URL).content.decode()
    assert "Nothing overdue." in html and "You own no measure" in html
    client.force_login(f.UserFactory())
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page


def test_queries_do_not_grow_with_measures(client, world):
    client.force_login(world["head"])
    client.get(URL)  # warm-up
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for k in range(20):
        measure_of(world["ann"], world["rev"].unit, f"MORE{k}")
        measure_of(f.UserFactory(roles=[MEASURE_OWNER]), world["rev"].unit, f"NEW{k}")
    with CaptureQueriesContext(connection) as large:
        client.get(URL)
    assert len(large) == len(small)
