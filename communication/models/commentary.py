"""Analyses and recommendations per month, and comments with replies and mentions, on the
subjects the apps register (core/subjects.py): objectives, measures, initiatives, values and
action items. A subject is named by its kind and id (`subject_type`, `subject_id`), as the
API names it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import policies
from core.models import TimeStampedModel
from core.scoping import Access

MONTHLY_SUBJECTS = ("objective", "measure", "initiative")
COMMENT_SUBJECTS = ("objective", "measure", "initiative", "measure_value", "action_item")


class Analysis(TimeStampedModel):
    """What happened in a month and what its owner recommends, for an objective, a measure
    or an initiative: one per (subject, month), Markdown, with its history. Written by the
    subject's owner, the heads of its unit and above, and the OSM staff; locked once its
    month is closed."""

    access = Access(policies.COMMENTARY)

    subject_type = models.CharField(
        _("subject type"), max_length=20, choices=[(s, s) for s in MONTHLY_SUBJECTS]
    )
    subject_id = models.PositiveIntegerField(_("subject"))
    month = models.DateField(_("month"), help_text=_("The month's first day."))
    analysis = models.TextField(_("analysis"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "subject_type", "subject_id"]
        verbose_name = _("analysis")
        verbose_name_plural = _("analyses")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "month"],
                name="analysis_once_per_subject_and_month",
                violation_error_message=_("This subject already has an analysis for the month."),
            ),
            models.CheckConstraint(
                condition=models.Q(subject_type__in=MONTHLY_SUBJECTS),
                name="analysis_subject_type_valid",
            ),
        ]

    def __str__(self):
        return f"{self.subject_type} {self.subject_id} {self.month:%Y-%m}"


class Comment(models.Model):
    """A comment on a subject, or a reply to one (`parent`). `@username` in the body
    mentions that person (`mentions`, who are notified). Its author edits or deletes it; the
    OSM staff moderate. A deleted comment keeps its place in the thread, without its text."""

    access = Access(policies.COMMENTARY)

    subject_type = models.CharField(
        _("subject type"), max_length=20, choices=[(s, s) for s in COMMENT_SUBJECTS]
    )
    subject_id = models.PositiveIntegerField(_("subject"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    body = models.TextField(_("comment"), max_length=10_000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("mentions")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject_type__in=COMMENT_SUBJECTS),
                name="comment_subject_type_valid",
            )
        ]
        indexes = [
            models.Index(
                fields=["subject_type", "subject_id", "created_at"], name="comment_thread_idx"
            )
        ]

    def __str__(self):
        return f"{self.subject_type} {self.subject_id}: {self.body[:40]}"
