"""Reads of the scorecards app shared by views, the API and reports."""

from .tree import breadcrumbs, enterprise_unit, unit_tree

__all__ = ["breadcrumbs", "enterprise_unit", "unit_tree"]
