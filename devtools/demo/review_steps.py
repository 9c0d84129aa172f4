"""The demo's review meetings (held ones with their frozen agendas, minutes and action
items; the next ones scheduled), the strategy calendar and the strategy test run: a step of
`DemoBuilder` (builder.py)."""

import datetime as dt

from django.utils import timezone

from alignment.services import alignment_snapshot_take
from alignment.strategy_tests import strategy_test_run
from core.clock import current_fiscal_year, fiscal_year_bounds
from reviews import services as review_services
from reviews.choices import ActionStatus, MeetingKind
from scorecards.models import Objective
from scorecards.periods import add_months, period_start

from . import company as c
from . import story


class ReviewSteps:
    """The reviews, the calendar and test and adapt (mixed into DemoBuilder)."""

    def meeting_time(self, month: dt.date, day: int, weekday: int, hour: int) -> dt.datetime:
        """The first `weekday` (0 = Monday) on or after `day` of `month`, at `hour`."""
        date = month.replace(day=day)
        date += dt.timedelta(days=(weekday - date.weekday()) % 7)
        return timezone.make_aware(
            dt.datetime.combine(date, dt.time(hour)), timezone.get_default_timezone()
        )

    def create_reviews(self) -> None:
        """Monthly operational reviews, quarterly strategy reviews and the annual test and
        adapt session: held ones with minutes and action items, the next ones scheduled."""
        rng = story.rng_for("reviews")
        closed_items = [0]  # past items so far: every third stays open, every seventh dropped
        for unit_code, kind, title, when, chair, attendees in self.planned_meetings():
            meeting = review_services.meeting_create(
                actor=self.osm,
                data={
                    "unit": self.units[unit_code],
                    "kind": kind,
                    "title": title,
                    "scheduled_for": when,
                    "chair": self.users[chair],
                    "attendees": attendees,
                },
            )
            if when >= self.now:
                continue
            # Held as a real meeting is: its agenda frozen as it stood on the day.
            review_services.meeting_hold(
                actor=self.users[chair],
                meeting=meeting,
                minutes=(
                    "Objectives off target and to watch reviewed first; decisions recorded as "
                    "action items."
                ),
                decisions="Owners of the objectives below target report back at the next review.",
                today=when.date(),
            )
            self.record_action_items(rng, meeting, unit_code, chair, closed_items)

    def planned_meetings(self) -> list[tuple]:
        """(unit code, kind, title, when, chair's username, attendees) of every meeting:
        six months of executive operational reviews and the next two, three months of
        Industrial Equipment's, five quarterly strategy reviews, Field Services' last one,
        and three years' test-and-adapt sessions."""
        w = self.window
        team = [self.users[u] for u in c.EXECUTIVE_TEAM]
        ind_team = [self.users[u] for u in ("unithead", "tmuller", "gricci", "kwalsh", "owner")]
        svc_team = [self.users[u] for u in ("rkumar", "nokoye", "jdubois", "osm")]
        meetings = []
        for offset in range(-6, 2):
            month = add_months(w.current_month, offset)
            meetings.append(
                (
                    "MERIDIAN",
                    MeetingKind.OPERATIONAL,
                    f"Executive operational review, {month:%B %Y}",
                    self.meeting_time(month, 12, 1, 9),
                    "executive",
                    team,
                )
            )
        for offset in range(-3, 2):
            month = add_months(w.current_month, offset)
            meetings.append(
                (
                    "IND",
                    MeetingKind.OPERATIONAL,
                    f"Industrial Equipment operational review, {month:%B %Y}",
                    self.meeting_time(month, 8, 2, 10),
                    "unithead",
                    [*ind_team, self.osm],
                )
            )
        quarter = period_start(w.today, "quarterly", w.fiscal_start)
        for back in (12, 9, 6, 3, 0):
            start = add_months(quarter, -back)
            meetings.append(
                (
                    "MERIDIAN",
                    MeetingKind.STRATEGY,
                    f"Quarterly strategy review, quarter starting {start:%B %Y}",
                    self.meeting_time(add_months(start, 3), 18, 3, 9),
                    "executive",
                    team,
                )
            )
        meetings.append(
            (
                "SVC",
                MeetingKind.STRATEGY,
                f"Field Services strategy review, quarter starting {add_months(quarter, -3):%B %Y}",
                self.meeting_time(quarter, 20, 3, 14),
                "rkumar",
                svc_team,
            )
        )
        for year in (w.current_fiscal_year - 1, w.current_fiscal_year, w.current_fiscal_year + 1):
            start, _ = fiscal_year_bounds(year, w.fiscal_start)
            meetings.append(
                (
                    "MERIDIAN",
                    MeetingKind.TEST_ADAPT,
                    f"Test and adapt: strategy hypotheses, fiscal {year}",
                    self.meeting_time(add_months(start, 9), 6, 0, 9),
                    "executive",
                    team,
                )
            )
        return meetings

    def record_action_items(self, rng, meeting, unit_code: str, chair: str, closed: list) -> None:
        """One to three action items of a held meeting on its unit's troubled objectives."""
        candidates = self.trouble_spots(unit_code)
        when = meeting.scheduled_for
        for _ in range(rng.randint(1, 3)):
            objective = rng.choice(candidates)
            due = when.date() + dt.timedelta(days=rng.choice((21, 30, 45)))
            if due >= self.window.today:
                status = ActionStatus.OPEN
            else:
                # Most past items are done; every third is still open (overdue) and now and
                # then one was dropped.
                closed[0] += 1
                status = (
                    ActionStatus.OPEN
                    if closed[0] % 3 == 0
                    else ActionStatus.CANCELLED
                    if closed[0] % 7 == 0
                    else ActionStatus.DONE
                )
            review_services.action_item_create(
                actor=self.users[chair],
                data={
                    "meeting": meeting,
                    "title": rng.choice(c.ACTION_TITLES).format(code=objective.code),
                    "due": due,
                    "objective": objective,
                    "owner": objective.owner,
                    "status": status,
                },
            )

    def trouble_spots(self, unit_code: str) -> list[Objective]:
        """Objectives of the unit's subtree whose measures tell a troubled story: what a
        review puts first on its agenda."""
        troubled = {"slipping", "weak", "late_dip", "recovering"}
        subtree = {unit_code}
        for spec in c.UNITS:
            if spec.parent in subtree:
                subtree.add(spec.code)
        keys = [
            f"{k.unit}.{k.objective}"
            for k in c.MEASURES
            if k.story in troubled and k.unit in subtree
        ]
        return [self.objectives[k] for k in dict.fromkeys(keys)]

    # The strategy calendar --------------------------------------------------------------------

    def create_calendar(self) -> None:
        """The stored steps of the integrated cycle (devtools/demo/company.py `CALENDAR`) for the
        current fiscal year and the next, written by the OSM staff."""
        for event in story.plan_calendar(c.CALENDAR, self.window):
            review_services.calendar_event_create(
                actor=self.osm,
                data={
                    "unit": self.units[event.unit],
                    "kind": event.kind,
                    "title": event.title,
                    "starts_on": event.starts_on,
                    "ends_on": event.ends_on,
                    "notes": event.notes,
                },
            )

    # Test and adapt ---------------------------------------------------------------------------

    def create_alignment_snapshots(self) -> None:
        """The alignment trend's history, as the nightly job (alignment.tasks) would have
        left it: a snapshot on the first day of each month of the fiscal year so far, and
        today's, so the Alignment page shows a trend at once (the job takes one a night;
        one a month is enough for a year's line)."""
        today = self.window.today
        year = current_fiscal_year(today)
        day, _ = fiscal_year_bounds(year)
        while day < today:
            alignment_snapshot_take(today=day, fiscal_year=year)
            day = add_months(day, 1)
        alignment_snapshot_take(today=today, fiscal_year=year)

    def create_strategy_tests(self) -> None:
        """Tonight's strategy test run, done now so the maps show their verdicts at once
        (the data make some arrows supported, one contradicted, one too new to test)."""
        strategy_test_run(today=self.window.today, actor=self.osm)
