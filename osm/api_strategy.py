"""API v1: a unit's strategy tests (test and adapt, issue 8): the verdicts of the latest run
that finished on each arrow of the unit's strategy map, and the exploratory candidates.
Computed nightly (`alignment.tasks.run_strategy_tests`) and served from storage; this
module only checks permissions and shapes the answer of `latest_strategy_tests`."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from alignment.models import StrategyTestResult
from alignment.strategy_tests import latest_strategy_tests
from osm.permissions import HasRulePermission, Scope, scope_queryset
from scorecards.choices import Frequency
from scorecards.models import OrgUnit


class TestedObjectiveSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Objective id.")
    code = serializers.CharField(help_text="Objective code.")
    name = serializers.CharField(help_text="Objective name.")


class TestedMeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Measure id.")
    code = serializers.CharField(help_text="Measure code.")
    name = serializers.CharField(help_text="Measure name.")
    unit = serializers.IntegerField(
        help_text="Unit id of the measure: the map's unit, or a unit below it that "
        "cascades the arrow when only that unit has the pair."
    )


class StrategyTestSerializer(serializers.Serializer):
    cause = TestedObjectiveSerializer(help_text="The cause objective.")
    effect = TestedObjectiveSerializer(help_text="The effect objective.")
    link = serializers.IntegerField(
        allow_null=True, help_text="Id of the cause-and-effect arrow; null for a candidate."
    )
    exploratory = serializers.BooleanField(
        help_text="A candidate link: objectives with no arrow whose measures move together "
        "(significant among the candidates only; not evidence for the map)."
    )
    verdict = serializers.ChoiceField(
        choices=StrategyTestResult.Verdict.choices,
        help_text="supported, contradicted (significant, in the direction the map claims or "
        "the opposite), not_supported, or insufficient_data (no lag with 12 paired periods).",
    )
    cause_measure = TestedMeasureSerializer(
        allow_null=True, help_text="The cause's measure of the strongest pair, or null."
    )
    effect_measure = TestedMeasureSerializer(
        allow_null=True, help_text="The effect's measure of the strongest pair, or null."
    )
    frequency = serializers.ChoiceField(
        choices=Frequency.choices,
        allow_null=True,
        help_text="The periods compared (monthly, or quarterly when either measure is); "
        "null when no measure pair was found.",
    )
    lag = serializers.IntegerField(
        allow_null=True, help_text="Best lag: periods from the cause's move to the effect's."
    )
    effect_size = serializers.FloatField(
        allow_null=True, help_text="Pearson's r of the changes at the best lag, -1 to 1."
    )
    ci_low = serializers.FloatField(allow_null=True, help_text="95% interval of r: low end.")
    ci_high = serializers.FloatField(allow_null=True, help_text="95% interval of r: high end.")
    p_value = serializers.FloatField(allow_null=True, help_text="p-value at the best lag.")
    p_adjusted = serializers.FloatField(
        allow_null=True,
        help_text="p-value adjusted (Benjamini-Hochberg) over every lag of every pair of the "
        "run's arrows, or of its candidates for a candidate.",
    )
    periods = serializers.IntegerField(help_text="Paired periods at the best lag, all units.")
    units = serializers.IntegerField(help_text="Units pooled (the unit and those below it).")
    pairs_tested = serializers.IntegerField(help_text="Measure pairs tested for the link.")


class StrategyTestRunSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Run id.")
    run_on = serializers.DateField(help_text="The day the data were read.")
    finished_at = serializers.DateTimeField(help_text="When the run finished.")
    max_lag = serializers.IntegerField(help_text="Longest lag tested, in periods.")
    alpha = serializers.FloatField(help_text="Significance of the adjusted p-values.")
    tests = serializers.IntegerField(help_text="p-values of the arrows adjusted together.")


class StrategyTestsSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text="Unit id.")
    run = StrategyTestRunSerializer(
        allow_null=True, help_text="The latest run that finished; null before any."
    )
    results = StrategyTestSerializer(
        many=True, help_text="The map's arrows (by cause code), then the candidates."
    )


def _objective(objective) -> dict:
    return {"id": objective.pk, "code": objective.code, "name": objective.name}


def _measure(measure) -> dict | None:
    if measure is None:
        return None
    return {"id": measure.pk, "code": measure.code, "name": measure.name, "unit": measure.unit_id}


def _result(result: StrategyTestResult) -> dict:
    return {
        "cause": _objective(result.cause),
        "effect": _objective(result.effect),
        "link": result.link_id,
        "exploratory": result.exploratory,
        "verdict": result.verdict,
        "cause_measure": _measure(result.cause_measure),
        "effect_measure": _measure(result.effect_measure),
        "frequency": result.frequency or None,
        "lag": result.lag,
        "effect_size": result.effect_size,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "p_value": result.p_value,
        "p_adjusted": result.p_adjusted,
        "periods": result.periods,
        "units": result.units,
        "pairs_tested": result.pairs_tested,
    }


class StrategyTestsView(APIView):
    """The latest strategy test of a unit's map: each arrow's verdict with the figures
    behind it, then the exploratory candidates (objectives with no arrow whose measures
    move together)."""

    permission_classes = [HasRulePermission]
    queryset = StrategyTestResult.objects.all()  # asks alignment.view_strategytestresult

    @extend_schema(
        responses={
            200: StrategyTestsSerializer,
            403: OpenApiResponse(description="You have no role."),
            404: OpenApiResponse(description="There is no such unit."),
        },
        summary="A unit's strategy tests (test and adapt)",
    )
    def get(self, request, pk: int):
        units = scope_queryset(request.user, OrgUnit.objects.all(), Scope.STRATEGY)
        unit = get_object_or_404(units, pk=pk)
        run, results = latest_strategy_tests(unit)
        answer = StrategyTestsSerializer(
            {
                "unit": unit.pk,
                "run": None
                if run is None
                else {
                    "id": run.pk,
                    "run_on": run.run_on,
                    "finished_at": run.finished_at,
                    "max_lag": run.max_lag,
                    "alpha": run.alpha,
                    "tests": run.tests,
                },
                "results": [_result(result) for result in results],
            }
        )
        return Response(answer.data)
