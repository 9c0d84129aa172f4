"""Moving a unit or an employee never leaves links pointing outside their allowed reach.

Tree used: ENT -> A (business) -> A1 (department); ENT -> B (business). Moving A1 under B
takes it out from under A, so links from A1 up to A's objectives would break.
"""

import pytest

from people import services as people_services
from scorecards import services
from scorecards.models import OrgUnit
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    ent = f.EnterpriseFactory()
    a = f.OrgUnitFactory(code="A", parent=ent)
    b = f.OrgUnitFactory(code="B", parent=ent)
    a1 = f.DepartmentFactory(code="A1", parent=a)
    return ent, a, b, a1


def move_refused(unit, parent, *fragments):
    with pytest.raises(Exception) as caught:
        services.unit_update(actor=None, instance=unit, data={"parent": parent})
    message = caught.value.message_dict["parent"][0]
    assert message.startswith(f"Moving {unit.code} there would break")
    for fragment in fragments:
        assert fragment in message
    unit.refresh_from_db()
    return message


def test_a_move_that_keeps_every_link_within_reach_is_allowed(tree):
    ent, _a, b, a1 = tree
    top = f.ObjectiveFactory(unit=ent, code="E1")
    f.ObjectiveFactory(unit=a1, code="D1", supports=[top])  # supports the enterprise: fine
    services.unit_update(actor=None, instance=a1, data={"parent": b})
    assert OrgUnit.objects.get(pk=a1.pk).parent_id == b.pk


def test_cascade_link_to_the_old_parent_blocks_the_move(tree):
    _ent, a, b, a1 = tree
    parent_objective = f.ObjectiveFactory(unit=a, code="A_OBJ")
    f.ObjectiveFactory(unit=a1, code="D_OBJ", supports=[parent_objective])
    move_refused(a1, b, "A1.D_OBJ supports A.A_OBJ")
    assert OrgUnit.objects.get(pk=a1.pk).parent_id == a.pk  # nothing changed


def test_rollup_source_blocks_the_move(tree):
    _ent, a, b, a1 = tree
    source = f.MeasureFactory(objective=f.ObjectiveFactory(unit=a1), code="SRC")
    f.MeasureFactory(
        objective=f.ObjectiveFactory(unit=a), code="TOTAL", rollup="sum", sources=[source]
    )
    move_refused(a1, b, "A1.SRC is a source of A.TOTAL")


def test_theme_of_the_old_parent_blocks_the_move(tree):
    _ent, a, b, a1 = tree
    theme = f.ThemeFactory(unit=a, name="Growth")
    f.ObjectiveFactory(unit=a1, code="T1", theme=theme)
    move_refused(a1, b, "A1.T1 uses the theme 'Growth' of A")


def test_initiative_link_blocks_the_move(tree):
    _ent, a, b, a1 = tree
    objective = f.ObjectiveFactory(unit=a1, code="D2")
    f.InitiativeFactory(unit=a, code="INI_A", objectives=[objective])
    move_refused(a1, b, "initiative A.INI_A advances A1.D2")


def test_goal_link_blocks_the_move(tree):
    _ent, a, b, a1 = tree
    objective = f.ObjectiveFactory(unit=a, code="A_GOALS")
    employee = f.EmployeeFactory(unit=a1, name="Ada")
    f.GoalFactory(employee=employee, title="Grow", objective=objective)
    move_refused(a1, b, "goal 'Grow' of Ada is linked to A.A_GOALS")


def test_action_item_of_an_old_ancestor_meeting_blocks_the_move(tree):
    _ent, a, b, a1 = tree
    objective = f.ObjectiveFactory(unit=a1, code="D3")
    meeting = f.ReviewMeetingFactory(unit=a)
    f.ActionItemFactory(meeting=meeting, objective=objective, title="Fix D3")
    move_refused(a1, b, "action item 'Fix D3' of a A meeting is about A1.D3")


def test_employee_move_refused_while_goals_point_at_the_old_unit(tree):
    _ent, a, b, a1 = tree
    objective = f.ObjectiveFactory(unit=a, code="A_OWN")
    employee = f.EmployeeFactory(unit=a, name="Bo")
    f.GoalFactory(employee=employee, title="Sell", objective=objective)
    with pytest.raises(Exception) as caught:
        people_services.employee_update(actor=None, instance=employee, data={"unit": b})
    assert caught.value.message_dict == {
        "unit": [
            "Bo cannot move to B: goal 'Sell' of Bo is linked to A.A_OWN. "
            "Link those to the new unit's strategy first."
        ]
    }
    employee.refresh_from_db()
    assert employee.unit_id == a.pk
    # moving down into A1 keeps A's objective above him: allowed
    people_services.employee_update(actor=None, instance=employee, data={"unit": a1})
    employee.refresh_from_db()
    assert employee.unit_id == a1.pk
