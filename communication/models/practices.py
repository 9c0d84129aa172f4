"""Best practices: what works in one unit, written down for the others, with documents
attached and endorsements from colleagues."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import policies
from core.models import TimeStampedModel
from core.scoping import Access


class Practice(TimeStampedModel):
    """A practice of `unit` (Markdown), serving objectives and measures: written by anyone
    with a role, changed by its author and the OSM staff, endorsed by others."""

    access = Access(policies.PRACTICES, unit="unit", owner="author")

    unit = models.ForeignKey(
        "scorecards.OrgUnit",
        on_delete=models.PROTECT,
        related_name="practices",
        verbose_name=_("unit"),
        help_text=_("The unit that practises it."),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("description"), max_length=20_000, help_text=_("Markdown."))
    objectives = models.ManyToManyField(
        "scorecards.Objective", blank=True, related_name="practices", verbose_name=_("objectives")
    )
    measures = models.ManyToManyField(
        "scorecards.Measure", blank=True, related_name="practices", verbose_name=_("measures")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("practice")
        verbose_name_plural = _("practices")

    def __str__(self):
        return self.title


def attachment_path(attachment, filename: str) -> str:
    """Where the storage keeps an attachment: by practice, under a random name (the name
    people gave it is kept in `name`), so no upload can choose or guess a path."""
    return f"practices/{attachment.practice_id}/{uuid.uuid4().hex}"


class PracticeAttachment(models.Model):
    """A document attached to a practice, kept through Django's storage API and served only
    to those who may see the practice."""

    access = Access(policies.PRACTICES, unit="practice__unit", owner="practice__author")

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("practice")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveIntegerField(_("size"), help_text=_("In bytes."))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name


class Endorsement(models.Model):
    """That a person (not its author) vouches for a practice: once per person."""

    access = Access(policies.INTERNAL)

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="endorsements", verbose_name=_("practice")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    created_at = models.DateTimeField(_("endorsed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "user"], name="practice_endorsed_once_per_user"
            )
        ]

    def __str__(self):
        return f"{self.practice_id}: {self.user_id}"
