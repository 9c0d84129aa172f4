"""Writes of the communication app, one module per concern: analyses and comments
(`commentary`), announcements, pulses and practices."""

from .commentary import (
    ANALYSIS_FIELDS,
    analysis_create,
    analysis_delete,
    analysis_save,
    analysis_update,
    comment_create,
    comment_delete,
    comment_update,
    may_analyse,
    moderates,
    subject_of,
)

__all__ = [
    "ANALYSIS_FIELDS",
    "analysis_create",
    "analysis_delete",
    "analysis_save",
    "analysis_update",
    "comment_create",
    "comment_delete",
    "comment_update",
    "may_analyse",
    "moderates",
    "subject_of",
]
