"""Measure values from a CSV file (the API's bulk upload and the web's upload share it):
pure parsing, no ORM; the rows are then read (`value_inputs.read_rows`) and go to
`services.measure_values_bulk_record`. The columns are the bulk row's fields.

Rows are numbered by the file's line (the header is line 1). An empty cell leaves the
stored value as it is.
"""

import csv
import io

from .value_inputs import COLUMNS


def rows_from_csv(body: bytes) -> tuple[list[dict], list[int]]:
    """The CSV's rows (empty cells left out) and each one's line number; ValueError with a
    message for what makes the file unusable."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(
            'The file is not UTF-8 text: save it as "CSV UTF-8" and send it again.'
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        names = reader.fieldnames or []
    except csv.Error as exc:
        raise ValueError(f"The header line cannot be read: {exc}.") from None
    header = [(name or "").strip().lower() for name in names]
    if not any(header):
        raise ValueError("The CSV has no header line (measure_code,period,actual,target,...).")
    unknown = sorted(set(header) - COLUMNS)
    if unknown:
        raise ValueError(
            f"Unknown column(s): {', '.join(unknown)}. Use: {', '.join(sorted(COLUMNS))}."
        )
    missing = []
    if "period" not in header:
        missing.append("period")
    if "measure" not in header and "measure_code" not in header:
        missing.append("measure or measure_code")
    if missing:
        raise ValueError(f"Missing column(s): {', '.join(missing)}.")
    reader.fieldnames = header
    rows, lines = [], []
    for record in _records(reader):
        if None in record:  # more cells than the header has
            raise ValueError(f"Line {reader.line_num} has more cells than the header.")
        row = {k: v.strip() for k, v in record.items() if v is not None and v.strip() != ""}
        if not row:
            continue  # a blank line, or only commas
        rows.append(row)
        lines.append(reader.line_num)
    return rows, lines


def _records(reader):
    """The reader's records; a malformed CSV (a cell over the csv module's limit, a stray
    quote) becomes a ValueError naming the line."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # line_num counts the lines read so far; the one that failed is the next.
            raise ValueError(f"Line {reader.line_num + 1} cannot be read: {exc}.") from None
