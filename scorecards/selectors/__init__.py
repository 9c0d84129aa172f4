"""Reads of the scorecards app shared by views, the API and reports."""

from .tree import breadcrumbs, enterprise_unit, objectives_by_perspective, unit_tree

__all__ = ["breadcrumbs", "enterprise_unit", "objectives_by_perspective", "unit_tree"]
