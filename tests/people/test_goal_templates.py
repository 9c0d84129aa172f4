"""Goal templates: the model's rules, and applying one to thousands of employees at once,
all or nothing, without duplicates, in a fixed number of queries."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.versioning import data_version
from people import selectors, services
from people.choices import GoalKind
from people.models import Employee, Goal, GoalTemplate
from tests import factories as f
from tests.helpers import db_refuses, refused

pytestmark = pytest.mark.django_db
EVERYONE = "__all__"


def apply(template, by=None, **kwargs):
    return services.goal_template_apply(actor=by, template=template, **kwargs)


def test_applying_to_a_unit_gives_its_subtrees_active_employees_the_goal(world):
    template = f.GoalTemplateFactory(
        name="Sales push", title="Open accounts", weight=Decimal("0.25"), objective=world.sell
    )
    hr = world.users["hr"]
    done = apply(template, unit=world.b1, by=hr)
    # B1's subtree is B1 and D1: Ann (D1) and Bob (B1) are active, Dan (D1) is not
    assert (done.matched, done.created, done.skipped) == (2, 2, 0)
    goals = Goal.objects.filter(template=template).order_by("employee__name")
    assert [g.employee.name for g in goals] == ["Ann", "Bob"]
    for goal in goals:
        assert (goal.fiscal_year, goal.kind, goal.title, goal.weight) == (
            2026,
            GoalKind.PERFORMANCE,
            "Open accounts",
            Decimal("0.25"),
        )
        assert (goal.objective, goal.measure, goal.progress) == (world.sell, None, 0)
        record = goal.history.get()  # the change history is written too
        assert (record.history_type, record.history_user) == ("+", hr)


def test_applying_twice_gives_nobody_a_second_goal(world):
    template = f.GoalTemplateFactory(objective=world.sell)
    apply(template, unit=world.b1)
    again = apply(template, unit=world.b1)
    assert (again.matched, again.created, again.skipped) == (2, 0, 2)
    assert Goal.objects.filter(template=template).count() == 2
    f.EmployeeFactory(name="Eve", unit=world.d1)  # joins later
    third = apply(template, unit=world.b1)
    assert (third.matched, third.created, third.skipped) == (3, 1, 2)
    assert Goal.objects.filter(template=template).count() == 3


def test_a_template_of_another_year_is_another_goal(world):
    template = f.GoalTemplateFactory(objective=world.sell)
    apply(template, unit=world.b1)
    services.goal_template_update(actor=None, instance=template, data={"fiscal_year": 2027})
    done = apply(template, unit=world.b1)
    # the 2026 goals do not count for 2027: both get one again
    assert (done.created, done.skipped) == (2, 0)
    assert sorted(Goal.objects.filter(template=template).values_list("fiscal_year", flat=True)) == [
        2026,
        2026,
        2027,
        2027,
    ]


def test_by_job_family_and_by_both(world):
    unlinked = f.GoalTemplateFactory()
    done = apply(unlinked, job_family="Sales")
    # Sales: Ann and Bob (Dan is not active)
    assert (done.matched, done.created) == (2, 2)
    linked = f.GoalTemplateFactory(objective=world.grow)
    f.EmployeeFactory(name="Sal", unit=world.b2, job_family="Sales")
    done = apply(linked, unit=world.b2, job_family="Sales")
    # Sales within B2: Sal only (Cid is in Engineering)
    assert (done.matched, done.created) == (1, 1)
    assert Goal.objects.get(template=linked).employee.name == "Sal"


def test_one_employee_out_of_reach_and_nothing_is_applied(world):
    template = f.GoalTemplateFactory(objective=world.sell)  # B1's objective
    f.EmployeeFactory(name="Sal", unit=world.b2, job_family="Sales")
    before = Goal.objects.count()
    version = data_version()
    with refused(
        {
            EVERYONE: [
                "The goal serves objective B1.SELL, so only employees of B1 or a unit below it "
                "may have it; 1 of the 3 employees of job family Sales is not: Sal (B2). "
                "Nothing was applied: choose a unit within B1, or a template linked higher up."
            ]
        }
    ):
        apply(template, job_family="Sales")
    assert Goal.objects.count() == before
    assert data_version() == version


def test_the_refusal_names_a_few_of_many(world):
    template = f.GoalTemplateFactory(objective=world.make)  # B2's objective
    Employee.objects.bulk_create(
        Employee(name=f"P{i}", email=f"p{i}@example.com", unit=world.b1) for i in range(8)
    )
    with pytest.raises(ValidationError) as info:
        apply(template, unit=world.ent)
    message = info.value.messages[0]
    # ENT's active employees: Ann, Bob, Cid and the 8 Ps = 11; all but Cid (B2) are out
    assert "10 of the 11 employees of ENT and the units below it are not" in message
    assert "Ann (D1), Bob (B1), P0 (B1), P1 (B1), P2 (B1), …" in message
    assert not Goal.objects.filter(template=template).exists()


def test_with_an_objective_and_a_measure_the_lower_unit_decides(world):
    d1_objective = f.ObjectiveFactory(unit=world.d1, code="D1O")
    d1_measure = f.MeasureFactory(objective=d1_objective, code="D1M")
    template = f.GoalTemplateFactory(objective=world.sell, measure=d1_measure)
    with pytest.raises(ValidationError) as info:
        apply(template, unit=world.b1)  # Bob is in B1, above D1
    assert "only employees of D1 or a unit below it" in info.value.messages[0]
    assert "1 of the 2 employees" in info.value.messages[0]
    done = apply(template, unit=world.d1)
    assert (done.created, Goal.objects.get(template=template).employee) == (1, world.ann)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "Choose a unit, a job family or both."),
        ({"job_family": "  "}, "Choose a unit, a job family or both."),
        ({"job_family": "Pilots"}, "No active employee of job family Pilots."),
    ],
)
def test_nothing_to_apply_to(world, kwargs, message):
    template = f.GoalTemplateFactory()
    with refused({EVERYONE: [message]}):
        apply(template, **kwargs)


def test_nobody_active_in_the_unit(world):
    empty = f.OrgUnitFactory(code="EMPTY", parent=world.ent)
    with refused({EVERYONE: ["No active employee of EMPTY and the units below it."]}):
        apply(f.GoalTemplateFactory(), unit=empty)


def test_a_goal_written_meanwhile_undoes_the_whole_apply(world, monkeypatch):
    """Two applies at the same moment (here: the check sees a stale picture): the database
    refuses the duplicate and nothing at all is written."""
    template = f.GoalTemplateFactory(objective=world.sell)
    apply(template, unit=world.d1)  # Ann has it
    stale = selectors.Audience(
        matched=2,
        receive=[world.bob.pk, world.ann.pk],
        skipped=0,
        out_of_reach=0,
        examples=[],
        reach_unit=world.b1,
    )
    monkeypatch.setattr(services, "template_audience", lambda *a, **k: stale)
    with pytest.raises(ValidationError) as info:
        apply(template, unit=world.b1)
    assert "at the same moment; nothing was applied" in info.value.messages[0]
    assert not Goal.objects.filter(template=template, employee=world.bob).exists()


def test_the_database_keeps_one_goal_per_template_employee_and_year(world):
    template = f.GoalTemplateFactory()
    apply(template, unit=world.d1)
    goal = Goal.objects.get(template=template)
    with db_refuses():
        Goal.objects.create(
            employee=goal.employee, fiscal_year=2026, title="Twice", template=template
        )
    # goals without a template are not concerned
    Goal.objects.create(employee=goal.employee, fiscal_year=2026, title="Free one")
    Goal.objects.create(employee=goal.employee, fiscal_year=2026, title="Free two")


def test_deleting_a_template_keeps_its_goals(world):
    template = f.GoalTemplateFactory()
    apply(template, unit=world.d1)
    services.goal_template_delete(actor=None, instance=template)
    assert Goal.objects.filter(employee=world.ann, template=None, title=template.title).exists()


@pytest.mark.django_db(transaction=True)  # the version moves once the apply commits
def test_the_data_version_moves_with_an_apply(world):
    before = data_version()
    apply(f.GoalTemplateFactory(), unit=world.d1)
    assert data_version() != before


# The model's rules ---------------------------------------------------------------------------


def test_template_rules(world):
    with refused({"weight": ["The weight must be positive."]}):
        services.goal_template_create(
            actor=None,
            data={"name": "T", "fiscal_year": 2026, "title": "X", "weight": Decimal("0")},
        )
    with refused({"__all__": ["The fiscal year must be between 1900 and 2999."]}):
        services.goal_template_create(
            actor=None, data={"name": "T", "fiscal_year": 1800, "title": "X"}
        )
    services.goal_template_create(actor=None, data={"name": "T", "fiscal_year": 2026, "title": "X"})
    with refused({"__all__": ["A template of this fiscal year already has this name."]}):
        services.goal_template_create(
            actor=None, data={"name": "T", "fiscal_year": 2026, "title": "Y"}
        )
    services.goal_template_create(
        actor=None, data={"name": "T", "fiscal_year": 2027, "title": "X"}
    )  # another year


def test_an_objective_and_a_measure_on_two_branches_are_refused(world):
    b2_measure = f.MeasureFactory(objective=world.make, code="MK")
    with refused(
        {
            "measure": [
                "B2.MK and the objective B1.SELL are on different branches of the "
                "organisation: no employee could receive the goal."
            ]
        }
    ):
        services.goal_template_create(
            actor=None,
            data={
                "name": "T",
                "fiscal_year": 2026,
                "title": "X",
                "objective": world.sell,
                "measure": b2_measure,
            },
        )
    # one above the other is fine: GROW (ENT) with a measure of B1
    services.goal_template_create(
        actor=None,
        data={
            "name": "T",
            "fiscal_year": 2026,
            "title": "X",
            "objective": world.grow,
            "measure": world.rev,
        },
    )


def test_the_database_checks_templates_too(world):
    with db_refuses():
        GoalTemplate.objects.create(name="W", fiscal_year=2026, title="X", weight=0)
    with db_refuses():
        GoalTemplate.objects.create(name="K", fiscal_year=2026, title="X", kind="holiday")
    with db_refuses():
        GoalTemplate.objects.create(name="Y", fiscal_year=99, title="X")


# Scale ---------------------------------------------------------------------------------------


def many_employees(unit, count, start=0):
    Employee.objects.bulk_create(
        Employee(name=f"Many {i:05}", email=f"many{i}@example.com", unit=unit)
        for i in range(start, start + count)
    )


def apply_queries(template, unit) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        done = apply(template, unit=unit)
    return done.created, [q["sql"] for q in captured.captured_queries]


def test_apply_queries_do_not_grow_with_employees(world):
    """20 employees, then 60: the same queries (none per employee); the goals and their
    history go in one INSERT each at these sizes."""
    small_unit = f.OrgUnitFactory(code="SMALL", parent=world.b1)
    large_unit = f.OrgUnitFactory(code="LARGE", parent=world.b1)
    many_employees(small_unit, 20)
    many_employees(large_unit, 60, start=1000)
    template = f.GoalTemplateFactory(objective=world.sell)
    apply(f.GoalTemplateFactory(), unit=world.d1)  # warm-up
    small_created, small = apply_queries(template, small_unit)
    large_created, large = apply_queries(template, large_unit)
    assert (small_created, large_created) == (20, 60)
    assert len(large) == len(small)
    assert sum(sql.startswith("INSERT") for sql in large) == 2  # goals, their history


def test_hundreds_of_employees_take_batched_inserts_not_a_query_each(world):
    """500 employees: the reads are the same as for 20; the rows go in multi-row INSERTs
    (SQLite takes at most 999 parameters a statement, so 90 goals or 66 history rows each;
    PostgreSQL 2,000 of either): at least 50 rows an INSERT on average."""
    small_unit = f.OrgUnitFactory(code="SMALL", parent=world.b1)
    large_unit = f.OrgUnitFactory(code="LARGE", parent=world.b1)
    many_employees(small_unit, 20)
    many_employees(large_unit, 500, start=1000)
    template = f.GoalTemplateFactory(objective=world.sell)
    apply(f.GoalTemplateFactory(), unit=world.d1)  # warm-up
    _, small = apply_queries(template, small_unit)
    created, large = apply_queries(template, large_unit)
    assert created == 500
    reads = [sql for sql in large if not sql.startswith("INSERT")]
    assert len(reads) == len([sql for sql in small if not sql.startswith("INSERT")])
    inserts = len(large) - len(reads)
    # 500 goals + 500 history rows = 1,000 rows, at least 50 a statement: 20 INSERTs at most
    assert inserts <= 20


def test_the_preview_counts_match_the_apply(world):
    template = f.GoalTemplateFactory(objective=world.sell)
    apply(template, unit=world.d1)  # Ann has it
    f.EmployeeFactory(name="Eve", unit=world.d1)
    audience = selectors.template_audience(template, unit=world.b1)
    # B1 subtree, active: Ann (has it), Bob, Eve → 3 matched, 1 skipped, Bob and Eve receive
    assert (audience.matched, audience.skipped, audience.out_of_reach) == (3, 1, 0)
    assert sorted(audience.receive) == sorted([world.bob.pk, Employee.objects.get(name="Eve").pk])
    done = apply(template, unit=world.b1)
    assert (done.matched, done.created, done.skipped) == (3, 2, 1)
