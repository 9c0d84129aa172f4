"""Reads of analyses and comments: a subject's analysis for a month, and its thread in
a fixed number of queries whatever its length."""

from __future__ import annotations

import datetime as dt

from ..models import Analysis, Comment


def analysis_of(subject_type: str, subject_id: int, month: dt.date) -> Analysis | None:
    return (
        Analysis.objects.filter(subject_type=subject_type, subject_id=subject_id, month=month)
        .select_related("author")
        .first()
    )


def analyses_of(subject_type: str, subject_id: int, *, limit: int = 12) -> list[Analysis]:
    """The subject's latest analyses, latest month first."""
    rows = Analysis.objects.filter(subject_type=subject_type, subject_id=subject_id)
    return list(rows.select_related("author").order_by("-month")[:limit])


def thread(subject_type: str, subject_id: int) -> list[Comment]:
    """The subject's comments, oldest first, each with its replies (`replies_in_order`)
    and mentions: three queries."""
    rows = (
        Comment.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .select_related("author")
        .prefetch_related("mentions")
        .order_by("created_at", "id")
    )
    comments = list(rows)
    by_parent: dict[int | None, list[Comment]] = {}
    for comment in comments:
        by_parent.setdefault(comment.parent_id, []).append(comment)
    for comment in comments:
        comment.replies_in_order = by_parent.get(comment.pk, [])
    return by_parent.get(None, [])


def analysed_objectives(month: dt.date, objective_ids: set[int]) -> set[int]:
    """Which of these objectives have an analysis of `month` (one query)."""
    return set(
        Analysis.objects.filter(
            subject_type="objective", subject_id__in=objective_ids, month=month
        ).values_list("subject_id", flat=True)
    )
