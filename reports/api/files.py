"""API v1's files (API.md "Files"): `?format=` on a computed read answers a file with
`Content-Disposition: attachment`; the unit report, the briefing book and the pay data (a
subtree's goals and incentive components, each download recorded in the audit log) are
files only.

`format` is also DRF's own query parameter for choosing a renderer, so each file format
has a renderer here (it passes the file's bytes through); an error (a bad month, no such
unit) is still answered in JSON, and a format the read does not offer is a `400` naming
the ones it does.
"""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from alignment.api import AlignmentQuerySerializer, AlignmentSerializer, AlignmentView
from core.api.permissions import HasRulePermission
from core.clock import current_fiscal_year
from core.formatting import api_decimal, api_number
from core.scoping import restrict
from core.views import require
from people.models import Goal, IncentiveComponent
from reviews.models import ReviewMeeting
from scorecards.api.reads import (
    ScorecardQuerySerializer,
    ScorecardSerializer,
    UnitScorecardView,
    unit_for,
)
from scorecards.models import Measure
from scorecards.selectors.series import load_series

from .. import exports
from ..files import CSV, PDF, PPTX, as_download
from ..files import MEDIA_TYPES as FILE_TYPES
from ..tables import scored_history


class _FileRenderer(BaseRenderer):
    """Lets `?format=` choose a file; the view answers the file itself."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class XlsxRenderer(_FileRenderer):
    media_type = FILE_TYPES["xlsx"]
    format = "xlsx"


class CsvRenderer(_FileRenderer):
    media_type = CSV
    format = "csv"


class PdfRenderer(_FileRenderer):
    media_type = PDF
    format = "pdf"


class PptxRenderer(_FileRenderer):
    media_type = PPTX
    format = "pptx"


RENDERERS = {"xlsx": XlsxRenderer, "csv": CsvRenderer, "pdf": PdfRenderer, "pptx": PptxRenderer}


def unavailable(message: str) -> Response:
    """PDFs cannot be made here (Pango missing): 503 with what to install."""
    return Response({"detail": message}, status=503)


class FileFormats:
    """A view whose `?format=` is one of `file_formats` (and, if `json_too`, JSON): others
    are a 400; errors are answered in JSON whatever the format asked."""

    file_formats: tuple[str, ...] = ()
    json_too = True

    def get_renderers(self):
        renderers = list(super().get_renderers()) if self.json_too else [JSONRenderer()]
        return renderers + [RENDERERS[f]() for f in self.file_formats]

    def perform_content_negotiation(self, request, force=False):
        wanted = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
        offered = [*self.file_formats, *(("json", "api") if self.json_too else ())]
        if wanted and wanted not in offered and not force:
            raise ValidationError(
                {"format": [_("Choose one of: %(formats)s.") % {"formats": ", ".join(offered)}]}
            )
        return super().perform_content_negotiation(request, force=force)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and isinstance(
            getattr(response, "accepted_renderer", None), _FileRenderer
        ):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return response

    def wanted_format(self, default: str | None = None) -> str | None:
        wanted = self.request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
        return wanted if wanted in self.file_formats else default


def _file_schema(json_response, *formats: str, parameters=()) -> dict:
    """The schema of a read with files: a JSON read keeps its one JSON answer (so generated
    clients read it as they did; `format` is described), a file-only read declares its
    binary media types."""
    if json_response is not None:
        responses = {200: json_response}
    else:
        responses = {(200, FILE_TYPES[f]): OpenApiTypes.BINARY for f in formats}
    return {
        "parameters": [
            *parameters,
            OpenApiParameter(
                "format",
                str,
                enum=list(formats),
                description=(
                    "A file instead of JSON: " + ", ".join(formats) + " (answered with "
                    "Content-Disposition: attachment)."
                    if json_response is not None
                    else "The file's format: " + ", ".join(formats) + "."
                ),
            ),
        ],
        "responses": {
            **responses,
            400: OpenApiResponse(description="A bad parameter, with field messages."),
            403: OpenApiResponse(description="You have no role."),
            404: OpenApiResponse(description="There is no such object (or you may not see it)."),
        },
    }


class ScorecardFilesView(FileFormats, UnitScorecardView):
    """A unit's scorecard as JSON, or (`?format=xlsx|csv`) as a workbook (the perspectives
    and every measure) or a CSV (every measure)."""

    file_formats = ("xlsx", "csv")

    @extend_schema(
        summary="A unit's scorecard",
        **_file_schema(ScorecardSerializer, "xlsx", "csv", parameters=[ScorecardQuerySerializer]),
    )
    def get(self, request, pk: int):
        fmt = self.wanted_format()
        if fmt is None:
            return super().get(request, pk)
        unit = unit_for(request, pk)
        query = ScorecardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return as_download(
            exports.scorecard_file(unit, as_of=data.get("as_of"), ytd=data["ytd"], fmt=fmt)
        )


class AlignmentFilesView(FileFormats, AlignmentView):
    """The alignment of a unit's subtree as JSON, or (`?format=xlsx|csv`) as a workbook (its
    metrics, each unit's and the lists of what is out of line) or a CSV (each unit's)."""

    file_formats = ("xlsx", "csv")

    @extend_schema(
        summary="Alignment of a unit's subtree",
        **_file_schema(AlignmentSerializer, "xlsx", "csv", parameters=[AlignmentQuerySerializer]),
    )
    def get(self, request):
        fmt = self.wanted_format()
        if fmt is None:
            return super().get(request)
        unit, year = self.subtree_and_year(request)
        pack = exports.alignment_file(unit, fiscal_year=year, user=request.user, fmt=fmt)
        exports.alignment_download_audit(request, unit, fiscal_year=year, fmt=fmt)
        return as_download(pack)


class PaperSerializer(serializers.Serializer):
    paper = serializers.ChoiceField(
        choices=["a4", "letter"], default="a4", help_text="Paper of the PDF: a4 or letter."
    )


class ReportQuerySerializer(PaperSerializer):
    as_of = serializers.CharField(
        required=False, help_text="Month, YYYY-MM (default: the month just ended)."
    )

    def validate_as_of(self, value):
        return ScorecardQuerySerializer().validate_as_of(value)


class UnitReportView(FileFormats, APIView):
    """The unit report for a month as a PDF (default) or the executive deck as PowerPoint
    (`?format=pptx`)."""

    permission_classes = [HasRulePermission]
    queryset = ScorecardFilesView.queryset
    file_formats = ("pdf", "pptx")
    json_too = False

    @extend_schema(
        summary="A unit's report for a month (PDF) or its executive deck (PowerPoint)",
        **_file_schema(None, "pdf", "pptx", parameters=[ReportQuerySerializer]),
    )
    def get(self, request, pk: int):
        from ..documents import PdfUnavailable, executive_deck, unit_report_pdf

        unit = unit_for(request, pk)
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of, paper = query.validated_data.get("as_of"), query.validated_data["paper"]
        if self.wanted_format("pdf") == "pptx":
            return as_download(executive_deck(unit, request.user, as_of=as_of))
        try:
            return as_download(unit_report_pdf(unit, request.user, as_of=as_of, paper=paper))
        except PdfUnavailable as exc:
            return unavailable(str(exc))


class BriefingBookView(FileFormats, APIView):
    """A review meeting's briefing book as a PDF."""

    permission_classes = [HasRulePermission]
    queryset = ReviewMeeting.objects.all()
    file_formats = ("pdf",)
    json_too = False

    @extend_schema(
        summary="A review meeting's briefing book (PDF)",
        **_file_schema(None, "pdf", parameters=[PaperSerializer]),
    )
    def get(self, request, pk: int):
        from ..documents import PdfUnavailable, briefing_book_pdf

        meeting = get_object_or_404(
            restrict(ReviewMeeting.objects.select_related("unit", "chair"), request.user), pk=pk
        )
        query = PaperSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            return as_download(briefing_book_pdf(meeting, paper=query.validated_data["paper"]))
        except PdfUnavailable as exc:
            return unavailable(str(exc))


class HistoryValueSerializer(serializers.Serializer):
    period = serializers.DateField(help_text="Period start.")
    actual = serializers.CharField(allow_null=True, help_text="Actual, decimal string.")
    target = serializers.CharField(allow_null=True, help_text="Target, decimal string.")
    red_flag = serializers.CharField(
        allow_null=True, help_text="Red flag scored against: entered, or the default."
    )
    score = serializers.FloatField(allow_null=True, help_text="Score 0-10.")
    status = serializers.CharField(help_text="green, yellow, red or no_data.")


class HistorySerializer(serializers.Serializer):
    measure = serializers.IntegerField(help_text="Measure id.")
    values = HistoryValueSerializer(many=True, help_text="Every stored period, oldest first.")


class MeasureHistoryView(FileFormats, APIView):
    """A measure's full history (calculated and rollup measures as computed): JSON, or a
    workbook or CSV (`?format=xlsx|csv`)."""

    permission_classes = [HasRulePermission]
    queryset = Measure.objects.all()
    file_formats = ("xlsx", "csv")

    @extend_schema(summary="A measure's history", **_file_schema(HistorySerializer, "xlsx", "csv"))
    def get(self, request, pk: int):
        measure = get_object_or_404(
            restrict(Measure.objects.select_related("unit"), request.user), pk=pk
        )
        fmt = self.wanted_format()
        if fmt is not None:
            return as_download(exports.history_file(measure, fmt=fmt))
        series = load_series(Q(pk=measure.pk))[measure.pk]
        values = [
            {
                "period": row.period,
                "actual": api_decimal(row.actual),
                "target": api_decimal(row.target),
                "red_flag": api_decimal(row.red_flag),
                "score": api_number(row.score),
                "status": row.status,
            }
            for row in scored_history(series)
        ]
        return Response(HistorySerializer({"measure": measure.pk, "values": values}).data)


class PayDataQuerySerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(
        required=False, min_value=1900, max_value=2999, help_text="Fiscal year (default: current)."
    )


class _PayDataView(FileFormats, APIView):
    """A pay data file of a unit's subtree, for who may see the unit's people (OSM staff,
    executives, HR, its heads): a workbook (default) or a CSV; each download is recorded
    in the security audit log."""

    permission_classes = [HasRulePermission]
    file_formats = ("xlsx", "csv")
    json_too = False
    export = ""

    def make(self, unit, **kwargs):
        raise NotImplementedError

    def get(self, request, pk: int):
        unit = unit_for(request, pk)
        require(request.user, "people.view_employee", unit)
        query = PayDataQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("fiscal_year") or current_fiscal_year()
        fmt = self.wanted_format("xlsx")
        pack = self.make(unit, fiscal_year=year, user=request.user, fmt=fmt)
        exports.pay_data_download_audit(request, self.export, unit, fiscal_year=year, fmt=fmt)
        return as_download(pack)


class UnitGoalsView(_PayDataView):
    """The goals of a fiscal year of the employees of a unit's subtree: employee, e-mail,
    unit, kind, title, weight, objective and measure (UNIT.CODE), progress."""

    queryset = Goal.objects.all()
    export = "goals"

    def make(self, unit, **kwargs):
        return exports.goals_file(unit, **kwargs)

    @extend_schema(
        summary="The goals of a unit's subtree (workbook or CSV)",
        **_file_schema(None, "xlsx", "csv", parameters=[PayDataQuerySerializer]),
    )
    def get(self, request, pk: int):
        return super().get(request, pk)


class UnitIncentivesView(_PayDataView):
    """The incentive components of a fiscal year of the employees of a unit's subtree:
    employee, e-mail, unit, name, weight, objective and measure (UNIT.CODE)."""

    queryset = IncentiveComponent.objects.all()
    export = "incentives"

    def make(self, unit, **kwargs):
        return exports.incentives_file(unit, **kwargs)

    @extend_schema(
        summary="The incentive components of a unit's subtree (workbook or CSV)",
        **_file_schema(None, "xlsx", "csv", parameters=[PayDataQuerySerializer]),
    )
    def get(self, request, pk: int):
        return super().get(request, pk)
