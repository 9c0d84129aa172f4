"""Uploading many values from a CSV: preview with each row's problems, then all or nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.roles import EXECUTIVE, MEASURE_OWNER, UNIT_HEAD
from scorecards.models import MeasureValue
from tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/measures/upload/"


@pytest.fixture
def world():
    ent = f.EnterpriseFactory(code="ACME")
    head = f.UserFactory(roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", parent=ent, head=head)
    other = f.OrgUnitFactory(code="OTHER", parent=ent)
    objective = f.ObjectiveFactory(unit=bu, code="SELL")
    rev = f.MeasureFactory(objective=objective, code="REV")
    f.MeasureFactory(objective=f.ObjectiveFactory(unit=other, code="X"), code="COST")
    f.MeasureValueFactory(measure=rev, period=dt.date(2026, 9, 1), actual=Decimal(1), target=None)
    return {"head": head, "rev": rev}


def upload(client, text: str, **extra):
    return client.post(URL, {"file": SimpleUploadedFile("v.csv", text.encode()), **extra})


GOOD = "measure_code,period,actual,target\nBU.REV,2026-09,95,100\nBU.REV,2026-10,100,100\n"


def test_preview_then_save(client, world):
    client.force_login(world["head"])
    response = upload(client, GOOD)
    assert response.status_code == 200
    html = response.content.decode()
    # September exists (a correction), October is new; nothing is written yet.
    assert "<strong>1</strong> new value and <strong>1</strong> correction" in html
    assert MeasureValue.objects.get(period=dt.date(2026, 9, 1)).actual == 1
    assert MeasureValue.objects.count() == 1
    response = client.post(URL, {"csv_text": GOOD, "confirm": ""}, follow=True)
    assert "Saved 1 new value and 1 correction." in response.content.decode()
    assert sorted(MeasureValue.objects.values_list("period", "actual")) == [
        (dt.date(2026, 9, 1), 95),
        (dt.date(2026, 10, 1), 100),
    ]


def test_row_errors_by_line_and_nothing_saved(client, world):
    client.force_login(world["head"])
    text = (
        "measure_code,period,actual,target,note\n"
        "BU.REV,2026-10,100,100,\n"  # line 2: fine
        "BU.NOPE,2026-10,1,1,\n"  # line 3: no such measure
        "OTHER.COST,2026-10,1,1,\n"  # line 4: not his unit
        "BU.REV,2026-11,80,100,\n"  # line 5: red (80 < default red flag 90) without a note
        "BU.REV,2026-12-15,1,1,\n"  # line 6: not the first of a month
    )
    response = upload(client, text)
    assert response.status_code == 400
    errors = {(e["line"], e["field"]) for e in response.context["errors"]}
    assert errors == {(3, "measure_code"), (4, "measure"), (5, "note"), (6, "period")}
    html = response.content.decode()
    assert "4 problems: nothing was saved" in html
    assert "You may not enter values of OTHER.COST." in html
    assert "This value is off target" in html
    # The confirm button is not offered, and a forged confirm saves nothing either.
    assert 'name="confirm"' not in html
    assert client.post(URL, {"csv_text": text, "confirm": ""}).status_code == 400
    assert MeasureValue.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Choose a CSV or Excel file."),  # an empty upload is no file
        (b"\xff\xfe\x00bad", "not UTF-8"),
        (b"colour,period\nred,2026-01\n", "Unknown column(s): colour"),
        (b"measure_code,actual\nBU.REV,1\n", "Missing column(s): period"),
    ],
)
def test_unusable_files(client, world, content, message):
    client.force_login(world["head"])
    response = client.post(URL, {"file": SimpleUploadedFile("v.csv", content)})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])
    assert MeasureValue.objects.count() == 1


def test_who_may_upload(client, world):
    client.get(URL)
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    assert client.get(URL).status_code == 403
    assert upload(client, GOOD).status_code == 403
    client.force_login(f.UserFactory(roles=[MEASURE_OWNER]))  # owns nothing yet
    assert client.get(URL).status_code == 403
    owner = f.UserFactory(roles=[MEASURE_OWNER])
    world["rev"].owner = owner
    world["rev"].save()
    client.force_login(owner)
    assert client.get(URL).status_code == 200
    # the owner enters actuals (and notes); targets are the unit heads'
    refused = client.post(URL, {"csv_text": GOOD, "confirm": ""})
    assert refused.status_code == 400 and "Targets and red flags of REV" in refused.content.decode()
    actuals = "measure_code,period,actual\nBU.REV,2026-09,95\nBU.REV,2026-10,100\n"
    assert client.post(URL, {"csv_text": actuals, "confirm": ""}).status_code == 302
    assert MeasureValue.objects.count() == 2


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, world, settings, tmp_path):
    settings.BULK_MAX_BYTES = 1_000_000  # 1 MB here; 20 MB by default
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    client.force_login(world["head"])
    big = "measure_code,period,actual\n" + "BU.REV,2026-09,1\n" * 70_000  # 17 + 70,000 * 17 B
    assert len(big) > 1_000_000
    response = upload(client, big)
    assert response.status_code == 413
    assert "The file is over 1 MB" in " ".join(response.context["form"].errors["file"])
    assert list(tmp_path.iterdir()) == []  # never written to a temporary file either
    assert MeasureValue.objects.count() == 1


# Files as spreadsheets save them ---------------------------------------------------------------


def test_an_excel_file_with_semicolons_decimal_commas_and_a_bom(client, world):
    """What Excel writes as "CSV UTF-8" where the decimal separator is a comma."""
    client.force_login(world["head"])
    text = (
        "\ufeffmeasure_code;period;actual;target;note\r\n"
        "BU.REV;Sep 2026;95,5;100;\r\n"  # a correction of September (stored: 1)
        "BU.REV;10/2026;1 250,25;1 200;Good month; really\r\n"
    )
    # The last line has a stray ';' inside the note: more cells than the header.
    response = upload(client, text)
    assert response.status_code == 400
    assert "Line 3 has more cells than the header." in " ".join(
        response.context["form"].errors["file"]
    )
    text = text.replace("Good month; really", '"Good month; really"')
    response = upload(client, text)
    assert response.status_code == 200, response.context.get("errors")
    assert response.context["counts"] == (1, 1, 0)
    client.post(URL, {"csv_text": response.context["csv_text"], "confirm": ""})
    assert sorted(MeasureValue.objects.values_list("period", "actual", "target", "note")) == [
        (dt.date(2026, 9, 1), Decimal("95.5"), Decimal("100"), ""),
        (dt.date(2026, 10, 1), Decimal("1250.25"), Decimal("1200"), "Good month; really"),
    ]


def test_a_decimal_point_in_a_semicolon_file_is_refused_not_misread(client, world):
    client.force_login(world["head"])
    response = upload(client, "measure_code;period;actual\nBU.REV;2026-10;12.5\n")
    assert response.status_code == 400
    (error,) = response.context["errors"]
    assert (error["line"], error["field"]) == (2, "actual")
    assert error["message"] == "Write 12,5 for a decimal: the decimal separator here is a comma."
    assert MeasureValue.objects.count() == 1


def test_a_decimal_comma_in_a_comma_file_is_refused_not_misread(client, world):
    client.force_login(world["head"])
    response = upload(client, 'measure_code,period,actual\nBU.REV,2026-10,"77,9"\n')
    assert response.status_code == 400
    (error,) = response.context["errors"]
    assert error["message"] == (
        "Write 77.9 for a decimal; a comma separates thousands, as in 12,500."
    )
    assert MeasureValue.objects.count() == 1


def test_lines_are_the_spreadsheets(client, world):
    """A note holding a line break is one spreadsheet row; a blank line is a row too."""
    client.force_login(world["head"])
    text = (
        "measure_code,period,actual,target,note\n"  # line 1
        'BU.REV,2026-10,100,100,"first line\nsecond line"\n'  # line 2 (two lines of text)
        "\n"  # line 3
        "BU.NOPE,2026-11,1,1,\n"  # line 4
        "BU.REV,2026-12,80,100,\n"  # line 5: red without a note
    )
    response = upload(client, text)
    assert response.status_code == 400
    assert [(e["line"], e["field"]) for e in response.context["errors"]] == [
        (4, "measure_code"),
        (5, "note"),
    ]
    assert [item["line"] for item in response.context["preview"]] == [2, 4, 5]


def test_counts_of_new_corrected_and_unchanged_rows(client, world):
    client.force_login(world["head"])
    # September is stored with actual 1 and no target: line 2 repeats it (an empty cell keeps
    # the stored value), so nothing is written for it; October is new.
    text = "measure_code,period,actual,target\nBU.REV,2026-09,1,\nBU.REV,2026-10,100,100\n"
    response = upload(client, text)
    assert response.context["counts"] == (1, 0, 1)
    html = response.content.decode()
    assert "<strong>1</strong> new value and <strong>0</strong> corrections; 1 row is as" in html
    response = client.post(URL, {"csv_text": text, "confirm": ""}, follow=True)
    assert "Saved 1 new value and 0 corrections; 1 row was as stored." in (
        response.content.decode()
    )
    assert MeasureValue.history.filter(period=dt.date(2026, 9, 1)).count() == 1  # untouched
    text = (
        "measure_code,period,actual,target\n"
        "BU.REV,2026-09,96,95\n"  # a correction (its red flag is 90)
        "BU.REV,2026-10,100,100\n"  # as stored now
        "BU.REV,2026-11,101,100\n"  # new
        "BU.REV,2026-12,102,100\n"  # new
    )
    response = client.post(URL, {"csv_text": text, "confirm": ""}, follow=True)
    assert "Saved 2 new values and 1 correction; 1 row was as stored." in (
        response.content.decode()
    )
    assert MeasureValue.objects.count() == 4


def test_unusual_figures_are_shown_to_confirm(client, world):
    rev = world["rev"]
    for k, actual in enumerate(range(100, 106), start=1):  # Jan-Jun: median 102.5, MAD 1.5
        f.MeasureValueFactory(measure=rev, period=dt.date(2026, k, 1), actual=Decimal(actual),
                              target=None, red_flag=None)  # fmt: skip
    client.force_login(world["head"])
    # 1030 for 103: 1030 / 102.5 = 10.05 times the usual size.
    text = "measure_code,period,actual\nBU.REV,2026-10,1030\nBU.REV,2026-11,104\n"
    response = upload(client, text)
    assert response.status_code == 200
    assert response.context["counts"] == (2, 0, 0)
    (warning,) = response.context["unusual"]
    assert (warning["line"], warning["field"]) == (2, "actual")
    html = response.content.decode()
    assert 'name="confirm_unusual" value="1"' in html
    assert "Save 2 values, the unusual figure included" in html
    # Saving without the confirmation saves nothing.
    response = client.post(URL, {"csv_text": text, "confirm": ""})
    assert (
        response.status_code == 200
        and not MeasureValue.objects.filter(period=dt.date(2026, 10, 1)).exists()
    )
    response = client.post(URL, {"csv_text": text, "confirm": "", "confirm_unusual": "1"})
    assert response.status_code == 302
    assert MeasureValue.objects.get(period=dt.date(2026, 10, 1)).actual == 1030


def test_hard_problems_come_before_confirmations(client, world):
    client.force_login(world["head"])
    text = "measure_code,period,actual\nBU.REV,2026-10,lots\n"
    response = upload(client, text)
    assert response.status_code == 400
    assert response.context["unusual"] == []
    assert [e["message"] for e in response.context["errors"]] == ["'lots' is not a number."]
