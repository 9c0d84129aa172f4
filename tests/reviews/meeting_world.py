"""A unit with a scorecard worth reviewing, for the review meeting tests. Each test module
makes its own `world` fixture from `build_world` (no conftest: the calendar's and the
reminders' tests share this folder).

B1 (in the four-level tree, headed by `head`) holds its operational review on 10 March 2026
at 09:00 UTC; the agenda is computed on 20 March 2026. Monthly measures, the red flag 10%
below target unless entered, values due 10 days after their month ends, so as of March 2026
the latest period due by 20 March is February (due 10 March; March's is due 10 April).

Objectives of B1 and their February figures (score = 10/3 + (a - r)/(g - r) · 10/3):
- SELL "Sell more" (Financial), REV: actual 85, target 100, red flag 90:
  10/3 + (-5/10)·10/3 = 5/3 ≈ 1.67 → red.
- CARE "Delight customers" (Customer), NPS: 30, 40, 35: 10/3 + (-5/5)·10/3 = 0 → red.
- SHIP "Ship on time" (Internal Process), OTD: 95, 100, no red flag → default 90:
  10/3 + (5/10)·10/3 = 5 → yellow.
- LEARN "Learn" (Learning & Growth), TRAIN: 100, 100 → 20/3, green; COURSES has January
  only (5 of 5, green, 20/3): February is missing → overdue (period Feb 2026, due 10 Mar).
  LEARN = mean(20/3, 20/3) = 20/3 → green, so not on the agenda.
Unit score: mean of the perspectives (5/3, 0, 5, 20/3) = (40/3)/4 = 10/3 ≈ 3.33 → yellow.

Action items (open unless said):
- of `earlier` (B1, held 10 Feb 2026, decisions "Hire two sales reps."):
  "Fix pricing" (olive, due 1 Mar 2026: late, before 10 Mar), "Plan training" (olive, due
  30 Apr 2026: on time), "Old done" (done: not on the agenda);
- of `oldest` (B1, held 10 Jan 2026, decisions "Old decision."): none;
- of `meeting`: "Call customers" (olive, due 15 Mar 2026, about SELL: on time);
- of `later` (B1, 10 Apr 2026): "Future thing" (not on this agenda);
- of `elsewhere` (B2, 1 Feb 2026): "Other unit's" (not on this agenda).
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from core.roles import EMPLOYEE, EXECUTIVE, HR, MEASURE_OWNER, OSM_STAFF, UNIT_HEAD
from reviews.choices import ActionStatus, MeetingStatus
from scorecards.models import Measure, OrgUnit
from tests import factories as f

TODAY = dt.date(2026, 3, 20)
WHEN = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
FEB = dt.date(2026, 2, 1)
JAN = dt.date(2026, 1, 1)

ROLE_USERS = {
    "staff": [OSM_STAFF],
    "executive": [EXECUTIVE],
    "hr": [HR],
    "measure_owner": [MEASURE_OWNER],
    "employee": [EMPLOYEE],
    "no_role": [],
}


def value(measure, period, actual, target, red_flag=None):
    return f.MeasureValueFactory(
        measure=measure,
        period=period,
        actual=None if actual is None else Decimal(actual),
        target=Decimal(target),
        red_flag=None if red_flag is None else Decimal(red_flag),
    )


def build_world(settings) -> SimpleNamespace:
    """The world described above (`settings`: pytest-django's fixture)."""
    settings.FISCAL_YEAR_START_MONTH = 1
    settings.MEASURE_DUE_DAYS = 10
    tree = f.four_level_tree()
    head = f.UserFactory(username="head", first_name="Hanna", last_name="Head", roles=[UNIT_HEAD])
    other_head = f.UserFactory(username="otherhead", roles=[UNIT_HEAD])
    OrgUnit.objects.filter(pk=tree.b1.pk).update(head=head)
    OrgUnit.objects.filter(pk=tree.b2.pk).update(head=other_head)
    tree.b1.refresh_from_db()
    olive = f.UserFactory(
        username="olive", first_name="Olive", last_name="Owner", roles=[MEASURE_OWNER]
    )
    financial = f.PerspectiveFactory(name="Financial")
    customer = f.PerspectiveFactory(name="Customer")
    process = f.PerspectiveFactory(name="Internal Process")
    learning = f.PerspectiveFactory(name="Learning & Growth")
    sell = f.ObjectiveFactory(unit=tree.b1, code="SELL", name="Sell more", perspective=financial)
    care = f.ObjectiveFactory(
        unit=tree.b1, code="CARE", name="Delight customers", perspective=customer
    )
    ship = f.ObjectiveFactory(unit=tree.b1, code="SHIP", name="Ship on time", perspective=process)
    learn = f.ObjectiveFactory(unit=tree.b1, code="LEARN", name="Learn", perspective=learning)
    rev = f.MeasureFactory(objective=sell, code="REV", name="Revenue", unit_label="kEUR")
    nps = f.MeasureFactory(objective=care, code="NPS", name="Net promoter score")
    otd = f.MeasureFactory(objective=ship, code="OTD", name="On-time delivery", unit_label="%")
    train = f.MeasureFactory(objective=learn, code="TRAIN", name="Training hours")
    courses = f.MeasureFactory(objective=learn, code="COURSES", name="Courses", owner=olive)
    # Kept since 2025 (the world is seen in March 2026): they owe every period of 2026.
    Measure.objects.filter(pk__in=[m.pk for m in (rev, nps, otd, train, courses)]).update(
        created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    value(rev, FEB, "85", "100", "90")
    value(nps, FEB, "30", "40", "35")
    value(otd, FEB, "95", "100")
    value(train, FEB, "100", "100")
    value(courses, JAN, "5", "5")
    oldest = f.ReviewMeetingFactory(
        unit=tree.b1, title="January review", status=MeetingStatus.HELD,
        scheduled_for=dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC), decisions="Old decision.",
    )  # fmt: skip
    earlier = f.ReviewMeetingFactory(
        unit=tree.b1, title="February review", status=MeetingStatus.HELD,
        scheduled_for=dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC),
        decisions="Hire two sales reps.",
    )  # fmt: skip
    meeting = f.ReviewMeetingFactory(
        unit=tree.b1, title="March review", scheduled_for=WHEN, chair=head,
        attendees=[head, olive],
    )  # fmt: skip
    later = f.ReviewMeetingFactory(
        unit=tree.b1, title="April review", scheduled_for=dt.datetime(2026, 4, 10, 9, tzinfo=dt.UTC)
    )
    elsewhere = f.ReviewMeetingFactory(
        unit=tree.b2, title="B2 review", scheduled_for=dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC)
    )
    item = lambda m, title, due, **kw: f.ActionItemFactory(meeting=m, title=title, due=due, **kw)  # noqa: E731
    fix = item(earlier, "Fix pricing", dt.date(2026, 3, 1), owner=olive, objective=sell)
    plan = item(earlier, "Plan training", dt.date(2026, 4, 30), owner=olive)
    done = item(earlier, "Old done", dt.date(2026, 2, 20), status=ActionStatus.DONE)
    call = item(meeting, "Call customers", dt.date(2026, 3, 15), owner=olive, objective=sell)
    future = item(later, "Future thing", dt.date(2026, 5, 1))
    other = item(elsewhere, "Other unit's", dt.date(2026, 2, 15))
    return SimpleNamespace(**{k: v for k, v in locals().items() if k not in ("item", "settings")})


def grow(world, n: int) -> None:
    """More of everything the agenda and the pages read: `n` more red objectives of B1
    with two measures each, `n` more open items carried over and `n` of this meeting, `n`
    more attendees (employees of D1) and `n` more meetings."""
    for i in range(n):
        objective = f.ObjectiveFactory(unit=world.tree.b1, code=f"X{i}", name=f"Extra {i}")
        for j in range(2):
            measure = f.MeasureFactory(objective=objective, code=f"X{i}M{j}", owner=world.olive)
            value(measure, FEB, "80", "100", "90")
        f.ActionItemFactory(meeting=world.earlier, title=f"Carried {i}", due=dt.date(2026, 3, 2),
                            owner=world.olive, objective=objective)  # fmt: skip
        f.ActionItemFactory(meeting=world.meeting, title=f"New {i}", due=dt.date(2026, 3, 30),
                            owner=world.head, objective=objective)  # fmt: skip
        user = f.UserFactory(roles=[EMPLOYEE])
        f.EmployeeFactory(user=user, unit=world.tree.d1)
        world.meeting.attendees.add(user)
        f.ReviewMeetingFactory(unit=world.tree.d1, title=f"D1 review {i}")
