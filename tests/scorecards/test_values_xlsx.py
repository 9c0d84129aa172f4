"""Values from an Excel workbook (issue 16): the upload page and the bulk API take an .xlsx
as well as a CSV, with the same columns, the same preview with each row's problems (by the
sheet's row numbers), and the same all or nothing. Workbooks are built here with openpyxl:
numbers typed as numbers, periods as dates, figures typed as text."""

import base64
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook
from rest_framework.test import APIClient

from core import xlsx as core_xlsx
from core.numbers import NumberFormat
from core.roles import EXECUTIVE, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from core.xlsx import XLSX
from devtools.management.commands.bench import workbook_import_case
from scorecards import services, xlsx_values
from scorecards.models import MeasureValue
from scorecards.xlsx_values import is_workbook, rows_from_xlsx
from tests import factories as f

PAGE = "/measures/upload/"
API = "/api/v1/measure-values/bulk/"
FRENCH = NumberFormat(",", "\u202f")
HEADER = ["measure_code", "period", "actual", "target", "note"]
NO_HEADER = "The sheet has no header row (measure_code, period, actual, target, ...)."


def workbook(*rows, formats=None) -> bytes:
    """A workbook whose first sheet holds `rows` from row 1 (None for an empty row), with
    `formats` ({"C2": "0.0%"}) as cell number formats."""
    book = Workbook()
    sheet = book.active
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row or [], start=1):
            sheet.cell(row=number, column=column, value=value)
    for ref, number_format in (formats or {}).items():
        sheet[ref].number_format = number_format
    second = book.create_sheet("Notes")  # only the first sheet is read
    second.append(["colour"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def edit_sheet(body: bytes, change) -> bytes:
    """`body` with its first sheet's XML passed through `change` (what Excel writes and
    openpyxl does not: a formula's computed value, a wrong declared size)."""
    source = zipfile.ZipFile(io.BytesIO(body))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            target.writestr(item, data)
    return out.getvalue()


# Reading a workbook (no database) -------------------------------------------------------------


def test_cells_are_read_as_typed_and_rows_numbered_as_the_sheet_does():
    body = workbook(
        None,  # row 1 empty: the header is the first row holding something
        [" Measure_Code ", "PERIOD", "Actual", "target", "note"],  # row 2
        ["BU.REV", dt.datetime(2026, 5, 1), 77.9, 100, "May"],  # row 3: numbers, a date
        None,  # row 4: blank, counted
        ["BU.REV", "Jun 2026", "1 250,5", 0.1 + 0.2, " "],  # row 5: text figure, a blank note
        ["BU.REV", dt.date(2026, 7, 15), -3, None, 12],  # row 6: a day that starts no month
        ["BU.REV", dt.datetime(2026, 8, 1, 13, 30), True, None, None],  # row 7
        ["", None, None, None, None],  # row 8: nothing but an empty string
    )
    table = rows_from_xlsx(body, FRENCH)
    assert table.lines == [3, 5, 6, 7]
    assert table.number_format == FRENCH
    assert table.rows == [
        {
            "measure_code": "BU.REV",
            "period": "2026-05",  # Excel's date of "May 2026": that month
            "actual": Decimal("77.9"),  # a number stays the number typed, not 77.900000001
            "target": Decimal("100"),
            "note": "May",
        },
        # Text is left for the row's reader, in the uploader's format; 0.1 + 0.2 is read to
        # Excel's 15 digits, as it shows it: 0.3.
        {"measure_code": "BU.REV", "period": "Jun 2026", "actual": "1 250,5",
         "target": Decimal("0.3")},
        {"measure_code": "BU.REV", "period": "2026-07-15", "actual": Decimal("-3"), "note": "12"},
        {"measure_code": "BU.REV", "period": "2026-08-01 13:30:00", "actual": "true"},
    ]  # fmt: skip


def test_a_formula_is_read_as_the_value_it_showed_when_saved():
    body = workbook(HEADER, ["BU.REV", "2026-10", "=40*2", "=B9", '="a"&"b"'])
    # Excel saves each formula with its value; openpyxl writes an empty one.
    saved = edit_sheet(
        body,
        lambda xml: (
            xml.replace("<f>40*2</f><v></v>", "<f>40*2</f><v>80</v>")
            .replace('<f>"a"&amp;"b"</f><v></v>', '<f>"a"&amp;"b"</f><v>ab</v>')
            .replace('<c r="E2">', '<c r="E2" t="str">')
        ),
    )
    (row,) = rows_from_xlsx(saved).rows
    # C2 shows 80, E2 "ab"; D2 was never computed, so it holds nothing: the target is kept.
    assert row == {"measure_code": "BU.REV", "period": "2026-10", "actual": Decimal("80"),
                   "note": "ab"}  # fmt: skip


def test_a_percentage_is_read_as_it_shows_and_left_to_be_refused():
    body = workbook(
        ["measure_code", "period", "actual", "target"],
        ["BU.REV", "2026-10", 0.855, 85.5],
        formats={"C2": "0.0%", "D2": '0.0"%"'},  # the app's own percent columns: D2's
    )
    (row,) = rows_from_xlsx(body, FRENCH).rows
    assert row["actual"] == "85,5%"  # what the sheet shows, never 0.855
    assert row["target"] == Decimal("85.5")  # a literal % sign: the number as it is


def test_a_sheet_declaring_a_smaller_size_than_it_holds_is_read_whole():
    body = workbook(HEADER, ["BU.REV", "2026-10", 1], ["BU.REV", "2026-11", 2])
    shrunk = edit_sheet(
        body, lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1"/>', xml)
    )
    assert (
        '<dimension ref="A1"/>'
        in zipfile.ZipFile(io.BytesIO(shrunk)).read("xl/worksheets/sheet1.xml").decode()
    )
    table = rows_from_xlsx(shrunk)
    assert table.lines == [2, 3]
    assert [row["actual"] for row in table.rows] == [Decimal(1), Decimal(2)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            workbook(["measure_code", "period", "actuals"], ["BU.REV", "2026-10", 1]),
            "Unknown column(s): actuals. Use: actual, confirm, measure, measure_code, note, "
            "period, red_flag, target (each in a cell of the header row).",
        ),
        (workbook(["period", "actual"], ["2026-10", 1]), "Missing column(s): measure or "
         "measure_code."),
        (workbook(["measure_code", "actual"]), "Missing column(s): period."),
        (workbook(), NO_HEADER),
        (workbook(None, None), NO_HEADER),
        (
            workbook(["measure_code", "period", None, "actual"], ["BU.REV", "2026-10", 7, 1]),
            "Row 2 has a value in column C, whose header cell is empty.",
        ),
        (
            workbook(["measure_code", "period"], ["BU.REV", "2026-10", None, None, "x"]),
            "Row 2 has a value in column E, whose header cell is empty.",
        ),
        (b"measure_code,period\nBU.REV,2026-10\n", "The file is not an Excel workbook (.xlsx)"),
        (b"PK\x03\x04 not really a zip", "The file is not an Excel workbook (.xlsx)"),
        (b"", "The file is not an Excel workbook (.xlsx)"),
    ],
)  # fmt: skip
def test_unusable_workbooks(body, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        rows_from_xlsx(body)


def test_a_workbook_unpacking_to_too_much_is_refused_unread(monkeypatch):
    body = workbook(HEADER, ["BU.REV", "2026-10", 1])
    monkeypatch.setattr(core_xlsx, "MAX_UNPACKED_BYTES", 2_000_000)
    assert rows_from_xlsx(body).lines == [2]
    monkeypatch.setattr(core_xlsx, "MAX_UNPACKED_BYTES", 1_000)
    with pytest.raises(ValueError, match="The workbook unpacks to over"):
        rows_from_xlsx(body)


def test_reading_stops_one_row_past_what_a_batch_takes(monkeypatch):
    monkeypatch.setattr(xlsx_values, "BULK_MAX_ROWS", 3)
    body = workbook(HEADER, *[["BU.REV", f"2026-{m:02}", m] for m in range(1, 11)])
    assert rows_from_xlsx(body).lines == [2, 3, 4, 5]  # read_rows then refuses the batch


def test_what_is_a_workbook():
    book = workbook(HEADER)
    assert is_workbook(book, "values.xlsx") and is_workbook(book, "renamed.csv")
    assert is_workbook(b"anything", "VALUES.XLSX")  # then refused as not a workbook
    assert not is_workbook(b"measure_code,period\n", "values.csv")
    for body, name in ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "v.csv"), (b"x", "old.xls")):
        with pytest.raises(ValueError, match=r"Excel 97-2003 workbook \(\.xls\)"):
            is_workbook(body, name)


# The upload page ------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    ent = f.EnterpriseFactory(code="ACME")
    head = f.UserFactory(roles=[UNIT_HEAD])
    bu = f.OrgUnitFactory(code="BU", parent=ent, head=head)
    other = f.OrgUnitFactory(code="OTHER", parent=ent)
    objective = f.ObjectiveFactory(unit=bu, code="SELL")
    rev = f.MeasureFactory(objective=objective, code="REV")
    cost = f.MeasureFactory(objective=f.ObjectiveFactory(unit=other, code="X"), code="COST")
    f.MeasureValueFactory(measure=rev, period=dt.date(2026, 9, 1), actual=Decimal(1), target=None)
    return {"head": head, "rev": rev, "cost": cost}


def upload(client, body: bytes, name="values.xlsx", **headers):
    return client.post(PAGE, {"file": SimpleUploadedFile(name, body, content_type=XLSX)}, **headers)


def stored():
    return sorted(MeasureValue.objects.values_list("period", "actual", "target", "note"))


SEPTEMBER = (dt.date(2026, 9, 1), Decimal(1), None, "")


def test_the_page_offers_workbooks(client, world):
    client.force_login(world["head"])
    html = client.get(PAGE).content.decode()
    assert (
        'accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument'
        '.spreadsheetml.sheet"' in html
    )
    assert "A CSV file or an Excel workbook (.xlsx) with one value per row" in html
    assert "a figure typed as text is read as you write numbers (<code>1,250.5</code>)" in html


def test_a_workbook_is_previewed_then_saved_as_carried(client, world):
    client.force_login(world["head"])
    body = workbook(
        HEADER,
        ["BU.REV", dt.datetime(2026, 9, 1), 95.5, 100, None],  # a correction of September
        None,
        ["BU.REV", dt.datetime(2026, 10, 1), 0, 100, "Plant closed"],  # new, red: noted
    )
    response = upload(client, body)
    assert response.status_code == 200, response.context["errors"]
    assert response.context["counts"] == (1, 1, 0)
    assert [(item["line"], item["row"]["actual"]) for item in response.context["preview"]] == [
        (2, Decimal("95.5")),
        (4, Decimal("0")),
    ]
    html = response.content.decode()
    assert "<strong>1</strong> new value and <strong>1</strong> correction" in html
    assert '<td class="num">0</td>' in html  # a zero is shown, not taken for nothing
    carried = response.context["workbook"]
    assert base64.b64decode(carried) == body  # the very file goes back
    assert f'<input type="hidden" name="workbook" value="{carried}">' in html
    assert 'name="csv_text"' not in html
    assert stored() == [SEPTEMBER]  # a preview writes nothing
    response = client.post(PAGE, {"workbook": carried, "confirm": ""}, follow=True)
    assert "Saved 1 new value and 1 correction." in response.content.decode()
    assert stored() == [
        (dt.date(2026, 9, 1), Decimal("95.5"), Decimal("100"), ""),
        (dt.date(2026, 10, 1), Decimal("0"), Decimal("100"), "Plant closed"),
    ]


def test_each_rows_problems_by_sheet_row_and_nothing_saved(client, world):
    client.force_login(world["head"])
    body = workbook(
        HEADER,
        ["BU.REV", "2026-10", 100, 100, None],  # row 2: fine
        None,  # row 3: blank
        ["BU.NOPE", "2026-10", 1, 1, None],  # row 4: no such measure
        ["OTHER.COST", "2026-10", 1, 1, None],  # row 5: not his unit
        ["BU.REV", dt.datetime(2026, 11, 1), 80, 100, None],  # row 6: red, no note
        ["BU.REV", dt.date(2026, 12, 15), 1, 1, None],  # row 7: not the first of a month
        ["BU.REV", "2027-01", "77,9", None, None],  # row 8: a decimal comma, in English
    )
    response = upload(client, body)
    assert response.status_code == 400
    errors = [(e["line"], e["field"], e["message"]) for e in response.context["errors"]]
    assert [(line, field) for line, field, _ in errors] == [
        (4, "measure_code"), (5, "measure"), (6, "note"), (7, "period"), (8, "actual"),
    ]  # fmt: skip
    assert errors[1][2] == "You may not enter values of OTHER.COST."
    assert errors[4][2] == "Write 77.9 for a decimal; a comma separates thousands, as in 12,500."
    html = response.content.decode()
    assert "5 problems: nothing was saved" in html
    assert "Every problem, by row of the sheet" in html
    assert '<th scope="col">Row</th>' in html and '<th scope="col">Line</th>' not in html
    assert [item["line"] for item in response.context["preview"]] == [2, 4, 5, 6, 7, 8]
    assert 'name="confirm"' not in html
    # A forged save of the same workbook saves nothing either: all or nothing.
    forged = client.post(PAGE, {"workbook": base64.b64encode(body).decode(), "confirm": ""})
    assert forged.status_code == 400
    assert stored() == [SEPTEMBER]


def test_a_french_uploader_types_decimal_commas_in_text_cells(client, world):
    client.force_login(world["head"])
    body = workbook(
        HEADER,
        ["BU.REV", "2026-10", "1 250,5", 1200.25, None],  # text in her format; a number
        ["BU.REV", "2026-11", "77.9", None, None],  # a decimal point in text: refused
    )
    response = upload(client, body, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    ((line, field),) = [(e["line"], e["field"]) for e in response.context["errors"]]
    assert (line, field) == (3, "actual")
    body = workbook(HEADER, ["BU.REV", "2026-10", "1 250,5", 1200.25, None])
    response = upload(client, body, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200, response.context["errors"]
    carried = response.context["workbook"]
    client.post(PAGE, {"workbook": carried, "confirm": ""}, HTTP_ACCEPT_LANGUAGE="fr")
    assert stored() == [
        SEPTEMBER,
        (dt.date(2026, 10, 1), Decimal("1250.5"), Decimal("1200.25"), ""),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("values.xlsx", b"not a workbook at all", "The file is not an Excel workbook (.xlsx)"),
        ("values.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1...", "Excel 97-2003 workbook (.xls)"),
        ("values.xlsx", workbook(["colour", "period"]), "Unknown column(s): colour"),
        ("values.xlsx", workbook(["measure_code", "actual"]), "Missing column(s): period"),
    ],
)
def test_unusable_workbooks_on_the_page(client, world, name, content, message):
    client.force_login(world["head"])
    response = upload(client, content, name=name)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])
    assert stored() == [SEPTEMBER]


def test_a_carried_workbook_that_is_not_base64_is_refused(client, world):
    client.force_login(world["head"])
    response = client.post(PAGE, {"workbook": "not base64 at all!", "confirm": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "The workbook could not be read back: upload it again."
    ]
    assert stored() == [SEPTEMBER]


def test_who_may_upload_a_workbook(client, world):
    body = workbook(["measure_code", "period", "actual", "target"], ["BU.REV", "2026-10", 95, 100])
    client.force_login(f.UserFactory(roles=[EXECUTIVE]))
    assert upload(client, body).status_code == 403
    owner = f.UserFactory(roles=[MEASURE_OWNER])
    services.measure_update(actor=None, instance=world["rev"], data={"owner": owner})
    client.force_login(owner)
    response = upload(client, body)  # an owner enters actuals, not targets
    assert response.status_code == 400
    assert "Targets and red flags of REV" in response.content.decode()
    actuals = workbook(["measure_code", "period", "actual"], ["BU.REV", "2026-10", 95])
    carried = base64.b64encode(actuals).decode()
    assert client.post(PAGE, {"workbook": carried, "confirm": ""}).status_code == 302
    assert MeasureValue.objects.get(period=dt.date(2026, 10, 1)).actual == 95


# The bulk API ---------------------------------------------------------------------------------


@pytest.fixture
def staff(world):
    client = APIClient()
    client.force_authenticate(f.UserFactory(roles=[OSM_STAFF]))
    return client


def post_xlsx(client, body: bytes, **headers):
    return client.post(API, body, content_type=XLSX, **headers)


def test_the_api_takes_a_workbook(staff):
    body = workbook(
        ["measure_code", "period", "actual", "target", "note", "confirm"],
        ["BU.REV", dt.datetime(2026, 10, 1), 1520.5, 1500, "October close", True],
        ["OTHER.COST", "Oct 2026", 1010, None, None, None],
    )
    assert post_xlsx(staff, body).json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert sorted(MeasureValue.objects.values_list("measure__code", "period", "actual")) == [
        ("COST", dt.date(2026, 10, 1), Decimal("1010")),
        ("REV", dt.date(2026, 9, 1), Decimal("1")),
        ("REV", dt.date(2026, 10, 1), Decimal("1520.5")),
    ]
    assert post_xlsx(staff, body).json() == {"created": 0, "updated": 0, "unchanged": 2}


def test_the_apis_errors_name_the_sheet_row_and_nothing_is_written(staff):
    body = workbook(
        ["measure_code", "period", "actual"],
        ["BU.REV", "2026-10", 100],
        None,
        ["BU.REV", "2026-11", "lots"],
        ["BU.REV", "2026-12", 0.5],
    )
    response = post_xlsx(staff, body)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"row": 4, "field": "actual", "message": "'lots' is not a number."}]
    }
    assert stored() == [SEPTEMBER]


def test_a_german_client_writes_text_figures_in_german(staff):
    body = workbook(["measure_code", "period", "actual"], ["BU.REV", "2026-10", "1.520,5"])
    with translation.override("de"):  # a German client (with LocaleMiddleware: its header)
        response = post_xlsx(staff, body, headers={"Accept-Language": "de"})
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert MeasureValue.objects.get(period=dt.date(2026, 10, 1)).actual == Decimal("1520.5")
    # The same text in English is 1.5205 only by guessing: refused.
    body = workbook(["measure_code", "period", "actual"], ["BU.REV", "2026-11", "1.520,5"])
    (error,) = post_xlsx(staff, body).json()["errors"]
    assert (error["row"], error["field"]) == (2, "actual")


def test_a_percentage_cell_is_refused_by_the_api(staff):
    body = workbook(["measure_code", "period", "actual"], ["BU.REV", "2026-10", 0.855],
                    formats={"C2": "0.0%"})  # fmt: skip
    (error,) = post_xlsx(staff, body).json()["errors"]
    assert error == {
        "row": 2,
        "field": "actual",
        "message": "Write the number without the % sign, as in 45.5.",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "The file is not an Excel workbook (.xlsx): save it as one and send it again."),
        (b"PK\x03\x04garbage", "The file is not an Excel workbook (.xlsx): save it as one and "
         "send it again."),
        (workbook(["measure_code", "period", "actuals"]), "Unknown column(s): actuals. Use: "
         "actual, confirm, measure, measure_code, note, period, red_flag, target (each in a "
         "cell of the header row)."),
        (workbook(["measure_code", "period"]), "There are no rows."),
    ],
)  # fmt: skip
def test_bad_workbooks_are_400s(staff, body, message):
    response = post_xlsx(staff, body)
    assert response.status_code == 400
    assert response.json() == {"errors": [{"row": None, "field": None, "message": message}]}
    assert stored() == [SEPTEMBER]


def test_who_may_post_a_workbook(world):
    body = workbook(["measure_code", "period", "actual"], ["BU.REV", "2026-10", 95])
    assert post_xlsx(APIClient(), body).status_code == 401
    executive = APIClient()
    executive.force_authenticate(f.UserFactory(roles=[EXECUTIVE]))
    assert post_xlsx(executive, body).status_code == 403
    owner_user = f.UserFactory(roles=[MEASURE_OWNER])
    services.measure_update(actor=None, instance=world["rev"], data={"owner": owner_user})
    owner = APIClient()
    owner.force_authenticate(owner_user)
    assert post_xlsx(owner, body).json() == {"created": 1, "updated": 0, "unchanged": 0}
    other = workbook(["measure_code", "period", "actual"], ["OTHER.COST", "2026-10", 5])
    response = post_xlsx(owner, other)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "field": "measure", "message": "You may not enter values of OTHER.COST."}
    ]
    assert not MeasureValue.objects.filter(measure=world["cost"]).exists()


def test_queries_do_not_grow_with_the_rows(staff):
    def queries(months: int) -> int:
        rows = [["BU.REV", f"2025-{m:02}", 100 + m] for m in range(1, months + 1)]
        rows += [["OTHER.COST", f"2025-{m:02}", 50 + m] for m in range(1, months + 1)]
        body = workbook(["measure_code", "period", "actual"], *rows)
        MeasureValue.objects.filter(period__year=2025).delete()
        with CaptureQueriesContext(connection) as captured:
            assert post_xlsx(staff, body).json()["created"] == 2 * months
        return len(captured)

    queries(1)  # warm-up: permissions, caches
    assert queries(2) == queries(12)


# The bench case ---------------------------------------------------------------------------------


def test_the_bench_imports_a_workbook_through_the_page_and_leaves_nothing(world):
    rev = world["rev"]
    for month in (10, 11, 12):  # three values after September's: three rows to import again
        f.MeasureValueFactory(measure=rev, period=dt.date(2026, month, 1), actual=Decimal(month))
    before = stored()
    run = workbook_import_case(rows=3)
    run()
    run()  # again: the same work, since the first was rolled back
    assert stored() == before
