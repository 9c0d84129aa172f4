"""Strategic initiatives and milestones: rules of data and services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from initiatives import services
from initiatives.choices import InitiativeStatus
from initiatives.models import Initiative, InitiativeObjective, Milestone
from tests import factories as f
from tests.helpers import db_refuses, refused

pytestmark = pytest.mark.django_db

CODE_MESSAGE = "A code starts with a letter and holds only letters, digits and underscores."
JAN, DEC = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


@pytest.fixture
def tree():
    return f.four_level_tree()


def launch(unit, code="PUSH", by=None, **fields):
    fields.setdefault("start", JAN)
    return services.initiative_create(
        actor=by, data={"unit": unit, "code": code, "name": "Push sales", **fields}
    )


# Services ----------------------------------------------------------------------------------


def test_initiative_create_sets_every_field_and_links_objectives(tree):
    owner, alice = f.UserFactory(), f.UserFactory()
    own, above, below = (
        f.ObjectiveFactory(unit=tree.b1),
        f.ObjectiveFactory(unit=tree.ent),
        f.ObjectiveFactory(unit=tree.t1),
    )
    initiative = launch(
        tree.b1,
        end=DEC,
        owner=owner,
        status=InitiativeStatus.ACTIVE,
        percent_complete=40,
        description="Door to door",
        objectives=[own, above, below],
        by=alice,
    )
    initiative = Initiative.objects.get(pk=initiative.pk)
    assert (initiative.unit, initiative.code, initiative.start, initiative.end) == (
        tree.b1,
        "PUSH",
        JAN,
        DEC,
    )
    assert (initiative.owner, initiative.status, initiative.percent_complete) == (
        owner,
        InitiativeStatus.ACTIVE,
        40,
    )
    assert set(initiative.objectives.all()) == {own, above, below}
    assert initiative.history.get().history_user == alice


def test_initiative_update_changes_fields_and_replaces_objectives(tree):
    first, second, third = f.ObjectiveFactory.create_batch(3, unit=tree.b1)
    initiative = launch(tree.b1, objectives=[first, second])
    services.initiative_update(
        actor=None,
        instance=initiative,
        data={"percent_complete": 75, "objectives": [second, third]},
    )
    initiative = Initiative.objects.get(pk=initiative.pk)
    assert initiative.percent_complete == 75
    assert set(initiative.objectives.all()) == {second, third}
    assert InitiativeObjective.objects.count() == 2


def test_initiative_update_without_objectives_keeps_them(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    initiative = launch(tree.b1, objectives=[objective])
    services.initiative_update(
        actor=None, instance=initiative, data={"status": InitiativeStatus.DONE}
    )
    assert list(initiative.objectives.all()) == [objective]


def test_initiative_update_refuses_unknown_fields(tree):
    initiative = launch(tree.b1, percent_complete=10)
    with refused({"created_at": ["This field cannot be changed here."]}):
        services.initiative_update(
            actor=None, instance=initiative, data={"percent_complete": 20, "created_at": None}
        )
    assert Initiative.objects.get(pk=initiative.pk).percent_complete == 10


def test_initiative_create_refuses_unknown_fields_and_creates_nothing(tree):
    with refused({"budget": ["This field cannot be changed here."]}):
        launch(tree.b1, budget=100)
    assert not Initiative.objects.exists()


def test_initiative_objectives_of_an_unrelated_unit_are_refused(tree):
    # B2 is neither above nor below B1.
    sibling = f.ObjectiveFactory(unit=tree.b2, code="ELSE")
    message = (
        "B2.ELSE: an initiative of B1 may advance objectives of its own unit and of the "
        "units above or below it only."
    )
    with refused({"objectives": [message]}):
        launch(tree.b1, objectives=[f.ObjectiveFactory(unit=tree.b1), sibling])
    assert not Initiative.objects.exists()
    assert not InitiativeObjective.objects.exists()


def test_a_failed_initiative_update_writes_nothing(tree):
    initiative = launch(tree.b1, percent_complete=10)
    with pytest.raises(ValidationError):
        services.initiative_update(
            actor=None,
            instance=initiative,
            data={"percent_complete": 50, "objectives": [f.ObjectiveFactory(unit=tree.s1)]},
        )
    assert Initiative.objects.get(pk=initiative.pk).percent_complete == 10


def test_initiative_delete(tree):
    initiative = launch(tree.b1, objectives=[f.ObjectiveFactory(unit=tree.b1)])
    services.initiative_delete(actor=None, instance=initiative)
    assert not Initiative.objects.exists()
    assert not InitiativeObjective.objects.exists()


def test_deleting_an_initiative_a_budget_line_funds_is_refused(tree):
    initiative = launch(tree.b1)
    f.BudgetLineFactory(unit=tree.b1, category="stratex", initiative=initiative, label="Ads")
    message = (
        "Initiative 'PUSH Push sales' cannot be deleted: 1 budget line (e.g. 2026 B1 Ads) "
        "still depends on it."
    )
    with refused({"__all__": [message]}):
        services.initiative_delete(actor=None, instance=initiative)
    assert Initiative.objects.filter(pk=initiative.pk).exists()


def test_milestone_add(tree):
    initiative = launch(tree.b1)
    milestone = services.milestone_create(
        actor=None,
        data={
            "initiative": initiative,
            "name": "Pilot",
            "due": dt.date(2026, 3, 31),
            "done_on": dt.date(2026, 3, 2),
        },
    )
    assert Milestone.objects.get(pk=milestone.pk).initiative == initiative


def test_a_milestone_cannot_be_done_before_its_initiative_starts(tree):
    initiative = launch(tree.b1)
    with refused({"done_on": ["A milestone cannot be done before its initiative starts."]}):
        services.milestone_create(
            actor=None,
            data={
                "initiative": initiative,
                "name": "Pilot",
                "due": JAN,
                "done_on": dt.date(2025, 12, 31),
            },
        )
    assert not Milestone.objects.exists()


# Codes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["1ABC", "A-B", "A B", "_A", "ÄB", "A.B"])
def test_an_initiative_code_must_match_the_code_pattern(tree, code):
    with refused({"code": [CODE_MESSAGE]}):
        launch(tree.b1, code=code)
    assert not Initiative.objects.exists()


def test_initiative_codes_are_unique_within_a_unit(tree):
    launch(tree.b1, code="PUSH")
    with refused({"__all__": ["This unit already has an initiative with this code."]}):
        launch(tree.b1, code="PUSH")
    assert Initiative.objects.count() == 1


def test_the_database_refuses_a_duplicate_initiative_code_in_a_unit(tree):
    launch(tree.b1, code="PUSH")
    with db_refuses():
        Initiative.objects.create(unit=tree.b1, code="PUSH", name="Twin", start=JAN)


def test_the_same_initiative_code_in_another_unit_is_fine(tree):
    launch(tree.b1, code="PUSH")
    assert launch(tree.b2, code="PUSH").unit == tree.b2


# Percent complete and dates ----------------------------------------------------------------


def test_percent_complete_above_100_is_refused(tree):
    with refused({"__all__": ["Percent complete is between 0 and 100."]}):
        launch(tree.b1, percent_complete=101)
    assert not Initiative.objects.exists()


def test_negative_percent_complete_is_refused(tree):
    with refused({"percent_complete": ["Ensure this value is greater than or equal to 0."]}):
        launch(tree.b1, percent_complete=-1)


@pytest.mark.parametrize("percent", [0, 100])
def test_percent_complete_bounds_are_allowed(tree, percent):
    assert launch(tree.b1, percent_complete=percent).percent_complete == percent


def test_the_database_refuses_percent_complete_above_100(tree):
    with db_refuses():
        Initiative.objects.create(unit=tree.b1, code="X", name="X", start=JAN, percent_complete=101)


def test_an_end_before_the_start_is_refused(tree):
    with refused({"__all__": ["The end date cannot be before the start date."]}):
        launch(tree.b1, start=JAN, end=dt.date(2025, 12, 31))
    assert not Initiative.objects.exists()


def test_an_end_on_the_start_day_is_allowed(tree):
    assert launch(tree.b1, start=JAN, end=JAN).end == JAN


def test_the_database_refuses_an_end_before_the_start(tree):
    with db_refuses():
        Initiative.objects.create(
            unit=tree.b1, code="X", name="X", start=JAN, end=dt.date(2025, 12, 31)
        )


def test_change_history_is_kept(tree):
    alice, bob = f.UserFactory(), f.UserFactory()
    initiative = launch(tree.b1, by=alice)
    services.initiative_update(actor=bob, instance=initiative, data={"percent_complete": 30})
    created, updated = initiative.history.order_by("history_id")
    assert (created.history_user, updated.history_user) == (alice, bob)
    delta = updated.diff_against(created)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("percent_complete", 0, 30)]


def test_moving_an_initiative_rechecks_the_objectives_it_keeps():
    ent = f.EnterpriseFactory()
    bu, other = f.OrgUnitFactory(code="BUX", parent=ent), f.OrgUnitFactory(code="HRX", parent=ent)
    objective = f.ObjectiveFactory(unit=bu, code="F1")
    initiative = f.InitiativeFactory(unit=bu, code="MOVE", objectives=[objective])
    with pytest.raises(ValidationError) as caught:
        services.initiative_update(actor=None, instance=initiative, data={"unit": other})
    assert "BUX.F1: an initiative of HRX may advance objectives" in str(caught.value)
    initiative.refresh_from_db()
    assert initiative.unit_id == bu.pk
