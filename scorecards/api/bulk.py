"""`POST /api/v1/measure-values/bulk/`: many values at once, as JSON, CSV or an Excel
workbook (.xlsx). Upserts on (measure, period), all or nothing; a row is read by
`value_inputs.BulkRowSerializer`, the rules are the service's
(`services.measure_values_bulk_record`): this view only reads the body.

Rows are numbered from 1 in a JSON list; in a CSV, by the spreadsheet's line (the header is
line 1); in a workbook, by the row of its first sheet. In a CSV or a workbook an empty cell
leaves the stored value as it is; in JSON, leave the key out for that, and send null to
clear it. A CSV may separate its cells by commas (figures with a decimal point) or
semicolons (figures with a decimal comma); a workbook's figures are numbers, and those
typed as text are read in the language of `Accept-Language` (scorecards/xlsx_values.py).

A figure far from its measure's history is refused (its error has `"code": "unusual"`)
unless its row says `"confirm": true` (a `confirm` column in a CSV).
"""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.parsers import JSONParser
from core.api.permissions import HasRulePermission
from core.numbers import active_number_format
from core.uploads import takes_large_body
from core.xlsx import XLSX

from ..csv_values import rows_from_csv
from ..models import MeasureValue
from ..services import measure_values_bulk_record
from ..value_inputs import BulkError, BulkRowSerializer, read_rows
from ..xlsx_values import rows_from_xlsx


class CSVParser(BaseParser):
    """`text/csv` bodies reach the view as bytes; it decodes and checks them."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read()


class XLSXParser(CSVParser):
    """Workbook bodies reach the view as bytes too; it opens and checks them."""

    media_type = XLSX


# The files the body may be, by content type: each reader gives the rows with their line or
# row in the file, and the number format of the figures written as text.
FILE_READERS = {
    "text/csv": rows_from_csv,
    XLSX: rows_from_xlsx,
}


def error(message: str, row=None, field=None) -> Response:
    return Response({"errors": [{"row": row, "field": field, "message": message}]}, status=400)


@takes_large_body("BULK_MAX_BYTES")  # refuses a larger body itself, below
class BulkValuesView(APIView):
    """Insert or update many measure values in one request, all or nothing."""

    permission_classes = [HasRulePermission]
    queryset = MeasureValue.objects.all()
    parser_classes = [JSONParser, CSVParser, XLSXParser]

    @extend_schema(
        request={
            "application/json": BulkRowSerializer(many=True),
            "text/csv": {"type": "string", "description": "measure_code,period,actual,..."},
            XLSX: {
                "type": "string",
                "format": "binary",
                "description": "An Excel workbook: its first sheet, with the CSV's column names "
                "in its first row.",
            },
        },
        responses={
            200: inline_serializer(
                "BulkResult",
                {
                    "created": serializers.IntegerField(help_text="Values created."),
                    "updated": serializers.IntegerField(help_text="Values changed."),
                    "unchanged": serializers.IntegerField(
                        help_text="Rows that matched what was stored (nothing written)."
                    ),
                },
            ),
            400: OpenApiResponse(
                description='{"errors": [{"row": n, "field": "...", "message": "..."}]}; an '
                "error a confirmation lifts (a figure far from its measure's history) also "
                'has "code": "unusual": send its row again with "confirm": true.'
            ),
        },
        examples=[
            OpenApiExample(
                "Two actuals",
                value=[
                    {"measure_code": "IND.REV", "period": "2026-10", "actual": "1520.5"},
                    {"measure_code": "IND.COGS", "period": "2026-10", "actual": "1010"},
                ],
                request_only=True,
            )
        ],
        summary="Upsert many measure values",
    )
    def post(self, request):
        limit = settings.BULK_MAX_BYTES
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            return error(
                _("The body is larger than %(size)s MB: split the batch.")
                % {"size": limit // 1_000_000}
            )
        lines, number_format = None, None
        reader = next(
            (read for kind, read in FILE_READERS.items() if request.content_type.startswith(kind)),
            None,
        )
        if reader is not None:
            body = request.data if isinstance(request.data, bytes) else b""  # empty: no parse
            try:
                table = reader(body, active_number_format())
            except ValueError as exc:
                return error(str(exc))
            rows, lines, number_format = table.rows, table.lines, table.number_format
        else:
            rows = request.data
            if not isinstance(rows, list):
                return error(
                    _("Send a JSON list of rows, a CSV as text/csv or an Excel workbook (.xlsx).")
                )
        user = request.user
        try:
            counts = measure_values_bulk_record(
                actor=user,
                rows=read_rows(rows, number_format),
                may_enter=lambda measure: user.has_perm("scorecards.add_measurevalue", measure),
            )
        except BulkError as exc:
            errors = exc.errors
            if lines is not None:
                errors = [{**e, "row": lines[e["row"] - 1] if e["row"] else None} for e in errors]
            return Response({"errors": errors}, status=400)
        return Response(counts._asdict())
