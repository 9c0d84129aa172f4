"""API v1 of best practices (API.md "Practices and search"):

- `practices/`: anyone with a role writes one; its author and the OSM staff change and
  delete it. Listed most endorsed first, then newest; `?unit=&objective=&measure=&q=`.
- `POST practices/{id}/endorse/` endorses (once; never one's own: 400), `DELETE` withdraws.
- `POST practices/{id}/attachments/` attaches one document (multipart, field `file`; the
  author and the OSM staff), `GET`/`DELETE practices/{id}/attachments/{id}/` downloads or
  removes one. Documents are listed in `attachments` with the address to download them.
- `GET measures/{id}/suggested-practices/`: practices of the units where the measure of the
  same code is on target (green) at its latest period, when this one is red or yellow.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import (
    ListAPIView,
    get_object_or_404,  # a malformed id is a 404 too
)
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.serializers import ScopedSerializer
from core.api.viewsets import ServiceViewSet
from core.scoping import restrict
from core.uploads import takes_large_body
from scorecards.models import Measure

from ..models import Endorsement, Practice, PracticeAttachment
from ..practice_forms import PracticeFilter
from ..practice_views import attachment_response
from ..selectors.practices import practices_for, suggested_practices, with_links
from ..services import practices as services

VIEW, CHANGE = "communication.view_practice", "communication.change_practice"
# A multipart body holds the file and its headers: this much more than the file is fine.
MULTIPART_SLACK = 64 * 1024
ATTACHMENT_ID = OpenApiParameter(
    "attachment_id", int, OpenApiParameter.PATH, description="Id of the attachment."
)
REFUSALS = {
    403: OpenApiResponse(description="You may not do this to this practice."),
    404: OpenApiResponse(description="There is no such practice (or you may not see it)."),
}


class MaySeePractice(BasePermission):
    """Anyone who may see the practice (endorsing, downloading, suggestions)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(VIEW))

    def has_object_permission(self, request, view, obj):
        return request.user.has_perm(VIEW, obj)


class AttachmentSerializer(serializers.ModelSerializer):
    """A document attached to a practice."""

    url = serializers.SerializerMethodField(
        help_text="Where to download it: this API, with the same authentication."
    )

    class Meta:
        model = PracticeAttachment
        fields = ["id", "name", "size", "content_type", "url"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "Id of the attachment."},
            "name": {"help_text": "The file's name as it was uploaded."},
            "size": {"help_text": "Its size in bytes."},
            "content_type": {"help_text": "Its media type, from its extension."},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment) -> str:
        address = reverse("api-practice-attachment", args=[attachment.practice_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(address) if request else address


class PracticeSerializer(ScopedSerializer):
    """A best practice of a unit: what is done (Markdown), the objectives and measures it
    serves, its documents and how many people endorse it."""

    endorsements = serializers.IntegerField(
        source="endorsement_count", read_only=True, help_text="How many people endorse it."
    )
    endorsed = serializers.BooleanField(
        read_only=True, help_text="Whether the requesting user endorses it."
    )
    attachments = AttachmentSerializer(
        many=True,
        read_only=True,
        help_text="Its documents (attached with POST practices/{id}/attachments/).",
    )

    class Meta:
        model = Practice
        fields = ["id", "unit", "title", "body", "objectives", "measures", "author",
                  "created_at", "endorsements", "endorsed", "attachments"]  # fmt: skip
        read_only_fields = ["author", "created_at"]
        extra_kwargs = {
            "id": {"help_text": "Id of the practice."},
            "unit": {"help_text": "Id of the unit that practises it."},
            "title": {"help_text": "What the practice is, in a few words."},
            "body": {"help_text": "What is done, how and with what result (Markdown)."},
            "objectives": {"help_text": "Ids of the objectives it serves."},
            "measures": {"help_text": "Ids of the measures it serves."},
            "author": {"help_text": "User id of who wrote it (null once that user is gone)."},
            "created_at": {"help_text": "When it was written."},
        }


class AttachmentUpload(serializers.Serializer):
    file = serializers.FileField(
        help_text="The document: pdf, docx, xlsx, pptx, odt, ods, odp, txt, csv, md, png, jpg "
        "or jpeg, at most the server's size limit (10 MB by default)."
    )


class EndorsementAnswer(serializers.Serializer):
    endorsements = serializers.IntegerField(help_text="How many people endorse it now.")
    endorsed = serializers.BooleanField(help_text="Whether the requesting user endorses it now.")


class PracticeViewSet(ServiceViewSet):
    """Best practices, most endorsed first, then newest."""

    queryset = Practice.objects.all()
    serializer_class = PracticeSerializer
    filterset_class = PracticeFilter
    ordering_fields = ["endorsement_count", "created_at", "id"]
    ordering = ["-endorsement_count", "-created_at", "-id"]
    create_service = services.practice_create
    update_service = services.practice_update
    delete_service = services.practice_delete

    def get_queryset(self):
        return with_links(practices_for(self.request.user))

    def parent(self, data, instance=None):
        # A change is the author's or the staff's: asked of the practice itself.
        return instance if instance is not None else data.get("unit")

    def _reread(self, serializer):
        # The answer shows the counts and links as stored, as a read would.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self._reread(serializer)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        self._reread(serializer)

    @extend_schema(
        request=None,
        responses={
            200: EndorsementAnswer,
            400: OpenApiResponse(
                description="Already endorsed (POST), not endorsed (DELETE), or one's own practice."
            ),
            **REFUSALS,
        },
        summary="Endorse a practice (POST) or withdraw one's endorsement (DELETE)",
    )
    @action(detail=True, methods=["post", "delete"], permission_classes=[MaySeePractice],
            filterset_class=None)  # fmt: skip
    def endorse(self, request, pk=None):
        """Endorse (POST) or withdraw (DELETE); answers the count and the user's side."""
        practice = self.get_object()
        endorse = request.method == "POST"
        service = services.practice_endorse if endorse else services.practice_unendorse
        try:
            service(actor=request.user, practice=practice)
        except DjangoValidationError as exc:
            return Response({"detail": " ".join(exc.messages)}, status=400)
        count = Endorsement.objects.filter(practice=practice).count()
        return Response({"endorsements": count, "endorsed": endorse})


def _practice(request, pk: int, permission: str) -> Practice:
    """The practice `pk` the user may see (404 otherwise), once he or she has `permission`
    on it (403 otherwise)."""
    practice = get_object_or_404(restrict(Practice.objects.all(), request.user), pk=pk)
    if not request.user.has_perm(permission, practice):
        raise PermissionDenied(_("Only its author and the OSM staff may change a practice."))
    return practice


@takes_large_body("ATTACHMENT_MAX_BYTES")  # refuses a larger body itself, below
class PracticeAttachmentsView(APIView):
    """Attach a document to a practice: one file per request, multipart field `file`."""

    permission_classes = [MaySeePractice]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": AttachmentUpload},
        responses={
            201: AttachmentSerializer,
            400: OpenApiResponse(
                description="No file, more than one, a kind OSM does not "
                "take, or a file over the size limit."
            ),
            **REFUSALS,
        },
        summary="Attach a document to a practice (its author, the OSM staff)",
    )
    def post(self, request, pk: int):
        practice = _practice(request, pk, CHANGE)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # Over the limit: refused before the body is read (core/uploads.py).
        if length > settings.ATTACHMENT_MAX_BYTES + MULTIPART_SLACK:
            return Response({"file": [services.too_large_message()]}, status=400)
        files = request.FILES.getlist("file")
        if getattr(request, "upload_too_large", False):  # over the uploads' ceiling: no bytes
            return Response({"file": [services.too_large_message()]}, status=400)
        if len(files) > 1:
            return Response({"file": [_("Send one file per request.")]}, status=400)
        attachment = services.attachment_add(
            actor=request.user, practice=practice, file=files[0] if files else None
        )
        answer = AttachmentSerializer(attachment, context={"request": request})
        return Response(answer.data, status=201)


class PracticeAttachmentView(APIView):
    """One document of a practice: download it, or remove it (its author, the OSM staff)."""

    permission_classes = [MaySeePractice]

    def _attachment(self, request, pk: int, attachment_id: int, permission: str):
        practice = _practice(request, pk, permission)
        return get_object_or_404(PracticeAttachment, practice=practice, pk=attachment_id)

    @extend_schema(
        parameters=[ATTACHMENT_ID],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **REFUSALS},
        summary="Download a practice's document",
    )
    def get(self, request, pk: int, attachment_id: int):
        return attachment_response(self._attachment(request, pk, attachment_id, VIEW))

    @extend_schema(
        parameters=[ATTACHMENT_ID],
        responses={204: None, **REFUSALS},
        summary="Remove a practice's document",
    )
    def delete(self, request, pk: int, attachment_id: int):
        attachment = self._attachment(request, pk, attachment_id, CHANGE)
        services.attachment_delete(actor=request.user, instance=attachment)
        return Response(status=204)


class SuggestedPracticesView(ListAPIView):
    """Practices suggested on a measure that is red or yellow at its latest period: those
    of the units where the measure of the same code is green (serving that measure, or the
    objective it belongs to); empty for a measure that is green or has no data."""

    serializer_class = PracticeSerializer
    permission_classes = [MaySeePractice]
    filter_backends: list = []

    @extend_schema(summary="Practices suggested on a measure that is red or yellow")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generation
            return Practice.objects.none()
        user = self.request.user
        measure = get_object_or_404(restrict(Measure.objects.all(), user), pk=self.kwargs["pk"])
        return with_links(suggested_practices(user, measure).practices)


ROUTES = [("practices", PracticeViewSet, "practice")]
PATHS = [
    # Before the router's practices/{id}/ and measures/{id}/ (osm/api.py).
    path(
        "practices/<int:pk>/attachments/",
        PracticeAttachmentsView.as_view(),
        name="api-practice-attachments",
    ),
    path(
        "practices/<int:pk>/attachments/<int:attachment_id>/",
        PracticeAttachmentView.as_view(),
        name="api-practice-attachment",
    ),
    path(
        "measures/<int:pk>/suggested-practices/",
        SuggestedPracticesView.as_view(),
        name="api-suggested-practices",
    ),
]
