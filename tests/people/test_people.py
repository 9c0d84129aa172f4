"""Employees, goals and incentive components: weights, progress, links to the strategy of
the employee's unit or above, change history."""

from decimal import Decimal

import pytest

from people import services
from people.choices import GoalKind
from people.models import Employee, Goal, IncentiveComponent
from tests import factories as f
from tests.helpers import db_refuses, refused

pytestmark = pytest.mark.django_db

WEIGHT_MESSAGE = "The weight must be positive."


@pytest.fixture
def tree():
    return f.four_level_tree()


@pytest.fixture
def employee(tree):
    """An employee of D1 (below B1, below ENT)."""
    return f.EmployeeFactory(unit=tree.d1, name="Dora")


def set_goal(employee, by=None, **fields):
    fields.setdefault("fiscal_year", 2026)
    fields.setdefault("title", "Sell more")
    return services.goal_create(actor=by, data={"employee": employee, **fields})


def set_incentive(employee, by=None, **fields):
    fields.setdefault("fiscal_year", 2026)
    fields.setdefault("name", "Sales bonus")
    fields.setdefault("weight", Decimal("1"))
    return services.incentive_create(actor=by, data={"employee": employee, **fields})


# Employees ---------------------------------------------------------------------------------


def test_employee_create_and_update(tree):
    user, boss = f.UserFactory(), f.EmployeeFactory(unit=tree.b1)
    employee = services.employee_create(
        actor=None,
        data={
            "user": user,
            "name": "Ann",
            "email": "ann@example.com",
            "unit": tree.d1,
            "manager": boss,
        },
    )
    services.employee_update(
        actor=None, instance=employee, data={"unit": tree.t1, "job_family": "Sales"}
    )
    employee = Employee.objects.get(pk=employee.pk)
    assert (employee.user, employee.unit, employee.manager, employee.job_family) == (
        user,
        tree.t1,
        boss,
        "Sales",
    )
    assert employee.active


def test_employee_emails_are_unique(employee, tree):
    with refused({"email": ["Employee with this Email already exists."]}):
        services.employee_create(
            actor=None, data={"name": "Twin", "email": employee.email, "unit": tree.b1}
        )


def test_an_employee_cannot_be_his_own_manager(employee):
    with refused({"manager": ["An employee cannot be his or her own manager."]}):
        services.employee_update(actor=None, instance=employee, data={"manager": employee})
    assert Employee.objects.get(pk=employee.pk).manager is None


def test_the_database_refuses_an_employee_managing_himself(employee):
    with db_refuses():
        Employee.objects.filter(pk=employee.pk).update(manager=employee)


# Goals -------------------------------------------------------------------------------------


def test_goal_create_sets_every_field(employee, tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.d1))
    goal = set_goal(
        employee,
        kind=GoalKind.DEVELOPMENT,
        weight=Decimal("0.5"),
        progress=40,
        objective=objective,
        measure=measure,
    )
    goal = Goal.objects.get(pk=goal.pk)
    assert (goal.employee, goal.fiscal_year, goal.kind, goal.title) == (
        employee,
        2026,
        GoalKind.DEVELOPMENT,
        "Sell more",
    )
    assert (goal.weight, goal.progress, goal.objective, goal.measure) == (
        Decimal("0.5"),
        40,
        objective,
        measure,
    )
    assert goal.is_aligned


def test_an_unlinked_goal_is_not_aligned(employee):
    assert not set_goal(employee).is_aligned


@pytest.mark.parametrize("weight", [Decimal("0"), Decimal("-1")])
def test_a_goal_weight_must_be_positive(employee, weight):
    with refused({"__all__": [WEIGHT_MESSAGE]}):
        set_goal(employee, weight=weight)
    assert not Goal.objects.exists()


def test_the_database_refuses_a_zero_goal_weight(employee):
    with db_refuses():
        Goal.objects.create(employee=employee, fiscal_year=2026, title="X", weight=0)


def test_goal_progress_above_100_is_refused(employee):
    with refused({"__all__": ["Progress is a percentage between 0 and 100."]}):
        set_goal(employee, progress=101)


def test_negative_goal_progress_is_refused(employee):
    with refused({"progress": ["Ensure this value is greater than or equal to 0."]}):
        set_goal(employee, progress=-1)


@pytest.mark.parametrize("progress", [0, 100])
def test_goal_progress_bounds_are_allowed(employee, progress):
    assert set_goal(employee, progress=progress).progress == progress


def test_the_database_refuses_goal_progress_above_100(employee):
    with db_refuses():
        Goal.objects.create(employee=employee, fiscal_year=2026, title="X", progress=101)


@pytest.mark.parametrize("where", ["d1", "b1", "ent"])
def test_a_goal_may_serve_an_objective_of_the_employees_unit_or_above(employee, tree, where):
    objective = f.ObjectiveFactory(unit=getattr(tree, where))
    goal = services.goal_link(goal=set_goal(employee), objective=objective, actor=None)
    assert Goal.objects.get(pk=goal.pk).objective == objective


@pytest.mark.parametrize("where", ["t1", "b2", "d2"])
def test_a_goal_serving_an_objective_of_another_branch_or_below_is_refused(employee, tree, where):
    # T1 is below D1; B2 and D2 are another branch.
    objective = f.ObjectiveFactory(unit=getattr(tree, where), code="ELSE")
    goal = set_goal(employee)
    message = f"{where.upper()}.ELSE is not an objective of D1 or a unit above it."
    with refused({"objective": [message]}):
        services.goal_link(goal=goal, objective=objective, actor=None)
    assert Goal.objects.get(pk=goal.pk).objective is None


def test_a_goal_serving_a_measure_of_another_branch_is_refused(employee, tree):
    measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.s1), code="SAT")
    with refused({"measure": ["S1.SAT is not a measure of D1 or a unit above it."]}):
        set_goal(employee, measure=measure)
    assert not Goal.objects.exists()


def test_goal_link_none_unlinks(employee, tree):
    goal = set_goal(employee, objective=f.ObjectiveFactory(unit=tree.b1))
    services.goal_link(goal=goal, actor=None)
    goal = Goal.objects.get(pk=goal.pk)
    assert (goal.objective, goal.measure) == (None, None)


def test_goal_update_and_delete(employee):
    goal = set_goal(employee)
    services.goal_update(
        actor=None, instance=goal, data={"progress": 80, "title": "Sell much more"}
    )
    assert Goal.objects.filter(progress=80, title="Sell much more").count() == 1
    services.goal_delete(actor=None, instance=goal)
    assert not Goal.objects.exists()


def test_goal_update_refuses_unknown_fields(employee, tree):
    # `employee` is no longer unknown: goal_update moves a goal (goal_reassign folded in,
    # below); the template a goal was applied from is set by goal_template_apply only.
    goal = set_goal(employee)
    with refused({"template": ["This field cannot be changed here."]}):
        services.goal_update(actor=None, instance=goal, data={"template": f.GoalTemplateFactory()})


def test_goal_update_moves_a_goal_within_the_new_employees_reach_only(employee, tree):
    goal = set_goal(employee, objective=f.ObjectiveFactory(unit=tree.b1, code="B1_OWN"))
    beside = f.EmployeeFactory(unit=tree.b2)
    with refused({"objective": ["B1.B1_OWN is not an objective of B2 or a unit above it."]}):
        services.goal_update(actor=None, instance=goal, data={"employee": beside})
    assert Goal.objects.get(pk=goal.pk).employee == employee
    below = f.EmployeeFactory(unit=tree.t1)
    services.goal_update(actor=None, instance=goal, data={"employee": below, "progress": 20})
    goal = Goal.objects.get(pk=goal.pk)
    assert (goal.employee, goal.progress) == (below, 20)


def test_incentive_update_moves_a_component_within_the_new_employees_reach_only(employee, tree):
    measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.d1), code="D1_REV")
    component = set_incentive(employee, measure=measure)
    above = f.EmployeeFactory(unit=tree.b1)
    with refused({"measure": ["D1.D1_REV is not a measure of B1 or a unit above it."]}):
        services.incentive_update(actor=None, instance=component, data={"employee": above})
    below = f.EmployeeFactory(unit=tree.t1)
    services.incentive_update(actor=None, instance=component, data={"employee": below})
    assert IncentiveComponent.objects.get(pk=component.pk).employee == below


def test_goal_history_is_kept(employee):
    alice, bob = f.UserFactory(), f.UserFactory()
    goal = set_goal(employee, by=alice)
    services.goal_update(actor=bob, instance=goal, data={"progress": 50})
    created, updated = goal.history.order_by("history_id")
    assert goal.history.count() == 2
    assert (created.history_user, updated.history_user) == (alice, bob)
    delta = updated.diff_against(created)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("progress", 0, 50)]


# Incentive components ----------------------------------------------------------------------


def test_incentive_create_and_link(employee, tree):
    component = set_incentive(employee, weight=Decimal("0.3"))
    assert not component.is_linked
    measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.ent))
    services.incentive_link(component=component, measure=measure, actor=None)
    component = IncentiveComponent.objects.get(pk=component.pk)
    assert (component.weight, component.measure, component.objective) == (
        Decimal("0.3"),
        measure,
        None,
    )
    assert component.is_linked


@pytest.mark.parametrize("weight", [Decimal("0"), Decimal("-2")])
def test_an_incentive_weight_must_be_positive(employee, weight):
    with refused({"__all__": [WEIGHT_MESSAGE]}):
        set_incentive(employee, weight=weight)
    assert not IncentiveComponent.objects.exists()


def test_the_database_refuses_a_zero_incentive_weight(employee):
    with db_refuses():
        IncentiveComponent.objects.create(
            employee=employee, fiscal_year=2026, name="X", weight=Decimal("0")
        )


def test_an_incentive_linked_to_another_branchs_objective_is_refused(employee, tree):
    objective = f.ObjectiveFactory(unit=tree.b2, code="ELSE")
    component = set_incentive(employee)
    with refused({"objective": ["B2.ELSE is not an objective of D1 or a unit above it."]}):
        services.incentive_link(component=component, objective=objective, actor=None)
    assert IncentiveComponent.objects.get(pk=component.pk).objective is None


def test_an_incentive_linked_to_a_measure_below_is_refused(employee, tree):
    measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.t1), code="LOW")
    with refused({"measure": ["T1.LOW is not a measure of D1 or a unit above it."]}):
        set_incentive(employee, measure=measure)


def test_incentive_update_refuses_unknown_fields(employee):
    component = set_incentive(employee)
    with refused({"progress": ["This field cannot be changed here."]}):
        services.incentive_update(actor=None, instance=component, data={"progress": 10})


def test_incentive_history_is_kept(employee):
    alice, bob = f.UserFactory(), f.UserFactory()
    component = set_incentive(employee, by=alice)
    services.incentive_update(actor=bob, instance=component, data={"weight": Decimal("2")})
    created, updated = component.history.order_by("history_id")
    assert component.history.count() == 2
    assert (created.history_user, updated.history_user) == (alice, bob)
    delta = updated.diff_against(created)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("weight", Decimal("1"), Decimal("2"))
    ]
