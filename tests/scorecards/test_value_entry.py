"""Entering a value on the measure's page as people type it: figures in their language,
periods as they write them, an emptied field that keeps the stored figure, a confirmation for
a figure far from the history, the Clear page, and a message saying exactly what changed.
Each test checks what is stored, not only what the page says."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.roles import EMPLOYEE, EXECUTIVE, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from scorecards import services
from scorecards.choices import Frequency
from scorecards.models import MeasureValue
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
D = Decimal
NOV, OCT = dt.date(2026, 11, 1), dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world():
    """OEE (a percentage, one decimal place) owned by `owner` in the unit `head` heads;
    October stored: 77.9 against 80, red flag 75 (Watch)."""
    head = f.UserFactory(roles=[UNIT_HEAD])
    unit = f.OrgUnitFactory(code="PLANT", parent=f.EnterpriseFactory(), head=head)
    owner = f.UserFactory(roles=[MEASURE_OWNER])
    oee = f.MeasureFactory(
        objective=f.ObjectiveFactory(unit=unit), code="OEE", name="Equipment effectiveness",
        unit_label="%", decimal_places=1, owner=owner,
    )  # fmt: skip
    f.MeasureValueFactory(measure=oee, period=OCT, actual=D("77.9"), target=D(80), red_flag=D(75))
    return {"oee": oee, "owner": owner, "head": head}


def url(world):
    return f"/measures/{world['oee'].pk}/"


def stored(world, period=OCT):
    return MeasureValue.objects.filter(measure=world["oee"], period=period).first()


def post(client, world, language=None, **data):
    """Post the value form; with `language`, as a browser set to it would (the header picks
    it once LocaleMiddleware is on; the override does until then)."""
    if language is None:
        return client.post(url(world), data)
    with translation.override(language):
        return client.post(url(world), data, headers={"Accept-Language": language})


def get_in(client, path, language):
    with translation.override(language):
        return client.get(path, headers={"Accept-Language": language})


def field_errors(response, name):
    return " ".join(response.context["form"].errors.get(name, []))


# Figures in the person's language -----------------------------------------------------------


def test_a_decimal_comma_in_english_is_refused_and_nothing_changes(client, world):
    client.force_login(world["owner"])
    response = post(client, world, period="2026-10", actual="79,2", target="80")
    assert response.status_code == 400
    assert field_errors(response, "actual") == (
        "Write 79.2 for a decimal; a comma separates thousands, as in 12,500."
    )
    assert stored(world).actual == D("77.9")  # not 792, not anything else


def test_a_decimal_comma_in_french_is_the_decimal(client, world):
    client.force_login(world["owner"])
    response = post(client, world, "fr", period="2026-10", actual="79,2", target="80")
    assert response.status_code == 302, response.context["form"].errors
    assert stored(world).actual == D("79.2")


def test_a_decimal_point_in_french_is_refused(client, world):
    client.force_login(world["owner"])
    response = post(client, world, "fr", period="2026-10", actual="79.2")
    assert response.status_code == 400
    assert "Écrivez 79,2 pour un nombre décimal" in field_errors(response, "actual")
    assert stored(world).actual == D("77.9")


@pytest.mark.parametrize("typed", ["lots", "79.2.1", "1e2", "NaN", "79,2%"])
def test_text_is_refused_and_nothing_changes(client, world, typed):
    client.force_login(world["owner"])
    response = post(client, world, period="2026-10", actual=typed, note="x")
    assert response.status_code == 400
    assert field_errors(response, "actual")
    value = stored(world)
    assert (value.actual, value.note) == (D("77.9"), "")


def test_out_of_range_and_too_many_places_are_field_errors(client, world):
    client.force_login(world["owner"])
    response = post(client, world, period="2026-10", actual="779")
    assert field_errors(response, "actual") == (
        "OEE takes values from 0 to 100: 779 is outside that range."
    )
    response = post(client, world, period="2026-10", actual="77.95")
    assert field_errors(response, "actual") == "OEE is written with 1 decimal place: 77.95 has 2."
    assert stored(world).actual == D("77.9")


def test_the_form_shows_stored_figures_without_trailing_zeros(client, world):
    client.force_login(world["owner"])
    html = client.get(url(world) + "?period=2026-10").content.decode()
    actual = re.search(r'<input type="text" name="actual"[^>]*>', html)[0]
    assert 'value="77.9"' in actual and 'inputmode="decimal"' in actual
    assert "77.900000" not in html
    html = get_in(client, url(world) + "?period=2026-10", "fr").content.decode()
    assert 'value="77,9"' in html


# An empty field keeps the stored figure -------------------------------------------------------


def test_an_emptied_actual_keeps_the_stored_one(client, world):
    client.force_login(world["owner"])
    response = post(client, world, period="2026-10", actual="", target="", red_flag="", note="ok")
    assert response.status_code == 302
    value = stored(world)
    assert (value.actual, value.target, value.red_flag, value.note) == (
        D("77.9"), D(80), D(75), "ok",
    )  # fmt: skip
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["OEE, Oct 2026: note added; status Watch, unchanged."]


def test_nothing_changed_says_so(client, world):
    client.force_login(world["owner"])
    response = post(client, world, period="2026-10", actual="77.90", target="80")
    assert [str(m) for m in response.wsgi_request._messages] == [
        "OEE, Oct 2026: nothing changed; the value is as it was stored."
    ]
    assert stored(world).history.count() == 1


def test_the_message_says_old_new_and_the_status(client, world):
    client.force_login(world["owner"])
    # 81.5 against 80: On target (was 77.9, Watch: between the red flag 75 and 80).
    response = post(client, world, period="2026-10", actual="81.5")
    assert [str(m) for m in response.wsgi_request._messages] == [
        "OEE, Oct 2026: actual 77.9 → 81.5; status Watch → On target."
    ]
    assert stored(world).actual == D("81.5")


# Periods as people type them -------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["Nov 2026", "November 2026", "11/2026", "2026-11", "nov. 2026"])
def test_a_month_typed_as_people_write_it(client, world, typed):
    client.force_login(world["owner"])
    response = post(client, world, period=typed, actual="78", target="80")
    assert response.status_code == 302, response.context["form"].errors
    assert stored(world, NOV).actual == D(78)
    assert response["Location"] == url(world) + "?period=2026-11"


def test_a_french_month_name(client, world):
    client.force_login(world["owner"])
    response = post(client, world, "fr", period="novembre 2026", actual="78", target="80")
    assert response.status_code == 302
    assert stored(world, NOV).actual == D(78)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("soon", "'soon' is not a period"),
        ("11/26", "'11/26' is not a period"),
        ("2026-Q4", "This names a quarter, and the measure is monthly: give a month."),
        ("2026-11-15", "A monthly period starts on the first day of a month."),
    ],
)
def test_an_unreadable_period_is_a_field_error(client, world, typed, message):
    client.force_login(world["owner"])
    response = post(client, world, period=typed, actual="78")
    assert response.status_code == 400
    assert message in field_errors(response, "period")
    html = response.content.decode()
    assert f'value="{typed}"' in html  # kept as typed, never wiped
    assert MeasureValue.objects.count() == 1


def test_a_quarterly_measure_takes_quarters(client, world):
    world["oee"].frequency = Frequency.QUARTERLY
    world["oee"].save()
    MeasureValue.objects.all().delete()
    client.force_login(world["owner"])
    assert post(client, world, period="Q3 2026", actual="78").status_code == 302
    assert post(client, world, period="2026-Q2", actual="77").status_code == 302
    assert sorted(MeasureValue.objects.values_list("period", "actual")) == [
        (dt.date(2026, 4, 1), D(77)),
        (dt.date(2026, 7, 1), D(78)),
    ]
    html = client.get(url(world) + "?period=Q3 2026").content.decode()
    assert 'value="2026-Q3"' in html and 'value="78"' in html
    assert '<option value="2026-Q4">' in html  # the picker's list


def test_the_period_loaded_with_htmx_as_typed(client, world):
    client.force_login(world["owner"])
    response = client.get(url(world), {"period": "Oct 2026"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="value-form"')
    assert 'value="2026-10"' in html and 'value="77.9"' in html
    response = client.get(url(world), {"period": "Oct 26"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200  # htmx swaps it in: the error shows, the text stays
    assert 'value="Oct 26"' in html and "is not a period" in html


def test_the_month_picker_is_offered_beside_the_text(client, world):
    client.force_login(world["owner"])
    html = client.get(url(world)).content.decode()
    assert re.search(r'<input type="month" data-period-picker="id_period"', html)
    assert "js/period-picker.js" in html


# Figures far from the history ----------------------------------------------------------------


@pytest.fixture
def long_history(world):
    """Six more months of OEE, actuals 75..80 (no targets): with October's 77.9 and 80 the
    history of November is 75, 76, 77, 78, 79, 80, 77.9, 80 and the target 80: median 78,
    deviations 3, 2, 1, 0, 1, 2, 0.1, 2, 2: MAD 2."""
    for k, actual in enumerate(range(75, 81), start=4):
        f.MeasureValueFactory(measure=world["oee"], period=dt.date(2026, k, 1),
                              actual=D(actual), target=None, red_flag=None)  # fmt: skip
    return world


def test_an_unusual_figure_asks_for_a_confirmation_then_saves(client, long_history):
    world = long_history
    client.force_login(world["owner"])
    # 99: z = 0.6745 * (99 - 78) / 2 = 7.08 > 6.
    response = post(client, world, period="2026-11", actual="99", target="80")
    assert response.status_code == 400
    html = response.content.decode()
    assert "far outside the usual range of OEE" in field_errors(response, "actual")
    assert 'name="confirm" value="actual=99"' in html and "Yes, save actual 99" in html
    assert stored(world, NOV) is None
    # A different figure with the old button is asked about again, not saved.
    response = post(client, world, period="2026-11", actual="98", target="80", confirm="actual=99")
    assert response.status_code == 400 and stored(world, NOV) is None
    response = post(client, world, period="2026-11", actual="99", target="80", confirm="actual=99")
    assert response.status_code == 302
    assert stored(world, NOV).actual == D(99)


# Who may enter ------------------------------------------------------------------------------


def test_others_may_not_post(client, world):
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    assert post(client, world, period="2026-10", actual="1").status_code == 403
    assert stored(world).actual == D("77.9")


# Clearing -----------------------------------------------------------------------------------


def clear_url(world, period="2026-10-01"):
    return f"/measures/{world['oee'].pk}/values/{period}/clear/"


def test_clearing_an_actual_asks_then_clears_and_keeps_history(client, world):
    client.force_login(world["owner"])
    page = client.get(clear_url(world))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Clear figures of OEE for Oct 2026" in html
    assert re.search(r'value="actual"[^>]*checked', html)  # the actual, unless told
    assert "Actual (77.9)" in html and "Target (80)" in html
    assert stored(world).actual == D("77.9")  # asking clears nothing
    response = client.post(clear_url(world), {"fields_to_clear": ["actual"]})
    assert response.status_code == 302
    assert response["Location"] == url(world) + "?period=2026-10"
    value = stored(world)
    assert (value.actual, value.target) == (None, D(80))
    assert [str(m) for m in response.wsgi_request._messages] == [
        "OEE, Oct 2026: actual 77.9 cleared; status Watch → No data."
    ]
    assert [h.actual for h in value.history.order_by("history_id")] == [D("77.9"), None]
    assert value.history.latest("history_id").history_user == world["owner"]


def test_clearing_needs_a_choice(client, world):
    client.force_login(world["owner"])
    response = client.post(clear_url(world), {})
    assert response.status_code == 400
    assert stored(world).actual == D("77.9")


@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("head", 200), ("staff", 200), ("executive", 403), ("employee", 403),
     ("other_owner", 403)],
)  # fmt: skip
def test_who_may_clear(client, world, who, status):
    users = {
        "owner": world["owner"],
        "head": world["head"],
        "staff": f.UserFactory(roles=[OSM_STAFF]),
        "executive": f.UserFactory(roles=[EXECUTIVE]),
        "employee": f.UserFactory(roles=[EMPLOYEE]),
        "other_owner": f.UserFactory(roles=[MEASURE_OWNER]),
    }
    client.force_login(users[who])
    assert client.get(clear_url(world)).status_code == status
    response = client.post(clear_url(world), {"fields_to_clear": ["actual"]})
    assert response.status_code == (302 if status == 200 else 403)
    assert (stored(world).actual is None) is (status == 200)


def test_clearing_a_period_without_a_value_is_404(client, world):
    client.force_login(world["owner"])
    assert client.get(clear_url(world, "2026-09-01")).status_code == 404
    assert client.get(clear_url(world, "soon")).status_code == 404


def test_the_table_offers_clear_for_stored_figures(client, world):
    client.force_login(world["owner"])
    html = client.get(url(world)).content.decode()
    assert f'href="{clear_url(world)}"' in html
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    assert "/clear/" not in client.get(url(world)).content.decode()


def test_the_clear_page_queries_do_not_grow_with_values(client, world):
    client.force_login(world["owner"])
    client.get(clear_url(world))
    with CaptureQueriesContext(connection) as small:
        assert client.get(clear_url(world)).status_code == 200
    for k in range(24):
        services.measure_value_record(
            measure=world["oee"], period=dt.date(2024 + k // 12, k % 12 + 1, 1), actual=D(k),
            actor=None,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as large:
        assert client.get(clear_url(world)).status_code == 200
    assert len(large) == len(small)
