"""The scorecards services: happy paths, replace semantics of the links, upserts, refusal of
fields that may not change, and all-or-nothing writes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.services import apply_changes, save_validated
from scorecards import services
from scorecards.choices import Aggregation, Frequency, Polarity, Rollup, UnitKind
from scorecards.models import (
    CascadeLink,
    Measure,
    MeasureValue,
    Objective,
    OrgUnit,
    Perspective,
    RollupSource,
    Theme,
)
from tests import factories as f
from tests.helpers import refused

pytestmark = pytest.mark.django_db

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)
NOT_HERE = "This field cannot be changed here."


@pytest.fixture
def tree():
    return f.four_level_tree()


@pytest.fixture
def financial():
    return f.PerspectiveFactory(name="Financial")


# Helpers of core/services.py -------------------------------------------------------------------


def test_apply_changes_sets_allowed_fields():
    unit = OrgUnit(code="A", name="Old")
    assert apply_changes(unit, {"name": "New"}, allowed={"name"}) is unit
    assert unit.name == "New"


def test_apply_changes_refuses_every_unknown_field_and_sets_nothing():
    unit = OrgUnit(code="A", name="Old")
    with refused({"code": [NOT_HERE], "kind": [NOT_HERE]}):
        apply_changes(unit, {"name": "New", "kind": "team", "code": "B"}, allowed={"name"})
    assert (unit.code, unit.name) == ("A", "Old")


def test_save_validated_validates_before_saving(tree):
    with pytest.raises(ValidationError):
        save_validated(OrgUnit(code="1X", name="Bad", kind=UnitKind.TEAM, parent=tree.d1))
    assert not OrgUnit.objects.filter(name="Bad").exists()


# Units, themes, perspectives ---------------------------------------------------------------


def test_unit_create_returns_the_saved_unit(tree):
    head = f.UserFactory()
    unit = services.unit_create(
        actor=None,
        data={
            "code": "T2",
            "name": "Team 2",
            "kind": UnitKind.TEAM,
            "parent": tree.d1,
            "head": head,
        },
    )
    unit.refresh_from_db()
    assert (unit.code, unit.name, unit.kind, unit.parent, unit.head) == (
        "T2",
        "Team 2",
        UnitKind.TEAM,
        tree.d1,
        head,
    )


def test_unit_update_renames_and_reheads(tree):
    head = f.UserFactory()
    services.unit_update(actor=None, instance=tree.b1, data={"name": "Retail", "head": head})
    tree.b1.refresh_from_db()
    assert (tree.b1.name, tree.b1.head) == ("Retail", head)


def test_unit_update_refuses_unknown_fields(tree):
    with refused({"created_at": [NOT_HERE]}):
        services.unit_update(
            actor=None, instance=tree.b1, data={"name": "Retail", "created_at": None}
        )
    tree.b1.refresh_from_db()
    assert tree.b1.name == "Unit B1"


def test_theme_create(tree):
    theme = services.theme_create(
        actor=None, data={"unit": tree.b1, "name": "Operational excellence", "description": "x"}
    )
    assert Theme.objects.get(pk=theme.pk).unit == tree.b1


def test_theme_names_are_unique_within_a_unit(tree):
    services.theme_create(actor=None, data={"unit": tree.b1, "name": "Intimacy"})
    with refused({"__all__": ["This unit already has a theme of that name."]}):
        services.theme_create(actor=None, data={"unit": tree.b1, "name": "Intimacy"})
    assert (
        services.theme_create(actor=None, data={"unit": tree.b2, "name": "Intimacy"}).unit
        == tree.b2
    )


def test_perspective_create_adds_a_fifth_perspective():
    mission = services.perspective_create(actor=None, data={"name": "Mission", "order": 0})
    assert list(Perspective.objects.values_list("name", flat=True)) == [
        "Mission",
        "Financial",
        "Customer",
        "Internal Process",
        "Learning & Growth",
    ]
    assert mission.pk


def test_perspective_orders_are_unique():
    with refused({"order": ["Perspective with this Order already exists."]}):
        services.perspective_create(actor=None, data={"name": "Mission", "order": 1})


# Objectives --------------------------------------------------------------------------------


def test_objective_create_sets_every_field_and_the_cascade(tree, financial):
    owner = f.UserFactory()
    theme = services.theme_create(
        actor=None, data={"unit": tree.ent, "name": "Growth"}
    )  # a theme of a unit above
    parent_goal = f.ObjectiveFactory(unit=tree.ent)
    objective = services.objective_create(
        actor=None,
        data={
            "unit": tree.b1,
            "code": "GROW",
            "name": "Grow revenue",
            "perspective": financial,
            "description": "More sales",
            "theme": theme,
            "owner": owner,
            "weight": Decimal("2.5"),
            "supports": [parent_goal],
        },
    )
    objective = Objective.objects.get(pk=objective.pk)
    assert (objective.unit, objective.code, objective.name, objective.description) == (
        tree.b1,
        "GROW",
        "Grow revenue",
        "More sales",
    )
    assert (objective.perspective, objective.theme, objective.owner) == (financial, theme, owner)
    assert objective.weight == Decimal("2.5")
    assert list(objective.supports.all()) == [parent_goal]


def test_an_objectives_theme_must_be_of_its_unit_or_above(tree, financial):
    theme = services.theme_create(actor=None, data={"unit": tree.b2, "name": "Elsewhere"})
    with refused({"theme": ["The theme must belong to this unit or a unit above it."]}):
        services.objective_create(
            actor=None,
            data={
                "unit": tree.b1,
                "code": "GROW",
                "name": "Grow",
                "perspective": financial,
                "theme": theme,
            },
        )


def test_objective_update_changes_fields_and_replaces_supports(tree, financial):
    ent_a, ent_b = f.ObjectiveFactory.create_batch(2, unit=tree.ent)
    b1_goal = f.ObjectiveFactory(unit=tree.b1)
    objective = f.ObjectiveFactory(unit=tree.d1, supports=[ent_a, b1_goal])
    services.objective_update(
        actor=None,
        instance=objective,
        data={"name": "Renamed", "weight": Decimal("3"), "supports": [b1_goal, ent_b]},
    )
    objective = Objective.objects.get(pk=objective.pk)
    assert (objective.name, objective.weight) == ("Renamed", Decimal("3"))
    assert set(objective.supports.all()) == {b1_goal, ent_b}
    assert CascadeLink.objects.count() == 2  # ent_a's link was removed, b1_goal's kept


def test_objective_update_without_supports_keeps_them(tree):
    parent_goal = f.ObjectiveFactory(unit=tree.ent)
    objective = f.ObjectiveFactory(unit=tree.b1, supports=[parent_goal])
    services.objective_update(actor=None, instance=objective, data={"name": "Renamed"})
    assert list(objective.supports.all()) == [parent_goal]


def test_objective_update_with_empty_supports_clears_them(tree):
    objective = f.ObjectiveFactory(unit=tree.b1, supports=[f.ObjectiveFactory(unit=tree.ent)])
    services.objective_update(actor=None, instance=objective, data={"supports": []})
    assert not objective.supports.exists()


def test_an_objective_cannot_move_to_another_unit(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    with refused({"unit": [NOT_HERE]}):
        services.objective_update(actor=None, instance=objective, data={"unit": tree.b2})
    assert Objective.objects.get(pk=objective.pk).unit == tree.b1


def test_an_objective_cannot_move_to_another_unit_even_behind_the_services_back(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    objective.unit = tree.b2
    with refused(
        {"unit": ["An objective cannot move to another unit; create it in the other unit."]}
    ):
        objective.full_clean()


def test_a_failed_objective_update_writes_nothing(tree):
    # A valid rename with an invalid cascade: the rename is rolled back with it.
    objective = f.ObjectiveFactory(unit=tree.b1, name="Before")
    history_before = objective.history.count()
    with pytest.raises(ValidationError):
        services.objective_update(
            actor=None,
            instance=objective,
            data={"name": "After", "supports": [f.ObjectiveFactory(unit=tree.b2)]},
        )
    assert Objective.objects.get(pk=objective.pk).name == "Before"
    assert objective.history.count() == history_before
    assert not CascadeLink.objects.exists()


def test_objective_support_returns_the_link(tree):
    parent_goal = f.ObjectiveFactory(unit=tree.b1)
    objective = f.ObjectiveFactory(unit=tree.t1)
    link = services.objective_support(objective=objective, supported=parent_goal, actor=None)
    assert (link.supporting, link.supported) == (objective, parent_goal)
    assert CascadeLink.objects.get() == link


def test_objective_delete_removes_it(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    pk, alice = objective.pk, f.UserFactory()
    services.objective_delete(actor=alice, instance=objective)
    assert not Objective.objects.exists()
    deleted = Objective.history.filter(id=pk).latest()
    assert (deleted.history_type, deleted.history_user) == ("-", alice)


# Measures ----------------------------------------------------------------------------------


def test_measure_create_takes_its_unit_from_the_objective_and_sets_every_field(tree):
    owner = f.UserFactory()
    objective = f.ObjectiveFactory(unit=tree.d1)
    measure = services.measure_create(
        actor=None,
        data={
            "objective": objective,
            "code": "COST",
            "name": "Unit cost",
            "unit_label": "EUR",
            "polarity": Polarity.DECREASE,
            "frequency": Frequency.QUARTERLY,
            "aggregation": Aggregation.AVERAGE,
            "weight": Decimal("2"),
            "owner": owner,
            "tolerance": Decimal("0.05"),
            "description": "Cost per unit",
        },
    )
    measure = Measure.objects.get(pk=measure.pk)
    assert (measure.unit, measure.objective, measure.owner) == (tree.d1, objective, owner)
    assert (measure.polarity, measure.frequency, measure.aggregation) == (
        Polarity.DECREASE,
        Frequency.QUARTERLY,
        Aggregation.AVERAGE,
    )
    assert (measure.weight, measure.tolerance) == (Decimal("2"), Decimal("0.05"))
    assert (measure.unit_label, measure.description) == ("EUR", "Cost per unit")
    assert measure.takes_actuals and not measure.is_calculated and not measure.is_rollup


def test_measure_create_refuses_unknown_fields_and_creates_nothing(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    with refused({"colour": [NOT_HERE], "unit": [NOT_HERE]}):
        services.measure_create(
            actor=None,
            data={
                "objective": objective,
                "code": "REV",
                "name": "Revenue",
                "colour": "red",
                "unit": tree.b2,
            },
        )
    assert not Measure.objects.exists()


def rollup_world(tree):
    """A monthly sum rollup of B1 over D1's and T1's SALES; one more D1 measure spare."""
    d1_sales = f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.d1), code="SALES")
    t1_sales = f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.t1), code="SALES")
    d1_extra = f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.d1), code="EXTRA")
    total = services.measure_create(
        actor=None,
        data={
            "objective": f.ObjectiveFactory(unit=tree.b1),
            "code": "TOTAL",
            "name": "Total sales",
            "rollup": Rollup.SUM,
            "sources": [d1_sales, t1_sales],
        },
    )
    return total, d1_sales, t1_sales, d1_extra


def test_measure_update_replaces_sources(tree):
    total, _, t1_sales, d1_extra = rollup_world(tree)
    services.measure_update(actor=None, instance=total, data={"sources": [t1_sales, d1_extra]})
    assert set(total.sources.all()) == {t1_sales, d1_extra}
    assert RollupSource.objects.count() == 2


def test_measure_update_without_sources_keeps_them(tree):
    total, d1_sales, t1_sales, _ = rollup_world(tree)
    services.measure_update(actor=None, instance=total, data={"name": "All sales"})
    assert set(total.sources.all()) == {d1_sales, t1_sales}


def test_a_measure_that_stops_being_a_rollup_loses_its_sources(tree):
    total, *_ = rollup_world(tree)
    services.measure_update(actor=None, instance=total, data={"rollup": Rollup.NONE})
    assert not total.sources.exists()
    assert Measure.objects.get(pk=total.pk).takes_actuals


def test_a_rollups_frequency_cannot_leave_its_sources_behind(tree):
    total, *_ = rollup_world(tree)
    with refused(
        {"sources": ["D1.SALES, T1.SALES: sources must share the rollup's frequency (quarterly)."]}
    ):
        services.measure_update(actor=None, instance=total, data={"frequency": Frequency.QUARTERLY})
    assert Measure.objects.get(pk=total.pk).frequency == Frequency.MONTHLY


def test_a_sources_frequency_cannot_leave_its_rollup_behind(tree):
    _, d1_sales, *_ = rollup_world(tree)
    message = (
        "SALES is a source of B1.TOTAL; sources share their rollup's frequency. "
        "Remove it from those rollups first."
    )
    with refused({"frequency": [message]}):
        services.measure_update(
            actor=None, instance=d1_sales, data={"frequency": Frequency.QUARTERLY}
        )
    assert Measure.objects.get(pk=d1_sales.pk).frequency == Frequency.MONTHLY


def test_a_rollup_and_its_sources_can_change_frequency_together(tree):
    total, d1_sales, t1_sales, _ = rollup_world(tree)
    services.measure_update(actor=None, instance=total, data={"sources": []})
    for measure in (d1_sales, t1_sales, total):
        services.measure_update(
            actor=None, instance=measure, data={"frequency": Frequency.QUARTERLY}
        )
    services.measure_update(actor=None, instance=total, data={"sources": [d1_sales, t1_sales]})
    assert total.sources.count() == 2


def test_measure_update_refuses_unknown_fields(tree):
    measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.b1))
    with refused({"objective": [NOT_HERE]}):
        services.measure_update(
            actor=None, instance=measure, data={"objective": f.ObjectiveFactory(unit=tree.b1)}
        )


def test_a_failed_measure_create_writes_nothing(tree):
    outside = f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.b2))
    before = (Measure.objects.count(), Measure.history.count())
    with pytest.raises(ValidationError):
        services.measure_create(
            actor=None,
            data={
                "objective": f.ObjectiveFactory(unit=tree.b1),
                "code": "TOTAL",
                "name": "Total",
                "rollup": Rollup.SUM,
                "sources": [outside],
            },
        )
    assert (Measure.objects.count(), Measure.history.count()) == before


def test_a_failed_measure_update_writes_nothing(tree):
    total, *_ = rollup_world(tree)
    outside = f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.b2))
    with pytest.raises(ValidationError):
        services.measure_update(
            actor=None, instance=total, data={"name": "Renamed", "sources": [outside]}
        )
    assert Measure.objects.get(pk=total.pk).name == "Total sales"
    assert total.source_links.count() == 2


def test_measure_delete_removes_it(tree):
    measure = f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.b1))
    services.measure_delete(actor=None, instance=measure)
    assert not Measure.objects.exists()


# Measure values ----------------------------------------------------------------------------


@pytest.fixture
def revenue(tree):
    return f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.b1), code="REV")


def test_measure_value_record_creates_with_every_field(revenue):
    alice = f.UserFactory()
    value, created = services.measure_value_record(
        measure=revenue,
        period=JAN,
        actual=Decimal("95.5"),
        target=Decimal("100"),
        red_flag=Decimal("90"),
        note="good month",
        actor=alice,
    )
    assert created
    value = MeasureValue.objects.get(pk=value.pk)
    assert (value.actual, value.target, value.red_flag) == (
        Decimal("95.5"),
        Decimal("100"),
        Decimal("90"),
    )
    assert (value.note, value.entered_by, value.period) == ("good month", alice, JAN)


def test_measure_value_record_keeps_the_fields_not_given(revenue):
    alice, bob = f.UserFactory(), f.UserFactory()
    services.measure_value_record(
        measure=revenue, period=JAN, target=100, red_flag=90, note="plan", actor=alice
    )
    value, created = services.measure_value_record(
        measure=revenue, period=JAN, actual=97, actor=bob
    )
    assert not created
    value = MeasureValue.objects.get(pk=value.pk)
    assert (value.actual, value.target, value.red_flag, value.note) == (97, 100, 90, "plan")
    assert value.entered_by == bob


def test_measure_value_record_clears_a_field_given_as_none(revenue):
    services.measure_value_record(
        measure=revenue, period=JAN, actual=5, target=10, note="n", actor=None
    )
    value, _ = services.measure_value_record(
        measure=revenue, period=JAN, actual=None, note=None, actor=None
    )
    value = MeasureValue.objects.get(pk=value.pk)
    assert (value.actual, value.target, value.note) == (None, Decimal("10"), "")


def test_measure_value_record_without_by_keeps_who_entered_it(revenue):
    alice = f.UserFactory()
    services.measure_value_record(measure=revenue, period=JAN, actual=5, actor=alice)
    value, _ = services.measure_value_record(measure=revenue, period=JAN, actual=6, actor=None)
    assert MeasureValue.objects.get(pk=value.pk).entered_by == alice


def test_measure_value_record_keeps_periods_apart(revenue):
    services.measure_value_record(measure=revenue, period=JAN, actual=5, actor=None)
    _, created = services.measure_value_record(measure=revenue, period=FEB, actual=6, actor=None)
    assert created
    assert list(revenue.values.values_list("period", "actual")) == [
        (JAN, Decimal("5")),
        (FEB, Decimal("6")),
    ]


def test_a_failed_measure_value_record_writes_nothing(revenue):
    services.measure_value_record(
        measure=revenue, period=JAN, actual=5, target=100, red_flag=90, actor=None
    )
    before = MeasureValue.history.count()
    with pytest.raises(ValidationError):
        services.measure_value_record(
            measure=revenue, period=JAN, actual=7, red_flag=120, actor=None
        )
    value = MeasureValue.objects.get()
    assert (value.actual, value.red_flag) == (Decimal("5"), Decimal("90"))
    assert MeasureValue.history.count() == before


def test_measure_value_delete_removes_it_and_keeps_its_history(revenue):
    value, _ = services.measure_value_record(measure=revenue, period=JAN, actual=5, actor=None)
    services.measure_value_delete(actor=f.UserFactory(), instance=value)
    assert not MeasureValue.objects.exists()
    assert [h.history_type for h in MeasureValue.history.order_by("history_id")] == ["+", "-"]


def test_frequency_change_refused_once_values_exist():
    measure = f.MeasureFactory(code="FREQ", frequency=Frequency.MONTHLY)
    f.MeasureValueFactory(measure=measure)
    with refused(
        {
            "frequency": [
                "FREQ already has monthly values; their periods would no longer fit. "
                "Create a new measure for the new frequency."
            ]
        }
    ):
        services.measure_update(
            actor=None, instance=measure, data={"frequency": Frequency.QUARTERLY}
        )
    measure.refresh_from_db()
    assert measure.frequency == Frequency.MONTHLY


def test_cascade_link_clean_names_the_supported_field():
    unit = f.OrgUnitFactory(code="SIB1")
    sibling = f.OrgUnitFactory(code="SIB2")
    link = CascadeLink(
        supporting=f.ObjectiveFactory(unit=unit, code="S1"),
        supported=f.ObjectiveFactory(unit=sibling, code="S2"),
    )
    with pytest.raises(ValidationError) as caught:
        link.full_clean()
    assert list(caught.value.message_dict) == ["supported"]
    assert (
        "SIB2.S2: an objective can only support objectives of units above"
        in (caught.value.message_dict["supported"][0])
    )
