"""API v1's computed reads (API.md "Computed reads"): a unit's scorecard and strategy map,
an objective's cascade, and alignment. The numbers come from the engine and the alignment
selectors; this module only checks parameters and permissions and shapes the answer.

Scores and percentages are numbers rounded to 2 decimals; actuals, targets and red flags
are decimal strings like the measure values'.
"""

import json
from collections import defaultdict

from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from alignment.metrics import METRICS
from alignment.selectors import cached_alignment_report, current_fiscal_year
from initiatives.models import InitiativeObjective
from osm.permissions import HasRulePermission, Scope, scope_queryset
from people.models import Goal
from scorecards.models import CauseEffect, Objective, OrgUnit, Perspective, Theme
from scorecards.periods import parse_period
from scorecards.scoring import to_decimal
from scorecards.selectors.cascade import cascade_tree
from scorecards.selectors.scorecard import objective_scores, unit_scorecard

STATUSES = ["green", "yellow", "red", "no_data"]
TRENDS = ["up", "down", "flat"]


def number(value) -> float | None:
    """A score or percentage as a number with 2 decimals (None stays None)."""
    rounded = to_decimal(value)
    return None if rounded is None else float(rounded)


def figure(value) -> str | None:
    """An actual, target or red flag as a decimal string (6 decimals at most)."""
    rounded = to_decimal(value, 6)
    if rounded is None:
        return None
    return format(rounded.normalize(), "f")


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
    status = serializers.ChoiceField(choices=STATUSES, help_text="green, yellow, red, no_data.")
    trend = serializers.ChoiceField(
        choices=TRENDS, allow_null=True, help_text="Against the previous period with data."
    )
    overdue = serializers.BooleanField(help_text="The latest value due has no actual.")


class ObjectiveReadingSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Objective id.")
    code = serializers.CharField(help_text="Objective code.")
    name = serializers.CharField(help_text="Objective name.")
    score = serializers.FloatField(allow_null=True, help_text="Score 0-10, 2 decimals.")
    status = serializers.ChoiceField(choices=STATUSES, help_text="green, yellow, red, no_data.")
    measures = MeasureReadingSerializer(many=True, help_text="Its measures.")


class PerspectiveReadingSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Perspective id.")
    name = serializers.CharField(help_text="Perspective name.")
    score = serializers.FloatField(allow_null=True, help_text="Score 0-10, 2 decimals.")
    status = serializers.ChoiceField(choices=STATUSES, help_text="green, yellow, red, no_data.")
    objectives = ObjectiveReadingSerializer(many=True, help_text="Its objectives.")


class ScorecardSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text="Unit id.")
    as_of = serializers.CharField(help_text="The month read, YYYY-MM.")
    ytd = serializers.BooleanField(help_text="Whether figures are year to date.")
    score = serializers.FloatField(allow_null=True, help_text="Scorecard score 0-10.")
    status = serializers.ChoiceField(choices=STATUSES, help_text="green, yellow, red, no_data.")
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


def _unit_for(request, pk) -> OrgUnit:
    units = scope_queryset(request.user, OrgUnit.objects.all(), Scope.STRATEGY)
    return get_object_or_404(units, pk=pk)


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
        unit = _unit_for(request, pk)
        query = ScorecardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        card = unit_scorecard(
            unit, as_of=query.validated_data.get("as_of"), ytd=query.validated_data["ytd"]
        )
        return Response(
            {
                "unit": unit.pk,
                "as_of": card.as_of.strftime("%Y-%m"),
                "ytd": card.ytd,
                "score": number(card.score),
                "status": card.status,
                "perspectives": [
                    {
                        "id": p.id,
                        "name": p.name,
                        "score": number(p.score),
                        "status": p.status,
                        "objectives": [
                            {
                                "id": o.id,
                                "code": o.code,
                                "name": o.name,
                                "score": number(o.score),
                                "status": o.status,
                                "measures": [
                                    {
                                        "id": m.id,
                                        "code": m.code,
                                        "name": m.name,
                                        "period": m.period,
                                        "actual": figure(m.actual),
                                        "target": figure(m.target),
                                        "red_flag": figure(m.red_flag),
                                        "score": number(m.score),
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
        )


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
    status = serializers.ChoiceField(choices=STATUSES, help_text="Status this month.")
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
        unit = _unit_for(request, pk)
        readings = objective_scores(Q(id__in=OrgUnit.objects.subtree_of(unit.pk)))
        objectives = list(
            Objective.objects.filter(unit=unit)
            .order_by("perspective__order", "code")
            .values("id", "code", "name", "perspective_id", "theme_id")
        )
        theme_ids = {o["theme_id"] for o in objectives if o["theme_id"]}
        themes = Theme.objects.filter(Q(unit=unit) | Q(id__in=theme_ids)).order_by("name")
        links = CauseEffect.objects.filter(cause__unit=unit).order_by("id")
        return Response(
            {
                "perspectives": [
                    {"id": p.id, "name": p.name, "order": p.order}
                    for p in Perspective.objects.order_by("order")
                ],
                "themes": [{"id": t.id, "name": t.name, "unit": t.unit_id} for t in themes],
                "objectives": [
                    {
                        "id": o["id"],
                        "code": o["code"],
                        "name": o["name"],
                        "perspective": o["perspective_id"],
                        "theme": o["theme_id"],
                        "status": readings[o["id"]].status,
                        "score": number(readings[o["id"]].score),
                    }
                    for o in objectives
                ],
                "links": [
                    {"cause": cause, "effect": effect}
                    for cause, effect in links.values_list("cause_id", "effect_id")
                ],
            }
        )


# Cascade --------------------------------------------------------------------------------------


class CascadeNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Objective id.")
    code = serializers.CharField(help_text="Objective code.")
    name = serializers.CharField(help_text="Objective name.")
    unit = serializers.IntegerField(help_text="Unit id.")
    status = serializers.ChoiceField(choices=STATUSES, help_text="Status this month.")
    supported_by = serializers.ListField(
        child=serializers.DictField(),
        help_text="The objectives supporting this one, in the same shape, recursively.",
    )
    initiatives = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of initiatives advancing it."
    )
    goals = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of goals linked to it (that you may see)."
    )


def nested_json(data, encode_scalar) -> str:
    """JSON text of nested dicts and lists, written with an explicit stack: `json.dumps`
    recurses, and a cascade down a unit tree a thousand deep nests twice as many levels."""
    out: list[str] = []
    stack: list = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, _Text):
            out.append(item)
        elif isinstance(item, dict):
            parts: list = [_Text("{")]
            for index, (key, value) in enumerate(item.items()):
                parts += [_Text(("," if index else "") + encode_scalar(str(key)) + ":"), value]
            stack.extend(reversed([*parts, _Text("}")]))
        elif isinstance(item, (list, tuple)):
            parts = [_Text("[")]
            for index, value in enumerate(item):
                if index:
                    parts.append(_Text(","))
                parts.append(value)
            stack.extend(reversed([*parts, _Text("]")]))
        else:
            out.append(encode_scalar(item))
    return "".join(out)


class _Text(str):
    """A piece of JSON already written (told apart from a string value to encode)."""


class DeepJSONRenderer(JSONRenderer):
    """DRF's JSON, written by `nested_json` (so a deep cascade is no recursion error)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""

        def scalar(value) -> str:
            return json.dumps(
                value, cls=self.encoder_class, ensure_ascii=self.ensure_ascii,
                allow_nan=not self.strict,
            )  # fmt: skip

        text = nested_json(data, scalar)
        # As DRF's renderer: these two are valid JSON but not valid JavaScript.
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


class ObjectiveCascadeView(APIView):
    """The tree of objectives below an objective (those supporting it, recursively)."""

    permission_classes = [HasRulePermission]
    renderer_classes = [DeepJSONRenderer, BrowsableAPIRenderer]
    queryset = Objective.objects.all()

    @extend_schema(responses=CascadeNodeSerializer, summary="The cascade below an objective")
    def get(self, request, pk: int):
        objectives = scope_queryset(request.user, Objective.objects.all(), Scope.STRATEGY)
        top = get_object_or_404(objectives, pk=pk)
        tree = cascade_tree(top)
        ids = tree.ids()
        initiatives = defaultdict(list)
        for objective_id, initiative_id in InitiativeObjective.objects.filter(
            objective_id__in=ids
        ).values_list("objective_id", "initiative_id"):
            initiatives[objective_id].append(initiative_id)
        goals = defaultdict(list)
        visible_goals = scope_queryset(
            request.user,
            Goal.objects.filter(objective_id__in=ids),
            Scope.PEOPLE,
            unit_path="employee__unit",
            own_path="employee__user",
        )
        for objective_id, goal_id in visible_goals.values_list("objective_id", "id"):
            goals[objective_id].append(goal_id)

        def shape(node):
            return {
                "id": node.id,
                "code": node.code,
                "name": node.name,
                "unit": node.unit_id,
                "status": node.status,
                "supported_by": [],  # filled below, level by level (no recursion)
                "initiatives": sorted(initiatives[node.id]),
                "goals": sorted(goals[node.id]),
            }

        answer = shape(tree)
        stack = [(tree, answer)]
        while stack:
            node, shaped = stack.pop()
            for child in node.supported_by:
                shaped["supported_by"].append(shape(child))
                stack.append((child, shaped["supported_by"][-1]))
        return Response(answer)


# Alignment ------------------------------------------------------------------------------------


def _metric_fields() -> dict:
    """One number field per alignment metric (0-100, or null for an empty denominator)."""
    return {
        name: serializers.FloatField(
            allow_null=True, help_text=f"{name.replace('_', ' ').capitalize()}, 0-100 or null."
        )
        for name in (*METRICS, "alignment_index")
    }


UnitAlignmentSerializer = type(
    "UnitAlignmentSerializer",
    (serializers.Serializer,),
    {
        "id": serializers.IntegerField(help_text="Unit id."),
        "code": serializers.CharField(help_text="Unit code."),
        **_metric_fields(),
    },
)

AlignmentSerializer = type(
    "AlignmentSerializer",
    (serializers.Serializer,),
    {
        "unit": serializers.IntegerField(help_text="Unit id (the top of the subtree)."),
        "fiscal_year": serializers.IntegerField(help_text="Fiscal year."),
        **_metric_fields(),
        "not_cascaded": serializers.ListField(
            child=serializers.IntegerField(),
            help_text="Ids of the unit's objectives no objective below supports.",
        ),
        "unlinked_objectives": serializers.ListField(
            child=serializers.IntegerField(),
            help_text="Ids of the subtree's objectives that support nothing above.",
        ),
        "unfunded_gaps": serializers.ListField(
            child=serializers.IntegerField(),
            help_text="Ids of red or yellow objectives no running initiative advances.",
        ),
        "overdue_measures": serializers.ListField(
            child=serializers.IntegerField(),
            help_text="Ids of measures whose latest value due is missing.",
        ),
        "unlinked_budget_lines": serializers.ListField(
            child=serializers.IntegerField(),
            required=False,
            help_text="Ids of budget lines linked to nothing (if you may see budgets).",
        ),
        "unaligned_employees": serializers.ListField(
            child=serializers.IntegerField(),
            required=False,
            help_text="Ids of active employees with no aligned goal (if you may see people).",
        ),
        "unlinked_incentives": serializers.ListField(
            child=serializers.IntegerField(),
            required=False,
            help_text="Ids of incentive components linked to nothing (if you may see people).",
        ),
        "units": UnitAlignmentSerializer(many=True, help_text="Each unit of the subtree."),
    },
)


class AlignmentQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField(required=False, help_text="Unit id (default: the enterprise).")
    fiscal_year = serializers.IntegerField(
        required=False, min_value=1900, max_value=2999, help_text="Fiscal year (default: current)."
    )


def _metrics(metrics) -> dict:
    return {name: number(value) for name, value in metrics.as_dict().items()}


class AlignmentView(APIView):
    """The alignment metrics of a unit's subtree and of each unit in it, with the lists of
    what is out of line. Metrics are percentages 0-100 (the share linked to strategy, or on
    time), null where nothing counts; the index is the mean of those not null, STRATEX share
    left out."""

    permission_classes = [HasRulePermission]
    queryset = OrgUnit.objects.all()

    @extend_schema(
        parameters=[AlignmentQuerySerializer],
        responses=AlignmentSerializer,
        summary="Alignment of a unit's subtree",
    )
    def get(self, request):
        query = AlignmentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        units = scope_queryset(request.user, OrgUnit.objects.all(), Scope.STRATEGY)
        unit_id = query.validated_data.get("unit")
        unit = (
            units.filter(pk=unit_id).first()
            if unit_id is not None
            else units.filter(parent__isnull=True).first()
        )
        if unit is None:
            raise ValidationError({"unit": ["There is no such unit."]})
        year = query.validated_data.get("fiscal_year") or current_fiscal_year()
        report = cached_alignment_report(unit, fiscal_year=year)
        lists = report.lists
        answer = {
            "unit": unit.pk,
            "fiscal_year": year,
            **_metrics(report.metrics),
            "not_cascaded": [i.id for i in lists.not_cascaded],
            "unlinked_objectives": [i.id for i in lists.unlinked_objectives],
            "unfunded_gaps": [i.id for i in lists.unfunded_gaps],
            "overdue_measures": [i.id for i in lists.overdue_measures],
            "units": [{"id": u.id, "code": u.code, **_metrics(u.metrics)} for u in report.units],
        }
        if request.user.has_perm("budgets.view_budgetline", unit):
            answer["unlinked_budget_lines"] = [i.id for i in lists.unlinked_budget_lines]
        if request.user.has_perm("people.view_employee", unit):
            answer["unaligned_employees"] = [i.id for i in lists.unaligned_employees]
            answer["unlinked_incentives"] = [i.id for i in lists.unlinked_incentives]
        return Response(answer)
