"""The pure alignment math of `alignment.metrics` (DESIGN.md "Alignment metrics"), with
expectations worked by hand: percentages are exact Fractions, an empty denominator is None.
"""

from decimal import Decimal
from fractions import Fraction as F

import pytest

from alignment.metrics import (
    INDEX_METRICS,
    METRICS,
    Counts,
    Metrics,
    depths,
    metrics,
    share,
    subtree_counts,
)

# share -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (1, 4, F(25)),  # 1/4 * 100
        (1, 3, F(100, 3)),  # exact, not 33.33
        (0, 5, F(0)),  # a real zero: something to measure, nothing linked
        (5, 5, F(100)),
        (Decimal("1.5"), Decimal("6.00"), F(25)),  # money and weights are Decimals
        (Decimal("2500.00"), Decimal("7500.00"), F(100, 3)),
    ],
)
def test_share_is_an_exact_percentage(part, whole, expected):
    result = share(part, whole)
    assert isinstance(result, F)
    assert result == expected


@pytest.mark.parametrize(
    ("part", "whole"), [(0, 0), (Decimal("0"), Decimal("0.00")), (3, 0), (0, None)]
)
def test_share_of_an_empty_whole_is_none_never_zero_nor_an_error(part, whole):
    assert share(part, whole) is None


# Counts.plus -------------------------------------------------------------------------------


def test_plus_sums_every_count_but_keeps_the_parents_own_objectives():
    parent = Counts(
        objectives=2,
        objectives_linked=1,
        own_objectives=4,
        own_objectives_cascaded=3,
        planned=Decimal("1000.00"),
        planned_linked=Decimal("500.00"),
        planned_stratex=Decimal("100.00"),
        initiatives=1,
        initiatives_linked=1,
        employees=3,
        employees_aligned=2,
        incentive_weight=Decimal("2.000"),
        incentive_weight_linked=Decimal("1.500"),
        periods_due=5,
        periods_timely=4,
    )
    child = Counts(
        objectives=3,
        objectives_linked=3,
        own_objectives=3,
        own_objectives_cascaded=0,
        planned=Decimal("250.50"),
        planned_linked=Decimal("0.50"),
        planned_stratex=Decimal("0"),
        initiatives=2,
        initiatives_linked=0,
        employees=1,
        employees_aligned=1,
        incentive_weight=Decimal("1"),
        incentive_weight_linked=Decimal("0.5"),
        periods_due=2,
        periods_timely=0,
    )
    total = parent.plus(child)
    assert total == Counts(
        objectives=5,  # 2 + 3
        objectives_linked=4,  # 1 + 3
        own_objectives=4,  # the parent's own, not 4 + 3
        own_objectives_cascaded=3,  # the parent's own, not 3 + 0
        planned=Decimal("1250.50"),
        planned_linked=Decimal("500.50"),
        planned_stratex=Decimal("100.00"),
        initiatives=3,
        initiatives_linked=1,
        employees=4,
        employees_aligned=3,
        incentive_weight=Decimal("3.000"),
        incentive_weight_linked=Decimal("2.000"),
        periods_due=7,
        periods_timely=4,
    )
    # Neither operand changed.
    assert parent.objectives == 2 and child.own_objectives == 3


def test_plus_from_the_childs_side_keeps_the_childs_own_objectives():
    parent = Counts(own_objectives=4, own_objectives_cascaded=3, objectives=1)
    child = Counts(own_objectives=2, own_objectives_cascaded=1, objectives=2)
    total = child.plus(parent)
    assert (total.own_objectives, total.own_objectives_cascaded, total.objectives) == (2, 1, 3)


def test_plus_keeps_whether_this_unit_is_a_leaf():
    # A parent is never a leaf; adding a leaf child's counts must not make it one, and a
    # leaf's own flag is not summed away either.
    parent = Counts(own_objectives=2)
    child = Counts(own_objectives=1, leaf=True)
    assert parent.plus(child).leaf is False
    assert child.plus(Counts()).leaf is True


# metrics -----------------------------------------------------------------------------------


def test_metrics_of_empty_counts_are_all_none():
    result = metrics(Counts())
    assert result == Metrics(*([None] * 9))
    assert result.alignment_index is None


def test_metrics_of_full_counts_worked_by_hand():
    counts = Counts(
        objectives=8,
        objectives_linked=6,  # 6/8 = 75
        own_objectives=4,
        own_objectives_cascaded=1,  # 1/4 = 25
        planned=Decimal("4000.00"),
        planned_linked=Decimal("2000.00"),  # 2000/4000 = 50
        planned_stratex=Decimal("1000.00"),  # 1000/4000 = 25 (not in the index)
        initiatives=3,
        initiatives_linked=1,  # 1/3 = 100/3
        employees=10,
        employees_aligned=9,  # 9/10 = 90
        incentive_weight=Decimal("5.000"),
        incentive_weight_linked=Decimal("5.000"),  # 100
        periods_due=6,
        periods_timely=0,  # 0/6 = 0: counted in the index as a real 0
    )
    assert metrics(counts) == Metrics(
        objective_linkage=F(75),
        cascade_coverage=F(25),
        budget_linkage=F(50),
        stratex_share=F(25),
        initiative_linkage=F(100, 3),
        goal_alignment=F(90),
        incentive_linkage=F(100),
        data_timeliness=F(0),
        # (75 + 25 + 50 + 100/3 + 90 + 100 + 0) / 7 = (340 + 100/3) / 7 = (1120/3) / 7 = 160/3
        alignment_index=F(160, 3),
    )


def test_index_leaves_out_stratex_share():
    # Only budget figures: budget linkage 0/100 = 0, STRATEX share 100/100 = 100.
    # The index is 0 (budget linkage alone), not (0 + 100) / 2 = 50.
    result = metrics(Counts(planned=Decimal(100), planned_stratex=Decimal(100)))
    assert (result.budget_linkage, result.stratex_share) == (F(0), F(100))
    assert result.alignment_index == F(0)


def test_index_averages_only_the_metrics_that_are_present():
    # Goal alignment 1/2 = 50 and incentive linkage 1/1 = 100; the other six linkage
    # metrics are None and skipped: (50 + 100) / 2 = 75, not (50 + 100) / 7.
    result = metrics(
        Counts(
            employees=2,
            employees_aligned=1,
            incentive_weight=Decimal("1"),
            incentive_weight_linked=Decimal("1"),
        )
    )
    assert result.objective_linkage is None and result.data_timeliness is None
    assert result.alignment_index == F(75)


LEAF_COUNTS = {
    "objectives": 2,
    "objectives_linked": 1,  # objective linkage 1/2 = 50
    "own_objectives": 2,
    "own_objectives_cascaded": 0,  # 0/2 = 0 if anything could cascade to them
    "employees": 1,
    "employees_aligned": 1,  # goal alignment 1/1 = 100
}


def test_a_leaf_has_no_cascade_coverage_and_the_index_leaves_it_out():
    # Objective linkage 50, goal alignment 100, cascade coverage None (no unit below):
    # the index is (50 + 100) / 2 = 75, not (50 + 0 + 100) / 3 = 50.
    result = metrics(Counts(**LEAF_COUNTS, leaf=True))
    assert result.cascade_coverage is None
    assert (result.objective_linkage, result.goal_alignment) == (F(50), F(100))
    assert result.alignment_index == F(75)


def test_the_same_counts_with_units_below_have_a_real_zero_cascade_coverage():
    # Not a leaf: 0 of its 2 objectives supported from below is a real 0, in the index:
    # (50 + 0 + 100) / 3 = 50.
    result = metrics(Counts(**LEAF_COUNTS))
    assert result.cascade_coverage == F(0)
    assert result.alignment_index == F(50)


def test_a_leaf_with_objectives_supported_still_has_no_cascade_coverage():
    # Counts that say 1 of 2 is supported (data the services would not write for a leaf)
    # do not give a leaf a figure: None, and only objective linkage 50 remains.
    counts = Counts(
        objectives=2, objectives_linked=1, own_objectives=2, own_objectives_cascaded=1, leaf=True
    )
    result = metrics(counts)
    assert result.cascade_coverage is None
    assert result.alignment_index == F(50)


def test_as_dict_lists_the_metrics_and_the_index_in_order():
    result = metrics(Counts(employees=4, employees_aligned=1))
    assert list(result.as_dict()) == [*METRICS, "alignment_index"]
    assert result.as_dict()["goal_alignment"] == F(25)
    assert "stratex_share" in METRICS and "stratex_share" not in INDEX_METRICS
    assert "strategy_awareness" in INDEX_METRICS  # release 2's, counted where present
    assert len(INDEX_METRICS) == 8


# depths and subtree_counts -----------------------------------------------------------------

# A hand-made tree, children listed before their parents to show the order does not matter:
#
#   1 (top, parent None)
#   ├── 2
#   │   └── 4
#   │       └── 5
#   └── 3
TREE = {5: 4, 4: 2, 3: 1, 2: 1, 1: None}


def test_depths_of_a_hand_made_tree():
    assert depths(TREE) == {1: 0, 2: 1, 3: 1, 4: 2, 5: 3}


def test_depths_when_the_tops_parent_lies_outside_the_mapping():
    # A subtree cut out of a bigger tree: unit 20's parent 7 is not in the mapping.
    assert depths({21: 20, 22: 21, 20: 7, 23: 20}) == {20: 0, 21: 1, 22: 2, 23: 1}


def test_depths_of_an_empty_mapping():
    assert depths({}) == {}


def test_subtree_counts_sum_up_the_tree():
    own = {
        1: Counts(own_objectives=2, own_objectives_cascaded=1, employees=1),
        2: Counts(objectives=2, objectives_linked=1, own_objectives=2, employees=2),
        # 3 has no rows at all
        4: Counts(objectives=1, objectives_linked=1, own_objectives=1, employees_aligned=1),
        5: Counts(employees=4, employees_aligned=2, planned=Decimal("10.00")),
    }
    totals = subtree_counts(TREE, own)
    assert set(totals) == {1, 2, 3, 4, 5}
    # 5: its own only.
    assert totals[5] == Counts(employees=4, employees_aligned=2, planned=Decimal("10.00"))
    # 4: own + 5; own objectives stay 4's (1, 0).
    assert totals[4] == Counts(
        objectives=1,
        objectives_linked=1,
        own_objectives=1,
        employees=4,
        employees_aligned=3,  # 1 + 2
        planned=Decimal("10.00"),
    )
    # 2: own + 4 + 5.
    assert totals[2] == Counts(
        objectives=3,  # 2 + 1
        objectives_linked=2,  # 1 + 1
        own_objectives=2,
        employees=6,  # 2 + 0 + 4
        employees_aligned=3,
        planned=Decimal("10.00"),
    )
    # 3: nothing of its own, nothing below.
    assert totals[3] == Counts()
    # 1: own + everything; own objectives are 1's (2, 1).
    assert totals[1] == Counts(
        objectives=3,
        objectives_linked=2,
        own_objectives=2,
        own_objectives_cascaded=1,
        employees=7,  # 1 + 2 + 4
        employees_aligned=3,
        planned=Decimal("10.00"),
    )
    # The inputs are not changed by the summing.
    assert own[1] == Counts(own_objectives=2, own_objectives_cascaded=1, employees=1)


def test_subtree_counts_when_the_tops_parent_lies_outside_the_mapping():
    # Unit 20's parent 7 is outside: 20 is the top, and nothing is added to 7.
    parent_of = {21: 20, 20: 7, 22: 20}
    own = {
        7: Counts(employees=100),  # outside the mapping: ignored
        20: Counts(employees=1),
        21: Counts(employees=2, employees_aligned=2),
        22: Counts(employees=1),
    }
    totals = subtree_counts(parent_of, own)
    assert set(totals) == {20, 21, 22}
    assert totals[20] == Counts(employees=4, employees_aligned=2)  # 1 + 2 + 1
    # Goal alignment of 20's subtree: 2/4 = 50.
    assert metrics(totals[20]).goal_alignment == F(50)
    assert metrics(totals[22]).goal_alignment == F(0)  # 0/1


def test_subtree_counts_of_a_single_unit():
    assert subtree_counts({9: None}, {}) == {9: Counts()}
