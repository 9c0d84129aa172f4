"""Scorecards: the unit tree, perspectives, themes, objectives, links, measures and values."""

from .measures import FormulaInput, Measure, MeasureValue, RollupSource
from .objectives import CascadeLink, CauseEffect, Objective
from .units import OrgUnit, Perspective, Theme

__all__ = [
    "CascadeLink",
    "CauseEffect",
    "FormulaInput",
    "Measure",
    "MeasureValue",
    "Objective",
    "OrgUnit",
    "Perspective",
    "RollupSource",
    "Theme",
]
