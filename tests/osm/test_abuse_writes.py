"""Abuse cases (issue 9, point 8): a unit head tries every write on another unit's objects,
through the web forms and through the API, and every one is refused with nothing written.

The organisation: ENT > A > A1 and ENT > B > B1. Alice heads A (so A1 too), Bob heads B.
Each of A and B holds one of everything a page or the API writes (see `side`); "own" is
A's, "other" is B's. Each case is one write, built for a side:

- the abuse: Alice, on the other side's objects (or moving or linking her own objects to
  the other side's), is refused with the status the case names, and no row of any of our
  apps (history, the job queue and many-to-many links included) changes;
- the control: the same request on her own side (or by HR, or by the OSM staff, for what a
  unit head may never do) succeeds, so a refusal is never a request that was malformed.

The tables are checked against the code: every web page that writes (the URL
configuration, less the pages that only read) and every resource of the API's router
that takes writes has its cases here.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from communication.models import Analysis, Comment
from communication.services.practices import attachment_add
from osm.api import router
from scorecards import services
from scorecards.models import CascadeLink, Perspective
from scorecards.services import month_close
from tests import factories as f
from tests.factories import AnnouncementFactory, PracticeFactory, PulseFactory
from tests.helpers import client_for
from tests.osm.test_every_page import NOT_OURS, web_url_names

pytestmark = pytest.mark.django_db

SNAPSHOT_APPS = ("scorecards", "initiatives", "budgets", "people", "reviews", "alignment", "osm",
                 "communication", "reports")  # fmt: skip


def snapshot() -> dict:
    """Every row of every model of our apps (history tables, the job queue and the links of
    many-to-many fields included), and the users, their roles and login lockouts (not the
    last sign-in, which the request's own sign-in moves)."""
    rows = {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for label in SNAPSHOT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }
    users = get_user_model()
    rows["users"] = list(
        users.objects.order_by("pk").values_list(
            "pk", "username", "email", "first_name", "last_name", "is_active"
        )
    )
    rows["roles"] = list(users.groups.through.objects.order_by("pk").values_list())
    rows["lockouts"] = list(AccessAttempt.objects.order_by("pk").values_list("pk", "username"))
    return rows


def days(n: int) -> dt.date:
    """The day `n` days from today (pulses are open, or not yet, by today's date)."""
    return timezone.localdate() + dt.timedelta(days=n)


def pdf(name="plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 plan", content_type="application/pdf")


def side(unit, child, up_objective=None) -> SimpleNamespace:
    """One of everything a unit head writes, in `unit` (and its `child` unit)."""
    s = SimpleNamespace(unit=unit, child=child)
    s.o1 = f.ObjectiveFactory(unit=unit, code="O1")
    s.o2 = f.ObjectiveFactory(unit=unit, code="O2")
    s.bare = f.ObjectiveFactory(unit=unit, code="BARE")  # nothing depends on it
    s.theme = f.ThemeFactory(unit=unit, name=f"Theme of {unit.code}")
    s.child_obj = f.ObjectiveFactory(unit=child, code="C1", supports=[s.o1])
    s.cascade = CascadeLink.objects.get(supporting=s.child_obj)
    # What "supports" may point at from A (ENT's objective); from B's side, B's own O1,
    # which an objective of A may not support (B is not above A).
    s.up = up_objective or s.o1
    s.measure = f.MeasureFactory(objective=s.o1, code="M")
    s.value = f.MeasureValueFactory(measure=s.measure)  # January 2026
    s.bare_measure = f.MeasureFactory(objective=s.o1, code="BAREM")
    # An owner's actual waiting for approval, to approve or return
    s.submitted = f.MeasureValueFactory(
        measure=f.MeasureFactory(objective=s.o1, code="QM"),
        state="submitted",
        submitted_actual=96,
    )
    s.child_measure = f.MeasureFactory(objective=s.child_obj, code="CM")
    s.child_measure2 = f.MeasureFactory(objective=s.child_obj, code="CM2")
    s.rollup = f.MeasureFactory(
        objective=s.o2, code="ROLL", rollup="sum", sources=[s.child_measure]
    )
    s.arrow = f.CauseEffectFactory(cause=s.o1, effect=s.o2)
    s.initiative = f.InitiativeFactory(unit=unit, code="INI", objectives=[s.o1])
    s.initiative2 = f.InitiativeFactory(unit=unit, code="INI2")
    s.milestone = f.MilestoneFactory(initiative=s.initiative)
    s.line = f.BudgetLineFactory(unit=unit, objective=s.o1)
    s.meeting = f.ReviewMeetingFactory(unit=unit)
    s.meeting2 = f.ReviewMeetingFactory(unit=unit)
    s.item = f.ActionItemFactory(meeting=s.meeting, objective=s.o1)
    s.event = f.CalendarEventFactory(unit=unit)
    s.employee = f.EmployeeFactory(unit=unit)
    s.employee2 = f.EmployeeFactory(unit=unit)  # nothing depends on it
    s.goal = f.GoalFactory(employee=s.employee, objective=s.o1)
    s.incentive = f.IncentiveComponentFactory(employee=s.employee, objective=s.o1)
    s.template = f.GoalTemplateFactory(objective=s.o1)
    s.leaf = f.OrgUnitFactory(code=f"{unit.code}LEAF", parent=unit, kind="team")
    s.comment = Comment.objects.create(
        subject_type="objective", subject_id=s.o1.pk, body="On O1", author=unit.head
    )
    s.comment2 = Comment.objects.create(
        subject_type="objective", subject_id=s.o1.pk, body="Again", author=unit.head
    )
    s.analysis = Analysis.objects.create(
        subject_type="objective", subject_id=s.o1.pk, month=dt.date(2026, 10, 1),
        analysis="October", author=unit.head,
    )  # fmt: skip
    s.version = services.strategy_version_publish(
        actor=None, data={"unit": unit, "name": "2026 plan"}
    )
    s.version2 = services.strategy_version_publish(
        actor=None, data={"unit": unit, "name": "2025 plan"}
    )
    # The unit head's own report subscriptions (another head may not see them)
    s.subscription = f.ReportSubscriptionFactory(user=unit.head, unit=unit)
    s.subscription2 = f.ReportSubscriptionFactory(user=unit.head, unit=unit, kind="alignment_xlsx")
    s.analysis2 = Analysis.objects.create(
        subject_type="objective", subject_id=s.o1.pk, month=dt.date(2026, 8, 1),
        analysis="August", author=unit.head,
    )  # fmt: skip
    # Communication: the unit head's announcements to the unit and practices of it (one with
    # a document), the unit's pulses not yet open (so they may still change or go) and one
    # open, to answer.
    s.announcement = AnnouncementFactory(unit=unit, author=unit.head, title="News")
    s.announcement2 = AnnouncementFactory(unit=unit, author=unit.head, title="Old news")
    s.practice = PracticeFactory(unit=unit, author=unit.head, title="Weekly huddle")
    s.practice2 = PracticeFactory(unit=unit, author=unit.head, title="Daily huddle")
    s.attachment = attachment_add(actor=unit.head, practice=s.practice, file=pdf())
    s.pulse = PulseFactory(unit=unit, title="Spring pulse", opens_on=days(30), closes_on=days(44))
    s.pulse2 = PulseFactory(unit=unit, title="Summer pulse", opens_on=days(90), closes_on=days(104))
    s.open_pulse = PulseFactory(unit=unit, title="Pulse", opens_on=days(-1), closes_on=days(13))
    # User management: a deactivated user, one invited who has not chosen a password yet,
    # and the unit head's login locked out from an address.
    code = unit.code.lower()
    s.former = f.UserFactory(username=f"former{code}", is_active=False)
    s.invited = f.UserFactory(username=f"invited{code}", password=None)
    s.lockout = AccessAttempt.objects.create(
        username=unit.head.username, ip_address="10.9.9.9", user_agent="test",
        failures_since_start=5, get_data="", post_data="", http_accept="",
        path_info="/accounts/login/",
    )  # fmt: skip
    return s


@pytest.fixture
def w() -> SimpleNamespace:
    ent = f.EnterpriseFactory()
    alice = f.UserFactory(username="alice", roles=["Unit head"])
    bob = f.UserFactory(username="bob", roles=["Unit head"])
    a = f.OrgUnitFactory(code="A", parent=ent, head=alice)
    b = f.OrgUnitFactory(code="B", parent=ent, head=bob)
    a1 = f.OrgUnitFactory(code="A1", parent=a, kind="department")
    b1 = f.OrgUnitFactory(code="B1", parent=b, kind="department")
    ent_objective = f.ObjectiveFactory(unit=ent, code="E1")
    # Alice works in A: A's pulses ask her, B's do not.
    f.EmployeeFactory(user=alice, unit=a, name="Alice")
    month_close(actor=None, month=dt.date(2025, 6, 1))  # for the reopening's cases
    return SimpleNamespace(
        ent=ent,
        alice=alice,
        hr=f.UserFactory(username="hr", roles=["HR"]),
        osm=f.UserFactory(username="osm", roles=["OSM staff"]),
        financial=Perspective.objects.get(name="Financial"),
        own=side(a, a1, up_objective=ent_objective),
        other=side(b, b1),
    )


# The requests ------------------------------------------------------------------------------


@dataclass
class Case:
    """One write. `build(w, s)` gives (method, url, data) for side `s`; `refused` is the
    status Alice gets on the other side; `control` who succeeds with the same request on
    which side ("alice" on her own, "hr" or "osm" on the other), or None where no one may
    (an objective never changes unit); `own_refused`: Alice is refused on her own side too
    (what a unit head may not do at all)."""

    id: str
    build: Callable
    refused: int
    control: str | None = "alice"
    own_refused: bool = False

    def __str__(self):
        return self.id


def objective_form(s, o, **changes):
    data = {"code": o.code, "name": "Renamed", "description": "", "perspective": o.perspective_id,
            "theme": "", "owner": "", "weight": "1"}  # fmt: skip
    return data | changes


def measure_form(code, **changes):
    data = {"code": code, "name": "Renamed", "description": "", "unit_label": "",
            "polarity": "increase", "frequency": "monthly", "aggregation": "last",
            "weight": "1", "owner": "", "tolerance": "10", "formula": "",
            "rollup": "none"}  # fmt: skip
    return data | changes


def initiative_form(i, unit, objectives, **changes):
    data = {"code": i.code, "name": "Renamed", "description": "", "unit": unit.pk, "owner": "",
            "objectives": [o.pk for o in objectives], "start": "2026-01-01", "end": "",
            "status": "active", "percent_complete": "0"}  # fmt: skip
    return data | changes


def line_form(unit, objective=None, **changes):
    data = {"unit": unit.pk, "fiscal_year": "2026", "category": "opex", "label": "Renamed",
            "planned": "10", "actual": "0", "objective": objective.pk if objective else "",
            "initiative": ""}  # fmt: skip
    return data | changes


def meeting_form(**changes):
    data = {"kind": "operational", "title": "Renamed", "scheduled_for": "2026-05-04T09:00",
            "chair": ""}  # fmt: skip
    return data | changes


def item_form(objective=None, **changes):
    data = {"title": "Renamed", "objective": objective.pk if objective else "", "owner": "",
            "due": "2026-03-01", "status": "open"}  # fmt: skip
    return data | changes


def event_form(unit, **changes):
    data = {"unit": unit.pk, "kind": "budget_deadline", "title": "Renamed",
            "starts_on": "2026-10-15", "ends_on": "", "notes": ""}  # fmt: skip
    return data | changes


GOAL = {"fiscal_year": "2026", "kind": "performance", "title": "Renamed", "weight": "1",
        "objective": "", "measure": "", "progress": "0"}  # fmt: skip
INCENTIVE = {"fiscal_year": "2026", "name": "Renamed", "weight": "1", "objective": "",
             "measure": ""}  # fmt: skip
TEMPLATE = {"name": "Renamed", "fiscal_year": "2026", "kind": "performance", "title": "T",
            "weight": "1", "link_unit": "", "objective": "", "measure": ""}  # fmt: skip


def announcement_form(unit, **changes):
    return {"unit": unit.pk, "title": "Renamed", "body": "Rewritten"} | changes


def practice_form(unit, **changes):
    return {"title": "Renamed", "unit": unit.pk, "body": "Rewritten"} | changes


def pulse_form(unit, **changes):
    data = {"unit": unit.pk, "title": "Renamed", "opens_on": f"{days(31):%Y-%m-%d}",
            "closes_on": f"{days(45):%Y-%m-%d}"}  # fmt: skip
    return data | changes


def post(url, data=None):
    return lambda w, s: ("POST", url(w, s), data(w, s) if data else {})


def scorecard_workbook(s) -> dict:
    """The import page's apply step: a workbook adding one objective to the side's unit."""
    import base64
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Objectives"
    sheet.append(["code", "name", "perspective"])
    sheet.append(["NEWOBJ", "New objective", "Financial"])
    for title, header in (("Arrows", ["cause", "effect"]),
                          ("Measures", ["code", "objective", "name"]),
                          ("Targets", ["measure", "period", "target"])):  # fmt: skip
        book.create_sheet(title).append(header)
    out = io.BytesIO()
    book.save(out)
    return {"workbook": base64.b64encode(out.getvalue()).decode(), "apply": ""}


def subscription_form(s, **changes):
    data = {"unit": s.unit.pk, "kind": "scorecard_xlsx", "cadence": "weekly", "day": "2",
            "active": "on"}  # fmt: skip
    return data | changes


def invitation(s) -> dict:
    return {"email": f"new{s.unit.code.lower()}@example.com", "full_name": "New One",
            "roles": ["Executive"]}  # fmt: skip


# Web pages: the URL name each case writes through.
WEB: dict[str, list[Case]] = {
    # User management: the OSM staff's alone; a unit head cannot grant roles, not even on
    # his or her own side (accounts/users_views.py).
    "account-user-invite": [
        Case("invite someone", post(lambda w, s: "/accounts/users/invite/",
             lambda w, s: invitation(s)), 403, control="osm", own_refused=True),
    ],
    "account-user": [
        Case("give the unit's head a role", post(
            lambda w, s: f"/accounts/users/{s.unit.head.pk}/",
            lambda w, s: {"roles": ["Unit head", "OSM staff"], "units": [s.unit.pk]}), 403,
            control="osm", own_refused=True),
    ],
    "account-user-edit": [
        Case("rename the unit's head", post(
            lambda w, s: f"/accounts/users/{s.unit.head.pk}/edit/",
            lambda w, s: {"username": f"renamed{s.unit.code.lower()}", "full_name": "Re Named",
                          "email": f"renamed{s.unit.code.lower()}@example.com"}), 403,
            control="osm", own_refused=True),
    ],
    "account-user-deactivate": [
        Case("deactivate the unit's head",
             post(lambda w, s: f"/accounts/users/{s.unit.head.pk}/deactivate/"), 403,
             control="osm", own_refused=True),
    ],
    "account-user-reactivate": [
        Case("reactivate a user", post(lambda w, s: f"/accounts/users/{s.former.pk}/reactivate/"),
             403, control="osm", own_refused=True),
    ],
    "account-user-unlock": [
        Case("unlock the unit head's login",
             post(lambda w, s: f"/accounts/users/{s.unit.head.pk}/unlock/"), 403,
             control="osm", own_refused=True),
    ],
    "account-user-invitation-resend": [
        Case("send an invitation again",
             post(lambda w, s: f"/accounts/users/{s.invited.pk}/invitation/"), 403,
             control="osm", own_refused=True),
    ],
    "unit-versions": [
        Case("publish a version of the unit's strategy", post(
            lambda w, s: f"/units/{s.unit.code}/versions/",
            lambda w, s: {"name": "Plan 2027", "note": ""}), 403),
    ],
    "reports:scorecard-import": [
        Case("import a scorecard workbook into the unit", post(
            lambda w, s: f"/reports/units/{s.unit.code}/scorecard-import/",
            lambda w, s: scorecard_workbook(s)), 403),
    ],
    "reports:subscription-edit": [
        Case("change another's report subscription", post(
            lambda w, s: f"/reports/subscriptions/{s.subscription.pk}/edit/",
            lambda w, s: subscription_form(s)), 403),
    ],
    "reports:subscription-delete": [
        Case("delete another's report subscription", post(
            lambda w, s: f"/reports/subscriptions/{s.subscription.pk}/delete/"), 403),
    ],
    "measure": [
        Case("enter a value", post(lambda w, s: f"/measures/{s.measure.pk}/",
             lambda w, s: {"period": "2026-02", "actual": "5", "target": "5", "red_flag": "",
                           "note": "x"}), 403),
    ],
    "measure-value-clear": [
        Case("clear a value's actual",
             post(lambda w, s: f"/measures/{s.measure.pk}/values/2026-01/clear/",
                  lambda w, s: {"fields_to_clear": ["actual"]}), 403),
    ],
    "measure-value-delete": [
        Case("delete a value",
             post(lambda w, s: f"/measures/{s.measure.pk}/values/2026-01-01/delete/"), 403),
    ],
    "values-upload": [
        # Refused row by row (the file may mix measures): a 400 naming the row, nothing saved.
        Case("upload values", post(lambda w, s: "/measures/upload/", lambda w, s: {
            "csv_text": f"measure_code,period,actual,target\n{s.unit.code}.M,2026-02,5,5\n",
            "confirm": "1"}), 400),
    ],
    "objective-new": [
        Case("create an objective", post(lambda w, s: f"/units/{s.unit.code}/objectives/new/",
             lambda w, s: objective_form(s, s.o1, code="NEW")), 403),
    ],
    "objective-edit": [
        Case("change an objective", post(lambda w, s: f"/objectives/{s.o1.pk}/edit/",
             lambda w, s: objective_form(s, s.o1)), 403),
        Case("own objective supports one of a unit not above it",
             post(lambda w, s: f"/objectives/{w.own.o1.pk}/edit/",
                  lambda w, s: objective_form(s, w.own.o1, supports=[s.up.pk])), 400),
        Case("own objective in another unit's theme",
             post(lambda w, s: f"/objectives/{w.own.o1.pk}/edit/",
                  lambda w, s: objective_form(s, w.own.o1, theme=s.theme.pk)), 400),
    ],
    "objective-delete": [
        Case("delete an objective", post(lambda w, s: f"/objectives/{s.bare.pk}/delete/"), 403),
    ],
    "measure-new": [
        Case("create a measure", post(lambda w, s: f"/objectives/{s.o1.pk}/measures/new/",
             lambda w, s: measure_form("NEWM")), 403),
    ],
    "measure-edit": [
        Case("change a measure", post(lambda w, s: f"/measures/{s.measure.pk}/edit/",
             lambda w, s: measure_form("M")), 403),
        Case("own rollup sums another unit's measure",
             post(lambda w, s: f"/measures/{w.own.rollup.pk}/edit/",
                  lambda w, s: measure_form("ROLL", rollup="sum",
                                            sources=[s.child_measure2.pk])), 400),
    ],
    "measure-delete": [
        Case("delete a measure", post(lambda w, s: f"/measures/{s.bare_measure.pk}/delete/"),
             403),
    ],
    "arrow-add": [
        Case("draw an arrow", post(lambda w, s: f"/units/{s.unit.code}/arrows/",
             lambda w, s: {"cause": s.o2.pk, "effect": s.o1.pk, "rationale": "x"}), 403),
        Case("arrow from an own objective to another unit's",
             post(lambda w, s: f"/units/{w.own.unit.code}/arrows/",
                  lambda w, s: {"cause": w.own.o2.pk, "effect": s.o1.pk, "rationale": "x"}),
             400),
    ],
    "arrow-delete": [
        Case("remove an arrow", post(lambda w, s: f"/arrows/{s.arrow.pk}/delete/"), 403),
    ],
    "initiatives:new": [
        Case("create an initiative", post(lambda w, s: "/initiatives/new/",
             lambda w, s: initiative_form(s.initiative, s.unit, [], code="NEWI")), 403),
    ],
    "initiatives:edit": [
        Case("change an initiative", post(lambda w, s: f"/initiatives/{s.initiative.pk}/edit/",
             lambda w, s: initiative_form(s.initiative, s.unit, [s.o1])), 403),
        Case("move an own initiative into the unit",
             post(lambda w, s: f"/initiatives/{w.own.initiative.pk}/edit/",
                  lambda w, s: initiative_form(w.own.initiative, s.child, [w.own.o1])), 403),
        Case("own initiative advances another unit's objective",
             post(lambda w, s: f"/initiatives/{w.own.initiative.pk}/edit/",
                  lambda w, s: initiative_form(w.own.initiative, w.own.unit, [s.o2])), 400),
    ],
    "initiatives:delete": [
        Case("delete an initiative",
             post(lambda w, s: f"/initiatives/{s.initiative2.pk}/delete/"), 403),
    ],
    "initiatives:milestone-new": [
        Case("add a milestone", post(
            lambda w, s: f"/initiatives/{s.initiative.pk}/milestones/new/",
            lambda w, s: {"name": "New", "due": "2026-06-30", "done_on": ""}), 403),
    ],
    "initiatives:milestone-edit": [
        Case("change a milestone", post(
            lambda w, s: f"/initiatives/{s.initiative.pk}/milestones/{s.milestone.pk}/edit/",
            lambda w, s: {"name": "Renamed", "due": "2026-06-30", "done_on": ""}), 403),
    ],
    "initiatives:milestone-delete": [
        Case("delete a milestone", post(
            lambda w, s: f"/initiatives/{s.initiative.pk}/milestones/{s.milestone.pk}/delete/"),
            403),
    ],
    "budgets:line-create": [
        Case("create a budget line",
             post(lambda w, s: f"/budgets/lines/new/?unit={s.unit.code}",
                  lambda w, s: line_form(s.unit)), 403),
    ],
    "budgets:line-edit": [
        Case("change a budget line", post(lambda w, s: f"/budgets/lines/{s.line.pk}/edit/",
             lambda w, s: line_form(s.unit, s.o1)), 403),
        # The other unit is not among the units the form offers: an invalid choice.
        Case("move an own budget line into the unit",
             post(lambda w, s: f"/budgets/lines/{w.own.line.pk}/edit/",
                  lambda w, s: line_form(s.child, w.own.o1)), 400),
        Case("own budget line funds another unit's objective",
             post(lambda w, s: f"/budgets/lines/{w.own.line.pk}/edit/",
                  lambda w, s: line_form(w.own.unit, s.o2)), 400),
    ],
    "budgets:line-delete": [
        Case("delete a budget line", post(lambda w, s: f"/budgets/lines/{s.line.pk}/delete/"),
             403),
    ],
    "reviews:new": [
        Case("schedule a meeting", post(lambda w, s: f"/reviews/new/?unit={s.unit.code}",
             lambda w, s: meeting_form()), 403),
    ],
    "reviews:edit": [
        Case("change a meeting", post(lambda w, s: f"/reviews/{s.meeting.pk}/edit/",
             lambda w, s: meeting_form()), 403),
    ],
    "reviews:detail": [
        Case("write a meeting's minutes", post(lambda w, s: f"/reviews/{s.meeting.pk}/",
             lambda w, s: {"action": "save", "minutes": "m", "decisions": "d"}), 403),
        Case("hold a meeting", post(lambda w, s: f"/reviews/{s.meeting.pk}/",
             lambda w, s: {"action": "hold", "minutes": "m", "decisions": "d"}), 403),
        Case("cancel a meeting", post(lambda w, s: f"/reviews/{s.meeting.pk}/",
             lambda w, s: {"action": "cancel"}), 403),
    ],
    "reviews:delete": [
        Case("delete a meeting", post(lambda w, s: f"/reviews/{s.meeting2.pk}/delete/"), 403),
    ],
    "reviews:item-new": [
        Case("add an action item", post(lambda w, s: f"/reviews/{s.meeting.pk}/items/new/",
             lambda w, s: item_form()), 403),
    ],
    "reviews:item-edit": [
        Case("change an action item", post(lambda w, s: f"/reviews/items/{s.item.pk}/edit/",
             lambda w, s: item_form(s.o1)), 403),
        Case("own action item about another unit's objective",
             post(lambda w, s: f"/reviews/items/{w.own.item.pk}/edit/",
                  lambda w, s: item_form(s.o2)), 400),
    ],
    "reviews:item-delete": [
        Case("delete an action item", post(lambda w, s: f"/reviews/items/{s.item.pk}/delete/"),
             403),
    ],
    "calendar:event-new": [
        Case("add a calendar event", post(lambda w, s: "/calendar/events/new/",
             lambda w, s: event_form(s.unit)), 403),
    ],
    "calendar:event-edit": [
        Case("change a calendar event", post(lambda w, s: f"/calendar/events/{s.event.pk}/edit/",
             lambda w, s: event_form(s.unit)), 403),
        Case("move an own calendar event into the unit",
             post(lambda w, s: f"/calendar/events/{w.own.event.pk}/edit/",
                  lambda w, s: event_form(s.child)), 403),
    ],
    "calendar:event-delete": [
        Case("delete a calendar event",
             post(lambda w, s: f"/calendar/events/{s.event.pk}/delete/"), 403),
    ],
    # People: HR's (a unit head may write none of it, in any unit).
    "people:goal-add": [
        Case("add a goal", post(lambda w, s: f"/people/{s.employee.pk}/goals/add/",
             lambda w, s: GOAL), 403, control="hr", own_refused=True),
    ],
    "people:goal-edit": [
        Case("change a goal", post(lambda w, s: f"/people/goals/{s.goal.pk}/edit/",
             lambda w, s: GOAL), 403, control="hr", own_refused=True),
    ],
    "people:goal-delete": [
        Case("delete a goal", post(lambda w, s: f"/people/goals/{s.goal.pk}/delete/"), 403,
             control="hr", own_refused=True),
    ],
    "people:incentive-add": [
        Case("add an incentive", post(lambda w, s: f"/people/{s.employee.pk}/incentives/add/",
             lambda w, s: INCENTIVE), 403, control="hr", own_refused=True),
    ],
    "people:incentive-edit": [
        Case("change an incentive",
             post(lambda w, s: f"/people/incentives/{s.incentive.pk}/edit/",
                  lambda w, s: INCENTIVE), 403, control="hr", own_refused=True),
    ],
    "people:incentive-delete": [
        Case("delete an incentive",
             post(lambda w, s: f"/people/incentives/{s.incentive.pk}/delete/"), 403,
             control="hr", own_refused=True),
    ],
    "people:template-add": [
        Case("add a goal template", post(lambda w, s: "/people/templates/add/",
             lambda w, s: TEMPLATE), 403, control="hr", own_refused=True),
    ],
    "people:template-edit": [
        Case("change a goal template",
             post(lambda w, s: f"/people/templates/{s.template.pk}/edit/",
                  lambda w, s: TEMPLATE), 403, control="hr", own_refused=True),
    ],
    "people:template-delete": [
        Case("delete a goal template",
             post(lambda w, s: f"/people/templates/{s.template.pk}/delete/"), 403,
             control="hr", own_refused=True),
    ],
    "people:template-apply": [
        Case("apply a goal template to a unit",
             post(lambda w, s: f"/people/templates/{s.template.pk}/apply/",
                  lambda w, s: {"unit": s.unit.code, "job_family": ""}), 403,
             control="hr", own_refused=True),
    ],
    # Setup: units and perspectives are the OSM staff's; themes a unit head keeps in his
    # subtree (as through the API).
    "setup-unit-new": [
        Case("add a unit", post(lambda w, s: "/setup/units/new/",
             lambda w, s: {"code": "NEWU", "name": "New", "kind": "team", "parent": s.unit.pk}),
             403, control="osm", own_refused=True),
    ],
    "setup-unit-edit": [
        Case("change a unit", post(lambda w, s: f"/setup/units/{s.child.code}/edit/",
             lambda w, s: {"code": s.child.code, "name": "Renamed", "kind": "department"}),
             403, control="osm", own_refused=True),
    ],
    "setup-unit-move": [
        Case("move an own unit below the unit",
             post(lambda w, s: f"/setup/units/{w.own.leaf.code}/move/",
                  lambda w, s: {"parent": s.unit.pk}), 403, control="osm", own_refused=True),
    ],
    "setup-unit-delete": [
        Case("delete a unit", post(lambda w, s: f"/setup/units/{s.leaf.code}/delete/"), 403,
             control="osm", own_refused=True),
    ],
    "analysis-post": [
        Case("write an objective's analysis",
             post(lambda w, s: f"/discuss/objective/{s.o1.pk}/analysis/",
                  lambda w, s: {"month": "2026-10", "analysis": "Why"}), 403),
    ],
    "comment-delete": [
        Case("delete another's comment", post(lambda w, s: f"/comments/{s.comment.pk}/delete/"),
             403),
    ],
    "value-approve": [
        Case("approve a submitted value", post(lambda w, s: f"/values/{s.submitted.pk}/approve/"),
             403),
    ],
    "value-return": [
        Case("return a submitted value", post(lambda w, s: f"/values/{s.submitted.pk}/return/",
             lambda w, s: {"comment": "Check it"}), 403),
    ],
    "reporting-month-close": [
        Case("close a month", post(lambda w, s: "/reporting/months/2025-07/close/"), 403,
             control="osm", own_refused=True),
    ],
    "reporting-month-reopen": [
        Case("reopen a month", post(lambda w, s: "/reporting/months/2025-06/reopen/",
             lambda w, s: {"reason": "A late invoice"}), 403, control="osm", own_refused=True),
    ],
    "setup-perspective-new": [
        Case("add a perspective", post(lambda w, s: "/setup/perspectives/new/",
             lambda w, s: {"name": "Mission", "order": "0"}), 403, control="osm",
             own_refused=True),
    ],
    "setup-perspective-edit": [
        Case("change a perspective", post(
            lambda w, s: f"/setup/perspectives/{Perspective.objects.get(name='Customer').pk}/edit/",
            lambda w, s: {"name": "Clients", "order": "2"}), 403, control="osm",
            own_refused=True),
    ],
    "setup-perspective-delete": [
        Case("delete a perspective", post(
            lambda w, s: "/setup/perspectives/"
            f"{Perspective.objects.get(name='Learning & Growth').pk}/delete/"), 403,
            control="osm", own_refused=True),
    ],
    "setup-theme-new": [
        Case("add a theme", post(lambda w, s: f"/setup/units/{s.unit.code}/themes/new/",
             lambda w, s: {"name": "New theme"}), 403),
    ],
    "setup-theme-edit": [
        Case("change a theme", post(lambda w, s: f"/setup/themes/{s.theme.pk}/edit/",
             lambda w, s: {"unit": s.unit.pk, "name": "Renamed"}), 403),
        # The other unit is not among the units the form offers: an invalid choice.
        Case("move an own theme into the unit",
             post(lambda w, s: f"/setup/themes/{w.own.theme.pk}/edit/",
                  lambda w, s: {"unit": s.child.pk, "name": "Moved"}), 400),
    ],
    "setup-theme-delete": [
        Case("delete a theme", post(lambda w, s: f"/setup/themes/{s.theme.pk}/delete/"), 403),
    ],
    # Test and adapt: OSM staff start a run (it covers every map).
    "strategy-test": [
        Case("run the strategy test", post(lambda w, s: f"/units/{s.unit.code}/strategy-test/"),
             403, control="osm", own_refused=True),
    ],
    # Announcements: the OSM staff's, and a unit head's to the units of his or her subtree.
    "announcement-new": [
        Case("publish an announcement to the unit", post(lambda w, s: "/announcements/new/",
             lambda w, s: announcement_form(s.unit)), 403),
    ],
    "announcement-edit": [
        Case("change an announcement", post(
            lambda w, s: f"/announcements/{s.announcement.pk}/edit/",
            lambda w, s: announcement_form(s.unit)), 403),
        Case("move an own announcement to the unit", post(
            lambda w, s: f"/announcements/{w.own.announcement.pk}/edit/",
            lambda w, s: announcement_form(s.unit)), 403),
    ],
    "announcement-delete": [
        Case("withdraw an announcement",
             post(lambda w, s: f"/announcements/{s.announcement2.pk}/delete/"), 403),
    ],
    # Practices: anyone with a role writes one, of any unit (so the new page's case is an
    # input refused for everyone); its author and the OSM staff change it and its documents.
    "practice-new": [
        Case("write a practice serving an unknown measure", post(
            lambda w, s: "/practices/new/",
            lambda w, s: practice_form(s.unit, measures=[999_999])), 400, control=None),
    ],
    "practice-edit": [
        Case("change another's practice", post(lambda w, s: f"/practices/{s.practice.pk}/edit/",
             lambda w, s: practice_form(s.unit)), 403),
    ],
    "practice-delete": [
        Case("delete another's practice",
             post(lambda w, s: f"/practices/{s.practice2.pk}/delete/"), 403),
    ],
    "practice-attachment-remove": [
        Case("remove a document of another's practice", post(
            lambda w, s: f"/practices/{s.practice.pk}/attachments/{s.attachment.pk}/remove/"),
            403),
    ],
    # Awareness pulses: the OSM staff open, change and delete them; each person answers the
    # pulses of his or her own unit and the units above it.
    "pulse-new": [
        Case("open a pulse of the unit", post(lambda w, s: "/pulses/new/",
             lambda w, s: pulse_form(s.unit)), 403, control="osm", own_refused=True),
    ],
    "pulse-edit": [
        Case("change a pulse", post(lambda w, s: f"/pulses/{s.pulse.pk}/edit/",
             lambda w, s: pulse_form(s.unit)), 403, control="osm", own_refused=True),
    ],
    "pulse-delete": [
        Case("delete a pulse", post(lambda w, s: f"/pulses/{s.pulse2.pk}/delete/"), 403,
             control="osm", own_refused=True),
    ],
    "pulse-answer": [
        Case("answer a pulse of another unit", post(
            lambda w, s: f"/pulses/{s.open_pulse.pk}/answer/",
            lambda w, s: {"objective": "none", "understanding": "3"}), 403),
    ],
}  # fmt: skip

# Pages that only read (a GET; no form posts to them), and Django's account pages.
READ_ONLY_PAGES = {
    "home", "unit-pick", "unit", "objective", "healthz", "unit-cascade", "my-updates",
    "alignment:page", "initiatives:index", "initiatives:detail", "budgets:index",
    "people:index", "people:employee", "people:templates", "people:alignment",
    "reviews:index", "reviews:briefing", "calendar:index", "setup", "landing", "my-strategy",
    "reporting-months", "approvals", "discussion",
    # The OSM staff's list of users (its writes are WEB cases above).
    "account-users",
    # A person subscribes only himself (the form names no one else but for the OSM staff;
    # tests/reports/test_subscriptions.py), and lists only his own subscriptions.
    "reports:subscriptions", "reports:subscription-new",
    # Comparing versions only reads (tests/scorecards/test_strategy_versions.py).
    "unit-versions-compare", "unit-version",
    # The scorecard workbook of a unit (its import is a WEB case).
    "reports:scorecard-import-template",
    # The files of the download menus (tests/reports/test_files.py).
    "reports:scorecard", "reports:unit-report", "reports:history", "reports:alignment",
    "reports:budget", "reports:portfolio", "reports:briefing-book",
    "reports:goals", "reports:incentives",
    # Anyone with a role comments on anything he or she sees (everything): no unit to refuse
    # (tests/communication/test_analyses_and_comments.py).
    "comment-post",
    # The search boxes' answers (JSON; tests/core/test_people_search.py and the apps').
    "people-search", "measures-below", "initiatives:objectives-search",
    # Each person's own language: nobody can set another's (tests/core/test_i18n.py).
    "language",
    # Each person's own notifications and how he or she hears of them: nobody reaches
    # another's (tests/core/test_notifications.py).
    "notifications", "notification-count", "notification-open", "notifications-read-all",
    "notification-preferences",
    "login", "logout", "password_change", "password_reset",
    # Announcements: the lists, the read share, the objectives box's answers (JSON). Opening
    # one marks it read by the reader alone, who may see it (tests/communication/
    # test_announcements_pages.py).
    "announcements", "announcement", "announcement-readers", "announcement-objectives",
    # Practices: the list, one, its documents' downloads, the suggestions on a measure and the
    # form boxes' answers (JSON).
    "practices", "practice", "practice-attachment", "practice-suggestions",
    "practice-objectives", "practice-measures",
    # An endorsement is its giver's own (anyone but the author endorses a practice he or she
    # sees, once): no unit to refuse (tests/communication/test_practice_pages.py).
    "practice-endorsement",
    # The pulses' list and results (tests/communication/test_pulse_api.py), and the search.
    "pulse-list", "pulse-results", "search",
    # The security audit log: filters only; nothing writes an entry (tests/accounts/
    # test_audit_log.py).
    "audit-log",
    # Each person's own sessions and API tokens: another's is a 404, someone's page a 403 but
    # for the OSM staff (tests/accounts/test_security_pages.py).
    "security", "security-user", "security-user-end-all", "security-session-end",
    "security-sessions-end-others", "security-token-new", "security-token-revoke",
    # The second factor: each person's own (nobody reaches another's); the OSM staff remove
    # someone's lost one, no unit involved (tests/accounts/test_mfa.py).
    "mfa", "mfa-setup", "mfa-verify", "mfa-recovery-codes", "mfa-remove", "mfa-user-remove",
}  # fmt: skip


def api(method, url, data=None):
    return lambda w, s: (method, "/api/v1/" + url(w, s), data(w, s) if data else None)


def crud(prefix, *, create, update, delete, refused=(403, 403, 403), control="alice",
         own_refused=False, extra=()) -> list[Case]:  # fmt: skip
    """Create into the side, change and delete the side's row; then the `extra` cases."""
    made, changed, deleted = refused
    who = {"control": control, "own_refused": own_refused}
    return [
        Case(f"create ({prefix})", api("POST", lambda w, s: f"{prefix}/", create), made, **who),
        Case(f"change ({prefix})", api("PATCH", lambda w, s: f"{prefix}/{update[0](s).pk}/",
                                       update[1]), changed, **who),
        Case(f"delete ({prefix})", api("DELETE", lambda w, s: f"{prefix}/{delete(s).pk}/"),
             deleted, **who),
        *extra,
    ]  # fmt: skip


# API resources (router prefixes): each one's cases.
API: dict[str, list[Case]] = {
    # The OSM staff's alone (a unit head cannot grant roles); nobody deletes a user (405).
    "users": [
        Case("create (users)", api("POST", lambda w, s: "users/", lambda w, s: {
            "username": f"new{s.unit.code.lower()}", "is_active": True, **invitation(s)}), 403,
            control="osm", own_refused=True),
        Case("change (users): give the unit's head a role", api(
            "PATCH", lambda w, s: f"users/{s.unit.head.pk}/",
            lambda w, s: {"roles": ["Unit head", "OSM staff"]}), 403, control="osm",
            own_refused=True),
        Case("change (users): deactivate the unit's head", api(
            "PATCH", lambda w, s: f"users/{s.unit.head.pk}/", lambda w, s: {"is_active": False}),
            403, control="osm", own_refused=True),
        Case("delete (users)", api("DELETE", lambda w, s: f"users/{s.former.pk}/"), 405,
             control=None, own_refused=True),
        Case("invite someone", api("POST", lambda w, s: "users/invite/",
             lambda w, s: invitation(s)), 403, control="osm", own_refused=True),
    ],
    "units": crud(
        "units",
        create=lambda w, s: {"code": "NEWU", "name": "New", "kind": "team", "parent": s.unit.pk},
        update=(lambda s: s.child, lambda w, s: {"name": "Renamed"}),
        delete=lambda s: s.leaf,
        control="osm", own_refused=True,
        extra=[
            Case("move an own unit below the unit", api(
                "PATCH", lambda w, s: f"units/{w.own.leaf.pk}/",
                lambda w, s: {"parent": s.unit.pk}), 403, control="osm", own_refused=True),
        ],
    ),
    "perspectives": crud(
        "perspectives",
        create=lambda w, s: {"name": "Mission", "order": 0},
        update=(lambda s: Perspective.objects.get(name="Customer"),
                lambda w, s: {"name": "Clients"}),
        delete=lambda s: Perspective.objects.get(name="Learning & Growth"),
        # The OSM staff may not delete a perspective objectives are placed in: a 400.
        control=None, own_refused=True,
    ),
    "themes": crud(
        "themes",
        create=lambda w, s: {"unit": s.unit.pk, "name": "New theme"},
        update=(lambda s: s.theme, lambda w, s: {"name": "Renamed"}),
        delete=lambda s: s.theme,
        extra=[
            Case("move an own theme into the unit", api(
                "PATCH", lambda w, s: f"themes/{w.own.theme.pk}/",
                lambda w, s: {"unit": s.child.pk}), 403),
        ],
    ),
    "objectives": crud(
        "objectives",
        create=lambda w, s: {"unit": s.unit.pk, "code": "NEW", "name": "New",
                             "perspective": w.financial.pk},
        update=(lambda s: s.o1, lambda w, s: {"name": "Renamed"}),
        delete=lambda s: s.bare,
        extra=[
            # An objective never changes unit, not even within the subtree: a 400 for anyone.
            Case("move an own objective into the unit", api(
                "PATCH", lambda w, s: f"objectives/{w.own.o1.pk}/",
                lambda w, s: {"unit": s.child.pk}), 400, control=None),
            Case("own objective supports one of a unit not above it", api(
                "PATCH", lambda w, s: f"objectives/{w.own.o1.pk}/",
                lambda w, s: {"supports": [s.up.pk]}), 400),
            Case("own objective in another unit's theme", api(
                "PATCH", lambda w, s: f"objectives/{w.own.o1.pk}/",
                lambda w, s: {"theme": s.theme.pk}), 400),
        ],
    ),
    "links": crud(
        "links",
        create=lambda w, s: {"cause": s.o2.pk, "effect": s.o1.pk, "rationale": "x"},
        update=(lambda s: s.arrow, lambda w, s: {"rationale": "Renamed"}),
        delete=lambda s: s.arrow,
        extra=[
            Case("move an own arrow onto the unit's map", api(
                "PATCH", lambda w, s: f"links/{w.own.arrow.pk}/",
                lambda w, s: {"cause": s.o2.pk, "effect": s.o1.pk}), 403),
            Case("arrow from an own objective to another unit's", api(
                "POST", lambda w, s: "links/", lambda w, s: {"cause": w.own.o2.pk,
                                                             "effect": s.o1.pk}), 400),
        ],
    ),
    "measures": crud(
        "measures",
        create=lambda w, s: {"objective": s.o1.pk, "code": "NEWM", "name": "New"},
        update=(lambda s: s.measure, lambda w, s: {"name": "Renamed"}),
        delete=lambda s: s.bare_measure,
        extra=[
            Case("move an own measure to another objective", api(
                "PATCH", lambda w, s: f"measures/{w.own.measure.pk}/",
                lambda w, s: {"objective": s.o2.pk}), 400, control=None),
            Case("own rollup sums another unit's measure", api(
                "PATCH", lambda w, s: f"measures/{w.own.rollup.pk}/",
                lambda w, s: {"sources": [s.child_measure2.pk]}), 400),
        ],
    ),
    "measure-values": crud(
        "measure-values",
        create=lambda w, s: {"measure": s.measure.pk, "period": "2026-02-01", "actual": "5",
                             "target": "5"},
        update=(lambda s: s.value, lambda w, s: {"actual": "7", "note": "Counted again"}),
        delete=lambda s: s.value,
        extra=[
            Case("move an own value to another measure", api(
                "PATCH", lambda w, s: f"measure-values/{w.own.value.pk}/",
                lambda w, s: {"measure": s.bare_measure.pk}), 400, control=None),
            Case("approve a submitted value", api(
                "POST", lambda w, s: f"measure-values/{s.submitted.pk}/approve/"), 403),
            Case("return a submitted value", api(
                "POST", lambda w, s: f"measure-values/{s.submitted.pk}/return/",
                lambda w, s: {"comment": "Check it"}), 403),
            # Refused row by row (a batch may mix measures): a 400 naming the row.
            Case("enter values in bulk", api(
                "POST", lambda w, s: "measure-values/bulk/",
                lambda w, s: [{"measure_code": f"{s.unit.code}.M", "period": "2026-02",
                               "actual": "5", "target": "5"}]), 400),
        ],
    ),
    "initiatives": crud(
        "initiatives",
        create=lambda w, s: {"code": "NEWI", "name": "New", "unit": s.unit.pk,
                             "start": "2026-01-01"},
        update=(lambda s: s.initiative, lambda w, s: {"name": "Renamed"}),
        delete=lambda s: s.initiative2,
        extra=[
            Case("move an own initiative into the unit", api(
                "PATCH", lambda w, s: f"initiatives/{w.own.initiative.pk}/",
                lambda w, s: {"unit": s.child.pk}), 403),
            Case("own initiative advances another unit's objective", api(
                "PATCH", lambda w, s: f"initiatives/{w.own.initiative.pk}/",
                lambda w, s: {"objectives": [s.o2.pk]}), 400),
        ],
    ),
    "milestones": crud(
        "milestones",
        create=lambda w, s: {"initiative": s.initiative.pk, "name": "New", "due": "2026-06-30"},
        update=(lambda s: s.milestone, lambda w, s: {"name": "Renamed"}),
        delete=lambda s: s.milestone,
        extra=[
            Case("move an own milestone to the unit's initiative", api(
                "PATCH", lambda w, s: f"milestones/{w.own.milestone.pk}/",
                lambda w, s: {"initiative": s.initiative2.pk}), 403),
        ],
    ),
    "budget-lines": crud(
        "budget-lines",
        create=lambda w, s: {"unit": s.unit.pk, "fiscal_year": 2026, "category": "opex",
                             "label": "New", "planned": "10.00"},
        update=(lambda s: s.line, lambda w, s: {"label": "Renamed"}),
        delete=lambda s: s.line,
        refused=(403, 404, 404),  # another unit's lines are out of a unit head's sight
        extra=[
            Case("move an own budget line into the unit", api(
                "PATCH", lambda w, s: f"budget-lines/{w.own.line.pk}/",
                lambda w, s: {"unit": s.child.pk}), 403),
            Case("own budget line funds another unit's objective", api(
                "PATCH", lambda w, s: f"budget-lines/{w.own.line.pk}/",
                lambda w, s: {"objective": s.o2.pk}), 400),
            Case("own budget line funds another unit's initiative", api(
                "PATCH", lambda w, s: f"budget-lines/{w.own.line.pk}/",
                lambda w, s: {"initiative": s.initiative2.pk}), 400),
        ],
    ),
    "employees": crud(
        "employees",
        create=lambda w, s: {"name": "New", "email": "new@example.com", "unit": s.unit.pk},
        update=(lambda s: s.employee, lambda w, s: {"name": "Renamed"}),
        delete=lambda s: s.employee2,
        control="hr", own_refused=True,
    ),
    "goals": crud(
        "goals",
        create=lambda w, s: {"employee": s.employee.pk, "fiscal_year": 2026, "title": "New",
                             "weight": "1"},
        update=(lambda s: s.goal, lambda w, s: {"title": "Renamed"}),
        delete=lambda s: s.goal,
        control="hr", own_refused=True,
    ),
    "incentives": crud(
        "incentives",
        create=lambda w, s: {"employee": s.employee.pk, "fiscal_year": 2026, "name": "New",
                             "weight": "1"},
        update=(lambda s: s.incentive, lambda w, s: {"name": "Renamed"}),
        delete=lambda s: s.incentive,
        control="hr", own_refused=True,
    ),
    "analyses": crud(
        "analyses",
        create=lambda w, s: {"subject_type": "objective", "subject": s.o1.pk, "month": "2026-09",
                             "analysis": "Why"},
        update=(lambda s: s.analysis, lambda w, s: {"analysis": "Rewritten"}),
        delete=lambda s: s.analysis2,
    ),
    "comments": [
        # Anyone comments anywhere; a reply stays on its comment's subject, for everyone.
        Case("create (comments): a reply moved to another subject", api(
            "POST", lambda w, s: "comments/",
            lambda w, s: {"subject_type": "objective", "subject": s.o2.pk,
                          "parent": s.comment.pk, "body": "Moved"}), 400, control=None),
        Case("change (comments): another's comment", api(
            "PATCH", lambda w, s: f"comments/{s.comment.pk}/",
            lambda w, s: {"body": "Rewritten"}), 403),
        Case("delete (comments): another's comment", api(
            "DELETE", lambda w, s: f"comments/{s.comment2.pk}/"), 403),
    ],
    "goal-templates": crud(
        "goal-templates",
        create=lambda w, s: {"name": "New", "fiscal_year": 2026, "title": "New",
                             "objective": s.o1.pk},
        update=(lambda s: s.template, lambda w, s: {"name": "Renamed"}),
        delete=lambda s: s.template,
        control="hr", own_refused=True,
        extra=[
            Case("apply a goal template to the unit", api(
                "POST", lambda w, s: f"goal-templates/{s.template.pk}/apply/",
                lambda w, s: {"unit": s.unit.pk}), 403, control="hr", own_refused=True),
        ],
    ),
    "strategy-versions": crud(
        "strategy-versions",
        create=lambda w, s: {"unit": s.unit.pk, "name": "New version"},
        update=(lambda s: s.version, lambda w, s: {"name": "Renamed"}),
        delete=lambda s: s.version2,
    ),
    "report-subscriptions": crud(
        "report-subscriptions",
        # Subscribing another person is OSM staff's (403); another's subscription is not
        # even seen (404).
        create=lambda w, s: {"user": s.unit.head.pk, "unit": s.unit.pk,
                             "kind": "unit_report_pdf", "cadence": "monthly", "day": 3},
        update=(lambda s: s.subscription, lambda w, s: {"day": 9}),
        delete=lambda s: s.subscription2,
        refused=(403, 404, 404),
    ),
    "reviews": crud(
        "reviews",
        create=lambda w, s: {"kind": "operational", "unit": s.unit.pk, "title": "New",
                             "scheduled_for": "2026-05-04T09:00:00Z"},
        update=(lambda s: s.meeting, lambda w, s: {"title": "Renamed"}),
        delete=lambda s: s.meeting2,
        extra=[
            Case("move an own meeting into the unit", api(
                "PATCH", lambda w, s: f"reviews/{w.own.meeting2.pk}/",
                lambda w, s: {"unit": s.child.pk}), 403),
        ],
    ),
    "announcements": crud(
        "announcements",
        create=lambda w, s: {"unit": s.unit.pk, "title": "New", "body": "Text"},
        update=(lambda s: s.announcement, lambda w, s: {"title": "Renamed"}),
        delete=lambda s: s.announcement2,
        extra=[
            Case("move an own announcement to the unit", api(
                "PATCH", lambda w, s: f"announcements/{w.own.announcement.pk}/",
                lambda w, s: {"unit": s.unit.pk}), 403),
        ],
    ),
    "practices": [
        # Anyone with a role writes a practice of any unit: the create case is an input
        # refused for everyone.
        Case("create (practices): serving an unknown measure", api(
            "POST", lambda w, s: "practices/",
            lambda w, s: {"unit": s.unit.pk, "title": "New", "body": "Text",
                          "measures": [999_999]}), 400, control=None),
        Case("change (practices): another's practice", api(
            "PATCH", lambda w, s: f"practices/{s.practice.pk}/",
            lambda w, s: {"title": "Renamed"}), 403),
        Case("delete (practices): another's practice", api(
            "DELETE", lambda w, s: f"practices/{s.practice2.pk}/"), 403),
        Case("attach a document to another's practice", api(
            "POST", lambda w, s: f"practices/{s.practice.pk}/attachments/",
            lambda w, s: {"file": pdf("more.pdf")}), 403),
        Case("remove a document of another's practice", api(
            "DELETE", lambda w, s: f"practices/{s.practice.pk}/attachments/{s.attachment.pk}/"),
            403),
    ],
    "pulses": crud(
        "pulses",
        create=lambda w, s: {"unit": s.unit.pk, "title": "New", "opens_on": f"{days(31)}",
                             "closes_on": f"{days(45)}"},
        update=(lambda s: s.pulse, lambda w, s: {"title": "Renamed"}),
        delete=lambda s: s.pulse2,
        control="osm", own_refused=True,
        extra=[
            Case("answer a pulse of another unit", api(
                "POST", lambda w, s: f"pulses/{s.open_pulse.pk}/answer/",
                lambda w, s: {"objective": None, "understanding": 3}), 403),
        ],
    ),
    "action-items": crud(
        "action-items",
        create=lambda w, s: {"meeting": s.meeting.pk, "title": "New", "due": "2026-03-01"},
        update=(lambda s: s.item, lambda w, s: {"title": "Renamed"}),
        delete=lambda s: s.item,
        extra=[
            Case("move an own action item to the unit's meeting", api(
                "PATCH", lambda w, s: f"action-items/{w.own.item.pk}/",
                lambda w, s: {"meeting": s.meeting2.pk}), 403),
            Case("own action item about another unit's objective", api(
                "PATCH", lambda w, s: f"action-items/{w.own.item.pk}/",
                lambda w, s: {"objective": s.o2.pk}), 400),
        ],
    ),
}  # fmt: skip

WEB_CASES = [(name, case) for name, cases in WEB.items() for case in cases]
API_CASES = [(name, case) for name, cases in API.items() for case in cases]
SUCCESS = {200, 201, 204, 302}


def send(user, kind: str, request):
    method, url, data = request
    if kind == "web":
        client = Client()
        client.force_login(user)
        return client.post(url, data)
    client = client_for(user)
    # A document goes up as a form's file (multipart), everything else as JSON.
    upload = isinstance(data, dict) and any(isinstance(v, File) for v in data.values())
    return getattr(client, method.lower())(url, data, format="multipart" if upload else "json")


def attempt(w, kind, case, who, where):
    user = {"alice": w.alice, "hr": w.hr, "osm": w.osm}[who]
    before = snapshot()
    response = send(user, kind, case.build(w, getattr(w, where)))
    return response, before != snapshot()


def check_refused(w, kind, case, where):
    response, changed = attempt(w, kind, case, "alice", where)
    body = response.content.decode(errors="replace")[:500]
    assert response.status_code == case.refused, f"{case}: {response.status_code} {body}"
    assert not changed, f"{case}: refused ({response.status_code}) but data changed"


def check_control(w, kind, case):
    where = "own" if case.control == "alice" else "other"
    response, changed = attempt(w, kind, case, case.control, where)
    body = response.content.decode(errors="replace")[:500]
    assert response.status_code in SUCCESS, f"{case} by {case.control}: {body}"
    assert changed, f"{case} by {case.control}: answered {response.status_code}, wrote nothing"


@pytest.mark.parametrize("page,case", WEB_CASES, ids=[f"{n}: {c}" for n, c in WEB_CASES])
def test_web_write_on_another_unit_is_refused(w, page, case):
    check_refused(w, "web", case, "other")
    if case.own_refused:
        check_refused(w, "web", case, "own")


@pytest.mark.parametrize(
    "page,case",
    [(n, c) for n, c in WEB_CASES if c.control],
    ids=[f"{n}: {c}" for n, c in WEB_CASES if c.control],
)
def test_web_control_the_same_request_succeeds_where_allowed(w, page, case):
    check_control(w, "web", case)


@pytest.mark.parametrize("resource,case", API_CASES, ids=[f"{n}: {c}" for n, c in API_CASES])
def test_api_write_on_another_unit_is_refused(w, resource, case):
    check_refused(w, "api", case, "other")
    if case.own_refused:
        check_refused(w, "api", case, "own")


@pytest.mark.parametrize(
    "resource,case",
    [(n, c) for n, c in API_CASES if c.control],
    ids=[f"{n}: {c}" for n, c in API_CASES if c.control],
)
def test_api_control_the_same_request_succeeds_where_allowed(w, resource, case):
    check_control(w, "api", case)


def test_every_web_page_that_writes_has_cases():
    pages = web_url_names() - NOT_OURS
    unknown = set(WEB) - pages
    assert not unknown, f"cases for pages that do not exist: {sorted(unknown)}"
    unclassified = pages - set(WEB) - READ_ONLY_PAGES
    assert not unclassified, f"pages neither read-only nor with abuse cases: {sorted(unclassified)}"


def test_every_api_resource_that_takes_writes_has_cases():
    writable = {prefix for prefix, viewset, _ in router.registry if hasattr(viewset, "create")}
    assert set(API) == writable
    for prefix in writable:
        kinds = {case.id.split(" (")[0] for case in API[prefix]}
        assert {"create", "change", "delete"} <= kinds, prefix
