"""A pack as a file: its name, its media type and its bytes; tables written as a workbook or
a CSV. Files are named after what they hold and the date of their figures
(`IND-scorecard-2026-11.xlsx`), so a folder of them sorts and reads well."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.http import HttpResponse

from core import csv_safe
from core.xlsx import XLSX, new_workbook, workbook_bytes, write_table

from .tables import Table, status_words

CSV = "text/csv"
PDF = "application/pdf"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
MEDIA_TYPES = {"xlsx": XLSX, "csv": CSV, "pdf": PDF, "pptx": PPTX}


@dataclass(frozen=True)
class PackFile:
    """A file to download or attach."""

    name: str
    media_type: str
    content: bytes


def as_download(pack: PackFile) -> HttpResponse:
    """The file as a download (`Content-Disposition: attachment`), named after what it
    holds and its date: the one answer of every page and API read that gives a file."""
    response = HttpResponse(pack.content, content_type=pack.media_type)
    response["Content-Disposition"] = f'attachment; filename="{pack.name}"'
    return response


def file_name(*parts: str, ext: str) -> str:
    """`IND-scorecard-2026-11.xlsx`: the parts joined by hyphens, each reduced to letters,
    digits, dots and underscores (a header value and every file system take it as is)."""
    cleaned = [re.sub(r"[^A-Za-z0-9._-]+", "_", str(p)).strip("_-") for p in parts if p]
    return "-".join(p for p in cleaned if p) + f".{ext}"


def workbook(tables: Sequence[Table]) -> bytes:
    """The tables as one workbook, a sheet each (see core/xlsx.py)."""
    book = new_workbook()
    words = status_words()
    for table in tables:
        write_table(
            book, table.title, table.columns, table.rows, notes=table.notes, status_words=words
        )
    return workbook_bytes(book)


def csv_bytes(table: Table) -> bytes:
    """One table as CSV (UTF-8 with a byte-order mark, so that Excel reads the accents):
    its header then its rows, statuses in words, dates as YYYY-MM-DD, figures with a
    decimal point; text cells never read as formulas (core/csv_safe.py)."""
    out = io.StringIO()
    writer = csv_safe.writer(out)
    words = status_words()
    writer.writerow([c.title for c in table.columns])
    for row in table.rows:
        writer.writerow(
            [
                "" if value is None else words.get(value, value) if c.kind == "status" else value
                for c, value in zip(table.columns, row, strict=True)
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def tables_file(
    tables: Sequence[Table], name_parts: Sequence[str], fmt: str, *, csv_table: int = -1
) -> PackFile:
    """The tables as a workbook, or one of them (`csv_table`, the detailed one) as a CSV."""
    if fmt == "csv":
        return PackFile(file_name(*name_parts, ext="csv"), CSV, csv_bytes(tables[csv_table]))
    return PackFile(file_name(*name_parts, ext="xlsx"), XLSX, workbook(tables))
