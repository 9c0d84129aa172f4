"""The reporting cycle's closed months (DESIGN.md "Reporting cycle"). OSM staff close a
month once it is over and reopen it with a reason. A value is locked while the month in
which its period ends is closed (`periods.closing_month`): no door writes into it. Every
write of values asks here inside its transaction (`ensure_open` for one value,
`locked_periods` for many), holding the months' lock shared, while closing holds it
alone (core/locks.py), so no write slips into a month as it closes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import AuditKind, audit
from core.locks import lock_exclusive, lock_shared
from core.services import save_validated

from ..choices import PeriodAction, PeriodStatus
from ..display import month_text
from ..models import Measure, ReportingPeriod, ReportingPeriodEvent
from ..periods import closing_month
from ..selectors.reporting import closed_months
from .alerts import notify_month_closed

MONTHS_LOCK = "osm:reporting-months"


def locked_message(measure: Measure, period: dt.date, month: dt.date) -> str:
    """Why the value of `measure` for `period` cannot be written: `month` is closed."""
    return _(
        "%(month)s is closed: the %(period)s value of %(measure)s can no longer be changed. "
        "OSM staff can reopen the month."
    ) % {"month": month_text(month), "period": month_text(period), "measure": measure.code}


def locked_periods(
    pairs: Iterable[tuple[Measure, dt.date]], *, hold: bool = True
) -> dict[tuple[int, dt.date], str]:
    """For (measure, period) pairs: the message of each whose month is closed. For a write
    (`hold`), inside its transaction: the months' lock is held shared until it ends, so no
    month closes in between; a page asking only what to show passes `hold=False`."""
    pairs = list(pairs)
    if hold:
        lock_shared(MONTHS_LOCK)
    ends = {(m.pk, p): closing_month(p, m.frequency) for m, p in pairs}
    closed = closed_months(ends.values())
    return {
        (m.pk, p): locked_message(m, p, ends[m.pk, p]) for m, p in pairs if ends[m.pk, p] in closed
    }


def ensure_open(measure: Measure, periods: Iterable[dt.date]) -> None:
    """Refuse (ValidationError on `period`) a write of `measure`'s values for `periods`
    when one of them ends in a closed month."""
    locked = locked_periods((measure, period) for period in periods)
    if locked:
        raise ValidationError({"period": sorted(set(locked.values()))})


def _month(month: dt.date) -> dt.date:
    if month.day != 1:
        raise ValidationError({"month": _("Name a month by its first day.")})
    return month


@transaction.atomic
def month_close(*, actor, month: dt.date, today: dt.date | None = None) -> ReportingPeriod:
    """Close `month` (its first day) once it is over: the values of periods ending in it
    are locked. Recorded with who and when. Waits for the value writes in progress."""
    month = _month(month)
    today = today or timezone.localdate()
    if month >= today.replace(day=1):
        raise ValidationError(
            {"month": _("%(month)s is not over yet: a month is closed once it has ended.")
             % {"month": month_text(month)}}
        )  # fmt: skip
    lock_exclusive(MONTHS_LOCK)
    period, _created = ReportingPeriod.objects.select_for_update().get_or_create(month=month)
    if period.status == PeriodStatus.CLOSED:
        raise ValidationError(
            {"month": _("%(month)s is already closed.") % {"month": month_text(month)}}
        )
    period.status = PeriodStatus.CLOSED
    period.closed_by, period.closed_at = actor, timezone.now()
    save_validated(period, actor=actor)
    event = ReportingPeriodEvent.objects.create(period=period, action=PeriodAction.CLOSE, by=actor)
    notify_month_closed(month, event.pk, actor)
    audit(AuditKind.MONTH_CLOSED, actor=actor, target_name=f"{month:%Y-%m}")
    return period


@transaction.atomic
def month_reopen(*, actor, month: dt.date, reason: str) -> ReportingPeriod:
    """Reopen a closed `month` so its values can be corrected; `reason` is required and
    recorded with who and when."""
    month = _month(month)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the month is reopened.")})
    lock_exclusive(MONTHS_LOCK)
    period = ReportingPeriod.objects.select_for_update().filter(month=month).first()
    if period is None or period.status != PeriodStatus.CLOSED:
        raise ValidationError(
            {"month": _("%(month)s is not closed.") % {"month": month_text(month)}}
        )
    period.status = PeriodStatus.OPEN
    save_validated(period, actor=actor)
    ReportingPeriodEvent.objects.create(
        period=period, action=PeriodAction.REOPEN, by=actor, reason=reason
    )
    audit(AuditKind.MONTH_REOPENED, actor=actor, target_name=f"{month:%Y-%m}", detail=reason)
    return period
