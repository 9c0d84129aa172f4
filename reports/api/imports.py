"""API v1's scorecard workbook (API.md "Files"): `GET units/{id}/scorecard-import/template/`
downloads the workbook template (filled with the unit's scorecard when it has one), and
`POST units/{id}/scorecard-import/` with the `.xlsx` body imports it: with `?dry_run=1` the
plan only (what would be created and changed, every refused row), else all of it or nothing
(`400` with the refusals). Both are for who may change the unit's strategy (the OSM staff,
the heads of the unit and of the units above). Thin: reports/scorecard_import.py does it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import HasRulePermission
from core.uploads import takes_large_body
from core.views import require
from core.xlsx import XLSX
from scorecards.api.reads import unit_for
from scorecards.models import Objective

from ..files import as_download
from ..scorecard_import import ImportResult, import_scorecard
from ..scorecard_plan import KINDS
from ..scorecard_workbook import definition_file, problem
from .files import FileFormats

PERMISSION = "scorecards.add_objective"  # who changes the unit's strategy
TRUE = ("1", "true", "yes", "on")


class XlsxParser(BaseParser):
    """An `.xlsx` body reaches the view as bytes; the import reads and checks it."""

    media_type = XLSX

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


def _counts(name: str, what: str):
    return inline_serializer(
        name,
        {
            kind: serializers.IntegerField(help_text=f"{kind.capitalize()} {what}.")
            for kind in KINDS
        },
        help_text=f"Rows {what}, by kind (links are the strategy map's arrows).",
    )


ImportAnswer = inline_serializer(
    "ScorecardImport",
    {
        "create": _counts("ScorecardImportCreate", "to create (or created)"),
        "update": _counts("ScorecardImportUpdate", "to change (or changed)"),
        "unchanged": _counts("ScorecardImportUnchanged", "already as the workbook says"),
        "errors": inline_serializer(
            "ScorecardImportError",
            {
                "sheet": serializers.CharField(
                    allow_null=True,
                    help_text="Objectives, Arrows, Measures or Targets (null: the workbook).",
                ),
                "row": serializers.IntegerField(
                    allow_null=True, help_text="The row in the sheet (the header is row 1)."
                ),
                "field": serializers.CharField(
                    allow_null=True, help_text="The column (null: the whole row)."
                ),
                "message": serializers.CharField(help_text="What is wrong, and what to do."),
            },
            many=True,
            help_text="Every refused row; empty when the import is (or would be) done.",
        ),
    },
)
REFUSALS = {
    403: OpenApiResponse(description="You may not change this unit's strategy."),
    404: OpenApiResponse(description="There is no such unit (or you may not see it)."),
}


def _unit(request, pk):
    """The unit `pk` (404 if unseen), once the user may change its strategy (else 403)."""
    unit = unit_for(request, pk)
    require(request.user, PERMISSION, unit)
    return unit


class ScorecardTemplateView(FileFormats, APIView):
    """The scorecard workbook template of a unit: an Instructions sheet, then Objectives,
    Arrows, Measures and Targets, filled with the unit's scorecard when it has one."""

    permission_classes = [HasRulePermission]
    queryset = Objective.objects.all()
    file_formats = ("xlsx",)
    json_too = False

    @extend_schema(
        summary="A unit's scorecard workbook template",
        responses={(200, XLSX): OpenApiTypes.BINARY, **REFUSALS},
    )
    def get(self, request, pk: int):
        return as_download(definition_file(_unit(request, pk)))


@takes_large_body("BULK_MAX_BYTES")  # refuses a larger body itself, below
class ScorecardImportView(APIView):
    """Import a scorecard workbook into a unit: objectives, arrows, measures and targets,
    matched by code (a second import updates, never duplicates); all or nothing."""

    permission_classes = [HasRulePermission]
    queryset = Objective.objects.all()
    parser_classes = [XlsxParser]

    @extend_schema(
        summary="Import a scorecard workbook into a unit",
        request={XLSX: OpenApiTypes.BINARY},
        parameters=[
            OpenApiParameter(
                "dry_run",
                bool,
                description="1: only say what the import would create, change and refuse.",
            )
        ],
        responses={
            200: ImportAnswer,
            400: OpenApiResponse(
                ImportAnswer,
                description="The body is not a scorecard workbook, or (without dry_run) a row "
                "is refused: nothing was written.",
            ),
            **REFUSALS,
        },
    )
    def post(self, request, pk: int):
        unit = _unit(request, pk)
        limit = settings.BULK_MAX_BYTES
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            message = _("The body is larger than %(size)s MB: split the workbook.") % {
                "size": limit // 1_000_000
            }
            return Response(ImportResult(errors=[problem(None, None, None, message)]).answer(), 400)
        body = request.data if isinstance(request.data, bytes) else b""
        dry_run = request.query_params.get("dry_run", "").lower() in TRUE
        result = import_scorecard(unit, body, request.user, dry_run=dry_run)
        failed = not result.readable or (result.errors and not dry_run)
        return Response(result.answer(), status=400 if failed else 200)
