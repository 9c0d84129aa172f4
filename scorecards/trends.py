"""Which way a measure's actual moved, and whether that is better or worse (pure, no ORM).

A trend arrow follows the actual ("▲" when it went up), so a reader never has to guess
what the arrow points at; the word beside it says whether that is good news by the
measure's polarity: cost going up on a lower-is-better measure is "▲ worse", revenue going
down on a higher-is-better one "▼ worse".

The comparison is with the previous period that has data, as for the score's trend
(DESIGN.md "Trend"). Year to date, a summed measure grows with every month added, so its
run rate (the sum per period) is compared instead.
"""

from __future__ import annotations

from fractions import Fraction

UP, DOWN, FLAT = "up", "down", "flat"
BETTER, WORSE, STEADY = "better", "worse", "steady"

ARROWS = {UP: "▲", DOWN: "▼", FLAT: "▶"}


def movement(current: Fraction | None, previous: Fraction | None) -> str | None:
    """up, down or flat from `previous` to `current` (exact numbers); None without both."""
    if current is None or previous is None:
        return None
    if current > previous:
        return UP
    if current < previous:
        return DOWN
    return FLAT


def verdict(moved: str | None, polarity: str) -> str | None:
    """better or worse by the polarity (`increase`: higher is better, `decrease`: lower is
    better), steady when flat; None when there is no movement to judge."""
    if moved is None:
        return None
    if moved == FLAT:
        return STEADY
    return BETTER if (moved == UP) == (polarity == "increase") else WORSE


def comparable(actual: Fraction | None, periods: int, aggregation: str) -> Fraction | None:
    """A year-to-date actual as it can be compared from one month to the next: a sum per
    period (its run rate); an average or a latest value as it is."""
    if actual is None or periods < 1:
        return None
    return actual / periods if aggregation == "sum" else actual
