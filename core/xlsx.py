"""Excel workbooks the app writes and reads (openpyxl), one way for every file.

**Writing.** `SheetWriter` puts a table on a sheet: a bold header row frozen on screen, a
filter on every column, column widths that fit what they hold, and typed cells: numbers as
numbers (Decimal keeps its digits), dates as dates, percentages as percentages, a status
as its word on its colour. Text is always text: openpyxl would store a string that begins
with "=" as a formula, so every text cell is set to the string type (`=HYPERLINK(...)` in
a measure's name shows as typed and runs nothing), and characters a workbook cannot hold
(control characters) are dropped.

**Reading.** `read_sheet` gives a sheet's header and rows as text cells, as a CSV would
give them: a number as its shortest decimal form with a decimal point (77.9, not
77.90000000000001), a date as YYYY-MM-DD, so the readers of CSV files read workbooks too.
openpyxl parses the file's XML with defusedxml (installed with the app), which refuses
entity expansion.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The status colours of the pages (osm.css), light enough to read black text on.
STATUS_FILLS = {
    "green": "C8E6C9",
    "yellow": "FFE9A8",
    "red": "F4C7C3",
    "no_data": "E6E6E6",
}
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
MAX_WIDTH = 60  # characters; longer text wraps in the cell
DATE_FORMAT = "yyyy-mm-dd"
MONTH_FORMAT = "yyyy-mm"


@dataclass(frozen=True)
class Column:
    """A column of a table: its title, what its cells hold (`text`, `number`, `integer`,
    `percent` (0-100 figures shown with a % sign), `date`, `month`, `status`), and for
    numbers the decimal places shown (None: as many as the value has)."""

    title: str
    kind: str = "text"
    decimals: int | None = None


def text(value) -> str:
    """`value` as a workbook's text: control characters a workbook cannot hold removed."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def set_text(cell, value) -> None:
    """Write `value` into `cell` as text, never as a formula."""
    cell.value = text(value)
    cell.data_type = "s"


def _number_format(column: Column) -> str:
    if column.decimals is None:
        return "General"
    places = "." + "0" * column.decimals if column.decimals else ""
    return f"#,##0{places}"


class SheetWriter:
    """A table on `sheet` from `start_row`: its header, then one `row()` per call; `close()`
    freezes the header, puts a filter on the table and fits the column widths. Rows above
    `start_row` (a title, the figures' date) are the caller's, through `note()`."""

    def __init__(self, sheet, columns: Sequence[Column], *, start_row: int = 1):
        self.sheet = sheet
        self.columns = list(columns)
        self.header_row = start_row
        self.next_row = start_row + 1
        self.widths = [len(c.title) for c in self.columns]
        for index, column in enumerate(self.columns, start=1):
            cell = sheet.cell(row=start_row, column=index)
            set_text(cell, column.title)
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="top", wrap_text=True)

    def note(self, row: int, value, *, bold: bool = False) -> None:
        """A line of text above the table (row < the header's)."""
        cell = self.sheet.cell(row=row, column=1)
        set_text(cell, value)
        cell.font = Font(bold=bold, size=14 if bold else 11)

    def row(self, values: Sequence, *, status_words: dict | None = None) -> None:
        """One row, each value typed by its column; a `status` column's value is a status
        (green, yellow, red, no_data) shown as `status_words[status]` on its colour."""
        for index, (column, value) in enumerate(zip(self.columns, values, strict=True), 1):
            cell = self.sheet.cell(row=self.next_row, column=index)
            shown = self._write(cell, column, value, status_words or {})
            self.widths[index - 1] = max(self.widths[index - 1], len(shown))
        self.next_row += 1

    def _write(self, cell, column: Column, value, status_words: dict) -> str:
        if value is None or value == "":
            return ""
        kind = column.kind
        if kind == "status":
            set_text(cell, status_words.get(value, value))
            fill = STATUS_FILLS.get(value)
            if fill:
                cell.fill = PatternFill("solid", fgColor=fill)
            return str(cell.value)
        if kind in ("number", "integer", "percent") and isinstance(value, int | float | Decimal):
            cell.value = value
            if kind == "integer":
                cell.number_format = "#,##0"
            elif kind == "percent":
                # Figures are 0-100 (as the API gives them): shown with a % sign, not * 100.
                places = column.decimals if column.decimals is not None else 1
                cell.number_format = "0" + ("." + "0" * places if places else "") + '"%"'
            else:
                cell.number_format = _number_format(column)
            return f"{value:,}" if not isinstance(value, float) else f"{value:,.2f}"
        if kind in ("date", "month") and isinstance(value, dt.date):
            cell.value = value
            cell.number_format = MONTH_FORMAT if kind == "month" else DATE_FORMAT
            return "0000-00-00"
        set_text(cell, value)
        if len(str(value)) > MAX_WIDTH:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        return str(value)

    def close(self) -> None:
        """Freeze the header, filter the table, fit the widths (capped: long text wraps)."""
        last_column = get_column_letter(len(self.columns))
        self.sheet.freeze_panes = self.sheet.cell(row=self.header_row + 1, column=1)
        self.sheet.auto_filter.ref = f"A{self.header_row}:{last_column}{self.next_row - 1}"
        for index, width in enumerate(self.widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = min(
                MAX_WIDTH, max(8, width + 2)
            )


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed: the callers name theirs)."""
    book = Workbook()
    book.remove(book.active)
    return book


def add_sheet(book: Workbook, title: str):
    """A sheet named `title` as Excel allows (31 characters, none of []:*?/\\)."""
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return book.create_sheet(title=text(title)[:31] or "Sheet")


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRows:
    """A sheet's header (lower-cased, stripped) and its rows: (the row's number in the
    sheet, its cells as text) for every row with something in it."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def cell_text(value) -> str:
    """A cell's value as the text a CSV would hold (see the module)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)  # the shortest form that reads back as the same double
    return str(value).strip()


# A 20,000-row workbook unpacks to well under 20 MB; a few kB of zip can claim gigabytes,
# which openpyxl would hold in memory (its shared strings).
MAX_UNPACKED_BYTES = 100_000_000


def _check_unpacked_size(body: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            # zipfile never unpacks more than a member declares, so the sum bounds it.
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a zip archive: load_workbook says what is wrong
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValueError(
            _("The workbook unpacks to over %(size)s MB: split it into smaller files.")
            % {"size": MAX_UNPACKED_BYTES // 1_000_000}
        )


def open_workbook(body: bytes):
    """The workbook in `body` (read only, values not formulas); ValueError with a message
    when it is not one, or when it would unpack to more than MAX_UNPACKED_BYTES (a zip
    bomb)."""
    _check_unpacked_size(body)
    try:
        return load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ValueError(
            _("The file is not an Excel workbook (.xlsx): save it as one and send it again.")
        ) from None


def read_sheet(book, name: str | None = None) -> SheetRows:
    """The header and rows of the sheet `name` (the first sheet when None); ValueError
    when there is no such sheet."""
    if name is None:
        sheet = book.worksheets[0] if book.worksheets else None
    else:
        sheet = next((s for s in book.worksheets if s.title.lower() == name.lower()), None)
    if sheet is None:
        raise ValueError(_('The workbook has no sheet "%(name)s".') % {"name": name or "1"})
    # A file may declare a smaller sheet than it holds (openpyxl would stop there) or a huge
    # one (every row padded to it): read the rows as they are.
    sheet.reset_dimensions()
    header: list[str] | None = None
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [cell_text(v) for v in values]
        if not any(cells):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            continue
        rows.append((number, cells))
    return SheetRows(header or [], rows)


def write_table(
    book: Workbook,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    *,
    notes: Sequence[str] = (),
    status_words: dict | None = None,
):
    """A sheet holding one table, with `notes` (the first one a title) above it."""
    sheet = add_sheet(book, title)
    writer = SheetWriter(sheet, columns, start_row=len(notes) + 1 + (1 if notes else 0))
    for index, line in enumerate(notes, start=1):
        writer.note(index, line, bold=index == 1)
    for row in rows:
        writer.row(row, status_words=status_words)
    writer.close()
    return sheet
