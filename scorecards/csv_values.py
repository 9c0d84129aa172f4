"""Measure values from a CSV file (the API's bulk upload and the web's upload share it;
workbooks are read by its sibling, xlsx_values.py, into the same `CsvRows`): pure parsing,
no ORM; the rows are then read (`value_inputs.read_rows`, with the file's number format)
and go to `services.measure_values_bulk_record`. The columns are the bulk row's fields.

Files as spreadsheets save them: UTF-8 with or without a byte-order mark; cells separated
by commas or, as Excel does where the decimal separator is a comma, by semicolons (told
apart on the header line, `sniff_delimiter`). In a semicolon-separated file figures have a
decimal comma ("77,9"); in a comma-separated one a decimal point ("77.9").

Rows are numbered as the spreadsheet numbers them (the header is line 1, a blank line
counts, a cell holding a line break does not start a new line). An empty cell leaves the
stored value as it is.
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.numbers import SPACES, NumberFormat

from .value_inputs import COLUMNS

# A comma-separated file writes 1,234.5 (a grouped number in quotes); a semicolon-separated
# one 1234,5 or 1 234,5, or 1.234,5 where the language groups with points.
COMMA_FILE = NumberFormat(".", ",")
SEMICOLON_FILE = NumberFormat(",", " ")


@dataclass(frozen=True)
class CsvRows:
    """The rows of a CSV or a workbook (cells by column name, empty cells left out; text,
    but a workbook's number cells are Decimals), each one's line or row in the spreadsheet,
    and the number format the figures written as text are read in."""

    rows: list[dict]
    lines: list[int]
    number_format: NumberFormat


def sniff_delimiter(header: str) -> str:
    """ "," or ";": the separator that splits the header line into known column names;
    failing that, the one it holds more of."""
    for delimiter in (",", ";"):
        cells = [cell.strip().strip('"').strip().lower() for cell in header.split(delimiter)]
        if len(cells) > 1 and set(cells) <= COLUMNS:
            return delimiter
    return ";" if header.count(";") > header.count(",") else ","


def number_format_of(delimiter: str, language: NumberFormat | None = None) -> NumberFormat:
    """The number format of a file with `delimiter`: a decimal point in a comma-separated
    file; a decimal comma in a semicolon-separated one, its thousands grouped as the
    person's `language` groups them when that language has a decimal comma too (a point in
    German), else by spaces."""
    if delimiter == ",":
        return COMMA_FILE
    if language is not None and language.decimal == "," and language.group not in SPACES:
        return NumberFormat(",", language.group)
    return SEMICOLON_FILE


def rows_from_csv(body: bytes, language: NumberFormat | None = None) -> CsvRows:
    """The CSV's rows; ValueError with a message for what makes the file unusable.
    `language` is the uploader's number format (see `number_format_of`)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(
            _('The file is not UTF-8 text: save it as "CSV UTF-8" and send it again.')
        ) from None
    text = text.lstrip("\ufeff")  # a mark left by a second conversion
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    records = _records(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [(name or "").strip().lower() for name in next(records, ("", []))[1]]
    check_header(header, delimiter)
    rows, lines = [], []
    for line, cells in records:
        if any(cell.strip() for cell in cells[len(header) :]):
            raise ValueError(_("Line %(line)s has more cells than the header.") % {"line": line})
        row = {
            name: cell.strip()
            for name, cell in zip(header, cells, strict=False)
            if name and cell.strip() != ""
        }
        if not row:
            continue  # a blank line, or only separators
        rows.append(row)
        lines.append(line)
    return CsvRows(rows, lines, number_format_of(delimiter, language))


def check_header(header: list[str], delimiter: str | None = None) -> None:
    """ValueError with a message when `header` (lower-cased column names) names a column a
    bulk row does not have, or lacks the period or the measure. `delimiter` is the CSV's
    separator, named in the message; None for a workbook's header row (xlsx_values.py)."""
    if not any(header):
        if delimiter is None:
            raise ValueError(
                _("The sheet has no header row (measure_code, period, actual, target, ...).")
            )
        raise ValueError(_("The CSV has no header line (measure_code,period,actual,target,...)."))
    unknown = sorted(set(header) - COLUMNS - {""})
    if unknown:
        names = {"unknown": ", ".join(unknown), "columns": ", ".join(sorted(COLUMNS))}
        if delimiter is None:
            message = _(
                "Unknown column(s): %(unknown)s. Use: %(columns)s (each in a cell of the "
                "header row)."
            )
        elif delimiter == ";":
            message = _(
                "Unknown column(s): %(unknown)s. Use: %(columns)s (separated by semicolons)."
            )
        else:
            message = _("Unknown column(s): %(unknown)s. Use: %(columns)s (separated by commas).")
        raise ValueError(message % names)
    missing = []
    if "period" not in header:
        missing.append("period")
    if "measure" not in header and "measure_code" not in header:
        missing.append(_("measure or measure_code"))
    if missing:
        raise ValueError(_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})


def _records(reader):
    """(spreadsheet line, cells) of each record, the header's line being 1; a malformed CSV
    (a cell over the csv module's limit, a stray quote) becomes a ValueError naming the
    line."""
    line = 0
    while True:
        line += 1
        try:
            yield line, next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ValueError(
                _("Line %(line)s cannot be read: %(reason)s.") % {"line": line, "reason": exc}
            ) from None
