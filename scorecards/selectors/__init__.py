"""Reads of the scorecards app shared by views, the API and reports."""

from .tree import enterprise_unit, objectives_by_perspective

__all__ = ["enterprise_unit", "objectives_by_perspective"]
