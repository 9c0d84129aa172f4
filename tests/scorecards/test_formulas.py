"""The formula grammar of calculated measures: parsing, precedence, evaluation, errors."""

from fractions import Fraction as F

import pytest

from scorecards.formulas import FormulaError, Reference, evaluate, parse, references

INPUTS = {
    (None, "REV"): F(200),
    (None, "COST"): F(150),
    (None, "ZERO"): F(0),
    ("FIN", "HEAD"): F(40),
    (None, "MISSING"): None,
}


def value_of(ref):
    return INPUTS[(ref.unit_code, ref.code)]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2 + 3 * 4", F(14)),  # * before +: 2 + 12
        ("(2 + 3) * 4", F(20)),
        ("8 - 3 - 2", F(3)),  # left to right: (8 - 3) - 2
        ("10 / 4 / 5", F(1, 2)),  # (10 / 4) / 5 = 2.5 / 5
        ("-3 - -2", F(-1)),  # unary minus binds tighter: (-3) - (-2)
        ("-2 * 3 + 1", F(-5)),  # (-2) * 3 + 1
        ("+4", F(4)),
        ("1.5 * 2", F(3)),
        (".5 + 0.25", F(3, 4)),
        ("(REV - COST) / REV * 100", F(25)),  # 50 / 200 * 100
        ("REV / FIN.HEAD", F(5)),  # a cross-unit reference: 200 / 40
        ("min(REV, COST, 175)", F(150)),
        ("max(REV, COST) - min(3, 4)", F(197)),
        ("abs(COST - REV)", F(50)),
        ("MAX(1, 2)", F(2)),  # function names are case-insensitive
        ("REV \u2212 COST", F(50)),  # a typographic minus sign is a minus
    ],
)
def test_evaluation(text, expected):
    assert evaluate(parse(text), value_of) == expected


def test_division_by_zero_gives_no_value():
    assert evaluate(parse("REV / ZERO"), value_of) is None
    assert evaluate(parse("REV / (COST - 150)"), value_of) is None


def test_a_missing_input_gives_no_value():
    assert evaluate(parse("REV + MISSING"), value_of) is None
    assert evaluate(parse("max(REV, MISSING)"), value_of) is None
    assert evaluate(parse("-MISSING"), value_of) is None


def test_references_in_order_without_repeats():
    tree = parse("(REV - COST) / REV + FIN.HEAD")
    assert references(tree) == [
        Reference(None, "REV"),
        Reference(None, "COST"),
        Reference("FIN", "HEAD"),
    ]
    assert str(Reference("FIN", "HEAD")) == "FIN.HEAD"


@pytest.mark.parametrize(
    "text,message,position",
    [
        ("", "the formula is empty", 1),
        ("   ", "the formula is empty", 1),
        ("1 +", "expected a number, a measure code or '(' but the formula ends", 4),
        ("(1 + 2", "expected ')' but the formula ends", 7),
        ("1 + 2)", "unexpected ')'", 6),
        ("REV COST", "unexpected 'COST'", 5),
        ("REV $ 2", "unexpected character '$'", 5),
        ("FIN.", "expected a measure code after 'FIN.'", 5),
        ("sqrt(4)", "unknown function 'sqrt' (use min, max or abs)", 1),
        ("abs(1, 2)", "abs takes exactly 1 argument(s), not 2", 1),
        ("min()", "expected a number, a measure code or '(' but found ')'", 5),
        ("2 * * 3", "expected a number, a measure code or '(' but found '*'", 5),
        ("1e5", "unexpected 'e5'", 2),
        ("__import__('os')", "unexpected character '_'", 1),
    ],
)
def test_rejected_formulas_name_the_position(text, message, position):
    with pytest.raises(FormulaError) as caught:
        parse(text)
    assert caught.value.message == message
    assert caught.value.position == position
    assert str(caught.value) == f"{message} (at character {position})"
