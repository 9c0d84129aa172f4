"""API v1 of the alignment app: the alignment metrics of a unit's subtree (`alignment/`), and
a unit's strategy tests (test and adapt): the verdicts of the latest run that finished on
each arrow of the unit's strategy map, and the exploratory candidates. Both are computed
elsewhere (the cached alignment report; the nightly `alignment.tasks.run_strategy_tests`);
this module only checks parameters and permissions and shapes the answers."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.cached import cached_response
from core.api.permissions import HasRulePermission
from core.clock import current_fiscal_year
from core.formatting import api_number
from core.scoping import restrict
from scorecards.api.reads import unit_for
from scorecards.choices import Frequency
from scorecards.models import OrgUnit

from .metrics import METRICS
from .models import StrategyTestResult
from .selectors import cached_alignment_report
from .strategy_tests import latest_strategy_tests


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
        unit = unit_for(request, pk)
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


# Alignment ------------------------------------------------------------------------------------


def _metric_fields() -> dict:
    """One number field per alignment metric (0-100, or null for an empty denominator)."""
    return {
        name: serializers.FloatField(
            allow_null=True,
            help_text=HELP.get(name, f"{name.replace('_', ' ').capitalize()}, 0-100 or null."),
        )
        for name in (*METRICS, "alignment_index")
    }


HELP = {
    "strategy_awareness": "Strategy awareness, 0-100: of the answers from the subtree to the "
    "latest closed awareness pulse covering the unit, the share naming an objective of the "
    "respondent's own unit chain; null without such a pulse, or under its minimum group of 5 "
    "answers.",
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
    return {name: api_number(value) for name, value in metrics.as_dict().items()}


class AlignmentView(APIView):
    """The alignment metrics of a unit's subtree and of each unit in it, with the lists of
    what is out of line. Each metric is a percentage 0-100 over the subtree and the fiscal
    year, or null where its denominator is empty; the alignment index is the plain mean of
    the metrics that are not null (the STRATEX share left out)."""

    permission_classes = [HasRulePermission]
    queryset = OrgUnit.objects.all()

    def subtree_and_year(self, request) -> tuple[OrgUnit, int]:
        """The unit (`unit`, else the enterprise) and fiscal year the query asks; a 400 with
        the field's message for a unit the user may not see or that does not exist."""
        query = AlignmentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        units = restrict(OrgUnit.objects.all(), request.user)
        unit_id = query.validated_data.get("unit")
        unit = (
            units.filter(pk=unit_id).first()
            if unit_id is not None
            else units.filter(parent__isnull=True).first()
        )
        if unit is None:
            raise ValidationError({"unit": [_("There is no such unit.")]})
        return unit, query.validated_data.get("fiscal_year") or current_fiscal_year()

    @extend_schema(
        parameters=[AlignmentQuerySerializer],
        responses=AlignmentSerializer,
        summary="Alignment of a unit's subtree",
    )
    def get(self, request):
        unit, year = self.subtree_and_year(request)
        budgets = request.user.has_perm("budgets.view_budgetline", unit)
        people = request.user.has_perm("people.view_employee", unit)
        # the same for everyone who may see the same lists of this unit
        parts = (unit.pk, year, timezone.localdate(), budgets, people)
        return cached_response(
            self, request, "alignment", parts,
            lambda: alignment_answer(unit, year, budgets=budgets, people=people),
        )  # fmt: skip


def alignment_answer(unit, year: int, *, budgets: bool, people: bool) -> dict:
    """The API's shape of a unit's alignment (AlignmentSerializer); the budget lines and the
    people lists only for those who may see them."""
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
    if budgets:
        answer["unlinked_budget_lines"] = [i.id for i in lists.unlinked_budget_lines]
    if people:
        answer["unaligned_employees"] = [i.id for i in lists.unaligned_employees]
        answer["unlinked_incentives"] = [i.id for i in lists.unlinked_incentives]
    return answer
