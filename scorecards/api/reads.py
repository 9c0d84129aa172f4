"""API v1's computed reads of a unit: its scorecard and its strategy map. The numbers come
from the scorecard engine; this module only checks parameters and permissions and shapes
the answer. Scores are numbers rounded to 2 decimals; actuals, targets and red flags are
decimal strings like the measure values'.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.cached import cached_response
from core.api.permissions import HasRulePermission
from core.api.schema import SCORE_STATUS
from core.formatting import api_decimal, api_number
from core.scoping import restrict

from ..models import OrgUnit
from ..periods import parse_period
from ..selectors.scorecard import unit_scorecard
from ..selectors.strategy_map import strategy_map

STATUSES = ["green", "yellow", "red", "no_data"]
TRENDS = ["up", "down", "flat"]


# Output shapes, for the schema ----------------------------------------------------------------


class MeasureReadingSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Measure id.")
    code = serializers.CharField(help_text="Measure code.")
    name = serializers.CharField(help_text="Measure name.")
    period = serializers.DateField(
        allow_null=True, help_text="The period the figures are from (its first day)."
    )
    actual = serializers.CharField(allow_null=True, help_text="Actual (decimal string).")
    target = serializers.CharField(allow_null=True, help_text="Target (decimal string).")
    red_flag = serializers.CharField(
        allow_null=True, help_text="Red flag used (entered, or the default from the tolerance)."
    )
    score = serializers.FloatField(allow_null=True, help_text="Score 0-10, 2 decimals.")
    status = serializers.ChoiceField(choices=STATUSES, help_text=SCORE_STATUS)
    trend = serializers.ChoiceField(
        choices=TRENDS, allow_null=True, help_text="Against the previous period with data."
    )
    overdue = serializers.BooleanField(help_text="The latest value due has no actual.")


class ObjectiveReadingSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Objective id.")
    code = serializers.CharField(help_text="Objective code.")
    name = serializers.CharField(help_text="Objective name.")
    score = serializers.FloatField(allow_null=True, help_text="Score 0-10, 2 decimals.")
    status = serializers.ChoiceField(choices=STATUSES, help_text=SCORE_STATUS)
    measures = MeasureReadingSerializer(many=True, help_text="Its measures.")


class PerspectiveReadingSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Perspective id.")
    name = serializers.CharField(help_text="Perspective name.")
    score = serializers.FloatField(allow_null=True, help_text="Score 0-10, 2 decimals.")
    status = serializers.ChoiceField(choices=STATUSES, help_text=SCORE_STATUS)
    objectives = ObjectiveReadingSerializer(many=True, help_text="Its objectives.")


class ScorecardSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text="Unit id.")
    as_of = serializers.CharField(help_text="The month read, YYYY-MM.")
    ytd = serializers.BooleanField(help_text="Whether figures are year to date.")
    score = serializers.FloatField(allow_null=True, help_text="Scorecard score 0-10.")
    status = serializers.ChoiceField(choices=STATUSES, help_text=SCORE_STATUS)
    perspectives = PerspectiveReadingSerializer(many=True, help_text="Perspectives in order.")


class ScorecardQuerySerializer(serializers.Serializer):
    as_of = serializers.CharField(
        required=False, help_text="Month to read, YYYY-MM (default: the current month)."
    )
    ytd = serializers.BooleanField(required=False, default=False, help_text="Year to date.")

    def validate_as_of(self, value):
        try:
            return parse_period(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


def unit_for(request, pk) -> OrgUnit:
    """The unit `pk` if the user may see it, else 404."""
    return get_object_or_404(restrict(OrgUnit.objects.all(), request.user), pk=pk)


class UnitScorecardView(APIView):
    """A unit's scorecard as of a month, or year to date: each measure's latest period up to
    that month with an actual and a target, scored 0-10 (the red flag scores 3.33, the target
    6.67); objectives and perspectives as weighted means of the scores that have data."""

    permission_classes = [HasRulePermission]
    queryset = OrgUnit.objects.all()

    @extend_schema(
        parameters=[ScorecardQuerySerializer],
        responses=ScorecardSerializer,
        summary="A unit's scorecard",
    )
    def get(self, request, pk: int):
        unit = unit_for(request, pk)
        query = ScorecardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of, ytd = query.validated_data.get("as_of"), query.validated_data["ytd"]
        # the same for whoever may see the unit: kept once per unit, month and version
        # (today: the default month, and which values are overdue)
        parts = (unit.pk, as_of, timezone.localdate(), ytd, settings.FISCAL_YEAR_START_MONTH)
        return cached_response(
            self, request, "scorecard", parts,
            lambda: scorecard_answer(unit, unit_scorecard(unit, as_of=as_of, ytd=ytd)),
        )  # fmt: skip


def scorecard_answer(unit: OrgUnit, card) -> dict:
    """The API's shape of a unit's scorecard (ScorecardSerializer)."""
    return {
        "unit": unit.pk,
        "as_of": card.as_of.strftime("%Y-%m"),
        "ytd": card.ytd,
        "score": api_number(card.score),
        "status": card.status,
        "perspectives": [
            {
                "id": p.id,
                "name": p.name,
                "score": api_number(p.score),
                "status": p.status,
                "objectives": [
                    {
                        "id": o.id,
                        "code": o.code,
                        "name": o.name,
                        "score": api_number(o.score),
                        "status": o.status,
                        "measures": [
                            {
                                "id": m.id,
                                "code": m.code,
                                "name": m.name,
                                "period": m.period,
                                "actual": api_decimal(m.actual),
                                "target": api_decimal(m.target),
                                "red_flag": api_decimal(m.red_flag),
                                "score": api_number(m.score),
                                "status": m.status,
                                "trend": m.trend,
                                "overdue": m.overdue,
                            }
                            for m in o.measures
                        ],
                    }
                    for o in p.objectives
                ],
            }
            for p in card.perspectives
        ],
    }


# Strategy map ---------------------------------------------------------------------------------


class MapPerspectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Perspective id.")
    name = serializers.CharField(help_text="Perspective name.")
    order = serializers.IntegerField(help_text="Position, top to bottom.")


class MapThemeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Theme id.")
    name = serializers.CharField(help_text="Theme name.")
    unit = serializers.IntegerField(help_text="Unit the theme belongs to.")


class MapObjectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Objective id.")
    code = serializers.CharField(help_text="Objective code.")
    name = serializers.CharField(help_text="Objective name.")
    perspective = serializers.IntegerField(help_text="Perspective id.")
    theme = serializers.IntegerField(allow_null=True, help_text="Theme id, or null.")
    status = serializers.ChoiceField(choices=STATUSES, help_text=f"This month's. {SCORE_STATUS}")
    score = serializers.FloatField(allow_null=True, help_text="Score 0-10 this month.")


class MapLinkSerializer(serializers.Serializer):
    cause = serializers.IntegerField(help_text="Objective id of the cause.")
    effect = serializers.IntegerField(help_text="Objective id of the effect.")


class StrategyMapSerializer(serializers.Serializer):
    perspectives = MapPerspectiveSerializer(many=True, help_text="Perspectives in order.")
    themes = MapThemeSerializer(many=True, help_text="Themes the map's objectives use.")
    objectives = MapObjectiveSerializer(many=True, help_text="The unit's objectives.")
    links = MapLinkSerializer(many=True, help_text="Cause-and-effect arrows.")


class StrategyMapView(APIView):
    """A unit's strategy map: perspectives, themes, objectives with status, arrows."""

    permission_classes = [HasRulePermission]
    queryset = OrgUnit.objects.all()

    @extend_schema(responses=StrategyMapSerializer, summary="A unit's strategy map")
    def get(self, request, pk: int):
        read = strategy_map(unit_for(request, pk))
        return Response(
            {
                "perspectives": [
                    {"id": p.id, "name": p.name, "order": p.order} for p in read.perspectives
                ],
                "themes": [{"id": t.id, "name": t.name, "unit": t.unit_id} for t in read.themes],
                "objectives": [
                    {
                        "id": o.id,
                        "code": o.code,
                        "name": o.name,
                        "perspective": o.perspective_id,
                        "theme": o.theme_id,
                        "status": o.status,
                        "score": api_number(o.score),
                    }
                    for o in read.objectives
                ],
                "links": [{"cause": cause, "effect": effect} for cause, effect in read.links],
            }
        )
