"""Writes the demo company (devtools/demo/company.py) through the apps' services.

Every write that has rules goes through a service or, for the thousands of measure
values, through `full_clean()` on each row before a bulk insert with history, so the demo
passes the same validation as user input. The caller runs `DemoBuilder.build()` inside one
transaction: a failure leaves nothing half-written.
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from alignment.models import AlignmentSnapshot, StrategyTestResult
from budgets import services as budget_services
from budgets.models import BudgetLine
from communication.models import Announcement, Practice, Pulse, PulseAnswer
from core.clock import fiscal_year_bounds
from core.versioning import data_changed
from initiatives import services as initiative_services
from initiatives.models import Initiative, Milestone
from people.models import Employee, Goal, IncentiveComponent
from reviews.models import ActionItem, CalendarEvent, ReviewMeeting
from scorecards import services as scorecard_services
from scorecards.models import (
    CascadeLink,
    CauseEffect,
    Measure,
    MeasureValue,
    Objective,
    OrgUnit,
    Perspective,
)
from scorecards.periods import add_months

from . import company as c
from . import story
from .communication_steps import CommunicationSteps
from .cycle_steps import CycleSteps
from .people_steps import PeopleSteps
from .review_steps import ReviewSteps
from .strategy_steps import StrategySteps

User = get_user_model()


@dataclass
class DemoResult:
    """What was written: row counts by label, and the demo logins (username, role,
    password, remark)."""

    counts: dict[str, int]
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)


def ascii_slug(text: str) -> str:
    """'Fernández' -> 'fernandez', "O'Brien" -> 'obrien' (for e-mail addresses)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


class DemoBuilder(PeopleSteps, ReviewSteps, CycleSteps, StrategySteps, CommunicationSteps):
    """Builds Meridian Group step by step; `build()` runs every step in one transaction.
    The people, the reviews, the reporting cycle's, the strategy versions' and the
    communication's steps are in people_steps.py, review_steps.py, cycle_steps.py,
    strategy_steps.py and communication_steps.py."""

    def __init__(self, *, today: dt.date | None = None):
        self.window = story.Window(
            today=today or dt.date.today(),
            fiscal_start=settings.FISCAL_YEAR_START_MONTH,
            due_days=settings.MEASURE_DUE_DAYS,
        )
        self.now = timezone.now()
        self.users: dict[str, User] = {}
        self.existing_users: set[str] = set()
        self.units: dict[str, OrgUnit] = {}
        self.objectives: dict[str, Objective] = {}  # "UNIT.CODE"
        self.measures: dict[str, Measure] = {}  # "UNIT.CODE"
        self.plans: dict[str, list[story.PlannedValue]] = {}
        self.initiatives: dict[str, Initiative] = {}
        self.employees: dict[str, Employee] = {}  # named people by username
        self.unit_specs = {u.code: u for u in c.UNITS}

    # The whole build ------------------------------------------------------------------------

    def build(self) -> DemoResult:
        """Write the whole demo in one transaction and say what was written."""
        with transaction.atomic():
            self.create_users()
            self.create_units()
            self.create_strategy_maps()
            self.create_measures()
            self.create_values()
            self.create_initiatives()
            self.create_budgets()
            self.create_people()
            self.create_reviews()
            self.create_calendar()
            self.create_strategy_tests()
            self.create_alignment_snapshots()
            self.create_reporting_cycle()
            self.publish_strategy_versions()
            self.create_communication()
        return DemoResult(counts=self.counts(), logins=self.login_rows())

    @property
    def osm(self):
        """OSM staff maintain the scorecards: the history names them."""
        return self.users["osm"]

    def head_of(self, unit_code: str):
        return self.users[self.unit_specs[unit_code].head]

    # Users ----------------------------------------------------------------------------------

    def create_users(self) -> None:
        """The demo logins share one password (hashed once: the hasher is slow on purpose);
        the other named people get unusable passwords. A user that already exists is
        reused as it is, its password untouched."""
        hashed = make_password(c.DEMO_PASSWORD)
        groups = {}
        for person in c.PEOPLE:
            existing = User.objects.filter(username=person.username).first()
            if existing is not None:
                self.users[person.username] = existing
                self.existing_users.add(person.username)
                continue
            user = User(
                username=person.username,
                first_name=person.first_name,
                last_name=person.last_name,
                email=self.email_of(person.first_name, person.last_name),
                is_staff=person.is_staff,
                is_superuser=person.is_superuser,
            )
            user.password = hashed if person.login else make_password(None)
            user.full_clean()
            user.save()
            names = person.groups if person.login else c.PLAIN_HEAD_GROUPS
            for name in names:
                if name not in groups:
                    groups[name], _ = Group.objects.get_or_create(name=name)
            user.groups.set([groups[name] for name in names])
            self.users[person.username] = user

    @staticmethod
    def email_of(first: str, last: str, suffix: str = "") -> str:
        return f"{ascii_slug(first)}.{ascii_slug(last)}{suffix}@{c.EMAIL_DOMAIN}"

    # Units and strategy maps ------------------------------------------------------------------

    def create_units(self) -> None:
        for spec in c.UNITS:
            self.units[spec.code] = scorecard_services.unit_create(
                actor=None,
                data={
                    "code": spec.code,
                    "name": spec.name,
                    "kind": spec.kind,
                    "parent": self.units[spec.parent] if spec.parent else None,
                    "head": self.users[spec.head],
                },
            )

    def create_strategy_maps(self) -> None:
        """Themes, objectives with their cascade links, and the maps' arrows."""
        perspectives = {
            key: Perspective.objects.get(name=name) for key, name in c.PERSPECTIVES.items()
        }
        root = self.units[c.DEMO_ROOT_CODE]
        themes = {
            name: scorecard_services.theme_create(
                actor=None, data={"unit": root, "name": name, "description": description}
            )
            for name, description in c.THEMES
        }
        for spec in c.OBJECTIVES:
            self.objectives[f"{spec.unit}.{spec.code}"] = scorecard_services.objective_create(
                actor=self.osm,
                data={
                    "unit": self.units[spec.unit],
                    "code": spec.code,
                    "name": spec.name,
                    "description": spec.description,
                    "perspective": perspectives[spec.perspective],
                    "theme": themes[spec.theme] if spec.theme else None,
                    "owner": self.head_of(spec.unit),
                    "weight": Decimal(spec.weight),
                    "supports": [self.objectives[ref] for ref in spec.supports],
                },
            )
        for cause, effect, rationale in c.CAUSE_EFFECT:
            scorecard_services.cause_effect_create(
                actor=None,
                data={
                    "cause": self.objectives[cause],
                    "effect": self.objectives[effect],
                    "rationale": rationale,
                },
            )

    # Measures and their values ----------------------------------------------------------------

    def create_measures(self) -> None:
        """Entered measures first: calculated and rollup measures refer to them."""
        ordered = sorted(c.MEASURES, key=lambda k: k.formula is not None or k.rollup != "none")
        for kpi in ordered:
            fields = {
                "unit_label": kpi.label,
                "polarity": kpi.polarity,
                "frequency": kpi.frequency,
                "aggregation": kpi.aggregation,
                "owner": self.users[kpi.owner] if kpi.owner else self.head_of(kpi.unit),
                "formula": kpi.formula,
                "rollup": kpi.rollup,
                "description": kpi.description,
            }
            if kpi.tolerance is not None:
                fields["tolerance"] = Decimal(kpi.tolerance)
            self.measures[f"{kpi.unit}.{kpi.code}"] = scorecard_services.measure_create(
                actor=self.osm,
                data={
                    "objective": self.objectives[f"{kpi.unit}.{kpi.objective}"],
                    "code": kpi.code,
                    "name": kpi.name,
                    "sources": [self.measures[ref] for ref in kpi.sources],
                    **fields,
                },
            )

    def create_values(self) -> None:
        """Thousands of rows: each is validated with `full_clean()` (period start, no actual
        on calculated or rollup measures, red flag on the right side of the target) and
        then bulk-inserted with its history row, dated when its owner entered it so the
        data-timeliness metric has a story to tell."""
        for kpi in c.MEASURES:
            key = f"{kpi.unit}.{kpi.code}"
            if kpi.rollup == "none":
                self.plans[key] = story.plan_values(kpi, self.window, self.lead_for(kpi))
        for kpi in c.MEASURES:
            if kpi.rollup != "none":
                sources = [self.plans[ref] for ref in kpi.sources]
                self.plans[f"{kpi.unit}.{kpi.code}"] = story.plan_rollup_targets(
                    kpi, sources, self.window
                )
        rows = []
        for kpi in c.MEASURES:
            key = f"{kpi.unit}.{kpi.code}"
            measure = self.measures[key]
            for plan in self.plans[key]:
                # Targets are set by the unit's head in the budget round; actuals by the owner.
                by = measure.owner if plan.actual is not None else self.head_of(kpi.unit)
                value = MeasureValue(
                    measure=measure,
                    period=plan.period,
                    actual=plan.actual,
                    target=plan.target,
                    red_flag=plan.red_flag,
                    note=plan.note,
                    entered_by=by,
                )
                value.full_clean()
                value._history_user = by
                value._history_date = self.moment(plan.entered_on, key)
                rows.append(value)
        bulk_create_with_history(rows, MeasureValue, batch_size=500)
        data_changed()  # bulk inserts send no signal

    def lead_for(self, kpi: c.Kpi, seen: frozenset = frozenset()) -> dict | None:
        """What a measure that `follows` another owes to that one's performance (its
        leader's own lead first, for a chain); None for the others."""
        if kpi.follows is None:
            return None
        key = kpi.follows[0]
        if key in seen:
            raise ValueError(f"{key}: measures that follow each other in a circle.")
        leader = next(k for k in c.MEASURES if f"{k.unit}.{k.code}" == key)
        leader_lead = self.lead_for(leader, seen | {key})
        return story.lead_of(kpi, story.performance(leader, self.window, leader_lead))

    def moment(self, day: dt.date, salt: str) -> dt.datetime:
        """An office-hours time on `day` (never in the future)."""
        minutes = story.rng_for("time", salt, day.isoformat()).randint(8 * 60, 18 * 60)
        at = timezone.make_aware(
            dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60)),
            timezone.get_default_timezone(),
        )
        return min(at, self.now - dt.timedelta(minutes=5))

    # Initiatives and budgets ------------------------------------------------------------------

    def create_initiatives(self) -> None:
        today = self.window.today
        rng = story.rng_for("milestones")
        for plan in c.INITIATIVES:
            start = self.window.month(plan.start)
            end = add_months(self.window.month(plan.end), 1) - dt.timedelta(days=1)
            initiative = initiative_services.initiative_create(
                actor=self.osm,
                data={
                    "unit": self.units[plan.unit],
                    "code": plan.code,
                    "name": plan.name,
                    "description": plan.description,
                    "start": start,
                    "end": end if plan.end is not None else None,
                    "status": plan.status,
                    "percent_complete": plan.percent,
                    "owner": self.users[plan.owner],
                    "objectives": [self.objectives[ref] for ref in plan.objectives],
                },
            )
            self.initiatives[plan.code] = initiative
            for name, offset, done in plan.milestones:
                due = self.window.month(offset) + dt.timedelta(days=14)
                done_on = None
                if done and due <= today:
                    done_on = due + dt.timedelta(days=rng.randint(-12, 6))
                    done_on = min(max(done_on, start), today)
                initiative_services.milestone_create(
                    actor=None,
                    data={"initiative": initiative, "name": name, "due": due, "done_on": done_on},
                )

    def fiscal_years(self) -> tuple[int, int]:
        current = self.window.current_fiscal_year
        return current - 1, current

    def runs_in(self, initiative: Initiative, year: int) -> bool:
        first, last = fiscal_year_bounds(year, self.window.fiscal_start)
        return initiative.start <= last and (initiative.end is None or initiative.end >= first)

    def create_budgets(self) -> None:
        """Two fiscal years: staff costs per unit (not linked), the templates (some linked
        to objectives) and STRATEX for each funded initiative running in the year."""
        rng = story.rng_for("budgets")
        previous, current = self.fiscal_years()
        elapsed = self.window.fiscal_elapsed()
        for year in (previous, current):
            # Last year's budget was a little smaller; last year's spend is complete.
            scale = Decimal("0.96") if year == previous else Decimal("1")

            def spent(planned: Decimal, year=year) -> Decimal:
                share = rng.uniform(0.88, 1.06) if year == previous else elapsed
                share *= 1 if year == previous else rng.uniform(0.85, 1.1)
                return Decimal(round(float(planned) * share, -2)).quantize(Decimal("1"))

            def money(amount: float) -> Decimal:
                return Decimal(round(amount, -3)).quantize(Decimal("1"))

            for unit in c.UNITS:
                planned = money(unit.headcount * c.STAFF_COST_PER_HEAD * float(scale))
                self.budget_line(unit.code, year, "opex", "Staff costs", planned, spent(planned))
            for index, (unit_code, category, label, amount, objective) in enumerate(c.BUDGET_LINES):
                planned = money(amount * float(scale))
                if year == previous and index % 2:
                    objective = None  # half of these links were only made this year
                self.budget_line(
                    unit_code,
                    year,
                    category,
                    label,
                    planned,
                    spent(planned),
                    objective=self.objectives[objective] if objective else None,
                )
            for plan in c.INITIATIVES:
                initiative = self.initiatives[plan.code]
                if not plan.budget or not self.runs_in(initiative, year):
                    continue
                planned = money(plan.budget * float(scale))
                actual = spent(planned)
                if plan.status == "cancelled":
                    actual = (actual * Decimal("0.4")).quantize(Decimal("1"))
                self.budget_line(
                    plan.unit,
                    year,
                    "capex" if plan.capex else "stratex",
                    plan.name,
                    planned,
                    actual,
                    initiative=initiative,
                )

    def budget_line(self, unit_code, year, category, label, planned, actual, **links) -> None:
        budget_services.budget_line_create(
            actor=self.head_of(unit_code),
            data={
                "unit": self.units[unit_code],
                "fiscal_year": year,
                "category": category,
                "label": label,
                "planned": planned,
                "actual": actual,
                **links,
            },
        )

    # Summary ----------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        root = self.units[c.DEMO_ROOT_CODE]
        unit_ids = list(OrgUnit.objects.subtree_of(root.pk).values_list("id", flat=True))
        return {
            "org units": len(unit_ids),
            "objectives": Objective.objects.filter(unit_id__in=unit_ids).count(),
            "cascade links": CascadeLink.objects.filter(supporting__unit_id__in=unit_ids).count(),
            "cause-and-effect links": CauseEffect.objects.filter(
                cause__unit_id__in=unit_ids
            ).count(),
            "measures": Measure.objects.filter(unit_id__in=unit_ids).count(),
            "measure values": MeasureValue.objects.filter(measure__unit_id__in=unit_ids).count(),
            "initiatives": Initiative.objects.filter(unit_id__in=unit_ids).count(),
            "milestones": Milestone.objects.filter(initiative__unit_id__in=unit_ids).count(),
            "budget lines": BudgetLine.objects.filter(unit_id__in=unit_ids).count(),
            "employees": Employee.objects.filter(unit_id__in=unit_ids).count(),
            "goals": Goal.objects.filter(employee__unit_id__in=unit_ids).count(),
            "incentive components": IncentiveComponent.objects.filter(
                employee__unit_id__in=unit_ids
            ).count(),
            "review meetings": ReviewMeeting.objects.filter(unit_id__in=unit_ids).count(),
            "action items": ActionItem.objects.filter(meeting__unit_id__in=unit_ids).count(),
            "calendar events": CalendarEvent.objects.filter(unit_id__in=unit_ids).count(),
            "strategy test results": StrategyTestResult.objects.filter(
                unit_id__in=unit_ids
            ).count(),
            "alignment snapshots": AlignmentSnapshot.objects.filter(unit_id__in=unit_ids).count(),
            "announcements": Announcement.objects.filter(unit_id__in=unit_ids).count(),
            "awareness pulses": Pulse.objects.filter(unit_id__in=unit_ids).count(),
            "pulse answers": PulseAnswer.objects.filter(unit_id__in=unit_ids).count(),
            "practices": Practice.objects.filter(unit_id__in=unit_ids).count(),
            "users": len(self.users) - len(self.existing_users),
        }

    def login_rows(self) -> list[tuple[str, str, str, str]]:
        rows = []
        for login in c.LOGINS:
            if login.username in self.existing_users:
                rows.append((login.username, login.role, "(unchanged)", "existed before"))
            else:
                rows.append((login.username, login.role, c.DEMO_PASSWORD, ""))
        return rows
