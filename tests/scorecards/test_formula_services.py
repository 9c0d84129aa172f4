"""Saving calculated measures: formulas are resolved into inputs, and every bad formula is
refused with a message naming the position or the codes involved."""

import datetime as dt
from decimal import Decimal

import pytest

from scorecards import services
from scorecards.choices import Frequency, Rollup
from scorecards.models import FormulaInput, Measure
from tests import factories as f
from tests.helpers import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def fin():
    """Unit FIN (below the enterprise) with measures REV and COST; unit OPS with HEADS."""
    ent = f.EnterpriseFactory()
    fin = f.OrgUnitFactory(code="FIN", parent=ent)
    objective = f.ObjectiveFactory(unit=fin, code="PROFIT")
    rev = f.MeasureFactory(objective=objective, code="REV")
    cost = f.MeasureFactory(objective=objective, code="COST")
    ops = f.OrgUnitFactory(code="OPS", parent=ent)
    heads = f.MeasureFactory(objective=f.ObjectiveFactory(unit=ops), code="HEADS")
    return objective, rev, cost, heads


def calculated(objective, formula, code="CALC", **fields):
    return services.measure_create(
        actor=None,
        data={"objective": objective, "code": code, "name": code, "formula": formula, **fields},
    )


def test_inputs_are_resolved_in_the_unit_and_across_units(fin):
    objective, rev, cost, heads = fin
    margin = calculated(objective, "(REV - COST) / REV * 100 + OPS.HEADS * 0")
    inputs = set(FormulaInput.objects.filter(measure=margin).values_list("input_id", flat=True))
    assert inputs == {rev.pk, cost.pk, heads.pk}


def test_changing_the_formula_replaces_the_inputs(fin):
    objective, rev, _cost, _ = fin
    margin = calculated(objective, "REV - COST")
    services.measure_update(actor=None, instance=margin, data={"formula": "REV * 2"})
    assert list(margin.input_links.values_list("input_id", flat=True)) == [rev.pk]
    services.measure_update(actor=None, instance=margin, data={"formula": None})
    assert not margin.input_links.exists()


def test_syntax_error_names_the_position(fin):
    objective, *_ = fin
    # "(REV - COST" has 11 characters: the missing ')' is reported just past them, at 12
    with refused(
        {"formula": ["Syntax error: expected ')' but the formula ends (at character 12)."]}
    ):
        calculated(objective, "(REV - COST")
    assert not Measure.objects.filter(code="CALC").exists()  # nothing half-written


def test_unknown_codes_are_named(fin):
    objective, *_ = fin
    with refused({"formula": ["Unknown measure code(s): FIN.PROFIT, HR.HEADS."]}):
        calculated(objective, "REV / PROFIT + HR.HEADS")


def test_inputs_of_another_frequency_are_refused(fin):
    objective, *_ = fin
    f.MeasureFactory(objective=objective, code="QREV", frequency=Frequency.QUARTERLY)
    with refused(
        {"formula": ["Inputs must share the measure's frequency (monthly): FIN.QREV (quarterly)."]}
    ):
        calculated(objective, "QREV + REV")


def test_a_formula_reading_itself_is_refused(fin):
    objective, *_ = fin
    margin = calculated(objective, "REV")
    with refused({"formula": ["CALC cannot read itself."]}):
        services.measure_update(actor=None, instance=margin, data={"formula": "CALC + 1"})


def test_a_cycle_through_formulas_is_refused_and_named(fin):
    objective, *_ = fin
    first = calculated(objective, "REV", code="ONE")
    calculated(objective, "ONE * 2", code="TWO")
    # ONE reading TWO closes the loop ONE -> TWO -> ONE
    with refused(
        {"formula": ["This would make a cycle of measures reading each other: "
                     "FIN.ONE → FIN.TWO → FIN.ONE."]}
    ):  # fmt: skip
        services.measure_update(actor=None, instance=first, data={"formula": "TWO + 1"})
    first.refresh_from_db()
    assert first.formula == "REV"


def test_a_cycle_through_a_rollup_is_refused(fin):
    objective, rev, *_ = fin
    ent_objective = f.ObjectiveFactory(unit=objective.unit.parent, code="ENT_OBJ")
    total = services.measure_create(
        actor=None,
        data={
            "objective": ent_objective,
            "code": "TOTAL",
            "name": "Total",
            "rollup": Rollup.SUM,
            "sources": [rev],
        },
    )
    # REV becomes calculated from the rollup that reads REV: FIN.REV -> ENT.TOTAL -> FIN.REV
    with refused(
        {"formula": ["This would make a cycle of measures reading each other: "
                     "FIN.REV → ENT.TOTAL → FIN.REV."]}
    ):  # fmt: skip
        services.measure_update(actor=None, instance=rev, data={"formula": "ENT.TOTAL / 2"})
    assert total.sources.get() == rev


def test_deleting_an_input_is_refused(fin):
    objective, rev, *_ = fin
    calculated(objective, "REV * 2", code="DOUBLE")
    with pytest.raises(Exception) as caught:
        services.measure_delete(actor=None, instance=rev)
    assert "1 formula input (e.g. DOUBLE reads REV) still depends on it" in str(caught.value)
    assert Measure.objects.filter(pk=rev.pk).exists()


def test_renaming_an_input_is_refused(fin):
    objective, rev, *_ = fin
    calculated(objective, "REV * 2", code="DOUBLE")
    with refused(
        {"code": ["The formulas of FIN.DOUBLE read REV; change them before changing its code."]}
    ):
        services.measure_update(actor=None, instance=rev, data={"code": "REVENUE"})


def test_renaming_a_unit_named_by_other_units_formulas_is_refused(fin):
    objective, _, _, heads = fin
    calculated(objective, "OPS.HEADS + 1", code="PLUS")
    with refused(
        {"code": ["The formulas of FIN.PLUS name measures as OPS.CODE; "
                  "change them before renaming the unit."]}
    ):  # fmt: skip
        services.unit_update(actor=None, instance=heads.unit, data={"code": "OPERATIONS"})
    services.unit_update(
        actor=None, instance=objective.unit, data={"code": "FINANCE"}
    )  # own-unit formulas use CODE


def test_a_rollup_whose_source_reads_the_rollup_is_refused(fin):
    objective, *_ = fin
    ent_objective = f.ObjectiveFactory(unit=objective.unit.parent, code="TOP_OBJ")
    top = services.measure_create(
        actor=None,
        data={"objective": ent_objective, "code": "TOP", "name": "Top", "rollup": Rollup.SUM},
    )
    reader = calculated(objective, "ENT.TOP * 2", code="C")
    # ENT.TOP summing FIN.C, which reads ENT.TOP: ENT.TOP -> FIN.C -> ENT.TOP
    with refused(
        {"sources": ["This would make a cycle of measures reading each other: "
                     "ENT.TOP → FIN.C → ENT.TOP."]}
    ):  # fmt: skip
        services.measure_update(actor=None, instance=top, data={"sources": [reader]})
    assert not top.sources.exists()


def test_the_same_input_named_twice_is_one_input(fin):
    objective, rev, *_ = fin
    both = calculated(objective, "REV + FIN.REV")  # the same measure, named twice
    assert list(both.input_links.values_list("input_id", flat=True)) == [rev.pk]


@pytest.mark.parametrize(
    "formula,message",
    [
        ("(" * 400 + "1" + ")" * 400,
         "Syntax error: the formula nests more than 50 levels of parentheses or signs "
         "(at character 51)."),
        ("1" + "+1" * 600, "Syntax error: the formula is longer than 1,000 characters "
                           "(at character 1001)."),
        ("\u0663 + 1", "Syntax error: unexpected character '\u0663' (at character 1)."),
    ],
)  # fmt: skip
def test_pathological_formulas_are_refused_with_a_message(fin, formula, message):
    objective, *_ = fin
    with refused({"formula": [message]}):
        calculated(objective, formula)


def test_renaming_a_unit_whose_own_formulas_name_it_is_refused(fin):
    objective, *_ = fin
    calculated(objective, "FIN.REV * 2", code="QUALIFIED")  # names its own unit explicitly
    with refused(
        {"code": ["The formulas of FIN.QUALIFIED name measures as FIN.CODE; "
                  "change them before renaming the unit."]}
    ):  # fmt: skip
        services.unit_update(actor=None, instance=objective.unit, data={"code": "FINANCE"})


def test_polarity_change_refused_while_red_flags_are_set(fin):
    _, rev, *_ = fin
    services.measure_value_record(
        measure=rev,
        period=dt.date(2026, 1, 1),
        target=Decimal(100),
        red_flag=Decimal(90),
        actor=None,
    )
    with refused(
        {"polarity": ["REV has red flags set for its old polarity (increase); they would fall "
                      "on the wrong side of the targets. Clear them first, or create a new "
                      "measure."]}
    ):  # fmt: skip
        services.measure_update(actor=None, instance=rev, data={"polarity": "decrease"})
    rev.refresh_from_db()
    assert rev.polarity == "increase"
