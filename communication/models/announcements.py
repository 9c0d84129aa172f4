"""Announcements: what OSM staff and unit heads tell a unit and everything below it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import policies
from core.models import TimeStampedModel
from core.scoping import Access


class Announcement(TimeStampedModel):
    """A message (Markdown, sanitised when shown) to everyone of `unit` and of every unit
    below it, optionally tied to objectives. Published by the OSM staff, or by a unit head
    for a unit of his or her subtree; readers' read marks are `AnnouncementRead`s."""

    access = Access(policies.ANNOUNCEMENTS, unit="unit", owner="author")

    unit = models.ForeignKey(
        "scorecards.OrgUnit",
        on_delete=models.PROTECT,
        related_name="announcements",
        verbose_name=_("unit"),
        help_text=_("It reaches this unit and every unit below it."),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20_000, help_text=_("Markdown."))
    objectives = models.ManyToManyField(
        "scorecards.Objective",
        blank=True,
        related_name="announcements",
        verbose_name=_("objectives"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self):
        return self.title


class AnnouncementRead(models.Model):
    """That a person has read an announcement (marked when he or she opens it), once."""

    access = Access(policies.INTERNAL)

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="reads", verbose_name=_("announcement")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("read mark")
        verbose_name_plural = _("read marks")
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"], name="announcement_read_once_per_user"
            )
        ]

    def __str__(self):
        return f"{self.announcement_id}: {self.user_id}"
