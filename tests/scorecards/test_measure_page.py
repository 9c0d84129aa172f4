"""The measure page: chart, table, and data entry (owners, unit heads, OSM staff)."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from scorecards import services
from scorecards.models import MeasureValue
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world():
    ent = f.EnterpriseFactory(code="ACME")
    head = f.UserFactory(roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", parent=ent, head=head)
    other = f.OrgUnitFactory(code="OTHER", parent=ent, head=f.UserFactory(roles=[UNIT_HEAD]))
    owner = f.UserFactory(roles=[MEASURE_OWNER])
    objective = f.ObjectiveFactory(unit=bu, code="SELL", name="Sell more")
    measure = f.MeasureFactory(
        objective=objective, code="REV", name="Revenue", unit_label="kEUR", owner=owner
    )
    # September 95 against target 100 and the default red flag 100 - 10% = 90: yellow, score
    # 10/3 + (95 - 90) / (100 - 90) * 10/3 = 5.00; October 100: green, 6.67.
    for period, actual in ((dt.date(2026, 9, 1), 95), (dt.date(2026, 10, 1), 100)):
        services.measure_value_record(
            measure=measure, period=period, actual=Decimal(actual), target=Decimal(100), actor=None
        )
    return {"bu": bu, "other": other, "head": head, "owner": owner, "measure": measure}


def login(client, user):
    client.force_login(user)
    return client


def test_the_page_shows_the_chart_and_every_period(client, world):
    measure = world["measure"]
    html = login(client, world["owner"]).get(f"/measures/{measure.pk}/").content.decode()
    data = json.loads(re.search(r'<script id="history" type="application/json">(.*?)</script>',
                                html, re.S)[1])  # fmt: skip
    target, red_flag, actual = data["data"]
    assert actual["y"] == [95, 100] and target["y"] == [100, 100] and red_flag["y"] == [90, 90]
    assert "6.67" in html and "5.00" in html  # October's and September's scores
    # the actual went up from 95 to 100 on a higher-is-better measure
    better = '<span aria-hidden="true">▲</span><span class="visually-hidden">up,</span> better'
    assert better in html
    assert html.index("Oct 2026") < html.index("Sep 2026")  # newest first
    assert "(default)" in html  # the red flag 90 is the default
    assert 'id="value-form"' in html  # the owner may enter
    # 27 Nov: October (due 10 Nov) is in; November is due 10 Dec: the form offers it.
    assert 'value="2026-11"' in html


@pytest.mark.parametrize(
    ("who", "may_enter"),
    [
        ("owner", True),
        ("head", True),
        ("staff", True),
        ("other_head", False),
        ("executive", False),
        ("hr", False),
        ("employee", False),
        ("other_owner", False),
    ],
)
def test_who_may_enter(client, world, who, may_enter):
    users = {
        "owner": world["owner"],
        "head": world["head"],
        "staff": f.UserFactory(roles=[OSM_STAFF]),
        "other_head": world["other"].head,
        "executive": f.UserFactory(roles=[EXECUTIVE]),
        "hr": f.UserFactory(roles=[HR]),
        "employee": f.UserFactory(roles=[EMPLOYEE]),
        "other_owner": f.UserFactory(roles=[MEASURE_OWNER]),
    }
    measure = world["measure"]
    login(client, users[who])
    page = client.get(f"/measures/{measure.pk}/")
    assert page.status_code == 200
    assert ('id="value-form"' in page.content.decode()) is may_enter
    response = client.post(
        f"/measures/{measure.pk}/", {"period": "2026-11", "actual": "120", "target": "100"}
    )
    assert response.status_code == (302 if may_enter else 403)
    stored = MeasureValue.objects.filter(measure=measure, period=dt.date(2026, 11, 1))
    assert stored.exists() is may_enter


def test_no_role_is_403(client, world):
    login(client, f.UserFactory())
    assert client.get(f"/measures/{world['measure'].pk}/").status_code == 403


def test_entering_a_value_changes_the_status(client, world):
    measure = world["measure"]
    login(client, world["head"])  # the head sets November's target
    client.post(f"/measures/{measure.pk}/", {"period": "2026-11", "target": "100"})
    login(client, world["owner"])
    # November 120 against 100: green. Score 10/3 + (120 - 90) / 10 * 10/3 = 13.33 -> 10.
    response = client.post(
        f"/measures/{measure.pk}/", {"period": "2026-11", "actual": "120", "note": ""}, follow=True
    )
    html = response.content.decode()
    assert "REV, Nov 2026: actual set to 120; status No data → On target." in html
    value = MeasureValue.objects.get(measure=measure, period=dt.date(2026, 11, 1))
    assert (value.actual, value.target, value.entered_by) == (120, 100, world["owner"])


def test_the_owner_enters_actuals_and_notes_and_the_heads_set_targets(client, world):
    # The owner's form has no target or red flag (a target posted anyway is not read), and
    # says who sets them; the head's form has both.
    measure = world["measure"]
    login(client, world["owner"])
    form = client.get(f"/measures/{measure.pk}/").context["form"]
    assert set(form.fields) == {"period", "actual", "note"}
    client.post(f"/measures/{measure.pk}/", {"period": "2026-11", "actual": "95", "target": "0"})
    assert MeasureValue.objects.get(period=dt.date(2026, 11, 1)).target is None
    login(client, world["head"])
    assert {"target", "red_flag"} <= set(
        client.get(f"/measures/{measure.pk}/").context["form"].fields
    )


def test_a_red_value_needs_a_note(client, world):
    measure = world["measure"]
    services.measure_value_record(measure=measure, period=dt.date(2026, 11, 1),
                                  target=Decimal(100), actor=None)  # fmt: skip
    login(client, world["owner"])
    # 80 against target 100 and the default red flag 90: red.
    response = client.post(f"/measures/{measure.pk}/", {"period": "2026-11", "actual": "80"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This value is off target: say in the note why" in html
    assert MeasureValue.objects.get(period=dt.date(2026, 11, 1)).actual is None
    response = client.post(
        f"/measures/{measure.pk}/",
        {"period": "2026-11", "actual": "80", "note": "Strike at the plant"},
        follow=True,
    )
    assert (
        "REV, Nov 2026: actual set to 80, note added; status No data → Off target."
        in response.content.decode()
    )
    assert MeasureValue.objects.get(period=dt.date(2026, 11, 1)).note == "Strike at the plant"


def test_correcting_keeps_one_row_and_says_so(client, world):
    measure = world["measure"]
    login(client, world["head"])
    response = client.post(
        f"/measures/{measure.pk}/",
        {"period": "2026-10", "actual": "101", "target": "100"},
        follow=True,
    )
    # October was 100 against 100: on target before and after.
    assert "REV, Oct 2026: actual 100 → 101; status On target, unchanged." in (
        response.content.decode()
    )
    assert MeasureValue.objects.get(measure=measure, period=dt.date(2026, 10, 1)).actual == 101
    assert MeasureValue.objects.filter(measure=measure).count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"period": "2026-13"}, "period", "is not a valid date"),
        ({"period": "soon"}, "period", "is not a period"),
        ({"period": "2026-Q4"}, "period", "names a quarter, and the measure is monthly"),
        ({"period": "2026-11-15"}, "period", "starts on the first day of a month"),
        ({"period": "2026-11", "actual": "lots"}, "actual", "'lots' is not a number."),
        # a red flag above the target of a higher-is-better measure
        ({"period": "2026-11", "target": "100", "red_flag": "110"}, "red_flag", "red flag"),
    ],
)
def test_bad_input_is_shown_next_to_the_field(client, world, data, field, message):
    measure = world["measure"]
    login(client, world["head"])
    response = client.post(f"/measures/{measure.pk}/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert MeasureValue.objects.filter(measure=measure).count() == 2


def test_the_form_of_a_period_with_htmx(client, world):
    measure = world["measure"]
    login(client, world["owner"])
    response = client.get(f"/measures/{measure.pk}/?period=2026-09", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="value-form"')  # only the form
    assert 'value="95' in html and 'value="2026-09"' in html


def test_a_calculated_measure_takes_no_actual(client, world):
    measure = world["measure"]
    calc = f.MeasureFactory(objective=measure.objective, code="DOUBLE", formula="REV * 2")
    login(client, f.UserFactory(roles=[OSM_STAFF]))
    html = client.get(f"/measures/{calc.pk}/").content.decode()
    assert 'name="actual"' not in html and "is computed" in html
    assert "190" in html and "200" in html  # 2 * 95 and 2 * 100


def test_removing_a_value(client, world):
    measure = world["measure"]
    login(client, world["owner"])  # owners enter and correct, they do not remove
    url = f"/measures/{measure.pk}/values/2026-09-01/delete/"
    assert client.post(url).status_code == 403
    login(client, world["head"])
    assert client.post(url).status_code == 302
    assert list(MeasureValue.objects.filter(measure=measure).values_list("period", flat=True)) == [
        dt.date(2026, 10, 1)
    ]
    assert client.post(url).status_code == 404  # already removed


def test_queries_do_not_grow_with_values(client, world):
    measure = world["measure"]
    login(client, world["owner"])
    url = f"/measures/{measure.pk}/"
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for k in range(24):
        f.MeasureValueFactory(
            measure=measure, period=dt.date(2024 + k // 12, k % 12 + 1, 1), actual=Decimal(k)
        )
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
