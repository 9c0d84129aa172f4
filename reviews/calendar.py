"""The strategy calendar: a fiscal year's integrated cycle for a unit and its subtree.

One list of dated entries from three sources, in a fixed number of queries whatever the
size of the organisation:

- the stored steps of the cycle (`CalendarEvent`) of the unit, of the units below it and
  of the units above it (an enterprise budget deadline applies to every unit), that
  overlap the year;
- the data due dates: for the subtree's entered measures (calculated and rollup measures
  compute their actuals), each due date falling in the year, one entry per due date and
  frequency with the number of values due ("31 monthly values due"), not one per measure;
- the subtree's review meetings scheduled in the year.

The year is the fiscal year (`FISCAL_YEAR_START_MONTH`), named after the calendar year in
which it starts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from core.clock import fiscal_year_bounds
from scorecards.choices import Frequency, Rollup
from scorecards.models import Measure, OrgUnit
from scorecards.periods import add_months, months_in, period_start
from scorecards.scoring import due_date

from .choices import EventKind, MeetingKind
from .models import CalendarEvent, ReviewMeeting

# The lanes of the calendar, top to bottom: the steps of the cycle in the order they feed
# each other, then the running of the year.
STRATEGY_REFRESH = "strategy_refresh"
TARGET_SETTING = "target_setting"
DEADLINES = "deadlines"
GOAL_SETTING = "goal_setting"
DATA_DUE = "data_due"
REVIEWS = "reviews"
OTHER = "other"
LANES: tuple[tuple[str, str], ...] = (
    (STRATEGY_REFRESH, gettext_lazy("Strategy refresh")),
    (TARGET_SETTING, gettext_lazy("Target setting")),
    (DEADLINES, gettext_lazy("Budget and STRATEX deadlines")),
    (GOAL_SETTING, gettext_lazy("Goal setting")),
    (DATA_DUE, gettext_lazy("Data due dates")),
    (REVIEWS, gettext_lazy("Review meetings")),
    (OTHER, gettext_lazy("Other")),
)
LANE_LABELS = dict(LANES)
LANE_OF_EVENT = {
    EventKind.STRATEGY_REFRESH: STRATEGY_REFRESH,
    EventKind.TARGET_SETTING: TARGET_SETTING,
    EventKind.BUDGET_DEADLINE: DEADLINES,
    EventKind.STRATEX_DEADLINE: DEADLINES,
    EventKind.GOAL_SETTING: GOAL_SETTING,
    EventKind.OTHER: OTHER,
}
# What an entry is, finer than its lane (budget and STRATEX deadlines share a lane, the
# chart tells them apart by marker): the event kinds, then these two.
DATA_DUE_KIND = "data_due"
MEETING_KIND = "meeting"
KIND_LABELS = {
    **dict(EventKind.choices),
    DATA_DUE_KIND: gettext_lazy("Data due"),
    MEETING_KIND: gettext_lazy("Review meeting"),
}


@dataclass(frozen=True)
class Entry:
    """One dated thing of the calendar. `end` is None for a one-day entry; `url` is where
    it links ("" for none: an event's edit page is added per user, see `with_links`);
    `event` is the stored event the entry shows, if it is one; `count` the number of
    values due, for a data due date."""

    lane: str
    kind: str
    start: dt.date
    end: dt.date | None
    title: str
    unit_code: str
    detail: str = ""
    url: str = ""
    count: int | None = None
    rank: int = 0  # among same-day entries of a lane and unit: monthly, quarterly, annual
    event: CalendarEvent | None = field(default=None, compare=False, repr=False)

    @property
    def lane_label(self) -> str:
        return LANE_LABELS[self.lane]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def kind_note(self) -> str:
        """The kind, where the lane holds several (a budget or a STRATEX deadline)."""
        return self.kind_label if self.lane == DEADLINES else ""

    @property
    def dates_text(self) -> str:
        """'Tue 10 Mar'; '10 to 12 Mar'; '22 Sep to 17 Oct'; '15 Dec 2025 to 5 Jan' (the
        table's month headings give the year: an entry is listed under the month it starts
        in, or under the year's first month if it began before)."""
        start, end = self.start, self.end
        # The patterns are Django's date format letters, each language's own order.
        if not self.is_span:
            return dateformat.format(start, pgettext("calendar: one day", "D j M"))
        day_month = pgettext("calendar: day and month", "j M")
        if start.year != end.year:
            first = dateformat.format(start, pgettext("calendar: day, month, year", "j M Y"))
            last = dateformat.format(end, day_month)
        elif start.month != end.month:
            first, last = dateformat.format(start, day_month), dateformat.format(end, day_month)
        else:
            first = dateformat.format(start, pgettext("calendar: day", "j"))
            last = dateformat.format(end, day_month)
        return _("%(first)s to %(last)s") % {"first": first, "last": last}

    @property
    def last_day(self) -> dt.date:
        return self.end or self.start

    @property
    def is_span(self) -> bool:
        """Lasts more than one day (a bar on the chart, a marker otherwise)."""
        return self.end is not None and self.end > self.start


@dataclass(frozen=True)
class Calendar:
    """The fiscal year `year` (from `start` to `end`) of `unit` and its subtree."""

    unit: OrgUnit
    year: int
    start: dt.date
    end: dt.date
    today: dt.date
    entries: list[Entry]

    @property
    def shows_today(self) -> bool:
        return self.start <= self.today <= self.end

    def months(self) -> list[tuple[dt.date, list[Entry]]]:
        """The entries by month (first day of the month), in date order; an entry that
        began before the year is listed under the year's first month."""
        grouped: dict[dt.date, list[Entry]] = {}
        for entry in self.entries:
            month = max(entry.start, self.start).replace(day=1)
            grouped.setdefault(month, []).append(entry)
        return sorted(grouped.items())


_LANE_ORDER = {lane: index for index, (lane, _) in enumerate(LANES)}


def strategy_calendar(unit: OrgUnit, year: int, *, today: dt.date | None = None) -> Calendar:
    """The fiscal year `year` of `unit` and the units below it: stored events (of the
    units above too), data due dates and review meetings, in date order. Three queries."""
    today = today or timezone.localdate()
    start, end = fiscal_year_bounds(year, settings.FISCAL_YEAR_START_MONTH)
    subtree = OrgUnit.objects.subtree_of(unit.pk).values("id")
    entries = [
        *_events(unit, start, end),
        *_data_due(unit, subtree, start, end),
        *_meetings(subtree, start, end),
    ]
    entries.sort(key=lambda e: (e.start, _LANE_ORDER[e.lane], e.unit_code, e.rank, e.title))
    return Calendar(unit=unit, year=year, start=start, end=end, today=today, entries=entries)


def _events(unit: OrgUnit, start: dt.date, end: dt.date) -> list[Entry]:
    """The stored events of the unit, its subtree and its ancestors overlapping the year
    (a one-day event overlaps when its day is in the year). One query."""
    reach = Q(unit__in=OrgUnit.objects.subtree_of(unit.pk).values("id")) | Q(
        unit__in=OrgUnit.objects.ancestors_of(unit.pk).values("id")
    )
    overlapping = Q(starts_on__lte=end) & (
        Q(ends_on__gte=start) | Q(ends_on__isnull=True, starts_on__gte=start)
    )
    events = CalendarEvent.objects.filter(reach, overlapping).select_related("unit")
    return [
        Entry(
            lane=LANE_OF_EVENT[event.kind],
            kind=event.kind,
            start=event.starts_on,
            end=event.ends_on if event.ends_on and event.ends_on != event.starts_on else None,
            title=event.title,
            unit_code=event.unit.code,
            detail=event.notes,
            event=event,
        )
        for event in events
    ]


# Data due on one day are listed monthly first, then quarterly, then annual.
FREQUENCY_ORDER = (Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.ANNUAL)


def due_dates_in(
    frequency: str, start: dt.date, end: dt.date, *, fiscal_start: int, due_days: int
) -> list[tuple[dt.date, dt.date]]:
    """(period, due date) of the periods of `frequency` whose due date falls from `start`
    to `end`: a value is due `due_days` after its period ends. Pure date arithmetic."""
    # The period containing `start - due_days` is the first one due on or after `start`:
    # it ends on or after that day, the one before it ends before it.
    period = period_start(start - dt.timedelta(days=due_days), frequency, fiscal_start)
    found = []
    while (due := due_date(period, frequency, due_days)) <= end:
        found.append((period, due))
        period = add_months(period, months_in(frequency))
    return found


def describe_period(period: dt.date, frequency: str, fiscal_start: int) -> str:
    """'January 2026', 'the quarter from October 2025', 'FY2025' (fiscal years are named
    after the calendar year they start in)."""
    month = date_format(period, "YEAR_MONTH_FORMAT")
    if frequency == Frequency.MONTHLY:
        return month
    if frequency == Frequency.QUARTERLY:
        return _("the quarter from %(month)s") % {"month": month}
    return _("FY%(year)s") % {"year": period.year}


def _values_due(frequency: str, count: int) -> str:
    """'12 monthly values due': the count and the frequency, which agree in number."""
    if frequency == Frequency.MONTHLY:
        message = ngettext("%(count)s monthly value due", "%(count)s monthly values due", count)
    elif frequency == Frequency.QUARTERLY:
        message = ngettext("%(count)s quarterly value due", "%(count)s quarterly values due", count)
    else:
        message = ngettext("%(count)s annual value due", "%(count)s annual values due", count)
    return message % {"count": count}


def _data_due(unit: OrgUnit, subtree, start: dt.date, end: dt.date) -> list[Entry]:
    """Per due date and frequency, how many of the subtree's entered measures owe a
    value then. One query: the measures counted by frequency."""
    fiscal_start, due_days = settings.FISCAL_YEAR_START_MONTH, settings.MEASURE_DUE_DAYS
    counts = (
        Measure.objects.filter(unit__in=subtree, rollup=Rollup.NONE)
        .filter(Q(formula__isnull=True) | Q(formula=""))
        .values("frequency")
        .annotate(n=Count("id"))
        .order_by()
    )
    url = reverse("unit", args=[unit.code])  # the unit's scorecard shows what is overdue
    entries = []
    for row in counts:
        frequency, n = row["frequency"], row["n"]
        for period, due in due_dates_in(
            frequency, start, end, fiscal_start=fiscal_start, due_days=due_days
        ):
            entries.append(
                Entry(
                    lane=DATA_DUE,
                    kind=DATA_DUE_KIND,
                    start=due,
                    end=None,
                    title=_values_due(frequency, n),
                    unit_code=unit.code,
                    detail=_("Actuals for %(period)s, from %(unit)s and the units below it.")
                    % {
                        "period": describe_period(period, frequency, fiscal_start),
                        "unit": unit.code,
                    },
                    url=url,
                    count=n,
                    rank=FREQUENCY_ORDER.index(frequency),
                )
            )
    return entries


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _meetings(subtree, start: dt.date, end: dt.date) -> list[Entry]:
    """The subtree's review meetings scheduled in the year (local time). One query."""
    meetings = ReviewMeeting.objects.filter(
        unit__in=subtree,
        scheduled_for__gte=_aware(start),
        scheduled_for__lt=_aware(end + dt.timedelta(days=1)),
    ).select_related("unit")
    kinds = dict(MeetingKind.choices)
    entries = []
    for meeting in meetings:
        when = timezone.localtime(meeting.scheduled_for)
        entries.append(
            Entry(
                lane=REVIEWS,
                kind=MEETING_KIND,
                start=when.date(),
                end=None,
                title=meeting.title,
                unit_code=meeting.unit.code,
                detail=_("%(kind)s at %(time)s, %(status)s")
                % {
                    "kind": kinds.get(meeting.kind, meeting.kind),
                    "time": time_format(when),
                    "status": str(meeting.get_status_display()).lower(),
                },
                url=reverse("reviews:detail", args=[meeting.pk]),
            )
        )
    return entries


def with_links(calendar: Calendar, user) -> Calendar:
    """The calendar with each stored event linked to its edit page where `user` may change
    it (the rules are asked per event; no query: the user's units are cached)."""
    entries = [
        replace(entry, url=reverse("calendar:event-edit", args=[entry.event.pk]))
        if entry.event is not None and user.has_perm("reviews.change_calendarevent", entry.event)
        else entry
        for entry in calendar.entries
    ]
    return replace(calendar, entries=entries)
