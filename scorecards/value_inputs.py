"""Measure values as clients send them, defined once: a period (`YYYY-MM-DD` or `YYYY-MM`),
a figure, and a row of a bulk upload. The same serializer describes the bulk row in the
OpenAPI schema and reads every row of the API's JSON or CSV body and of the web's CSV upload
into a typed `BulkRow`; the service then checks and writes the rows (services/bulk.py).

Rows are numbered from 1 in a JSON list; in a CSV, by the file's line. A field left out of a
row keeps the stored value; in JSON, null clears it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from rest_framework import serializers

from .periods import parse_period

BULK_MAX_ROWS = 20_000
FIGURES = ("actual", "target", "red_flag")


class BulkError(Exception):
    """A batch with bad rows: `errors` lists {"row", "field", "message"}; nothing was written."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


class PeriodField(serializers.DateField):
    """A period's first day: `YYYY-MM-DD`, or `YYYY-MM` for the first of the month."""

    def to_internal_value(self, value):
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return parse_period(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None


class FigureField(serializers.DecimalField):
    """An actual, target or red flag: a number or its text (a blank is none)."""

    def __init__(self, **kwargs):
        super().__init__(20, 6, required=False, allow_null=True, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.strip():
            return None
        if isinstance(data, bool) or not isinstance(data, (int, float, str, Decimal)):
            raise serializers.ValidationError("Enter a number.")
        try:
            value = Decimal(str(data).strip())
        except ArithmeticError:
            raise serializers.ValidationError(f"'{data}' is not a number.") from None
        if not value.is_finite():
            raise serializers.ValidationError("Enter a finite number.")
        return value


class MeasureIdField(serializers.IntegerField):
    """A measure's id: an integer, or digits (a CSV cell). Anything else names no measure
    (0, which the service reports as "No such measure.")."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.strip():
            return None
        if isinstance(data, str) and data.strip().isdigit():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int) or not 0 < data < 2**63:
            return 0
        return data


class NoteField(serializers.CharField):
    """A note: text without null characters (null, in JSON, empties it)."""

    def __init__(self, **kwargs):
        super().__init__(
            required=False, allow_null=True, allow_blank=True, trim_whitespace=False, **kwargs
        )

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Enter text.")
        if "\x00" in data:
            raise serializers.ValidationError("Null characters are not allowed.")
        return data


class BulkRowSerializer(serializers.Serializer):
    """One row of a bulk upload of measure values."""

    measure = MeasureIdField(required=False, allow_null=True, help_text="Measure id, or…")
    measure_code = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="…UNITCODE.MEASURECODE."
    )
    period = PeriodField(
        help_text="YYYY-MM-DD or YYYY-MM.",
        error_messages={
            "required": "Give the period: YYYY-MM-DD or YYYY-MM.",
            "null": "Give the period: YYYY-MM-DD or YYYY-MM.",
        },
    )
    actual = FigureField(help_text="Actual (left out: kept; null: cleared).")
    target = FigureField(help_text="Target (left out: kept).")
    red_flag = FigureField(help_text="Red flag (left out: kept).")
    note = NoteField(help_text="Note.")

    def validate(self, attrs):
        if attrs.get("measure") is None and not (attrs.get("measure_code") or "").strip():
            raise serializers.ValidationError({"measure": "Give measure or measure_code."})
        return attrs


COLUMNS = frozenset(BulkRowSerializer().fields)


@dataclass(frozen=True)
class BulkRow:
    """A row that was read: its number, the measure it names (by id, or by code), its period
    and the fields it gives (a field left out keeps the stored value)."""

    number: int
    measure_id: int | None
    measure_code: str | None
    period: dt.date
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BulkBatch:
    """The rows read from a body, and the problems of those that could not be read."""

    rows: list[BulkRow]
    errors: list[dict]


def read_rows(raw_rows: list) -> BulkBatch:
    """Read every row of a batch (dicts, as parsed from JSON or from a CSV's lines);
    BulkError when there is nothing to read or too much."""
    if not raw_rows:
        raise BulkError([{"row": None, "field": None, "message": "There are no rows."}])
    if len(raw_rows) > BULK_MAX_ROWS:
        message = f"At most {BULK_MAX_ROWS:,} rows at once; split the batch."
        raise BulkError([{"row": None, "field": None, "message": message}])
    rows, errors = [], []
    for number, raw in enumerate(raw_rows, start=1):
        if not isinstance(raw, dict):
            errors.append({"row": number, "field": None, "message": "Each row is an object."})
            continue
        reader = BulkRowSerializer(data=raw)
        if not reader.is_valid():
            errors += [
                {"row": number, "field": None if name == "non_field_errors" else name, "message": m}
                for name, messages in reader.errors.items()
                for m in map(str, messages)
            ]
            continue
        data = reader.validated_data
        values = {name: data[name] for name in FIGURES if name in data}
        if "note" in data:
            values["note"] = data["note"] or ""
        code = (data.get("measure_code") or "").strip()
        rows.append(BulkRow(number, data.get("measure"), code or None, data["period"], values))
    return BulkBatch(rows, errors)
