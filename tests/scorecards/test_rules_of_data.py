"""The rules of data of the scorecards app: each refusal with its user-facing message, and,
where the database holds the rule too, a raw write the database itself refuses."""

import datetime as dt
from decimal import Decimal

import pytest

from budgets.models import BudgetLine
from people.models import Goal
from scorecards import services
from scorecards.choices import Frequency, Polarity, Rollup
from scorecards.models import (
    CascadeLink,
    CauseEffect,
    Measure,
    MeasureValue,
    Objective,
    OrgUnit,
    RollupSource,
)
from tests import factories as f
from tests.helpers import db_refuses, refused

pytestmark = pytest.mark.django_db

CODE_MESSAGE = "A code starts with a letter and holds only letters, digits and underscores."
BAD_CODES = ["1ABC", "A-B", "A B", "_A", "ÄB", "A.B"]
WEIGHT_MESSAGE = "The weight must be positive."
JAN = dt.date(2026, 1, 1)


@pytest.fixture
def tree():
    return f.four_level_tree()


@pytest.fixture
def financial():
    return f.PerspectiveFactory(name="Financial")


def new_objective(unit, financial, code="GROW", by=None, **extra):
    return services.objective_create(
        actor=by,
        data={"unit": unit, "code": code, "name": "Grow", "perspective": financial, **extra},
    )


# Codes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", BAD_CODES)
def test_an_objective_code_must_match_the_code_pattern(tree, financial, code):
    with refused({"code": [CODE_MESSAGE]}):
        new_objective(tree.b1, financial, code=code)
    assert not Objective.objects.exists()


@pytest.mark.parametrize("code", BAD_CODES)
def test_a_measure_code_must_match_the_code_pattern(tree, code):
    objective = f.ObjectiveFactory(unit=tree.b1)
    with refused({"code": [CODE_MESSAGE]}):
        services.measure_create(
            actor=None, data={"objective": objective, "code": code, "name": "Revenue"}
        )
    assert not Measure.objects.exists()


def test_objective_codes_are_unique_within_a_unit(tree, financial):
    new_objective(tree.b1, financial, code="GROW")
    with refused({"__all__": ["This unit already has an objective with this code."]}):
        new_objective(tree.b1, financial, code="GROW")
    assert Objective.objects.filter(code="GROW").count() == 1


def test_the_database_refuses_a_duplicate_objective_code_in_a_unit(tree, financial):
    new_objective(tree.b1, financial, code="GROW")
    with db_refuses():
        Objective.objects.create(unit=tree.b1, code="GROW", name="Twin", perspective=financial)


def test_the_same_objective_code_in_another_unit_is_fine(tree, financial):
    new_objective(tree.b1, financial, code="GROW")
    assert new_objective(tree.b2, financial, code="GROW").unit == tree.b2


def test_measure_codes_are_unique_within_a_unit_even_across_objectives(tree):
    # Two objectives of B1: the measure code is unique in the unit, not per objective.
    first, second = f.ObjectiveFactory.create_batch(2, unit=tree.b1)
    services.measure_create(actor=None, data={"objective": first, "code": "REV", "name": "Revenue"})
    with refused({"__all__": ["This unit already has a measure with this code."]}):
        services.measure_create(
            actor=None, data={"objective": second, "code": "REV", "name": "Revenue again"}
        )
    assert Measure.objects.filter(code="REV").count() == 1


def test_the_database_refuses_a_duplicate_measure_code_in_a_unit(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    services.measure_create(
        actor=None, data={"objective": objective, "code": "REV", "name": "Revenue"}
    )
    with db_refuses():
        Measure.objects.create(objective=objective, unit=tree.b1, code="REV", name="Twin")


def test_the_same_measure_code_in_another_unit_is_fine(tree):
    services.measure_create(
        actor=None, data={"objective": f.ObjectiveFactory(unit=tree.b1), "code": "REV", "name": "R"}
    )
    other = services.measure_create(
        actor=None, data={"objective": f.ObjectiveFactory(unit=tree.b2), "code": "REV", "name": "R"}
    )
    assert other.unit == tree.b2


# Weights -----------------------------------------------------------------------------------


@pytest.mark.parametrize("weight", [Decimal("0"), Decimal("-1")])
def test_an_objective_weight_must_be_positive(tree, financial, weight):
    with refused({"__all__": [WEIGHT_MESSAGE]}):
        new_objective(tree.b1, financial, weight=weight)
    assert not Objective.objects.exists()


def test_the_database_refuses_a_zero_objective_weight(tree, financial):
    with db_refuses():
        Objective.objects.create(
            unit=tree.b1, code="Z", name="Zero", perspective=financial, weight=0
        )


@pytest.mark.parametrize("weight", [Decimal("0"), Decimal("-0.5")])
def test_a_measure_weight_must_be_positive(tree, weight):
    objective = f.ObjectiveFactory(unit=tree.b1)
    with refused({"__all__": [WEIGHT_MESSAGE]}):
        services.measure_create(
            actor=None,
            data={"objective": objective, "code": "REV", "name": "Revenue", "weight": weight},
        )


def test_the_database_refuses_a_zero_measure_weight(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    with db_refuses():
        Measure.objects.create(objective=objective, unit=tree.b1, code="Z", name="Z", weight=0)


def test_a_measure_tolerance_is_a_fraction(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    with refused({"__all__": ["The tolerance is a fraction between 0 and 1."]}):
        services.measure_create(
            actor=None,
            data={
                "objective": objective,
                "code": "REV",
                "name": "Revenue",
                "tolerance": Decimal("1.5"),
            },
        )


# The cascade: an objective supports objectives of strict ancestor units ------------------


@pytest.fixture
def objectives(tree):
    """One objective in each of ENT, B1, B2, D1 and T1."""
    return {
        code: f.ObjectiveFactory(unit=getattr(tree, code.lower()), code=f"O_{code}")
        for code in ("ENT", "B1", "B2", "D1", "T1")
    }


def supports_message(bad: str, own_unit: str) -> str:
    return (
        f"{bad}: an objective can only support objectives of units above its own unit ({own_unit})."
    )


def test_supporting_the_parent_and_grandparent_units_objectives_works(objectives):
    d1 = objectives["D1"]
    services.objective_support(objective=d1, supported=objectives["B1"], actor=None)
    services.objective_support(objective=d1, supported=objectives["ENT"], actor=None)
    assert set(d1.supports.all()) == {objectives["B1"], objectives["ENT"]}
    assert list(objectives["ENT"].supported_by.all()) == [d1]


def test_supporting_a_sibling_units_objective_is_refused(objectives):
    with refused({"supports": [supports_message("B2.O_B2", "B1")]}):
        services.objective_support(
            objective=objectives["B1"], supported=objectives["B2"], actor=None
        )
    assert not CascadeLink.objects.exists()


def test_supporting_a_descendant_units_objective_is_refused(objectives):
    with refused({"supports": [supports_message("T1.O_T1", "B1")]}):
        services.objective_support(
            objective=objectives["B1"], supported=objectives["T1"], actor=None
        )
    assert not CascadeLink.objects.exists()


def test_supporting_an_objective_of_the_same_unit_is_refused(objectives):
    other = f.ObjectiveFactory(unit=objectives["D1"].unit, code="O_D1_B")
    with refused({"supports": [supports_message("D1.O_D1_B", "D1")]}):
        services.objective_support(objective=objectives["D1"], supported=other, actor=None)


def test_an_objective_cannot_support_itself(objectives):
    with refused({"supports": ["An objective cannot support itself."]}):
        services.objective_support(
            objective=objectives["D1"], supported=objectives["D1"], actor=None
        )


def test_the_database_refuses_a_self_support(objectives):
    with db_refuses():
        CascadeLink.objects.create(supporting=objectives["D1"], supported=objectives["D1"])


def test_supporting_the_same_objective_twice_is_refused(objectives):
    services.objective_support(objective=objectives["D1"], supported=objectives["B1"], actor=None)
    with refused({"supports": ["O_D1 already supports O_B1."]}):
        services.objective_support(
            objective=objectives["D1"], supported=objectives["B1"], actor=None
        )
    assert CascadeLink.objects.count() == 1


def test_the_database_refuses_a_duplicate_cascade_link(objectives):
    services.objective_support(objective=objectives["D1"], supported=objectives["B1"], actor=None)
    with db_refuses():
        CascadeLink.objects.create(supporting=objectives["D1"], supported=objectives["B1"])


def test_objective_create_refuses_a_sibling_in_supports_and_creates_nothing(
    tree, financial, objectives
):
    before = Objective.objects.count()
    with refused({"supports": [supports_message("B2.O_B2", "B1")]}):
        new_objective(tree.b1, financial, supports=[objectives["ENT"], objectives["B2"]])
    assert Objective.objects.count() == before
    assert not CascadeLink.objects.exists()
    assert not Objective.history.filter(code="GROW").exists()


# Cause and effect: two different objectives of the same unit, once ------------------------


def test_cause_and_effect_of_the_same_unit_is_linked(tree):
    cause, effect = f.ObjectiveFactory.create_batch(2, unit=tree.b1)
    link = services.cause_effect_create(
        actor=None, data={"cause": cause, "effect": effect, "rationale": "skills drive"}
    )
    assert (link.cause, link.effect, link.rationale) == (cause, effect, "skills drive")


def test_an_objective_cannot_cause_itself(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    with refused({"__all__": ["Cause and effect must be two different objectives."]}):
        services.cause_effect_create(actor=None, data={"cause": objective, "effect": objective})
    assert not CauseEffect.objects.exists()


def test_the_database_refuses_a_self_cause(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    with db_refuses():
        CauseEffect.objects.create(cause=objective, effect=objective)


def test_cause_and_effect_in_different_units_is_refused(tree):
    cause = f.ObjectiveFactory(unit=tree.b1)
    effect = f.ObjectiveFactory(unit=tree.d1)
    with refused({"effect": ["Cause and effect must be objectives of the same unit's map."]}):
        services.cause_effect_create(actor=None, data={"cause": cause, "effect": effect})
    assert not CauseEffect.objects.exists()


def test_the_same_cause_and_effect_twice_is_refused(tree):
    cause, effect = f.ObjectiveFactory.create_batch(2, unit=tree.b1)
    services.cause_effect_create(actor=None, data={"cause": cause, "effect": effect})
    with refused({"__all__": ["This cause-and-effect link already exists."]}):
        services.cause_effect_create(
            actor=None, data={"cause": cause, "effect": effect, "rationale": "again"}
        )
    assert CauseEffect.objects.count() == 1


def test_the_database_refuses_a_duplicate_cause_and_effect(tree):
    cause, effect = f.ObjectiveFactory.create_batch(2, unit=tree.b1)
    services.cause_effect_create(actor=None, data={"cause": cause, "effect": effect})
    with db_refuses():
        CauseEffect.objects.create(cause=cause, effect=effect)


# Measure values: one per measure and period; the period is a period's first day -----------


@pytest.fixture
def revenue(tree):
    return f.MeasureFactory(objective=f.ObjectiveFactory(unit=tree.b1), code="REV")


def test_recording_the_same_period_twice_updates_the_one_row(revenue):
    first, created = services.measure_value_record(
        measure=revenue, period=JAN, actual=5, actor=None
    )
    second, created_again = services.measure_value_record(
        measure=revenue, period=JAN, actual=7, actor=None
    )
    assert (created, created_again) == (True, False)
    assert first.pk == second.pk
    assert MeasureValue.objects.get(measure=revenue, period=JAN).actual == Decimal("7")


def test_a_second_value_for_the_same_period_is_refused_by_validation(revenue):
    f.MeasureValueFactory(measure=revenue, period=JAN)
    with refused({"__all__": ["This measure already has a value for this period."]}):
        f.MeasureValueFactory(measure=revenue, period=JAN)


def test_the_database_refuses_a_duplicate_value(revenue):
    MeasureValue.objects.create(measure=revenue, period=JAN, actual=1)
    with db_refuses():
        MeasureValue.objects.create(measure=revenue, period=JAN, actual=2)


def test_the_database_refuses_a_duplicate_value_in_bulk(revenue):
    with db_refuses():
        MeasureValue.objects.bulk_create(
            [MeasureValue(measure=revenue, period=JAN), MeasureValue(measure=revenue, period=JAN)]
        )
    assert not MeasureValue.objects.exists()


@pytest.mark.parametrize("day", [dt.date(2026, 1, 15), dt.date(2026, 2, 28)])
def test_a_monthly_value_must_be_for_the_first_of_a_month(revenue, day):
    message = f"REV is monthly: the period must be the first day of a month, not {day}."
    with refused({"period": [message]}):
        services.measure_value_record(measure=revenue, period=day, actual=1, actor=None)
    assert not MeasureValue.objects.exists()


def quarterly_measure(unit, code="QTR", frequency=Frequency.QUARTERLY):
    return f.MeasureFactory(objective=f.ObjectiveFactory(unit=unit), code=code, frequency=frequency)


@pytest.mark.parametrize("day", [dt.date(2026, 2, 1), dt.date(2026, 3, 1), dt.date(2026, 4, 2)])
def test_a_quarterly_value_must_be_for_the_first_of_a_quarter(tree, day):
    measure = quarterly_measure(tree.b1)
    message = (
        "QTR is quarterly: the period must be the first day of a quarter "
        f"(January, April, July, October 1), not {day}."
    )
    with refused({"period": [message]}):
        services.measure_value_record(measure=measure, period=day, target=1, actor=None)


def test_an_annual_value_must_be_for_the_first_of_the_year(tree):
    measure = quarterly_measure(tree.b1, code="YR", frequency=Frequency.ANNUAL)
    message = (
        "YR is annual: the period must be the first day of a fiscal year (January 1), "
        "not 2026-07-01."
    )
    with refused({"period": [message]}):
        services.measure_value_record(
            measure=measure, period=dt.date(2026, 7, 1), target=1, actor=None
        )
    assert services.measure_value_record(measure=measure, period=JAN, target=1, actor=None)[1]


APRIL_QUARTERS = [
    dt.date(2026, 4, 1),
    dt.date(2026, 7, 1),
    dt.date(2026, 10, 1),
    dt.date(2027, 1, 1),
]


@pytest.mark.parametrize("day", APRIL_QUARTERS)
def test_april_fiscal_year_quarters_start_in_april_july_october_january(tree, settings, day):
    settings.FISCAL_YEAR_START_MONTH = 4
    measure = quarterly_measure(tree.b1)
    value, created = services.measure_value_record(
        measure=measure, period=day, target=1, actor=None
    )
    assert created and value.period == day


@pytest.mark.parametrize("day", [dt.date(2026, 5, 1), dt.date(2026, 6, 1), dt.date(2026, 2, 1)])
def test_april_fiscal_year_refuses_other_quarter_starts(tree, settings, day):
    settings.FISCAL_YEAR_START_MONTH = 4
    measure = quarterly_measure(tree.b1)
    message = (
        "QTR is quarterly: the period must be the first day of a quarter "
        f"(January, April, July, October 1), not {day}."
    )
    with refused({"period": [message]}):
        services.measure_value_record(measure=measure, period=day, target=1, actor=None)


def test_april_fiscal_year_annual_values_are_on_april_first(tree, settings):
    settings.FISCAL_YEAR_START_MONTH = 4
    measure = quarterly_measure(tree.b1, code="YR", frequency=Frequency.ANNUAL)
    message = (
        "YR is annual: the period must be the first day of a fiscal year (April 1), not 2026-01-01."
    )
    with refused({"period": [message]}):
        services.measure_value_record(measure=measure, period=JAN, target=1, actor=None)
    value, _ = services.measure_value_record(
        measure=measure, period=dt.date(2026, 4, 1), target=1, actor=None
    )
    assert value.period == dt.date(2026, 4, 1)


def test_february_fiscal_year_quarters_start_in_february(tree, settings):
    # Quarters follow the fiscal year: with a February start they begin Feb, May, Aug, Nov.
    settings.FISCAL_YEAR_START_MONTH = 2
    measure = quarterly_measure(tree.b1)
    assert services.measure_value_record(
        measure=measure, period=dt.date(2026, 5, 1), target=1, actor=None
    )
    message = (
        "QTR is quarterly: the period must be the first day of a quarter "
        "(February, May, August, November 1), not 2026-04-01."
    )
    with refused({"period": [message]}):
        services.measure_value_record(
            measure=measure, period=dt.date(2026, 4, 1), target=1, actor=None
        )


# Red flags on the right side of the target -------------------------------------------------


def test_an_increase_measures_red_flag_above_target_is_refused(revenue):
    message = (
        "Higher is better for this measure, so the red flag must not be above the target "
        "(101 > 100)."
    )
    with refused({"red_flag": [message]}):
        services.measure_value_record(
            measure=revenue, period=JAN, target=Decimal("100"), red_flag=Decimal("101"), actor=None
        )
    assert not MeasureValue.objects.exists()


def test_an_increase_measures_red_flag_equal_to_target_is_allowed(revenue):
    value, _ = services.measure_value_record(
        measure=revenue, period=JAN, target=Decimal("100"), red_flag=Decimal("100"), actor=None
    )
    assert value.red_flag == value.target == Decimal("100")


def test_a_decrease_measures_red_flag_below_target_is_refused(tree):
    measure = f.MeasureFactory(
        objective=f.ObjectiveFactory(unit=tree.b1), code="COST", polarity=Polarity.DECREASE
    )
    message = (
        "Lower is better for this measure, so the red flag must not be below the target (99 < 100)."
    )
    with refused({"red_flag": [message]}):
        services.measure_value_record(
            measure=measure, period=JAN, target=Decimal("100"), red_flag=Decimal("99"), actor=None
        )


def test_a_decrease_measures_red_flag_equal_to_or_above_target_is_allowed(tree):
    measure = f.MeasureFactory(
        objective=f.ObjectiveFactory(unit=tree.b1), polarity=Polarity.DECREASE
    )
    services.measure_value_record(measure=measure, period=JAN, target=100, red_flag=100, actor=None)
    value, _ = services.measure_value_record(measure=measure, period=JAN, red_flag=110, actor=None)
    assert (value.target, value.red_flag) == (Decimal("100"), Decimal("110"))


def test_a_red_flag_is_checked_against_the_stored_target(revenue):
    # The target was recorded first; a later red flag alone must still respect it.
    services.measure_value_record(measure=revenue, period=JAN, target=Decimal("100"), actor=None)
    message = (
        "Higher is better for this measure, so the red flag must not be above the target "
        "(110 > 100)."
    )
    with refused({"red_flag": [message]}):
        services.measure_value_record(
            measure=revenue, period=JAN, red_flag=Decimal("110"), actor=None
        )
    assert MeasureValue.objects.get().red_flag is None


# Calculated and rollup measures -----------------------------------------------------------


@pytest.fixture
def inputs(tree):
    """Measures A and B of unit B1, which the formulas below read."""
    objective = f.ObjectiveFactory(unit=tree.b1)
    return [
        services.measure_create(actor=None, data={"objective": objective, "code": c, "name": c})
        for c in "AB"
    ]


@pytest.fixture
def calculated(tree, inputs):
    return services.measure_create(
        actor=None,
        data={
            "objective": f.ObjectiveFactory(unit=tree.b1),
            "code": "CALC",
            "name": "Margin",
            "formula": "A - B",
        },
    )


@pytest.fixture
def rollup(tree):
    return services.measure_create(
        actor=None,
        data={
            "objective": f.ObjectiveFactory(unit=tree.b1),
            "code": "ROLL",
            "name": "Total",
            "rollup": Rollup.SUM,
        },
    )


def test_a_calculated_measure_refuses_an_entered_actual(calculated):
    message = (
        "CALC is calculated: its actual is computed, not entered. "
        "Enter only its target and red flag."
    )
    with refused({"actual": [message]}):
        services.measure_value_record(
            measure=calculated, period=JAN, actual=Decimal("3"), actor=None
        )
    assert not MeasureValue.objects.exists()


def test_a_calculated_measure_takes_a_target_and_red_flag(calculated):
    value, created = services.measure_value_record(
        measure=calculated, period=JAN, target=Decimal("10"), red_flag=Decimal("8"), actor=None
    )
    assert created
    assert (value.actual, value.target, value.red_flag) == (None, Decimal("10"), Decimal("8"))


def test_a_rollup_measure_refuses_an_entered_actual(rollup):
    message = (
        "ROLL is a rollup: its actual is computed, not entered. Enter only its target and red flag."
    )
    with refused({"actual": [message]}):
        services.measure_value_record(measure=rollup, period=JAN, actual=Decimal("3"), actor=None)


def test_a_rollup_measure_takes_a_target_and_red_flag(rollup):
    value, _ = services.measure_value_record(
        measure=rollup, period=JAN, target=Decimal("10"), red_flag=Decimal("8"), actor=None
    )
    assert (value.actual, value.target) == (None, Decimal("10"))


def test_a_measure_cannot_be_both_calculated_and_rollup(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    with refused({"__all__": ["A measure is either calculated or a rollup, not both."]}):
        services.measure_create(
            actor=None,
            data={
                "objective": objective,
                "code": "BOTH",
                "name": "Both",
                "formula": "A + B",
                "rollup": Rollup.SUM,
            },
        )
    assert not Measure.objects.exists()


def test_the_database_refuses_a_measure_both_calculated_and_rollup(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    with db_refuses():
        Measure.objects.create(
            objective=objective,
            unit=tree.b1,
            code="BOTH",
            name="Both",
            formula="A + B",
            rollup=Rollup.SUM,
        )


def test_a_blank_formula_means_an_entered_measure(tree):
    measure = services.measure_create(
        actor=None,
        data={
            "objective": f.ObjectiveFactory(unit=tree.b1),
            "code": "REV",
            "name": "Revenue",
            "formula": "   ",
        },
    )
    measure.refresh_from_db()
    assert measure.formula is None and measure.takes_actuals


def measure_in(unit, code, frequency=Frequency.MONTHLY):
    return f.MeasureFactory(objective=f.ObjectiveFactory(unit=unit), code=code, frequency=frequency)


def test_rollup_sources_of_descendant_units_are_accepted(tree):
    d1_sales, t1_sales = measure_in(tree.d1, "SALES"), measure_in(tree.t1, "SALES")
    measure = services.measure_create(
        actor=None,
        data={
            "objective": f.ObjectiveFactory(unit=tree.b1),
            "code": "SALES",
            "name": "Sales",
            "rollup": Rollup.SUM,
            "sources": [d1_sales, t1_sales],
        },
    )
    assert set(measure.sources.all()) == {d1_sales, t1_sales}


@pytest.mark.parametrize("where", ["b1", "b2", "ent"])
def test_rollup_sources_outside_the_units_below_are_refused(tree, where):
    # B1's own measure, a sibling's (B2) and the enterprise's are not below B1.
    source = measure_in(getattr(tree, where), "SRC")
    message = f"{where.upper()}.SRC: rollup sources must be measures of units below B1."
    with refused({"sources": [message]}):
        services.measure_create(
            actor=None,
            data={
                "objective": f.ObjectiveFactory(unit=tree.b1),
                "code": "TOTAL",
                "name": "Total",
                "rollup": Rollup.SUM,
                "sources": [source],
            },
        )
    assert not Measure.objects.filter(code="TOTAL").exists()
    assert not RollupSource.objects.exists()


def test_rollup_sources_of_another_frequency_are_refused(tree):
    source = measure_in(tree.d1, "QSALES", frequency=Frequency.QUARTERLY)
    with refused({"sources": ["D1.QSALES: sources must share the rollup's frequency (monthly)."]}):
        services.measure_create(
            actor=None,
            data={
                "objective": f.ObjectiveFactory(unit=tree.b1),
                "code": "TOTAL",
                "name": "Total",
                "rollup": Rollup.SUM,
                "sources": [source],
            },
        )
    assert not Measure.objects.filter(code="TOTAL").exists()


def test_only_a_rollup_measure_has_sources(tree):
    source = measure_in(tree.d1, "SALES")
    with refused({"sources": ["Only a rollup measure has sources; choose a rollup."]}):
        services.measure_create(
            actor=None,
            data={
                "objective": f.ObjectiveFactory(unit=tree.b1),
                "code": "TOTAL",
                "name": "T",
                "sources": [source],
            },
        )


def test_the_database_refuses_a_measure_rolling_up_itself(rollup):
    with db_refuses():
        RollupSource.objects.create(rollup_measure=rollup, source=rollup)


def test_making_a_measure_with_entered_actuals_calculated_is_refused(revenue, inputs):
    services.measure_value_record(measure=revenue, period=JAN, actual=Decimal("5"), actor=None)
    message = "REV has entered actuals; clear them before making it calculated or a rollup."
    with refused({"formula": [message]}):
        services.measure_update(actor=None, instance=revenue, data={"formula": "A + B"})
    revenue.refresh_from_db()
    assert revenue.formula is None


def test_making_a_measure_with_entered_actuals_a_rollup_is_refused(revenue):
    services.measure_value_record(measure=revenue, period=JAN, actual=Decimal("5"), actor=None)
    message = "REV has entered actuals; clear them before making it calculated or a rollup."
    with refused({"rollup": [message]}):
        services.measure_update(actor=None, instance=revenue, data={"rollup": Rollup.SUM})
    revenue.refresh_from_db()
    assert revenue.rollup == Rollup.NONE


def test_a_measure_with_only_targets_can_become_calculated(revenue, inputs):
    services.measure_value_record(measure=revenue, period=JAN, target=Decimal("5"), actor=None)
    services.measure_update(actor=None, instance=revenue, data={"formula": "A + B"})
    revenue.refresh_from_db()
    assert revenue.formula == "A + B"


def test_a_measures_unit_is_its_objectives(tree):
    objective = f.ObjectiveFactory(unit=tree.b1)
    measure = Measure(objective=objective, unit=tree.b2, code="X", name="X")
    with refused({"unit": ["A measure belongs to its objective's unit."]}):
        measure.full_clean()


# Deleting what others depend on ------------------------------------------------------------


def test_deleting_an_objective_with_a_measure_is_refused(tree):
    objective = f.ObjectiveFactory(unit=tree.b1, code="GROW", name="Grow")
    f.MeasureFactory(objective=objective, code="REV", name="Revenue")
    message = (
        "Objective 'GROW Grow' cannot be deleted: 1 measure (e.g. REV Revenue) still depends on it."
    )
    with refused({"__all__": [message]}):
        services.objective_delete(actor=None, instance=objective)
    assert Objective.objects.filter(pk=objective.pk).exists()
    assert Measure.objects.count() == 1


def test_deleting_an_objective_with_a_goal_is_refused(tree):
    objective = f.ObjectiveFactory(unit=tree.b1, code="GROW", name="Grow")
    f.GoalFactory(employee=f.EmployeeFactory(unit=tree.d1), objective=objective, title="Sell")
    message = "Objective 'GROW Grow' cannot be deleted: 1 goal (e.g. Sell) still depends on it."
    with refused({"__all__": [message]}):
        services.objective_delete(actor=None, instance=objective)
    assert Objective.objects.filter(pk=objective.pk).exists()
    assert Goal.objects.count() == 1


def test_deleting_an_objective_with_a_budget_line_is_refused(tree):
    objective = f.ObjectiveFactory(unit=tree.b1, code="GROW", name="Grow")
    f.BudgetLineFactory(unit=tree.b1, objective=objective, label="Ads")
    message = (
        "Objective 'GROW Grow' cannot be deleted: 1 budget line (e.g. 2026 B1 Ads) "
        "still depends on it."
    )
    with refused({"__all__": [message]}):
        services.objective_delete(actor=None, instance=objective)
    assert Objective.objects.filter(pk=objective.pk).exists()
    assert BudgetLine.objects.count() == 1


def test_deleting_an_objective_with_an_initiative_is_refused(tree):
    objective = f.ObjectiveFactory(unit=tree.b1, code="GROW", name="Grow")
    f.InitiativeFactory(unit=tree.b1, code="PUSH", objectives=[objective])
    message = (
        "Objective 'GROW Grow' cannot be deleted: 1 initiative objective (e.g. PUSH → GROW) "
        "still depends on it."
    )
    with refused({"__all__": [message]}):
        services.objective_delete(actor=None, instance=objective)
    assert Objective.objects.filter(pk=objective.pk).exists()


def test_deleting_an_objective_supported_by_others_is_refused(tree):
    objective = f.ObjectiveFactory(unit=tree.b1, code="GROW", name="Grow")
    f.ObjectiveFactory(unit=tree.d1, code="HELP", name="Help", supports=[objective])
    message = (
        "Objective 'GROW Grow' cannot be deleted: 1 cascade link "
        "(e.g. HELP Help supports GROW Grow) still depends on it."
    )
    with refused({"__all__": [message]}):
        services.objective_delete(actor=None, instance=objective)
    assert CascadeLink.objects.count() == 1


def test_a_refusal_names_every_kind_of_dependent_sorted_with_at_most_three_examples(tree):
    objective = f.ObjectiveFactory(unit=tree.b1, code="GROW", name="Grow")
    for code in ("M4", "M2", "M1", "M3"):
        f.MeasureFactory(objective=objective, code=code, name="m")
    f.GoalFactory(employee=f.EmployeeFactory(unit=tree.b1), objective=objective, title="Sell")
    # Kinds in alphabetical order; examples sorted, three shown and an ellipsis for the 4th.
    message = (
        "Objective 'GROW Grow' cannot be deleted: 1 goal (e.g. Sell); "
        "4 measures (e.g. M1 m, M2 m, M3 m, …) still depend on it."
    )
    with refused({"__all__": [message]}):
        services.objective_delete(actor=None, instance=objective)


def test_deleting_an_objective_without_dependents_works(tree):
    objective, other = f.ObjectiveFactory.create_batch(2, unit=tree.b1)
    parent = f.ObjectiveFactory(unit=tree.ent)
    services.objective_support(objective=objective, supported=parent, actor=None)
    services.cause_effect_create(actor=None, data={"cause": objective, "effect": other})
    services.objective_delete(actor=None, instance=objective)
    # Its own links up the cascade and its arrows go with it; the objectives it served stay.
    assert not Objective.objects.filter(pk=objective.pk).exists()
    assert not CascadeLink.objects.exists() and not CauseEffect.objects.exists()
    assert Objective.objects.filter(pk__in=[other.pk, parent.pk]).count() == 2


def test_deleting_a_measure_with_values_is_refused(revenue):
    services.measure_value_record(measure=revenue, period=JAN, actual=1, actor=None)
    message = (
        f"Measure '{revenue}' cannot be deleted: 1 measure value (e.g. REV 2026-01) "
        "still depends on it."
    )
    with refused({"__all__": [message]}):
        services.measure_delete(actor=None, instance=revenue)
    assert Measure.objects.filter(pk=revenue.pk).exists()
    assert MeasureValue.objects.count() == 1


def test_deleting_a_measure_with_goals_and_incentives_is_refused(revenue, tree):
    employee = f.EmployeeFactory(unit=tree.b1)
    f.GoalFactory(employee=employee, measure=revenue, title="Sell")
    f.IncentiveComponentFactory(employee=employee, measure=revenue, name="Bonus")
    message = (
        f"Measure '{revenue}' cannot be deleted: 1 goal (e.g. Sell); "
        "1 incentive component (e.g. Bonus) still depend on it."
    )
    with refused({"__all__": [message]}):
        services.measure_delete(actor=None, instance=revenue)
    assert Measure.objects.filter(pk=revenue.pk).exists()


def test_deleting_a_measure_a_rollup_uses_is_refused(tree):
    source = measure_in(tree.d1, "SALES")
    total = f.MeasureFactory(
        objective=f.ObjectiveFactory(unit=tree.b1), rollup=Rollup.SUM, sources=[source]
    )
    message = (
        f"Measure '{source}' cannot be deleted: 1 rollup source (e.g. {source} → {total}) "
        "still depends on it."
    )
    with refused({"__all__": [message]}):
        services.measure_delete(actor=None, instance=source)
    assert RollupSource.objects.count() == 1


def test_deleting_a_measure_without_dependents_works(tree):
    source = measure_in(tree.d1, "SALES")
    total = f.MeasureFactory(
        objective=f.ObjectiveFactory(unit=tree.b1), rollup=Rollup.SUM, sources=[source]
    )
    services.measure_delete(
        actor=None, instance=total
    )  # a rollup's links to its sources go with it
    assert list(Measure.objects.all()) == [source]
    assert not RollupSource.objects.exists()


def test_deleting_a_unit_with_children_and_contents_is_refused(tree):
    f.ObjectiveFactory(unit=tree.b2, code="GROW", name="Grow")
    f.BudgetLineFactory(unit=tree.b2, label="Rent")
    f.InitiativeFactory(unit=tree.b2, code="PUSH", name="Push")
    f.EmployeeFactory(unit=tree.b2, name="Ann")
    message = (
        f"Org unit '{tree.b2}' cannot be deleted: 1 budget line (e.g. 2026 B2 Rent); "
        "1 employee (e.g. Ann); 1 initiative (e.g. PUSH Push); 1 objective (e.g. GROW Grow); "
        f"1 org unit (e.g. {tree.d2}) still depend on it."
    )
    with refused({"__all__": [message]}):
        services.unit_delete(actor=None, instance=tree.b2)
    assert OrgUnit.objects.filter(pk=tree.b2.pk).exists()


def test_deleting_a_unit_without_dependents_works(tree):
    services.unit_delete(actor=None, instance=tree.t1)
    assert not OrgUnit.objects.filter(code="T1").exists()


# Change history ----------------------------------------------------------------------------


def changes_between(record_new, record_old) -> dict:
    delta = record_new.diff_against(record_old)
    return {c.field: (c.old, c.new) for c in delta.changes}


def test_objective_history_keeps_who_changed_what(tree, financial):
    alice, bob = f.UserFactory(), f.UserFactory()
    objective = new_objective(tree.b1, financial, by=alice)
    services.objective_update(actor=bob, instance=objective, data={"name": "Grow faster"})
    created, updated = objective.history.order_by("history_id")
    assert objective.history.count() == 2
    assert (created.history_type, created.history_user) == ("+", alice)
    assert (updated.history_type, updated.history_user) == ("~", bob)
    assert changes_between(updated, created) == {"name": ("Grow", "Grow faster")}


def test_measure_history_keeps_who_changed_what(tree):
    alice, bob = f.UserFactory(), f.UserFactory()
    measure = services.measure_create(
        actor=alice,
        data={"objective": f.ObjectiveFactory(unit=tree.b1), "code": "REV", "name": "Revenue"},
    )
    services.measure_update(actor=bob, instance=measure, data={"weight": Decimal("2")})
    created, updated = measure.history.order_by("history_id")
    assert measure.history.count() == 2
    assert (created.history_user, updated.history_user) == (alice, bob)
    assert changes_between(updated, created) == {"weight": (Decimal("1"), Decimal("2"))}


def test_measure_value_history_keeps_who_changed_what(revenue):
    alice, bob = f.UserFactory(), f.UserFactory()
    value, _ = services.measure_value_record(measure=revenue, period=JAN, actual=5, actor=alice)
    services.measure_value_record(measure=revenue, period=JAN, actual=7, actor=bob)
    created, updated = value.history.order_by("history_id")
    assert value.history.count() == 2
    assert (created.history_user, updated.history_user) == (alice, bob)
    delta = changes_between(updated, created)
    assert delta["actual"] == (Decimal("5"), Decimal("7"))
    assert delta["entered_by"] == (alice.pk, bob.pk)
