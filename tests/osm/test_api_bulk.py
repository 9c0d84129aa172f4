"""POST /api/v1/measure-values/bulk/: JSON or CSV, upsert, all or nothing, row errors."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from core.roles import EXECUTIVE, MEASURE_OWNER, OSM_STAFF
from scorecards import services
from scorecards.choices import Frequency
from scorecards.models import Measure, MeasureValue
from scorecards.periods import add_months
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/api/v1/measure-values/bulk/"


NOT_A_PERIOD = (
    "'{}' is not a period: write 2026-10, Oct 2026 or 10/2026 (a quarter: 2026-Q1; a year: 2026 "
    "or FY2026)."
)


@pytest.fixture
def world():
    ent = f.EnterpriseFactory(code="ACME")
    unit = f.OrgUnitFactory(code="IND", parent=ent)
    objective = f.ObjectiveFactory(unit=unit)
    rev = f.MeasureFactory(objective=objective, code="REV")
    cogs = f.MeasureFactory(objective=objective, code="COGS")
    quarterly = f.MeasureFactory(objective=objective, code="Q", frequency=Frequency.QUARTERLY)
    margin = services.measure_create(
        actor=None,
        data={"objective": objective, "code": "GM", "name": "Margin", "formula": "REV - COGS"},
    )
    return {"rev": rev, "cogs": cogs, "quarterly": quarterly, "margin": margin}


@pytest.fixture
def staff():
    user = f.UserFactory(roles=[OSM_STAFF])
    client = APIClient()
    client.force_authenticate(user)
    return client, user


def post_csv(client, text, encoding="utf-8"):
    return client.post(URL, text.encode(encoding), content_type="text/csv")


def test_json_creates_then_updates(world, staff):
    client, user = staff
    rows = [
        {"measure": world["rev"].pk, "period": "2026-10", "actual": "120.5", "target": 100},
        {"measure_code": "IND.COGS", "period": "2026-10-01", "actual": 80, "note": "ok"},
    ]
    response = client.post(URL, rows, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    rev = MeasureValue.objects.get(measure=world["rev"])
    assert (rev.period, rev.actual, rev.target, rev.entered_by) == (
        dt.date(2026, 10, 1),
        Decimal("120.5"),
        Decimal("100"),
        user,
    )
    assert rev.history.count() == 1
    # again: upsert; a field left out keeps its value, null clears it
    again = [{"measure": world["rev"].pk, "period": "2026-10", "actual": None}]
    assert client.post(URL, again, format="json").json() == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
    }
    rev.refresh_from_db()
    assert (rev.actual, rev.target) == (None, Decimal("100"))
    assert rev.history.count() == 2


def test_csv_with_bom_blank_lines_and_month_periods(world, staff):
    client, _ = staff
    text = (
        "\ufeffmeasure_code,period,actual,target\n"
        "IND.REV,2026-09,11,12\n"  # the default red flag is 12 - 10% = 10.8: yellow
        "\n"
        ",,,\n"
        "IND.COGS,2026-09,7,\n"  # empty target: left as it is
    )
    response = post_csv(client, text)
    assert response.status_code == 200, response.json()
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert MeasureValue.objects.get(measure=world["cogs"]).target is None


def test_one_bad_row_writes_nothing_and_names_row_and_field(world, staff):
    client, _ = staff
    rows = [
        {"measure": world["rev"].pk, "period": "2026-10", "actual": 1},
        {"measure": world["rev"].pk, "period": "2026-11", "target": 100, "red_flag": 120},
    ]
    response = client.post(URL, rows, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "row": 2,
                "field": "red_flag",
                "message": "Higher is better for this measure, so the red flag must not be "
                "above the target (120 > 100).",
            }
        ]
    }
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize(
    "row,field,message",
    [
        ({"measure": 999999, "period": "2026-10"}, "measure", "No such measure."),
        ({"measure": "abc", "period": "2026-10"}, "measure", "No such measure."),
        (
            {"measure_code": "NOPE.REV", "period": "2026-10"},
            "measure_code",
            "No measure NOPE.REV: use UNITCODE.MEASURECODE.",
        ),
        ({"period": "2026-10"}, "measure", "Give measure or measure_code."),
        (
            {"measure_code": "IND.REV", "period": "10/26"},
            "period",
            NOT_A_PERIOD.format("10/26"),
        ),
        (
            {"measure_code": "IND.REV", "period": "2026-Q4"},
            "period",
            "REV: This names a quarter, and the measure is monthly: give a month.",
        ),
        ({"measure_code": "IND.REV", "period": "2026-10", "actual": "12,5"}, "actual", None),
        ({"measure_code": "IND.REV", "period": "2026-10", "actual": True}, "actual", None),
        ({"measure_code": "IND.REV", "period": "2026-10", "target": "NaN"}, "target", None),
        ({"measure_code": "IND.Q", "period": "2026-02"}, "period", None),
        (
            {"measure_code": "IND.GM", "period": "2026-10", "actual": 5},
            "actual",
            "GM is calculated: its actual is computed, not entered. "
            "Enter only its target and red flag.",
        ),
    ],
)
def test_bad_rows(world, staff, row, field, message):
    client, _ = staff
    response = client.post(URL, [row], format="json")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["row"], error["field"]) == (1, field)
    if message:
        assert error["message"] == message
    assert not MeasureValue.objects.exists()


def test_the_same_measure_and_period_twice_is_refused(world, staff):
    client, _ = staff
    rows = [
        {"measure_code": "IND.REV", "period": p, "actual": 1} for p in ("2026-10", "2026-10-01")
    ]
    (error,) = client.post(URL, rows, format="json").json()["errors"]
    assert error == {
        "row": 2,
        "field": "period",
        "message": "Row 1 already gives REV for 2026-10-01.",
    }


@pytest.mark.parametrize(
    "text,message",
    [
        ("measure_code,actual\nIND.REV,1\n", "Missing column(s): period."),
        ("period,actual\n2026-10,1\n", "Missing column(s): measure or measure_code."),
        (
            "measure_code,period,actuals\nIND.REV,2026-10,1\n",
            "Unknown column(s): actuals. Use: actual, confirm, measure, measure_code, note, "
            "period, red_flag, target (separated by commas).",
        ),
        ("", "The CSV has no header line (measure_code,period,actual,target,...)."),
        ("measure_code,period,actual\n" + "\n" * 100_000, "There are no rows."),
        ("measure_code,period\nIND.REV,2026-10,extra\n", "Line 2 has more cells than the header."),
    ],
)
def test_unusable_csv_files(world, staff, text, message):
    client, _ = staff
    response = post_csv(client, text)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == message


def test_a_csv_that_is_not_utf8_is_refused(world, staff):
    client, _ = staff
    response = post_csv(client, "measure_code,period,note\nIND.REV,2026-10,Qualité\n", "latin-1")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("The file is not UTF-8 text")


def test_csv_errors_carry_the_file_line(world, staff):
    client, _ = staff
    text = "measure_code,period,actual\n\nIND.REV,2026-10,1\nIND.NOPE,2026-10,1\n"
    (error,) = post_csv(client, text).json()["errors"]
    assert (error["row"], error["field"]) == (4, "measure_code")  # header 1, blank 2


@pytest.mark.parametrize("body", [{"measure": 1}, "text", 5])
def test_json_must_be_a_list(world, staff, body):
    client, _ = staff
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "Send a JSON list of rows, a CSV as text/csv or an Excel workbook (.xlsx)."
    )


def test_permissions(world):
    assert APIClient().post(URL, [], format="json").status_code == 401
    executive = APIClient()
    executive.force_authenticate(f.UserFactory(roles=[EXECUTIVE]))
    assert executive.post(URL, [], format="json").status_code == 403
    owner_user = f.UserFactory(roles=[MEASURE_OWNER])
    services.measure_update(actor=None, instance=world["rev"], data={"owner": owner_user})
    owner = APIClient()
    owner.force_authenticate(owner_user)
    mine = [{"measure_code": "IND.REV", "period": "2026-10", "actual": 1}]
    assert owner.post(URL, mine, format="json").json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
    }
    other = [{"measure_code": "IND.COGS", "period": "2026-10", "actual": 1}]
    response = owner.post(URL, other, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "row": 1,
        "field": "measure",
        "message": "You may not enter values of IND.COGS.",
    }


def test_ten_thousand_rows_in_one_request(staff):
    client, _ = staff
    unit = f.OrgUnitFactory(code="BIG", parent=f.EnterpriseFactory())
    objective = f.ObjectiveFactory(unit=unit)
    codes = [f.MeasureFactory(objective=objective, code=f"M{i}").code for i in range(50)]
    start = dt.date(2000, 1, 1)
    lines = ["measure_code,period,actual,target"]
    for code in codes:
        for k in range(200):  # 50 measures x 200 months = 10,000 rows
            lines.append(f"BIG.{code},{add_months(start, k):%Y-%m},{k + 1},{k + 1}")
    response = post_csv(client, "\n".join(lines) + "\n")
    assert response.status_code == 200, response.content[:500]
    assert response.json() == {"created": 10_000, "updated": 0, "unchanged": 0}
    assert MeasureValue.objects.count() == 10_000
    assert MeasureValue.history.count() == 10_000


def test_rows_that_are_not_objects(world, staff):
    client, _ = staff
    response = client.post(URL, [[None, None], 5], format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 1, "field": None, "message": "Each row is an object."},
        {"row": 2, "field": None, "message": "Each row is an object."},
    ]


def test_huge_numbers_in_filters_are_a_400(world, staff):
    client, _ = staff
    response = client.get("/api/v1/units/?parent=36893488147419103233")
    assert response.status_code == 400


def test_a_huge_measure_id_is_no_such_measure(world, staff):
    client, _ = staff
    response = client.post(URL, [{"measure": 2**70, "period": "2026-10"}], format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "No such measure."


def test_null_characters_and_giant_cells_are_refused(world, staff):
    client, _ = staff
    rows = [{"measure_code": "IND.REV", "period": "2026-10", "note": "a\x00b"}]
    (error,) = client.post(URL, rows, format="json").json()["errors"]
    assert (error["field"], error["message"]) == ("note", "Null characters are not allowed.")
    giant = "measure_code,period,note\nIND.REV,2026-10," + "x" * 200_000 + "\n"
    response = post_csv(client, giant)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("Line 2 cannot be read")
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize("period", ["9999-12", "0001-01", "1899-12"])
def test_years_out_of_range_are_refused(world, staff, period):
    client, _ = staff
    rows = [{"measure_code": "IND.REV", "period": period, "actual": 1}]
    (error,) = client.post(URL, rows, format="json").json()["errors"]
    assert error["field"] == "period"
    assert error["message"].endswith("the year must be between 1900 and 2999.")


def test_more_than_a_thousand_measure_codes(staff):
    client, _ = staff
    unit = f.OrgUnitFactory(code="MANY", parent=f.EnterpriseFactory())
    objective = f.ObjectiveFactory(unit=unit)
    Measure.objects.bulk_create(
        Measure(objective=objective, unit=unit, code=f"C{i}", name=f"C{i}") for i in range(1200)
    )
    rows = [{"measure_code": f"MANY.C{i}", "period": "2026-10", "actual": i} for i in range(1200)]
    assert client.post(URL, rows, format="json").json() == {
        "created": 1200,
        "updated": 0,
        "unchanged": 0,
    }


def test_a_multipart_or_form_body_is_a_415(world, staff):
    client, _ = staff
    response = client.post(URL, {"file": "measure_code,period\n"}, format="multipart")
    assert response.status_code == 415
    assert response.json()["detail"].endswith(
        "Send application/json or text/csv or "
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet."
    )
    response = client.post(
        URL, "measure=1&period=2026-10", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert not MeasureValue.objects.exists()


def test_every_problem_of_a_row_is_named_measure_first(world, staff):
    """A row that names no measure and cannot be read otherwise either: the measure's
    problem, then each field's, in the fields' order."""
    client, _ = staff
    rows = [
        {"measure": 999999, "period": "bad", "actual": "x"},
        {"period": "10/26"},
        {"measure_code": "IND.REV", "target": "1"},  # no period at all
    ]
    assert client.post(URL, rows, format="json").json()["errors"] == [
        {"row": 1, "field": "measure", "message": "No such measure."},
        {"row": 1, "field": "period", "message": NOT_A_PERIOD.format("bad")},
        {"row": 1, "field": "actual", "message": "'x' is not a number."},
        {"row": 2, "field": "measure", "message": "Give measure or measure_code."},
        {"row": 2, "field": "period", "message": NOT_A_PERIOD.format("10/26")},
        {"row": 3, "field": "period", "message": NOT_A_PERIOD.format("")},
    ]


def test_problems_come_rows_first_then_repeats_then_the_values_checks(world, staff):
    """Row 4 cannot be read; row 2 repeats row 1; row 3's period is no quarter's start:
    listed in that order (what is read, what repeats, what the values' rules refuse)."""
    client, _ = staff
    rows = [
        {"measure_code": "IND.REV", "period": "2026-01", "actual": "2", "target": "2"},
        {"measure_code": "IND.REV", "period": "2026-01", "actual": "2", "target": "2"},
        {"measure_code": "IND.Q", "period": "2026-02", "actual": "1"},
        {"measure_code": "IND.REV", "period": "bad"},
    ]
    errors = client.post(URL, rows, format="json").json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(4, "period"), (2, "period"), (3, "period")]
    assert errors[1]["message"] == "Row 1 already gives REV for 2026-01-01."
    assert MeasureValue.objects.filter(period="2026-01-01").count() == 0


# Every door keeps the same rules --------------------------------------------------------------

RED_NOTE = "This value is off target: say in the note why, and what is being done about it."


def test_a_red_value_needs_its_note_in_bulk(world, staff):
    client, _ = staff
    # 80 against 100 and the default red flag 90: red.
    rows = [{"measure_code": "IND.REV", "period": "2026-10", "actual": 80, "target": 100}]
    response = client.post(URL, rows, format="json")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"row": 1, "field": "note", "message": RED_NOTE}]}
    response = post_csv(client, "measure_code,period,actual,target\nIND.REV,2026-10,80,100\n")
    assert response.json()["errors"] == [{"row": 2, "field": "note", "message": RED_NOTE}]
    assert not MeasureValue.objects.exists()
    rows[0]["note"] = "A strike."
    assert client.post(URL, rows, format="json").status_code == 200
    assert MeasureValue.objects.get().note == "A strike."


def test_the_measures_range_and_places_hold_in_bulk(world, staff):
    client, _ = staff
    Measure.objects.filter(pk=world["rev"].pk).update(unit_label="%", decimal_places=1)
    rows = [
        {"measure_code": "IND.REV", "period": "2026-10", "actual": "779"},
        {"measure_code": "IND.REV", "period": "2026-11", "actual": "77.95"},
    ]
    assert client.post(URL, rows, format="json").json()["errors"] == [
        {"row": 1, "field": "actual",
         "message": "REV takes values from 0 to 100: 779 is outside that range."},
        {"row": 2, "field": "actual",
         "message": "REV is written with 1 decimal place: 77.95 has 2."},
    ]  # fmt: skip
    assert not MeasureValue.objects.exists()


@pytest.fixture
def rev_history(world):
    """Six months of REV, 100..105: median 102.5, MAD 1.5."""
    for k, actual in enumerate(range(100, 106), start=1):
        f.MeasureValueFactory(measure=world["rev"], period=dt.date(2026, k, 1),
                              actual=Decimal(actual), target=None, red_flag=None)  # fmt: skip
    return world


def test_an_unusual_figure_needs_confirm_in_bulk(rev_history, staff):
    client, _ = staff
    # 1030: 1030 / 102.5 = 10.05 times the usual size.
    rows = [{"measure_code": "IND.REV", "period": "2026-10", "actual": "1030"}]
    (error,) = client.post(URL, rows, format="json").json()["errors"]
    assert error == {
        "row": 1,
        "field": "actual",
        "message": "1030 is more than ten times the usual size of REV's figures (their median "
        "is 102.5). Check it; if it is right, confirm it to save it.",
        "code": "unusual",
    }
    assert not MeasureValue.objects.filter(period="2026-10-01").exists()
    rows[0]["confirm"] = True
    assert client.post(URL, rows, format="json").json() == {
        "created": 1, "updated": 0, "unchanged": 0,
    }  # fmt: skip
    text = "measure_code,period,actual,confirm\nIND.REV,2026-11,1040,yes\nIND.REV,2026-12,104,\n"
    assert post_csv(client, text).json() == {"created": 2, "updated": 0, "unchanged": 0}
    response = post_csv(client, "measure_code,period,confirm\nIND.REV,2026-12,perhaps\n")
    assert response.json()["errors"][0]["field"] == "confirm"


def test_a_note_only_row_never_touches_the_figures(world, staff, monkeypatch):
    """Someone changes the target between the batch's read and its write: the batch, which
    gives only a note, leaves the new target as it is."""
    from scorecards.services import bulk

    client, _ = staff
    value = f.MeasureValueFactory(measure=world["rev"], period=dt.date(2026, 10, 1))
    upsert = bulk._upsert

    def edited_meanwhile(writes, actor):
        MeasureValue.objects.filter(pk=value.pk).update(target=Decimal(120), red_flag=None)
        upsert(writes, actor)

    monkeypatch.setattr(bulk, "_upsert", edited_meanwhile)
    rows = [{"measure_code": "IND.REV", "period": "2026-10", "note": "Checked."}]
    assert client.post(URL, rows, format="json").json() == {
        "created": 0, "updated": 1, "unchanged": 0,
    }  # fmt: skip
    value.refresh_from_db()
    assert (value.actual, value.target, value.red_flag, value.note) == (
        Decimal(95), Decimal(120), None, "Checked.",
    )  # fmt: skip


def test_rows_as_stored_are_counted_and_not_written(world, staff):
    client, _ = staff
    rows = [{"measure_code": "IND.REV", "period": "2026-10", "actual": "95", "target": "100"}]
    assert client.post(URL, rows, format="json").json()["created"] == 1
    rows.append({"measure_code": "IND.COGS", "period": "2026-10", "actual": "7"})
    assert client.post(URL, rows, format="json").json() == {
        "created": 1, "updated": 0, "unchanged": 1,
    }  # fmt: skip
    assert MeasureValue.history.filter(measure=world["rev"]).count() == 1


def test_an_excel_csv_with_semicolons_and_decimal_commas(world, staff):
    client, _ = staff
    text = (
        "\ufeffmeasure_code;period;actual;target;note\r\n"
        "IND.REV;Oct 2026;1520,5;1 500;\r\n"
        'IND.COGS;10/2026;1010;;"Closing; late"\r\n'
    )
    assert post_csv(client, text).json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert sorted(MeasureValue.objects.values_list("period", "actual", "target", "note")) == [
        (dt.date(2026, 10, 1), Decimal("1010"), None, "Closing; late"),
        (dt.date(2026, 10, 1), Decimal("1520.5"), Decimal("1500"), ""),
    ]


def test_a_german_csv_groups_thousands_with_points(world, staff):
    client, _ = staff
    text = "measure_code;period;actual\nIND.REV;2026-10;1.520,5\n"
    with translation.override("de"):  # a German client (with LocaleMiddleware: its header)
        response = client.post(
            URL, text.encode(), content_type="text/csv", headers={"Accept-Language": "de"}
        )
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert MeasureValue.objects.get().actual == Decimal("1520.5")


def test_json_figures_stay_machine_numbers(world, staff):
    client, _ = staff
    rows = [{"measure_code": "IND.REV", "period": "2026-10", "actual": "1,520.5"}]
    (error,) = client.post(URL, rows, format="json").json()["errors"]
    assert (error["field"], error["message"]) == ("actual", "'1,520.5' is not a number.")


def test_a_batch_is_not_judged_by_the_figures_it_replaces(rev_history, staff):
    """Correcting January to June at once (say, from thousands to units): each row's history
    is the periods the batch does not give, here none, so nothing asks for a confirmation."""
    client, _ = staff
    rows = [
        {"measure_code": "IND.REV", "period": f"2026-{k:02}", "actual": str(1000 + k)}
        for k in range(1, 7)
    ]
    assert client.post(URL, rows, format="json").json() == {
        "created": 0, "updated": 6, "unchanged": 0,
    }  # fmt: skip
    # July alone is judged by January to June as they now are: 1001..1006, median 1003.5.
    rows = [{"measure_code": "IND.REV", "period": "2026-07", "actual": "100"}]
    (error,) = client.post(URL, rows, format="json").json()["errors"]
    assert error["code"] == "unusual" and "(their median is 1003.5)" in error["message"]
