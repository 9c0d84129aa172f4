"""API v1's cascade read: the tree of objectives below an objective, each with the
initiatives advancing it and the goals linked to it (those the user may see). It spans the
scorecards, initiatives and people apps, hence its place here, above them."""

from collections import defaultdict

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import HasRulePermission
from core.api.rendering import DeepJSONRenderer
from core.api.schema import SCORE_STATUS
from core.scoping import restrict
from initiatives.models import InitiativeObjective
from people.models import Goal
from scorecards.api.reads import STATUSES
from scorecards.models import Objective
from scorecards.selectors.cascade import cascade_tree

# Cascade --------------------------------------------------------------------------------------


class CascadeNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Objective id.")
    code = serializers.CharField(help_text="Objective code.")
    name = serializers.CharField(help_text="Objective name.")
    unit = serializers.IntegerField(help_text="Unit id.")
    status = serializers.ChoiceField(choices=STATUSES, help_text=f"This month's. {SCORE_STATUS}")
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


class ObjectiveCascadeView(APIView):
    """The tree of objectives below an objective (those supporting it, recursively)."""

    permission_classes = [HasRulePermission]
    renderer_classes = [DeepJSONRenderer, BrowsableAPIRenderer]
    queryset = Objective.objects.all()

    @extend_schema(responses=CascadeNodeSerializer, summary="The cascade below an objective")
    def get(self, request, pk: int):
        top = get_object_or_404(restrict(Objective.objects.all(), request.user), pk=pk)
        tree = cascade_tree(top)
        ids = tree.ids()
        initiatives = defaultdict(list)
        for objective_id, initiative_id in InitiativeObjective.objects.filter(
            objective_id__in=ids
        ).values_list("objective_id", "initiative_id"):
            initiatives[objective_id].append(initiative_id)
        goals = defaultdict(list)
        visible_goals = restrict(Goal.objects.filter(objective_id__in=ids), request.user)
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
