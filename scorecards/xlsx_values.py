"""Measure values from an Excel workbook (.xlsx), the sibling of csv_values.py: the web's
upload and the API's bulk upload read a workbook into the same `CsvRows` as a CSV, so its
rows then take the CSV's road (`value_inputs.read_rows`, then
`services.measure_values_bulk_record`): the same columns, checks, preview and all or
nothing. Pure reading, no ORM; the file is opened by `core.xlsx.open_workbook` (read only,
its XML parsed with defusedxml) and its cells written as text by `core.xlsx.cell_text`.

What is read, and how:

- The first sheet. Its first row holding something is the header: the CSV's column names
  (case and surrounding spaces do not matter), checked by `csv_values.check_header`. Rows
  are numbered as the sheet numbers them (a blank row counts), so a message names the row
  Excel shows.
- A figure (actual, target, red flag) held as a number is that number, to the 15
  significant digits Excel shows (a figure computed as 0.1 + 0.2 is 0.3, not
  0.30000000000000004). A figure held as text ("77,9" in a cell formatted as text, or
  pasted) is read as the uploader types numbers: in the language of the page, or of the
  API's `Accept-Language` (`core.numbers`), as a semicolon CSV's figures are read with
  the uploader's grouping. "77,9" is 77.9 in French or German and refused in English with
  a message saying how to write it, never read as 779. A number formatted as a percentage
  (85 % is 0.85 in the file) is read as the text the sheet shows, "85%", and refused as it
  is in a CSV: it is never taken for 0.85 of a measure counted in percent.
- A period held as a date (Excel turns "May 2026" typed into a cell into 2026-05-01
  00:00) is that month when it is the first day of one; another day is read as that day,
  which the service refuses for a monthly measure, as it refuses "2026-05-15" in a CSV.
- A formula is read as the value the spreadsheet computed when the file was saved (Excel
  and LibreOffice store it beside the formula): what the person saw. A file written by a
  program that computes nothing holds no value there, and the cell reads as empty.
- An empty cell keeps the stored value, as in a CSV. A value in a column whose header
  cell is empty is refused (as a CSV refuses a cell beyond its header), so a figure put
  one column too far is never dropped unseen.
"""

import datetime as dt
import re
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from core.numbers import ENGLISH, NumberFormat
from core.xlsx import cell_text, open_workbook

from .csv_values import CsvRows, check_header
from .value_inputs import BULK_MAX_ROWS

FIGURES = frozenset({"actual", "target", "red_flag"})
EXCEL_DIGITS = 15  # the significant digits Excel shows and computes with
ZIP_START = b"PK\x03\x04"  # an .xlsx is a zip archive
OLD_EXCEL_START = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an .xls (Excel 97-2003) is not
_QUOTED_OR_ESCAPED = re.compile(r'"[^"]*"|\\.')


def is_workbook(body: bytes, name: str = "") -> bool:
    """Whether an upload is a workbook rather than a CSV: by its name (.xlsx, .xlsm) or by
    its first bytes, those of a zip archive, so a workbook renamed .csv is still read as
    one. ValueError saying how to save an old .xls workbook, which is neither."""
    lowered = name.lower()
    if body.startswith(OLD_EXCEL_START) or lowered.endswith(".xls"):
        raise ValueError(
            _(
                "The file is an Excel 97-2003 workbook (.xls): save it as an Excel workbook "
                '(.xlsx) or as "CSV UTF-8" and send it again.'
            )
        )
    return lowered.endswith((".xlsx", ".xlsm")) or body.startswith(ZIP_START)


def rows_from_xlsx(body: bytes, language: NumberFormat | None = None) -> CsvRows:
    """The rows of the workbook's first sheet (see the module); ValueError with a message
    for what makes the file unusable. `language` is the uploader's number format, for the
    figures written as text (English when None)."""
    book = open_workbook(body)  # refuses a zip bomb too
    try:
        if not book.worksheets:
            check_header([])  # says the sheet has no header row
        sheet = book.worksheets[0]
        # A file may declare a smaller sheet than it holds (openpyxl would stop there) or a
        # huge one (every row padded to it): read the rows as they are.
        sheet.reset_dimensions()
        return _table(sheet.iter_rows(), language or ENGLISH)
    finally:
        book.close()  # a read-only workbook keeps its archive open


def _table(sheet_rows, number_format: NumberFormat) -> CsvRows:
    """The header (the first row holding something), then each row holding something with
    its number in the sheet; reading stops one row past what a batch takes (read_rows
    refuses the batch, naming the limit)."""
    header = None
    rows, lines = [], []
    for number, cells in enumerate(sheet_rows, start=1):
        if header is None:
            names = [cell_text(cell.value).lower() for cell in cells]
            if any(names):
                check_header(names)
                header = names
            continue
        row = _row(number, cells, header, number_format)
        if row:
            rows.append(row)
            lines.append(number)
            if len(rows) > BULK_MAX_ROWS:
                break
    if header is None:
        check_header([])
    return CsvRows(rows, lines, number_format)


def _row(number: int, cells, header: list[str], number_format: NumberFormat) -> dict:
    """A row's cells by column name, empty cells left out; ValueError for a value under an
    empty header cell."""
    row = {}
    for index, cell in enumerate(cells):
        value = cell.value
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        name = header[index] if index < len(header) else ""
        if not name:
            raise ValueError(
                _("Row %(row)s has a value in column %(column)s, whose header cell is empty.")
                % {"row": number, "column": get_column_letter(index + 1)}
            )
        row[name] = _value(name, cell, number_format)
    return row


def _value(name: str, cell, number_format: NumberFormat):
    """A cell as the bulk row takes it: a Decimal for a figure held as a number (as text
    "85%" for one formatted as a percentage), a month for a period held as the first day of
    one, else the cell's text (read by the row's reader in `number_format` for figures)."""
    value = cell.value
    if name in FIGURES and isinstance(value, int | float) and not isinstance(value, bool):
        figure = Decimal(format(value, f".{EXCEL_DIGITS}g") if isinstance(value, float) else value)
        if _shows_percent(cell.number_format):
            return number_format.write(f"{(figure * 100).normalize():f}") + "%"
        return figure
    if name == "period" and isinstance(value, dt.date):
        midnight = not isinstance(value, dt.datetime) or value.time() == dt.time(0, 0)
        if midnight and value.day == 1:
            return f"{value.year:04}-{value.month:02}"
    return cell_text(value)


def _shows_percent(number_format: str | None) -> bool:
    """Whether a number format shows the number times 100 with a % sign: a % neither in
    quotes nor escaped (`0.0"%"`, the format of the app's own percent columns, shows the
    number as it is)."""
    if not number_format or "%" not in number_format:
        return False
    return "%" in _QUOTED_OR_ESCAPED.sub("", number_format)
