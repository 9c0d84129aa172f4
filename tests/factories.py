"""factory_boy factories for every model of OSM.

Rows are made the way the product makes them: each factory validates with `full_clean()`
(fields, `clean()` and constraints) before saving, and the many-to-many links (objectives
supported, rollup sources, objectives an initiative advances) go through the same helpers
the services use. A factory call with bad data therefore raises ValidationError, just as a
service call would. `post_generation` never saves twice, so no spurious history rows.

The enterprise unit is unique (a partial unique constraint): `EnterpriseFactory` gets it or
creates it, and every other unit hangs below it by default. The four perspectives come
from a data migration; `PerspectiveFactory` gets them by name.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from alignment.models import StrategyTestResult, StrategyTestRun
from budgets.choices import BudgetCategory
from budgets.models import BudgetLine
from communication.models import (
    Announcement,
    AnnouncementRead,
    Endorsement,
    Practice,
    Pulse,
    PulseAnswer,
    PulseRespondent,
)
from core.models import OutgoingMessage
from core.roles import EMPLOYEE, ROLES
from initiatives.choices import InitiativeStatus
from initiatives.models import Initiative, InitiativeObjective, Milestone
from people.choices import GoalKind
from people.models import Employee, Goal, IncentiveComponent
from reviews.choices import ActionStatus, EventKind, MeetingKind
from reviews.models import ActionItem, CalendarEvent, ReviewMeeting
from scorecards.choices import Frequency, Polarity, Rollup, UnitKind
from scorecards.models import (
    CascadeLink,
    CauseEffect,
    Measure,
    MeasureValue,
    Objective,
    OrgUnit,
    Perspective,
    RollupSource,
    Theme,
)
from scorecards.periods import add_months, months_in, period_start

PERSPECTIVES = ("Financial", "Customer", "Internal Process", "Learning & Growth")
FIRST_PERIOD = dt.date(2026, 1, 1)


class ValidatedFactory(factory.django.DjangoModelFactory):
    """Creates with `full_clean()` then `save()`; `django_get_or_create` fields are looked
    up first and an existing row is returned as it is."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        manager = cls._get_manager(model_class)
        keys = cls._meta.django_get_or_create
        if keys:
            existing = manager.filter(**{k: kwargs[k] for k in keys if k in kwargs}).first()
            if existing is not None:
                return existing
        instance = model_class(*args, **kwargs)
        instance.full_clean()
        instance.save()
        return instance


# Users -------------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    """A user; `roles=["Unit head", ...]` puts him or her in those role groups."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    password = "pw-long-enough-1"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        manager = cls._get_manager(model_class)
        if kwargs.get("is_superuser"):
            kwargs.setdefault("is_staff", True)
        return manager.create_user(*args, **kwargs)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        unknown = set(extracted) - set(ROLES)
        assert not unknown, f"unknown roles {unknown}"
        # get_or_create: a transactional test's flush removes the migration-made groups
        self.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in extracted))


# Scorecards --------------------------------------------------------------------------------


class EnterpriseFactory(ValidatedFactory):
    """The root of the tree: got if it exists, created otherwise."""

    class Meta:
        model = OrgUnit
        django_get_or_create = ("kind",)

    code = "ENT"
    name = "Enterprise"
    kind = UnitKind.ENTERPRISE
    parent = None


class OrgUnitFactory(ValidatedFactory):
    """A business unit below the enterprise (pass `parent` and `kind` for deeper units)."""

    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"U{n}")
    name = factory.LazyAttribute(lambda o: f"Unit {o.code}")
    kind = UnitKind.BUSINESS
    parent = factory.SubFactory(EnterpriseFactory)
    head = None


class DepartmentFactory(OrgUnitFactory):
    """A department below a (new) business unit."""

    kind = UnitKind.DEPARTMENT
    parent = factory.SubFactory(OrgUnitFactory)


class PerspectiveFactory(ValidatedFactory):
    """One of the four migrated perspectives, by name (cycles through them)."""

    class Meta:
        model = Perspective
        django_get_or_create = ("name",)

    name = factory.Iterator(PERSPECTIVES)
    order = factory.Sequence(lambda n: 100 + n)  # used only for a perspective not migrated


class ThemeFactory(ValidatedFactory):
    class Meta:
        model = Theme

    unit = factory.SubFactory(OrgUnitFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")


class ObjectiveFactory(ValidatedFactory):
    """An objective; `supports=[...]` cascades it (validated like `objective_create`)."""

    class Meta:
        model = Objective

    unit = factory.SubFactory(OrgUnitFactory)
    code = factory.Sequence(lambda n: f"OBJ{n}")
    name = factory.LazyAttribute(lambda o: f"Objective {o.code}")
    perspective = factory.SubFactory(PerspectiveFactory, name="Financial")
    weight = Decimal("1")

    @factory.post_generation
    def supports(self, create, extracted, **kwargs):
        if create and extracted:
            from scorecards.services.objectives import _set_supports

            _set_supports(self, extracted, actor=None)


class CascadeLinkFactory(ValidatedFactory):
    """A business unit's objective supporting an enterprise objective."""

    class Meta:
        model = CascadeLink

    supported = factory.SubFactory(ObjectiveFactory, unit=factory.SubFactory(EnterpriseFactory))
    supporting = factory.SubFactory(ObjectiveFactory)


class CauseEffectFactory(ValidatedFactory):
    """An arrow between two objectives of the same unit."""

    class Meta:
        model = CauseEffect

    cause = factory.SubFactory(ObjectiveFactory)
    effect = factory.SubFactory(ObjectiveFactory, unit=factory.SelfAttribute("..cause.unit"))


class MeasureFactory(ValidatedFactory):
    """A monthly, higher-is-better measure; its unit is its objective's (as the service sets).
    `sources=[...]` sets a rollup's sources and a `formula` is resolved into its inputs, both
    validated like `measure_create`."""

    class Meta:
        model = Measure

    objective = factory.SubFactory(ObjectiveFactory)
    unit = factory.SelfAttribute("objective.unit")
    code = factory.Sequence(lambda n: f"M{n}")
    name = factory.LazyAttribute(lambda o: f"Measure {o.code}")
    polarity = Polarity.INCREASE
    frequency = Frequency.MONTHLY
    weight = Decimal("1")
    rollup = Rollup.NONE

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        from scorecards.services.measures import _set_formula_inputs, _set_sources

        if create and self.formula:
            _set_formula_inputs(self)
        if create and extracted:
            _set_sources(self, extracted)


class RollupSourceFactory(ValidatedFactory):
    """An enterprise rollup measure taking a business unit's measure as a source."""

    class Meta:
        model = RollupSource

    rollup_measure = factory.SubFactory(
        MeasureFactory,
        rollup=Rollup.SUM,
        objective=factory.SubFactory(ObjectiveFactory, unit=factory.SubFactory(EnterpriseFactory)),
    )
    source = factory.SubFactory(MeasureFactory)


def _next_period(value) -> dt.date:
    """The measure's first period of 2026 (by its frequency and the fiscal year), then the
    periods after the ones it already has."""
    measure = value.measure
    first = period_start(FIRST_PERIOD, measure.frequency, settings.FISCAL_YEAR_START_MONTH)
    taken = measure.values.count() if measure.pk else 0
    return add_months(first, taken * months_in(measure.frequency))


class MeasureValueFactory(ValidatedFactory):
    """A value in the measure's next free period: actual 95, target 100, red flag 90."""

    class Meta:
        model = MeasureValue

    measure = factory.SubFactory(MeasureFactory)
    period = factory.LazyAttribute(_next_period)
    actual = Decimal("95")
    target = Decimal("100")
    red_flag = Decimal("90")


# Initiatives and budgets -------------------------------------------------------------------


class InitiativeFactory(ValidatedFactory):
    """An active 2026 initiative; `objectives=[...]` links it (validated like the service)."""

    class Meta:
        model = Initiative

    unit = factory.SubFactory(OrgUnitFactory)
    code = factory.Sequence(lambda n: f"INI{n}")
    name = factory.LazyAttribute(lambda o: f"Initiative {o.code}")
    start = dt.date(2026, 1, 1)
    end = dt.date(2026, 12, 31)
    status = InitiativeStatus.ACTIVE
    percent_complete = 0

    @factory.post_generation
    def objectives(self, create, extracted, **kwargs):
        if create and extracted:
            from initiatives.services import _set_objectives

            _set_objectives(self, extracted)


class InitiativeObjectiveFactory(ValidatedFactory):
    class Meta:
        model = InitiativeObjective

    initiative = factory.SubFactory(InitiativeFactory)
    objective = factory.SubFactory(
        ObjectiveFactory, unit=factory.SelfAttribute("..initiative.unit")
    )


class MilestoneFactory(ValidatedFactory):
    class Meta:
        model = Milestone

    initiative = factory.SubFactory(InitiativeFactory)
    name = factory.Sequence(lambda n: f"Milestone {n}")
    due = dt.date(2026, 6, 30)
    done_on = None


class BudgetLineFactory(ValidatedFactory):
    """An OPEX line of 2026 planning 1000.00; `stratex=True` makes it fund an initiative."""

    class Meta:
        model = BudgetLine

    class Params:
        stratex = factory.Trait(
            category=BudgetCategory.STRATEX,
            initiative=factory.SubFactory(InitiativeFactory, unit=factory.SelfAttribute("..unit")),
        )

    unit = factory.SubFactory(OrgUnitFactory)
    fiscal_year = 2026
    category = BudgetCategory.OPEX
    label = factory.Sequence(lambda n: f"Line {n}")
    planned = Decimal("1000.00")
    actual = Decimal("0.00")


# People ------------------------------------------------------------------------------------


class EmployeeFactory(ValidatedFactory):
    class Meta:
        model = Employee

    user = None
    name = factory.Sequence(lambda n: f"Employee {n}")
    email = factory.Sequence(lambda n: f"employee{n}@example.com")
    unit = factory.SubFactory(OrgUnitFactory)
    active = True


class GoalFactory(ValidatedFactory):
    class Meta:
        model = Goal

    employee = factory.SubFactory(EmployeeFactory)
    fiscal_year = 2026
    kind = GoalKind.PERFORMANCE
    title = factory.Sequence(lambda n: f"Goal {n}")
    weight = Decimal("1")
    progress = 0


class IncentiveComponentFactory(ValidatedFactory):
    class Meta:
        model = IncentiveComponent

    employee = factory.SubFactory(EmployeeFactory)
    fiscal_year = 2026
    name = factory.Sequence(lambda n: f"Bonus part {n}")
    weight = Decimal("1")


# Reviews and the ledger --------------------------------------------------------------------


class ReviewMeetingFactory(ValidatedFactory):
    """An operational review; `attendees=[...]` sets who attends."""

    class Meta:
        model = ReviewMeeting

    kind = MeetingKind.OPERATIONAL
    unit = factory.SubFactory(OrgUnitFactory)
    title = factory.Sequence(lambda n: f"Review {n}")
    scheduled_for = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC)

    @factory.post_generation
    def attendees(self, create, extracted, **kwargs):
        if create and extracted:
            self.attendees.set(extracted)


class ActionItemFactory(ValidatedFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(ReviewMeetingFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    due = dt.date(2026, 3, 1)
    status = ActionStatus.OPEN


class OutgoingMessageFactory(ValidatedFactory):
    class Meta:
        model = OutgoingMessage

    kind = "reminder"
    recipient = factory.Sequence(lambda n: f"recipient{n}@example.com")
    subject_key = factory.Sequence(lambda n: f"measure:{n}")
    period = dt.date(2026, 1, 1)


# A small organisation ----------------------------------------------------------------------


def four_level_tree() -> SimpleNamespace:
    """ENT > (B1 > (D1 > T1), B2 > D2), S1: four levels deep, with two branches.

    Codes: ENT, B1, B2, S1 (support), D1, D2 (departments), T1 (team below D1).
    """
    ent = EnterpriseFactory()
    b1 = OrgUnitFactory(code="B1", parent=ent)
    b2 = OrgUnitFactory(code="B2", parent=ent)
    s1 = OrgUnitFactory(code="S1", parent=ent, kind=UnitKind.SUPPORT)
    d1 = OrgUnitFactory(code="D1", parent=b1, kind=UnitKind.DEPARTMENT)
    d2 = OrgUnitFactory(code="D2", parent=b2, kind=UnitKind.DEPARTMENT)
    t1 = OrgUnitFactory(code="T1", parent=d1, kind=UnitKind.TEAM)
    return SimpleNamespace(ent=ent, b1=b1, b2=b2, s1=s1, d1=d1, d2=d2, t1=t1)


# Goal templates (people) -------------------------------------------------------------------


class GoalTemplateFactory(ValidatedFactory):
    """A goal template, linked to nothing unless `objective` / `measure` are given."""

    class Meta:
        model = "people.GoalTemplate"  # by name: this block is appended, imports stay on top

    name = factory.Sequence(lambda n: f"Template {n}")
    fiscal_year = 2026
    kind = GoalKind.PERFORMANCE
    title = factory.Sequence(lambda n: f"Templated goal {n}")
    weight = Decimal("1")


class CalendarEventFactory(ValidatedFactory):
    """A budget deadline of a unit's strategy calendar on 15 October 2026."""

    class Meta:
        model = CalendarEvent

    unit = factory.SubFactory(OrgUnitFactory)
    kind = EventKind.BUDGET_DEADLINE
    title = factory.Sequence(lambda n: f"Deadline {n}")
    starts_on = dt.date(2026, 10, 15)


# Test and adapt ----------------------------------------------------------------------------


class StrategyTestRunFactory(ValidatedFactory):
    """A finished run of 27 November 2026."""

    class Meta:
        model = StrategyTestRun

    run_on = dt.date(2026, 11, 27)
    status = StrategyTestRun.Status.DONE
    max_lag = 6


class StrategyTestResultFactory(ValidatedFactory):
    """A supported arrow: lag 2, r 0.62 over 30 periods of one unit."""

    class Meta:
        model = StrategyTestResult

    run = factory.SubFactory(StrategyTestRunFactory)
    link = factory.SubFactory(CauseEffectFactory)
    unit = factory.SelfAttribute("link.cause.unit")
    cause = factory.SelfAttribute("link.cause")
    effect = factory.SelfAttribute("link.effect")
    verdict = StrategyTestResult.Verdict.SUPPORTED
    frequency = "monthly"
    lag = 2
    effect_size = 0.62
    ci_low = 0.33
    ci_high = 0.80
    p_value = 0.0003
    p_adjusted = 0.002
    periods = 30
    units = 1
    pairs_tested = 1


# Report subscriptions ----------------------------------------------------------------------


class ReportSubscriptionFactory(ValidatedFactory):
    """A monthly subscription on the 3rd to a unit's scorecard workbook, of a user with a
    role (an executive: he or she sees every unit)."""

    class Meta:
        model = "reports.ReportSubscription"  # by name: this block is appended, imports stay on top

    user = factory.SubFactory(UserFactory, roles=["Executive"])
    unit = factory.SubFactory(OrgUnitFactory)
    kind = "scorecard_xlsx"
    cadence = "monthly"
    day = 3


# Communication: announcements, practices, awareness pulses --------------------------------


class AnnouncementFactory(ValidatedFactory):
    """An announcement to a (new) business unit by an OSM staff member; `objectives=[...]`
    ties it to them. Made directly, so nobody is notified (the service notifies)."""

    class Meta:
        model = Announcement

    unit = factory.SubFactory(OrgUnitFactory)
    title = factory.Sequence(lambda n: f"Announcement {n}")
    body = "We *focus* on what matters."
    author = factory.SubFactory(UserFactory, roles=["OSM staff"])

    @factory.post_generation
    def objectives(self, create, extracted, **kwargs):
        if create and extracted:
            self.objectives.set(extracted)


class AnnouncementReadFactory(ValidatedFactory):
    """A read mark of an announcement by a user."""

    class Meta:
        model = AnnouncementRead

    announcement = factory.SubFactory(AnnouncementFactory)
    user = factory.SubFactory(UserFactory, roles=["Employee"])


class PracticeFactory(ValidatedFactory):
    """A practice of a (new) business unit by a (new) employee; `objectives=[...]` and
    `measures=[...]` link it."""

    class Meta:
        model = Practice

    unit = factory.SubFactory(OrgUnitFactory)
    title = factory.Sequence(lambda n: f"Practice {n}")
    body = "What we do, how, and what it changed."
    author = factory.SubFactory(UserFactory, roles=[EMPLOYEE])

    @factory.post_generation
    def objectives(self, create, extracted, **kwargs):
        if create and extracted:
            self.objectives.set(extracted)

    @factory.post_generation
    def measures(self, create, extracted, **kwargs):
        if create and extracted:
            self.measures.set(extracted)


class EndorsementFactory(ValidatedFactory):
    """Someone (a new employee) endorsing a practice."""

    class Meta:
        model = Endorsement

    practice = factory.SubFactory(PracticeFactory)
    user = factory.SubFactory(UserFactory, roles=[EMPLOYEE])


class PulseFactory(ValidatedFactory):
    """A pulse of a business unit's subtree, open from 20 November to 4 December 2026."""

    class Meta:
        model = Pulse

    unit = factory.SubFactory(OrgUnitFactory)
    title = factory.Sequence(lambda n: f"Pulse {n}")
    opens_on = dt.date(2026, 11, 20)
    closes_on = dt.date(2026, 12, 4)


class PulseRespondentFactory(ValidatedFactory):
    class Meta:
        model = PulseRespondent

    pulse = factory.SubFactory(PulseFactory)
    user = factory.SubFactory(UserFactory)


class PulseAnswerFactory(ValidatedFactory):
    """An aware answer of understanding 3 from the pulse's own unit."""

    class Meta:
        model = PulseAnswer

    pulse = factory.SubFactory(PulseFactory)
    unit = factory.SelfAttribute("pulse.unit")
    objective = None
    aware = True
    understanding = 3
