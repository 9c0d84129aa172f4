"""Measure values as clients send them, defined once: a period, a figure, and a row of a
bulk upload. The same serializer describes the bulk row in the OpenAPI schema and reads
every row of the API's JSON or CSV body and of the web's CSV upload into a typed `BulkRow`;
the service then checks and writes the rows (services/bulk.py).

A bulk row's period is read as people type it (`periods.read_period`: `2026-10`, `Oct 2026`,
`10/2026`, `2026-Q1`, `FY2026`...). Figures in JSON are numbers or plain decimal strings
("1520.5"); figures of a CSV are read in the file's number format (`core.numbers`): a
decimal point in a comma-separated file, a decimal comma in a semicolon-separated one.

Rows are numbered from 1 in a JSON list; in a CSV, by the spreadsheet's line. A field left
out of a row keeps the stored value; in JSON, null clears it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.fields import SkipField, empty

from core.numbers import NumberError, NumberFormat, parse_decimal

from .periods import DAY, parse_period, read_period

BULK_MAX_ROWS = 20_000


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


def read_figure(data):
    """A number, its text, or none (None or a blank); ValidationError saying what is wrong."""
    if data is None or (isinstance(data, str) and not data.strip()):
        return None
    if isinstance(data, bool) or not isinstance(data, (int, float, str, Decimal)):
        raise serializers.ValidationError(_("Enter a number."))
    try:
        value = Decimal(str(data).strip())
    except ArithmeticError:
        raise serializers.ValidationError(
            _("'%(text)s' is not a number.") % {"text": data}
        ) from None
    if not value.is_finite():
        raise serializers.ValidationError(_("Enter a finite number."))
    return value


def measure_id(ref) -> int:
    """A measure id from a row (an int, or digits); 0, which no measure has, for anything
    else (never beyond what ids reach)."""
    if isinstance(ref, str) and ref.strip().isdigit():
        ref = int(ref)
    if isinstance(ref, bool) or not isinstance(ref, int) or not 0 < ref < 2**63:
        return 0
    return ref


# The fields of a bulk row: declared as the schema shows them, read leniently (a row's
# measure is always read, so that its problems are named beside the others of the row).


class _Given:
    """A field that is left out of the row unless given (None or "" count as not given)."""

    def run_validation(self, data=empty):
        if data is empty or data is None or (isinstance(data, str) and data == ""):
            raise SkipField
        return self.read(data)


class MeasureIdField(_Given, serializers.IntegerField):
    def read(self, data):
        return measure_id(data)


class MeasureCodeField(_Given, serializers.CharField):
    def read(self, data):
        return data  # as given: the service names it in its message


class BulkPeriodField(serializers.CharField):
    """A period as people type it; read as a `TypedPeriod` (its first day, and whether the
    text named a day, month, quarter or year)."""

    def run_validation(self, data=empty):
        text = "" if data is empty or not data else data
        try:
            return read_period(text, settings.FISCAL_YEAR_START_MONTH)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None


class FigureField(serializers.DecimalField):
    """A figure: in JSON a number or a plain decimal string; in a CSV (the serializer's
    `number_format` context) as written in the file's number format."""

    def __init__(self, **kwargs):
        super().__init__(20, 6, required=False, allow_null=True, **kwargs)

    def run_validation(self, data=empty):
        if data is empty:
            raise SkipField
        number_format = self.context.get("number_format")
        if number_format is None or not isinstance(data, str) or not data.strip():
            return read_figure(data)
        try:
            return parse_decimal(data, number_format)
        except NumberError as error:
            raise serializers.ValidationError(error.message) from None


class ConfirmField(serializers.BooleanField):
    """Whether figures far from the measure's history are meant (true, 1, yes; empty or
    left out: false)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def run_validation(self, data=empty):
        if data is empty or data is None or (isinstance(data, str) and not data.strip()):
            raise SkipField
        return super().run_validation(data.strip() if isinstance(data, str) else data)


class NoteField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, **kwargs)

    def run_validation(self, data=empty):
        if data is empty:
            raise SkipField
        if data is None:
            return ""
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Enter text."))
        if "\x00" in data:
            raise serializers.ValidationError(_("Null characters are not allowed."))
        return data


class BulkRowSerializer(serializers.Serializer):
    """One row of a bulk upload of measure values: the measure by id or by code, the
    period, and any of actual, target, red flag and note (a field left out keeps the stored
    value; in JSON, null clears it)."""

    measure = MeasureIdField(required=False, help_text="Measure id, or…")
    measure_code = MeasureCodeField(required=False, help_text="…UNITCODE.MEASURECODE.")
    period = BulkPeriodField(
        help_text="YYYY-MM-DD or YYYY-MM; also 10/2026, Oct 2026, 2026-Q1 (fiscal quarter), "
        "2026 or FY2026 (fiscal year)."
    )
    actual = FigureField(help_text="Actual (left out: kept; null: cleared).")
    target = FigureField(help_text="Target (left out: kept).")
    red_flag = FigureField(help_text="Red flag (left out: kept).")
    note = NoteField(help_text="Note.")
    confirm = ConfirmField(
        help_text="True saves figures far from the measure's history (refused with the code "
        "`unusual` otherwise)."
    )


COLUMNS = frozenset(BulkRowSerializer().fields)
VALUE_FIELDS = ("actual", "target", "red_flag", "note")


@dataclass(frozen=True)
class BulkRow:
    """A row as read: its number, the measure it names (`measure`: an id, 0 for one that
    names no measure; or `measure_code` as given), its period, the fields it gives (a
    field left out keeps the stored value) and what could not be read."""

    number: int
    measure: int | None = None
    measure_code: object = None
    period: dt.date | None = None
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    is_object: bool = True
    period_kind: str = DAY
    confirm: bool = False


def read_rows(raw_rows: list, number_format: NumberFormat | None = None) -> list[BulkRow]:
    """Read every row of a batch (dicts, as parsed from JSON or from a CSV's lines; a CSV's
    figures in its `number_format`); BulkError when there is nothing to read or too
    much."""
    if not raw_rows:
        raise BulkError([{"row": None, "field": None, "message": _("There are no rows.")}])
    if len(raw_rows) > BULK_MAX_ROWS:
        message = _("At most %(number)s rows at once; split the batch.") % {
            "number": number_format(BULK_MAX_ROWS, force_grouping=True)
        }
        raise BulkError([{"row": None, "field": None, "message": message}])
    context = {"number_format": number_format}
    return [_read(number, raw, context) for number, raw in enumerate(raw_rows, start=1)]


def _read(number: int, raw, context: dict) -> BulkRow:
    if not isinstance(raw, dict):
        error = {"row": number, "field": None, "message": _("Each row is an object.")}
        return BulkRow(number, errors=[error], is_object=False)
    reader = BulkRowSerializer(data=raw, context=context)
    valid = reader.is_valid()
    data = reader.validated_data if valid else {}
    fields = reader.fields
    # The measure's fields never fail: read them even when another field did.
    measure = _read_field(fields["measure"], raw.get("measure", empty))
    code = _read_field(fields["measure_code"], raw.get("measure_code", empty))
    errors = [
        {"row": number, "field": name, "message": str(message)}
        for name, messages in ({} if valid else reader.errors).items()
        for message in messages
    ]
    values = {name: data[name] for name in VALUE_FIELDS if name in data}
    period = data.get("period")
    return BulkRow(
        number,
        measure,
        code,
        period.start if period else None,
        values,
        errors,
        period_kind=period.kind if period else DAY,
        confirm=data.get("confirm", False),
    )


def _read_field(field_, data):
    try:
        return field_.run_validation(data)
    except SkipField:
        return None
