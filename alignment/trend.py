"""When the alignment trend gets its next point: the nightly snapshot job's schedule
(django-celery-beat's "OSM: alignment snapshot", created by core/migrations/0006, which the
OSM staff may change or switch off), so an empty trend can say when it starts.

`next_run_after` is pure (a crontab's fields and a moment in, the next moment out);
`first_snapshot_on` reads the schedule.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django_celery_beat.models import PeriodicTask

from core.clock import fiscal_year_bounds

SNAPSHOT_TASK = "alignment.tasks.take_alignment_snapshot"
HORIZON_DAYS = 400  # a crontab that matches no day within a year and a bit never runs


def _expand(field: str, low: int, high: int) -> set[int]:
    """A crontab field ("*", "15", "1,3", "1-5", "*/2", "0-30/10") as the values it allows."""
    values: set[int] = set()
    for part in str(field).replace(" ", "").split(","):
        span, _, step = part.partition("/")
        if span in ("*", ""):
            start, end = low, high
        elif "-" in span:
            first, last = span.split("-", 1)
            start, end = int(first), int(last)
        else:
            start = end = int(span)
            if step:
                end = high
        values.update(range(start, end + 1, int(step) if step else 1))
    return {v for v in values if low <= v <= high}


def next_run_after(
    moment: dt.datetime,
    *,
    minute: str,
    hour: str,
    day_of_week: str = "*",
    day_of_month: str = "*",
    month_of_year: str = "*",
    tz: dt.tzinfo,
) -> dt.datetime | None:
    """The first moment strictly after `moment` (aware) at which a crontab with these fields
    fires in time zone `tz`; None if none within HORIZON_DAYS. Days of the week as cron's:
    0 (or 7) is Sunday. Like cron, a day matches when it is in both the days of the month
    and the days of the week unless one of them is "*"."""
    minutes = sorted(_expand(minute, 0, 59))
    hours = sorted(_expand(hour, 0, 23))
    weekdays = {d % 7 for d in _expand(day_of_week, 0, 7)}
    monthdays = _expand(day_of_month, 1, 31)
    months = _expand(month_of_year, 1, 12)
    both = str(day_of_week).strip() != "*" and str(day_of_month).strip() != "*"
    local = moment.astimezone(tz)
    for offset in range(HORIZON_DAYS):
        day = local.date() + dt.timedelta(days=offset)
        in_week = day.isoweekday() % 7 in weekdays
        in_month = day.day in monthdays
        if day.month not in months or not ((in_week or in_month) if both else in_week and in_month):
            continue
        for h in hours:
            for m in minutes:
                candidate = dt.datetime.combine(day, dt.time(h, m), tzinfo=tz)
                if candidate > moment:
                    return candidate
    return None


def first_snapshot_on(fiscal_year: int, *, now: dt.datetime) -> dt.date | None:
    """The day the nightly job takes the first snapshot of `fiscal_year` (it snapshots the
    fiscal year it runs in): its next run after `now`, or after the year starts if that is
    later. None when the job is switched off or gone."""
    task = (
        PeriodicTask.objects.filter(task=SNAPSHOT_TASK, enabled=True)
        .select_related("crontab", "interval")
        .order_by("pk")
        .first()
    )
    if task is None:
        return None
    start, _ = fiscal_year_bounds(fiscal_year)
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    after = max(now, dt.datetime.combine(start, dt.time.min, tzinfo=tz) - dt.timedelta(seconds=1))
    if task.crontab is not None:
        cron = task.crontab
        run = next_run_after(
            after,
            minute=cron.minute,
            hour=cron.hour,
            day_of_week=cron.day_of_week,
            day_of_month=cron.day_of_month,
            month_of_year=cron.month_of_year,
            tz=zoneinfo.ZoneInfo(str(cron.timezone)),
        )
    elif task.interval is not None:
        run = after + task.interval.schedule.run_every
    else:
        return None
    return run.astimezone(tz).date() if run is not None else None
