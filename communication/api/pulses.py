"""API v1 of awareness pulses (API.md "Communication"): `pulses/` (everyone with a role
reads them; the OSM staff open, change and delete them), `pulses/{id}/question/` and
`pulses/{id}/answer/` for the people a pulse asks, `pulses/{id}/results/` (anyone with a
role once the pulse is closed: not before, not even for the OSM staff). Thin: the rules
are in communication/services/pulses.py, the figures in communication/selectors/pulses.py."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import get_object_or_404  # a malformed id is a 404 too
from rest_framework.response import Response

from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet
from core.formatting import api_number

from ..choices import PulseStatus
from ..models import Pulse
from ..selectors import pulses as selectors
from ..services import pulses as services

_VIEW = "communication.view_pulse"


class PulseSerializer(ScopedSerializer):
    """An awareness pulse of a unit's subtree, with where it stands today and, for the
    current user, whether it asks him or her and whether he or she has answered."""

    status = serializers.SerializerMethodField(
        help_text="`scheduled` before `opens_on`, `open` from `opens_on` to `closes_on` "
        "(both included), `closed` after."
    )
    asked = serializers.SerializerMethodField(
        help_text="Whether the pulse asks you (you are an active employee of its unit or of a "
        "unit below it)."
    )
    answered = serializers.SerializerMethodField(help_text="Whether you have answered it.")

    class Meta:
        model = Pulse
        fields = ["id", "unit", "title", "opens_on", "closes_on", "status", "asked", "answered"]
        extra_kwargs = {
            "id": {"help_text": "Id of the pulse."},
            "unit": {"help_text": "Id of the unit: its people and those of every unit below."},
            "title": {"help_text": "What the pulse is called."},
            "opens_on": {"help_text": "The first day answers are taken (YYYY-MM-DD)."},
            "closes_on": {"help_text": "The last day answers are taken (YYYY-MM-DD)."},
        }

    @extend_schema_field(serializers.ChoiceField(choices=PulseStatus.choices))
    def get_status(self, pulse: Pulse) -> str:
        return pulse.status_on(self.context["today"])

    def get_asked(self, pulse: Pulse) -> bool:
        return pulse.unit_id in self.context["asking_units"]

    def get_answered(self, pulse: Pulse) -> bool:
        answered = self.context["answered"]
        if answered is None:  # one pulse (a create or change): asked of it alone
            return selectors.has_answered(pulse, self.context["request"].user)
        return pulse.pk in answered


class PulseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=PulseStatus.choices, method="filter_status", help_text="scheduled, open, closed."
    )

    class Meta:
        model = Pulse
        fields = ["unit", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(selectors.status_filter(value, timezone.localdate()))


class ChoiceSerializer(serializers.Serializer):
    objective = serializers.IntegerField(
        allow_null=True, help_text="Id of the objective; null for “I don't know”."
    )
    code = serializers.CharField(allow_null=True, help_text="Its code (null for “I don't know”).")
    name = serializers.CharField(help_text="Its name.")


class QuestionSerializer(serializers.Serializer):
    choices = ChoiceSerializer(
        many=True,
        help_text="The objectives offered, shuffled (the same order each time you ask), then "
        "“I don't know”.",
    )
    answered = serializers.BooleanField(help_text="Whether you have answered it.")
    status = serializers.ChoiceField(
        choices=PulseStatus.choices, help_text="scheduled, open or closed: answers while open."
    )


class AnswerSerializer(serializers.Serializer):
    objective = serializers.IntegerField(
        allow_null=True,
        help_text="Id of the objective your work serves most, among the question's choices; "
        "null for “I don't know”.",
    )
    understanding = serializers.IntegerField(
        min_value=1,
        max_value=5,
        help_text="How well you understand the strategy: 1 (not at all) to 5 (very well).",
    )


class AnsweredSerializer(serializers.Serializer):
    answered = serializers.BooleanField(help_text="True: your answer is recorded, anonymously.")


class FiguresSerializer(serializers.Serializer):
    responses = serializers.IntegerField(help_text="Answers from the subtree.")
    audience = serializers.IntegerField(help_text="People the pulse asks in the subtree.")
    response_rate = serializers.FloatField(
        allow_null=True, help_text="responses / audience, 0-100 (null without an audience)."
    )
    awareness = serializers.FloatField(
        allow_null=True,
        help_text="Share of the answers naming an objective of the respondent's own unit "
        "chain, 0-100; null under 5 responses, or where it would reveal a smaller group.",
    )
    understanding_mean = serializers.FloatField(
        allow_null=True, help_text="Mean understanding, 1-5; null as `awareness` is."
    )


class UnitResultSerializer(FiguresSerializer):
    id = serializers.IntegerField(help_text="Unit id.")
    code = serializers.CharField(help_text="Unit code.")


class ResultsSerializer(FiguresSerializer):
    units = UnitResultSerializer(
        many=True,
        help_text="Each unit of the subtree (the pulse's unit first, then depth first) with "
        "the figures of its own subtree.",
    )


def _figures(figures) -> dict:
    return {
        "responses": figures.responses,
        "audience": figures.audience,
        "response_rate": api_number(figures.response_rate),
        "awareness": api_number(figures.awareness),
        "understanding_mean": api_number(figures.understanding_mean),
    }


class PulseViewSet(ServiceViewSet):
    """Awareness pulses, latest first. Everyone with a role reads them; the OSM staff open,
    change and delete them (a pulse with answers keeps its unit and is not deleted)."""

    queryset = Pulse.objects.all()
    serializer_class = PulseSerializer
    filterset_class = PulseFilter
    ordering_fields = ["opens_on", "closes_on", "title", "id"]
    ordering = ["-opens_on", "-id"]
    create_service = services.pulse_create
    update_service = services.pulse_update
    delete_service = services.pulse_delete

    def get_permissions(self):
        if self.action in ("question", "answer"):
            # Whoever the pulse asks, role or not: being asked is the grant (`_asked_pulse`).
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        context["today"] = timezone.localdate()
        context["asking_units"] = selectors.asking_units(user) if user.is_authenticated else set()
        context["answered"] = None
        return context

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        context = self.get_serializer_context()
        context["answered"] = selectors.answered_pulses(request.user, [p.pk for p in page])
        return self.get_paginated_response(PulseSerializer(page, many=True, context=context).data)

    def _asked_pulse(self, pk) -> tuple[Pulse, int]:
        """The pulse and the unit the user answers it from; 404 for a pulse the user may
        neither see nor is asked by, 403 for one he or she sees but is not asked by."""
        pulse = get_object_or_404(Pulse.objects.select_related("unit"), pk=pk)
        unit_id = selectors.respondent_unit(pulse, self.request.user)
        if unit_id is None:
            if not self.request.user.has_perm(_VIEW, pulse):
                raise NotFound()
            raise PermissionDenied(
                _("This pulse does not ask you: it is for %(unit)s and the units below it.")
                % {"unit": pulse.unit}
            )
        return pulse, unit_id

    @extend_schema(
        responses={
            200: QuestionSerializer,
            403: OpenApiResponse(description="The pulse does not ask you."),
        },
        summary="The question of a pulse, for you",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def question(self, request, pk=None):
        """The objectives offered to you (your unit chain's and as many of other units,
        shuffled), then “I don't know”; whether you have answered."""
        pulse, unit_id = self._asked_pulse(pk)
        question = selectors.pulse_question(pulse, request.user, unit_id)
        choices = [{"objective": c.objective, "code": c.code, "name": c.name}
                   for c in question.choices]  # fmt: skip
        choices.append({"objective": None, "code": None, "name": _("I don't know")})
        return Response(
            QuestionSerializer(
                {
                    "choices": choices,
                    "answered": selectors.has_answered(pulse, request.user),
                    "status": pulse.status_on(timezone.localdate()),
                }
            ).data
        )

    @extend_schema(
        request=AnswerSerializer,
        responses={
            201: AnsweredSerializer,
            400: OpenApiResponse(
                description="Not open, answered already, an objective not offered, or an "
                "understanding out of 1-5 (nothing written)."
            ),
            403: OpenApiResponse(description="The pulse does not ask you."),
        },
        summary="Answer a pulse (once)",
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def answer(self, request, pk=None):
        """Answer once, anonymously: the answer is stored with your unit, never with you."""
        pulse, _unit = self._asked_pulse(pk)
        given = AnswerSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        services.pulse_answer(actor=request.user, pulse=pulse, **given.validated_data)
        return Response({"answered": True}, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            200: ResultsSerializer,
            403: OpenApiResponse(description="Not closed yet: results come once it has."),
        },
        summary="A pulse's results by unit",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def results(self, request, pk=None):
        """Response rate, awareness and mean understanding of the pulse's subtree and of
        each unit in it (its own subtree's), with the minimum group of 5 answers."""
        pulse = self.get_object()
        if not selectors.may_see_results(request.user, pulse):
            raise PermissionDenied(_("The results are shown once the pulse has closed."))
        results = selectors.pulse_results(pulse)
        answer = {
            **_figures(results.total),
            "units": [{"id": u.id, "code": u.code, **_figures(u.figures)} for u in results.units],
        }
        return Response(ResultsSerializer(answer).data)


ROUTES = [("pulses", PulseViewSet, "api-pulse")]
PATHS = []
