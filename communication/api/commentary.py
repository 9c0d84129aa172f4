"""API v1 of analyses and comments. Thin: writes go through the services, which say who may
write on which subject (403) and what is wrong with a write (400 by field)."""

import django_filters
from rest_framework import serializers

from core.api.viewsets import ServiceViewSet
from scorecards.api.reporting import MonthField

from .. import services
from ..models import COMMENT_SUBJECTS, MONTHLY_SUBJECTS, Analysis, Comment


class AnalysisSerializer(serializers.ModelSerializer):
    """What happened in a month and what is recommended, for an objective, a measure or an
    initiative (Markdown); one per subject and month."""

    subject_type = serializers.ChoiceField(
        choices=MONTHLY_SUBJECTS, help_text="`objective`, `measure` or `initiative`."
    )
    subject = serializers.IntegerField(source="subject_id", help_text="Id of the subject.")
    month = MonthField(help_text="The month: 2026-10.")

    class Meta:
        model = Analysis
        fields = ["id", "subject_type", "subject", "month", "analysis", "recommendations",
                  "author", "updated_at"]  # fmt: skip
        read_only_fields = ["author", "updated_at"]
        validators = []  # unique (subject, month): the service refuses a second by name
        extra_kwargs = {
            "id": {"help_text": "Id of the analysis."},
            "analysis": {"help_text": "What happened, and why (Markdown)."},
            "recommendations": {"help_text": "What should be done (Markdown)."},
            "author": {"help_text": "Id of the user who last wrote it."},
            "updated_at": {"help_text": "When it was last written."},
        }


class AnalysisFilter(django_filters.FilterSet):
    subject = django_filters.NumberFilter(field_name="subject_id", help_text="Id of the subject.")
    month = django_filters.DateFilter(input_formats=["%Y-%m", "%Y-%m-%d"], help_text="2026-10.")

    class Meta:
        model = Analysis
        fields = ["subject_type", "subject", "month"]


class AnalysisViewSet(ServiceViewSet):
    """Monthly analyses and recommendations. Written by the subject's owner, the heads of its
    unit and above, and the OSM staff (403 for anyone else); a closed month's are locked
    (400 naming the month)."""

    queryset = Analysis.objects.all()
    serializer_class = AnalysisSerializer
    filterset_class = AnalysisFilter
    ordering_fields = ["month", "updated_at", "id"]
    ordering = ["-month", "id"]
    create_service = services.analysis_create
    update_service = services.analysis_update
    delete_service = services.analysis_delete

    def parent(self, data, instance=None):
        return None  # who may write on the subject is the service's

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["subject"] = data.pop("subject_id")
        serializer.instance = services.analysis_create(actor=self.request.user, data=data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "subject_id" in data:
            data["subject"] = data.pop("subject_id")
        serializer.instance = services.analysis_update(
            actor=self.request.user, instance=serializer.instance, data=data
        )


class CommentSerializer(serializers.ModelSerializer):
    """A comment on a subject, or a reply (`parent`). `@username` in the body mentions and
    notifies that person."""

    subject_type = serializers.ChoiceField(
        choices=COMMENT_SUBJECTS,
        help_text="`objective`, `measure`, `initiative`, `measure_value` or `action_item`.",
    )
    subject = serializers.IntegerField(source="subject_id", help_text="Id of the subject.")
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Comment.objects.all(),
        allow_null=True,
        required=False,
        help_text="Id of the comment it answers; null for a new thread.",
    )
    mentions = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the users it mentions."
    )

    class Meta:
        model = Comment
        fields = ["id", "subject_type", "subject", "parent", "body", "author", "created_at",
                  "edited_at", "deleted_at", "mentions"]  # fmt: skip
        read_only_fields = ["author", "created_at", "edited_at", "deleted_at"]
        extra_kwargs = {
            "id": {"help_text": "Id of the comment."},
            "body": {"help_text": "The comment (Markdown); empty once deleted."},
            "author": {"help_text": "Id of its author."},
            "created_at": {"help_text": "When it was written."},
            "edited_at": {"help_text": "When it was last changed, if ever."},
            "deleted_at": {"help_text": "When it was deleted, if it was."},
        }


class CommentFilter(django_filters.FilterSet):
    subject = django_filters.NumberFilter(field_name="subject_id", help_text="Id of the subject.")

    class Meta:
        model = Comment
        fields = ["subject_type", "subject", "parent", "author"]


class CommentViewSet(ServiceViewSet):
    """Comments and replies. Anyone with a role comments; authors change and delete their
    own, the OSM staff delete any (403 otherwise). A deleted comment stays in its thread
    without its text."""

    queryset = Comment.objects.select_related("author").prefetch_related("mentions")
    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["created_at", "id"]
    create_service = services.comment_create
    update_service = services.comment_update
    delete_service = services.comment_delete

    def parent(self, data, instance=None):
        return None  # authorship and moderation are the service's

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["subject"] = data.pop("subject_id")
        self.check_write("add", data)
        serializer.instance = services.comment_create(actor=self.request.user, data=data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "subject_id" in data:
            data["subject"] = data.pop("subject_id")
        serializer.instance = services.comment_update(
            actor=self.request.user, instance=serializer.instance, data=data
        )


ROUTES = [
    ("analyses", AnalysisViewSet, "analysis"),
    ("comments", CommentViewSet, "comment"),
]
