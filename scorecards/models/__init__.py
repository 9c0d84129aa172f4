"""Scorecards: the unit tree, perspectives, themes, objectives, links, measures and values,
and the reporting cycle's months."""

from .measures import FormulaInput, Measure, MeasureValue, RollupSource
from .objectives import CascadeLink, CauseEffect, Objective
from .reporting import ReportingPeriod, ReportingPeriodEvent
from .units import OrgUnit, Perspective, Theme
from .versions import StrategyVersion

__all__ = [
    "CascadeLink",
    "CauseEffect",
    "FormulaInput",
    "Measure",
    "MeasureValue",
    "Objective",
    "OrgUnit",
    "Perspective",
    "ReportingPeriod",
    "ReportingPeriodEvent",
    "RollupSource",
    "StrategyVersion",
    "Theme",
]
