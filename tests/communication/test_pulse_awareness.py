"""The awareness pulse's arithmetic (communication/awareness.py), database-free: each unit's
figures over its subtree, and the minimum group of 5 answers, including the groups a
subtraction of two shown figures would give away. Every expectation is worked out by hand
in the comments."""

from fractions import Fraction as F

from communication.awareness import (
    COVERS,
    FEW,
    MIN_GROUP,
    Tally,
    shown_units,
    subtree_sums,
    unit_figures,
)


def tally(*answers: tuple[bool, int]) -> Tally:
    """The tally of answers given as (aware, understanding)."""
    return Tally(len(answers), sum(a for a, _ in answers), sum(u for _, u in answers))


# ENT (1) > A (2) > A1 (3); ENT > B (4). Answers of each unit itself:
#   A:  (aware, 3), (aware, 4), (not, 2)            3 answers, 2 aware, understanding 9
#   A1: (aware, 5), (aware, 4), (not, 1)            3 answers, 2 aware, understanding 10
#   B:  (aware, 2), (aware, 2), (aware, 3), (not, 4), (not, 5)
#                                                   5 answers, 3 aware, understanding 16
TREE = {1: None, 2: 1, 3: 2, 4: 1}
OWN = {
    2: tally((True, 3), (True, 4), (False, 2)),
    3: tally((True, 5), (True, 4), (False, 1)),
    4: tally((True, 2), (True, 2), (True, 3), (False, 4), (False, 5)),
}
# People asked, each unit itself: A 4, A1 4, B 5, ENT 0.
AUDIENCE = {2: 4, 3: 4, 4: 5}


def test_the_minimum_group_is_five():
    assert MIN_GROUP == 5


def test_subtree_sums_count_every_unit_below():
    totals = subtree_sums(TREE, OWN)
    assert totals[3] == Tally(3, 2, 10)  # A1 alone
    assert totals[2] == Tally(6, 4, 19)  # A 3 + A1 3 answers; 2 + 2 aware; 9 + 10
    assert totals[1] == Tally(11, 7, 35)  # A's 6 + B's 5; 4 + 3; 19 + 16


def test_a_unit_of_six_answers_with_a_sub_unit_of_three():
    figures = unit_figures(TREE, OWN, AUDIENCE)
    a = figures[2]
    # A: 6 answers (its own 3 and A1's 3), 4 aware: 4/6 = 66.67%; understanding
    # (3 + 4 + 2 + 5 + 4 + 1) / 6 = 19/6 = 3.17; asked 4 + 4 = 8: 6/8 = 75%.
    assert (a.responses, a.audience) == (6, 8)
    assert a.awareness == F(200, 3)
    assert a.understanding_mean == F(19, 6)
    assert a.response_rate == F(75)
    assert a.shown
    # A1: 3 answers, under the minimum: its count and rate, no figures (but counted in A).
    a1 = figures[3]
    assert (a1.responses, a1.audience, a1.response_rate) == (3, 4, F(75))
    assert (a1.awareness, a1.understanding_mean, a1.shown) == (None, None, False)
    assert a1.hidden_because == FEW


def test_the_whole_subtree():
    top = unit_figures(TREE, OWN, AUDIENCE)[1]
    # 11 answers of 13 asked: 1100/13 %; 7 aware of 11: 700/11 % (63.64);
    # understanding 35/11 (3.18).
    assert (top.responses, top.audience) == (11, 13)
    assert top.response_rate == F(1100, 13)
    assert top.awareness == F(700, 11)
    assert top.understanding_mean == F(35, 11)
    b = unit_figures(TREE, OWN, AUDIENCE)[4]
    # B: exactly 5 answers is enough: 3/5 = 60%, (2 + 2 + 3 + 4 + 5) / 5 = 16/5.
    assert (b.awareness, b.understanding_mean, b.response_rate) == (F(60), F(16, 5), F(100))


def test_fewer_than_five_in_all_shows_nothing():
    figures = unit_figures({1: None, 2: 1}, {2: tally((True, 5))}, {2: 3})
    assert not figures[1].shown and not figures[2].shown
    assert figures[1].responses == 1  # the count of who took part stays
    assert figures[1].awareness is None and figures[1].understanding_mean is None


def test_no_answers_no_audience():
    figures = unit_figures({1: None}, {}, {})
    assert figures[1].responses == 0
    assert figures[1].response_rate is None  # nobody asked: no rate, not 0
    assert figures[1].hidden_because == FEW


def test_the_response_rate_stops_at_100():
    # 3 answers from a unit where 2 people are asked today (one answered and left since).
    figures = unit_figures({1: None}, {1: tally((True, 1), (True, 1), (True, 1))}, {1: 2})
    assert figures[1].response_rate == F(100)


# The groups a subtraction would give away -----------------------------------------------------


def test_a_parent_of_six_beside_its_child_of_five_hides_the_child():
    # P (1) has 1 answer of its own (aware, 2), its child C (2) has 5 (not aware, 3 each):
    # P's 6 shown beside C's 5 would give away P's own answer (6 - 5). P, the larger
    # group, stays; C is hidden, its count still shown.
    tree = {1: None, 2: 1}
    assert shown_units(tree, {1: 1, 2: 5}) == {1}
    figures = unit_figures(tree, {1: tally((True, 2)), 2: tally(*[(False, 3)] * 5)}, {})
    assert figures[2].hidden_because == COVERS and figures[2].responses == 5
    assert figures[2].awareness is None and figures[2].understanding_mean is None
    # P: 1 aware of 6 answers: 100/6 = 50/3 %; understanding (2 + 5 * 3) / 6 = 17/6.
    assert figures[1].awareness == F(50, 3)
    assert figures[1].understanding_mean == F(17, 6)


def test_a_parent_with_no_answers_of_its_own_shows_beside_its_children():
    # P has none of its own; C1 and C2 have 5 each: P - C1 - C2 = 0 answers, nothing given
    # away: all three are shown.
    assert shown_units({1: None, 2: 1, 3: 1}, {2: 5, 3: 5}) == {1, 2, 3}


def test_the_smaller_child_is_hidden_first():
    # P has 1 of its own, C1 5, C2 8: P's piece would be 1. Hiding C1 (the smaller) makes
    # it 1 + 5 = 6: P and C2 stay, C1 goes.
    assert shown_units({1: None, 2: 1, 3: 1}, {1: 1, 2: 5, 3: 8}) == {1, 3}


def test_a_chain_of_equal_groups_is_hidden_down_to_the_answers():
    # P (2 of its own) > C (none of its own) > D (5). D: 5, shown. C: 5 (D's), shown, its
    # piece 0. P: 7, its piece 2 (7 - C's 5): hiding C alone adds 0 (C's piece), so D goes
    # too (D's 5 would still give P's 2 away): P alone is shown, with 7.
    assert shown_units({1: None, 2: 1, 3: 2}, {1: 2, 3: 5}) == {1}


def test_every_piece_of_a_larger_tree_is_none_or_at_least_five():
    # ENT > (B1 > (D1, D2), B2 > D3), own answers: ENT 0, B1 2, D1 6, D2 4, B2 0, D3 5.
    tree = {1: None, 2: 1, 3: 2, 4: 2, 5: 1, 6: 5}
    own = {2: 2, 3: 6, 4: 4, 6: 5}
    shown = shown_units(tree, own)
    # D2 (4): too few. D1 (6): shown. D3 (5): shown. B1: 12, its piece 2 + 4 = 6: shown.
    # B2: 5, piece 0 (D3's 5): shown. ENT: 17, piece 0: shown.
    assert shown == {1, 2, 3, 5, 6}
    # Each shown unit's piece: its subtree minus the shown units nearest below it.
    totals = {u: t.answers for u, t in subtree_sums(tree, {u: Tally(n) for u, n in
                                                             own.items()}).items()}  # fmt: skip
    pieces = {1: totals[1] - totals[2] - totals[5], 2: totals[2] - totals[3], 3: totals[3],
              5: totals[5] - totals[6], 6: totals[6]}  # fmt: skip
    assert pieces == {1: 0, 2: 6, 3: 6, 5: 0, 6: 5}
