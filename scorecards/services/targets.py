"""Writes of a measure's targets for a whole fiscal year at once, and the plan of those
targets from one annual target (the arithmetic is scorecards/targets.py's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.numbers import active_number_format, format_plain

from .. import targets as spreading
from ..choices import Frequency
from ..display import month_text
from ..models import Measure, MeasureValue
from ..selectors.measure import year_actuals
from .values import measure_value_record, targets_refused

# Values are stored with 6 decimals (core.fields.VALUE): a measure that declares no places
# has its spread targets rounded to those.
STORED_PLACES = 6


def _text(value) -> str:
    """100 rather than 100.000000 in a message (in the active language's format)."""
    return format_plain(Decimal(value), active_number_format())


def _month(period: dt.date) -> str:
    return month_text(period)


@dataclass
class TargetsSet:
    """What `measure_targets_set` did: the periods given a target for the first time, those
    whose target changed (with the old one), and those that already had it."""

    fiscal_year: int
    added: list[dt.date] = field(default_factory=list)
    changed: list[tuple[dt.date, Decimal, Decimal]] = field(default_factory=list)
    unchanged: list[dt.date] = field(default_factory=list)

    def describe(self) -> str:
        """One sentence for the page: what changed, e.g. "Targets for 2026: 3 added, 2
        changed (Jan 2026 100 → 110, Feb 2026 100 → 120), 7 already so; actuals untouched."""
        parts = []
        if self.added:
            number = len(self.added)
            # The same English either way; other languages agree with the number.
            parts.append(
                ngettext("%(number)s added", "%(number)s added", number) % {"number": number}
            )
        if self.changed:
            shown = ", ".join(
                _("%(period)s %(old)s → %(new)s")
                % {"period": _month(p), "old": _text(old), "new": _text(new)}
                for p, old, new in self.changed[:3]
            )
            more = ", …" if len(self.changed) > 3 else ""
            number = len(self.changed)
            parts.append(
                ngettext(
                    "%(number)s changed (%(changes)s)", "%(number)s changed (%(changes)s)", number
                )
                % {"number": number, "changes": shown + more}
            )
        if self.unchanged:
            number = len(self.unchanged)
            parts.append(
                ngettext("%(number)s already so", "%(number)s already so", number)
                % {"number": number}
            )
        return _("Targets for %(year)s: %(parts)s; actuals untouched.") % {
            "year": self.fiscal_year,
            "parts": ", ".join(parts),
        }


@transaction.atomic
def measure_targets_set(
    *, actor, measure: Measure, fiscal_year: int, targets: dict[dt.date, Decimal]
) -> TargetsSet:
    """Set the targets of some or all periods of `measure`'s fiscal year `fiscal_year`,
    all or nothing. A stored target is replaced (the year is being planned again; the
    history keeps the old one), an actual, red flag or note is never touched. Refused,
    naming each period: a period that is not one of the measure's in that year, a target
    outside the measure's valid range or with more decimals than it takes, and a target
    its stored red flag would then be on the wrong side of."""
    if not targets:
        raise ValidationError({"targets": _("Give the target of at least one period.")})
    refused = targets_refused(actor, measure, ["target"])
    if refused:
        raise ValidationError({"targets": refused["target"]})
    periods = spreading.year_periods(
        fiscal_year, measure.frequency, settings.FISCAL_YEAR_START_MONTH
    )
    stored = {
        v.period: v
        for v in MeasureValue.objects.select_for_update().filter(
            measure=measure, period__in=list(targets)
        )
    }
    errors = []
    for period in sorted(targets):
        problem = _problem(measure, period, targets[period], periods, stored.get(period))
        if problem:
            errors.append(
                _("%(period)s: %(problem)s") % {"period": _month(period), "problem": problem}
            )
    if errors:
        raise ValidationError({"targets": errors})
    done = TargetsSet(fiscal_year=fiscal_year)
    for period in sorted(targets):
        new, value = targets[period], stored.get(period)
        if value is not None and value.target == new:
            done.unchanged.append(period)
            continue
        try:
            measure_value_record(measure=measure, period=period, target=new, actor=actor)
        except ValidationError as exc:  # a rule of the value service not checked above
            raise ValidationError(
                {
                    "targets": [
                        _("%(period)s: %(problem)s") % {"period": _month(period), "problem": m}
                        for m in exc.messages
                    ]
                }
            ) from None
        if value is None or value.target is None:
            done.added.append(period)
        else:
            done.changed.append((period, value.target, new))
    return done


def _problem(measure, period, target, periods, value) -> str | None:
    """Why `target` cannot be `period`'s target (None if it can)."""
    if period not in periods:
        return {
            Frequency.MONTHLY: lambda: _("not a monthly period of this fiscal year."),
            Frequency.QUARTERLY: lambda: _("not a quarterly period of this fiscal year."),
            Frequency.ANNUAL: lambda: _("not an annual period of this fiscal year."),
        }[measure.frequency]()
    if target is None:
        return _("no target given.")
    low, high = measure.valid_range()
    if low is not None and target < low:
        return _("%(target)s is below the lowest valid value (%(low)s).") % {
            "target": _text(target),
            "low": _text(low),
        }
    if high is not None and target > high:
        return _("%(target)s is above the highest valid value (%(high)s).") % {
            "target": _text(target),
            "high": _text(high),
        }
    places = measure.decimal_places
    if places is not None and -Decimal(target).normalize().as_tuple().exponent > places:
        return ngettext(
            "%(target)s has more than %(places)s decimal place.",
            "%(target)s has more than %(places)s decimal places.",
            places,
        ) % {"target": _text(target), "places": places}
    if value is not None and value.red_flag is not None:
        increase = measure.polarity == "increase"
        if (value.red_flag > target) if increase else (value.red_flag < target):
            figures = {"red_flag": _text(value.red_flag), "target": _text(target)}
            if increase:
                return (
                    _(
                        "its red flag %(red_flag)s would be above the target %(target)s; change or "
                        "clear the red flag first."
                    )
                    % figures
                )
            return (
                _(
                    "its red flag %(red_flag)s would be below the target %(target)s; change or "
                    "clear the red flag first."
                )
                % figures
            )
    return None


def measure_targets_plan(
    *, measure: Measure, fiscal_year: int, method: str, annual_target: Decimal
) -> dict[dt.date, Decimal]:
    """The targets of fiscal year `fiscal_year` spreading `annual_target` by `method`
    (`even`, `linear` from the measure's baseline, `shape` of last year's actuals), rounded
    to the measure's decimal places; see scorecards/targets.py for the rule. Writes
    nothing; a ValidationError on `annual_target` or `target_method` says why it cannot."""
    periods = spreading.year_periods(
        fiscal_year, measure.frequency, settings.FISCAL_YEAR_START_MONTH
    )
    places = STORED_PLACES if measure.decimal_places is None else measure.decimal_places
    if -Decimal(annual_target).normalize().as_tuple().exponent > places:
        raise ValidationError(
            {
                "annual_target": ngettext(
                    "%(measure)s takes at most %(places)s decimal place.",
                    "%(measure)s takes at most %(places)s decimal places.",
                    places,
                )
                % {"measure": measure.code, "places": places}
            }
        )
    if method == spreading.LINEAR and measure.baseline is None:
        raise ValidationError(
            {"baseline": _("A linear spread starts from the baseline: enter the baseline.")}
        )
    last_year = None
    if method == spreading.SHAPE:
        actuals = year_actuals(measure, fiscal_year - 1)
        missing = [_month(p) for p, a in actuals.items() if a is None]
        if missing:
            raise ValidationError(
                {
                    "target_method": _(
                        "Last year's shape needs an actual for every period of %(year)s; "
                        "missing: %(periods)s."
                    )
                    % {"year": fiscal_year - 1, "periods": ", ".join(missing)}
                }
            )
        last_year = list(actuals.values())
    try:
        figures = spreading.spread(
            annual_target,
            len(periods),
            aggregation=measure.aggregation,
            method=method,
            places=places,
            baseline=measure.baseline,
            last_year=last_year,
        )
    except spreading.SpreadError as exc:
        raise ValidationError({"target_method": str(exc)}) from None
    return dict(zip(periods, figures, strict=True))
