"""Whether a figure is far outside its measure's own history: pure, no ORM.

A figure typed with a slip of the finger (779 for 77.9, 12500000 for 1250000) is rarely
outside the measure's valid range, but it is far from what the measure has been. Such a
figure is not refused: the person is asked to confirm it (the web form shows the warning
and a "Yes, save" button; the API and the bulk upload want `"confirm": true`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

RATIO_LIMIT = Decimal(10)
Z_LIMIT = Decimal(6)
Z_SCALE = Decimal("0.6745")  # makes the MAD of a normal sample comparable to its deviation
MIN_HISTORY = 6


@dataclass(frozen=True)
class Unusual:
    """Why a figure is unusual: `median` is the history's median, `ratio` the figure's
    size over the median of the history's sizes (None when that median is 0) and `z` its
    robust z-score (None when the history's MAD is 0)."""

    median: Decimal
    ratio: Decimal | None
    z: Decimal | None


@dataclass(frozen=True)
class History:
    """What the rule needs of a history, computed once: its median, the median of its
    sizes, and its MAD (the median of the distances to its median)."""

    median: Decimal
    size: Decimal
    mad: Decimal


def history_of(figures: Sequence[Decimal]) -> History | None:
    """The history's medians, or None when it is too short to judge by (fewer than
    MIN_HISTORY figures)."""
    if len(figures) < MIN_HISTORY:
        return None
    values = [Decimal(h) for h in figures]
    centre = median(values)
    return History(
        median=centre,
        size=median(abs(h) for h in values),
        mad=median(abs(h - centre) for h in values),
    )


def unusual_figure(value: Decimal, history: Sequence[Decimal] | History | None) -> Unusual | None:
    """`value` is unusual for a measure whose other figures are `history` (the figures, or
    their `History`) when, with at least MIN_HISTORY (6) figures in the history, either

    - ratio rule: ``|value| > 10 · median(|h|)`` (with ``median(|h|) > 0``), or
    - robust z-score: ``|z| > 6`` where ``z = 0.6745 · (value - median(h)) / MAD`` and
      ``MAD = median(|h - median(h)|)`` (with ``MAD > 0``; Iglewicz and Hoaglin's modified
      z-score, which one far figure in the history does not move as it moves a mean and a
      standard deviation).

    None when it is not unusual, or the history is too short to say."""
    stats = history if isinstance(history, History) or history is None else history_of(history)
    if value is None or stats is None:
        return None
    ratio = abs(value) / stats.size if stats.size > 0 else None
    z = Z_SCALE * (value - stats.median) / stats.mad if stats.mad > 0 else None
    if (ratio is not None and ratio > RATIO_LIMIT) or (z is not None and abs(z) > Z_LIMIT):
        return Unusual(median=stats.median, ratio=ratio, z=z)
    return None
