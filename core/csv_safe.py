"""CSV files a spreadsheet opens without running anything in them (OWASP "CSV injection").

Excel, LibreOffice and Google Sheets read a cell that begins with `=`, `+`, `-` or `@` (and,
in some versions, a tab or carriage return before one) as a formula: a label such as
`=cmd|' /C calc'!A0` would run when the file is opened. Every CSV the app writes goes
through `writer` or `DictWriter` here, which put a single quote before such a text cell,
as OWASP advises: the spreadsheet then shows the text as typed.

Numbers stay numbers: an int, Decimal or float cell is written as it is, and so is text
that is nothing but a number (`-12.50`, a figure already formatted), which no spreadsheet
reads as a formula.
"""

import csv
import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value):
    """`value` as a CSV cell a spreadsheet will not run: text that begins with a trigger
    (and is not a plain number) gets a leading single quote; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class _SafeWriter:
    """csv.writer's rows, each cell through `safe_cell`."""

    def __init__(self, out, *args, **kwargs):
        self._writer = csv.writer(out, *args, **kwargs)

    @property
    def dialect(self):
        return self._writer.dialect

    def writerow(self, row):
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(out, *args, **kwargs) -> _SafeWriter:
    """`csv.writer(out, ...)` whose text cells are neutralised (see the module)."""
    return _SafeWriter(out, *args, **kwargs)


class DictWriter(csv.DictWriter):
    """`csv.DictWriter` whose text cells (the header's too) are neutralised."""

    def writerow(self, rowdict):
        return super().writerow({key: safe_cell(value) for key, value in rowdict.items()})

    def writerows(self, rowdicts):
        for rowdict in rowdicts:
            self.writerow(rowdict)
