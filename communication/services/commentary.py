"""Writes of analyses and comments, with their rules (DESIGN.md "Reporting cycle"):

- an analysis (and its recommendations) of a month is written by the subject's owner, the
  heads of its unit and of the units above, and the OSM staff; one per subject and month
  (saving again changes it; its history keeps each version); none into a closed month;
- anyone who may see the subject comments on it or replies; `@username` mentions notify
  the person mentioned (once per comment), a reply notifies the author of the comment it
  answers; authors edit and delete their own, the OSM staff moderate (delete any).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import NotificationKind
from core.notifications import notify
from core.roles import OSM_STAFF, has_role
from core.scoping import headed_subtree_ids
from core.services import save_validated
from core.subjects import load_subject, subject_kind
from scorecards.display import month_text
from scorecards.selectors.reporting import closed_months

from ..models import COMMENT_SUBJECTS, MONTHLY_SUBJECTS, Analysis, Comment
from ..text import mentioned_usernames

ANALYSIS_FIELDS = ("analysis", "recommendations")


def subject_of(subject_type: str, subject_id, *, monthly: bool = False):
    """The subject a write names, or a ValidationError on the field that is wrong."""
    allowed = MONTHLY_SUBJECTS if monthly else COMMENT_SUBJECTS
    if subject_type not in allowed:
        raise ValidationError(
            {"subject_type": _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(allowed)}}
        )
    subject = load_subject(subject_type, subject_id)
    if subject is None:
        raise ValidationError({"subject": _("No such %(kind)s.") % {"kind": subject_type}})
    return subject


def may_analyse(actor, subject_type: str, subject) -> bool:
    """Whether `actor` writes the subject's analyses: its owner, a head of its unit or of a
    unit above, the OSM staff."""
    if actor is None or not actor.is_authenticated:
        return False
    if moderates(actor):
        return True
    kind = subject_kind(subject_type)
    if kind.owner_id(subject) == actor.pk:
        return True
    return kind.unit_id(subject) in headed_subtree_ids(actor)


def _ensure_month_open(month: dt.date) -> None:
    if closed_months([month]):
        raise ValidationError(
            {
                "month": _(
                    "%(month)s is closed: its analyses can no longer be changed. OSM staff can "
                    "reopen the month."
                )
                % {"month": month_text(month)}
            }
        )


@transaction.atomic
def analysis_save(
    *, actor, subject_type: str, subject_id, month: dt.date, analysis: str, recommendations: str
) -> tuple[Analysis, bool]:
    """Write the month's analysis and recommendations of a subject (created or changed; the
    history keeps each version). Returns (analysis, created)."""
    subject = subject_of(subject_type, subject_id, monthly=True)
    if month.day != 1:
        raise ValidationError({"month": _("Name a month by its first day.")})
    if not may_analyse(actor, subject_type, subject):
        raise PermissionDenied(
            _(
                "The analysis of %(subject)s is written by its owner, the heads of its unit "
                "and of the units above, and the OSM staff."
            )
            % {"subject": subject_kind(subject_type).title(subject)}
        )
    analysis, recommendations = (analysis or "").strip(), (recommendations or "").strip()
    if not analysis and not recommendations:
        raise ValidationError({"analysis": _("Write the analysis, the recommendations or both.")})
    _ensure_month_open(month)
    row = (
        Analysis.objects.select_for_update()
        .filter(subject_type=subject_type, subject_id=subject.pk, month=month)
        .first()
    )
    created = row is None
    if created:
        row = Analysis(subject_type=subject_type, subject_id=subject.pk, month=month)
    row.analysis, row.recommendations, row.author = analysis, recommendations, actor
    save_validated(row, actor=actor)
    return row, created


@transaction.atomic
def analysis_delete(*, actor, instance: Analysis) -> None:
    """Remove a month's analysis (who may write it; not of a closed month)."""
    subject = subject_of(instance.subject_type, instance.subject_id, monthly=True)
    if not may_analyse(actor, instance.subject_type, subject):
        raise PermissionDenied(_("You may not delete this analysis."))
    _ensure_month_open(instance.month)
    instance.delete()


def _body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the comment.")})
    if len(body) > 10_000:
        raise ValidationError({"body": _("A comment holds at most 10,000 characters.")})
    return body


def _mentioned(body: str, actor) -> list:
    """The active people `body` mentions (usernames matched without regard to case), but
    not its author."""
    names = mentioned_usernames(body)
    if not names:
        return []
    people = (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(lowered=Lower("username"))
        .filter(lowered__in=names)
    )
    return [person for person in people if actor is None or person.pk != actor.pk]


def _tell_mentioned(comment: Comment, people, actor, title: str, url: str) -> None:
    who = actor.get_full_name() or actor.username
    notify(
        people,
        NotificationKind.MENTION,
        lambda: _("%(who)s mentioned you on %(subject)s.") % {"who": who, "subject": title},
        url,
        key=f"comment:{comment.pk}",
        actor=actor,
    )


@transaction.atomic
def comment_create(*, actor, data: dict) -> Comment:
    """A comment on a subject (`subject_type`, `subject`) or a reply (`parent`, on the
    same subject); mentions and the replied-to author are notified."""
    subject_type, subject_id = data.get("subject_type"), data.get("subject")
    parent = data.get("parent")
    if parent is not None:
        if not isinstance(parent, Comment):
            parent = Comment.objects.filter(pk=parent).first()
        if parent is None:
            raise ValidationError({"parent": _("No such comment.")})
        subject_type = subject_type or parent.subject_type
        subject_id = subject_id or parent.subject_id
        if (parent.subject_type, parent.subject_id) != (subject_type, int(subject_id)):
            raise ValidationError({"parent": _("A reply is on the same subject as its comment.")})
        if parent.deleted_at is not None:
            raise ValidationError({"parent": _("That comment was deleted.")})
    subject = subject_of(subject_type, subject_id)
    comment = Comment(
        subject_type=subject_type,
        subject_id=subject.pk,
        parent=parent,
        body=_body(data.get("body")),
        author=actor,
    )
    save_validated(comment, actor=actor)
    kind = subject_kind(subject_type)
    title, url = kind.title(subject), f"{kind.url(subject)}#comment-{comment.pk}"
    mentioned = _mentioned(comment.body, actor)
    comment.mentions.set(mentioned)
    _tell_mentioned(comment, mentioned, actor, title, url)
    if parent is not None and parent.author_id and parent.author not in mentioned:
        who = actor.get_full_name() or actor.username
        notify(
            [parent.author],
            NotificationKind.REPLY,
            lambda: (
                _("%(who)s replied to your comment on %(subject)s.")
                % {"who": who, "subject": title}
            ),
            url,
            key=f"reply:{comment.pk}",
            actor=actor,
        )
    return comment


def moderates(actor) -> bool:
    """Whether `actor` may delete anyone's comment: the OSM staff."""
    return actor.is_superuser or has_role(actor, OSM_STAFF)


def _own_or_moderated(actor, comment: Comment, *, moderate: bool) -> None:
    if comment.author_id == actor.pk:
        return
    if moderate and moderates(actor):
        return
    raise PermissionDenied(
        _("Only its author may change a comment.")
        if not moderate
        else _("Only its author and the OSM staff may delete a comment.")
    )


@transaction.atomic
def comment_update(*, actor, instance: Comment, data: dict) -> Comment:
    """Change one's own comment; people it newly mentions are notified."""
    comment = Comment.objects.select_for_update().get(pk=instance.pk)
    _own_or_moderated(actor, comment, moderate=False)
    if comment.deleted_at is not None:
        raise ValidationError({"body": _("That comment was deleted.")})
    parent = data.get("parent", comment.parent)
    stays = {
        "subject_type": data.get("subject_type", comment.subject_type) == comment.subject_type,
        "subject": int(data.get("subject", comment.subject_id)) == comment.subject_id,
        "parent": getattr(parent, "pk", parent) == comment.parent_id,
    }
    moved = [name for name, same in stays.items() if not same]
    if moved:
        raise ValidationError(dict.fromkeys(moved, _("A comment stays where it was written.")))
    comment.body = _body(data.get("body", comment.body))
    comment.edited_at = timezone.now()
    save_validated(comment, actor=actor)
    before = set(comment.mentions.values_list("pk", flat=True))
    mentioned = _mentioned(comment.body, actor)
    comment.mentions.set(mentioned)
    new = [u for u in mentioned if u.pk not in before]
    if new:
        subject = load_subject(comment.subject_type, comment.subject_id)
        kind = subject_kind(comment.subject_type)
        _tell_mentioned(comment, new, actor, kind.title(subject),
                        f"{kind.url(subject)}#comment-{comment.pk}")  # fmt: skip
    return comment


@transaction.atomic
def comment_delete(*, actor, instance: Comment) -> None:
    """Delete a comment (its author, or the OSM staff moderating): it keeps its place in
    the thread, its replies stay, its text goes."""
    comment = Comment.objects.select_for_update().get(pk=instance.pk)
    _own_or_moderated(actor, comment, moderate=True)
    Comment.objects.filter(pk=comment.pk).update(body="", deleted_at=timezone.now())
    comment.mentions.clear()


# The API's create and change of analyses (one per subject and month) -----------------------


@transaction.atomic
def analysis_create(*, actor, data: dict) -> Analysis:
    """A new month's analysis (the API's create): refused when the subject has one for the
    month, which is then to be changed instead."""
    existing = Analysis.objects.filter(
        subject_type=data.get("subject_type"),
        subject_id=data.get("subject"),
        month=data.get("month"),
    ).first()
    if existing is not None:
        raise ValidationError(
            {"month": _("This subject already has an analysis for the month (id %(id)s); change "
                        "that one instead.") % {"id": existing.pk}}
        )  # fmt: skip
    analysis, _created = analysis_save(
        actor=actor,
        subject_type=data.get("subject_type"),
        subject_id=data.get("subject"),
        month=data.get("month"),
        analysis=data.get("analysis", ""),
        recommendations=data.get("recommendations", ""),
    )
    return analysis


@transaction.atomic
def analysis_update(*, actor, instance: Analysis, data: dict) -> Analysis:
    """Change a month's analysis or recommendations; it stays with its subject and month."""
    fixed = {"subject_type": instance.subject_type, "subject": instance.subject_id,
             "month": instance.month}  # fmt: skip
    moved = [name for name, value in fixed.items() if name in data and data[name] != value]
    if moved:
        raise ValidationError(
            dict.fromkeys(moved, _("An analysis stays with its subject and month."))
        )
    analysis, _created = analysis_save(
        actor=actor,
        subject_type=instance.subject_type,
        subject_id=instance.subject_id,
        month=instance.month,
        analysis=data.get("analysis", instance.analysis),
        recommendations=data.get("recommendations", instance.recommendations),
    )
    return analysis
