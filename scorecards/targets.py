"""A year's targets from one annual target: pure arithmetic, no ORM.

The rule every method keeps: **the year's period targets, combined the way the measure
combines its periods (its aggregation, as the year to date does), equal the annual target**.
So a year that meets each period's target meets the annual target, and the year-to-date
target at the year's last period is the annual target:

- `sum` (revenue, units sold): the periods' targets add up to the annual target;
- `average` (satisfaction, a rate): their mean is the annual target;
- `last` (headcount, a level at year end): the last period's target is the annual target.

The methods (A: the annual target, n: the periods of the year, i = 1..n):

- **even**: the same target every period: A/n for `sum`, A for `average` and `last`.
- **linear**: equal steps up (or down) from the baseline b, the level before the year:
  t_i = b + i·d, the first period one step beyond the baseline, with d chosen by the rule:
  `sum` d = 2·(A - n·b) / (n·(n + 1)); `average` d = 2·(A - b) / (n + 1) (so the line ends
  beyond A when it starts below it: the mean must reach A); `last` d = (A - b) / n (the
  line ends on A).
- **shape**: last year's shape: t_i in proportion to last year's actual a_i of the same
  period: `sum` A·a_i/Σa; `average` A·a_i/mean(a); `last` A·a_i/a_n.

Targets are rounded to the measure's decimal places without breaking the rule: for `sum`
and `average` the rounded targets still add up to n·(the year's figure) exactly (each is
rounded down, and the units left over go to the periods that lost most, ties to the later
periods: the largest-remainder method); for `last` each is rounded half up and the last
one is A itself.
"""

import datetime as dt
import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .periods import add_months, months_in

EVEN, LINEAR, SHAPE = "even", "linear", "shape"
METHODS = (EVEN, LINEAR, SHAPE)
AGGREGATIONS = ("sum", "average", "last")


class SpreadError(ValueError):
    """The annual target cannot be spread this way; the message says why."""


def year_periods(fiscal_year: int, frequency: str, fiscal_start_month: int) -> list[dt.date]:
    """The first days of the periods of `frequency` in fiscal year `fiscal_year` (named
    after the calendar year it starts in), in order."""
    start = dt.date(fiscal_year, fiscal_start_month, 1)
    step = months_in(frequency)
    return [add_months(start, k * step) for k in range(12 // step)]


def spread(
    annual: Decimal,
    periods: int,
    *,
    aggregation: str,
    method: str,
    places: int,
    baseline: Decimal | None = None,
    last_year: Sequence[Decimal] | None = None,
) -> list[Decimal]:
    """The `periods` targets of a year whose target is `annual`, by `method` (see the
    module's docstring), rounded to `places` decimals. `baseline` is needed by `linear`,
    `last_year` (one actual per period, in order) by `shape`. SpreadError says what is
    missing or impossible."""
    if periods < 1:
        raise SpreadError(_("The year has no periods."))
    if aggregation not in AGGREGATIONS:
        raise SpreadError(
            _("Unknown aggregation %(aggregation)s.") % {"aggregation": repr(aggregation)}
        )
    quantum = Fraction(1, 10**places)
    target = Fraction(annual)
    if (target / quantum).denominator != 1:
        raise SpreadError(
            ngettext(
                "The annual target has more than %(places)s decimal place.",
                "The annual target has more than %(places)s decimal places.",
                places,
            )
            % {"places": places}
        )
    ideal = _ideal(target, periods, aggregation, method, baseline, last_year)
    if aggregation == "last":
        rounded = [_half_up(x, quantum) for x in ideal[:-1]] + [target]
    else:
        total = target if aggregation == "sum" else target * periods
        rounded = _largest_remainder(ideal, total, quantum)
    return [_decimal(x, places) for x in rounded]


def _ideal(target, n, aggregation, method, baseline, last_year) -> list[Fraction]:
    """The exact targets before rounding."""
    if method == EVEN:
        return [target / n if aggregation == "sum" else target] * n
    if method == LINEAR:
        if baseline is None:
            raise SpreadError(_("A linear spread starts from the baseline: enter the baseline."))
        b = Fraction(baseline)
        if aggregation == "sum":
            step = 2 * (target - n * b) / (n * (n + 1))
        elif aggregation == "average":
            step = 2 * (target - b) / (n + 1)
        else:
            step = (target - b) / n
        return [b + i * step for i in range(1, n + 1)]
    if method == SHAPE:
        if last_year is None or len(last_year) != n or any(a is None for a in last_year):
            raise SpreadError(_("Last year's shape needs last year's actual of every period."))
        shape = [Fraction(a) for a in last_year]
        if aggregation == "sum":
            base = sum(shape)
            flat = _("Last year's actuals add up to zero: there is no shape to scale.")
        elif aggregation == "average":
            base = sum(shape) / n
            flat = _("Last year's actuals average zero: there is no shape to scale.")
        else:
            base = shape[-1]
            flat = _("Last year's actuals end on zero: there is no shape to scale.")
        if base == 0:
            raise SpreadError(flat)
        return [target * a / base for a in shape]
    raise SpreadError(
        _("Unknown method %(method)s: choose one of %(methods)s.")
        % {"method": repr(method), "methods": ", ".join(METHODS)}
    )


def _largest_remainder(ideal: list[Fraction], total: Fraction, quantum: Fraction):
    """Round each value down to `quantum`, then give one more quantum to as many values as
    it takes to reach `total`, those with the largest remainders first (ties: later ones)."""
    units = [x / quantum for x in ideal]
    floors = [math.floor(u) for u in units]
    missing = int(total / quantum) - sum(floors)
    order = sorted(range(len(units)), key=lambda i: (units[i] - floors[i], i), reverse=True)
    for i in order[:missing]:
        floors[i] += 1
    return [f * quantum for f in floors]


def _half_up(value: Fraction, quantum: Fraction) -> Fraction:
    """Round to `quantum`, halves away from zero (as `core.formatting` rounds)."""
    units = abs(value / quantum)
    rounded = math.floor(units + Fraction(1, 2))
    return (rounded if value >= 0 else -rounded) * quantum


def _decimal(value: Fraction, places: int) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
