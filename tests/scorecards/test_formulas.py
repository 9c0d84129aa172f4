"""The formula grammar of calculated measures: parsing, precedence, evaluation, errors."""

from fractions import Fraction as F

import pytest

from scorecards import formulas
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
    assert str(Reference(None, "REV")) == "REV"  # unqualified: the code alone, as written


def test_references_through_a_minus_sign_and_inside_functions():
    # the inputs a calculated measure depends on, wherever they stand
    tree = parse("-REV + min(COST, FIN.HEAD) - max(1, -OPEX) * abs(TAX)")
    assert references(tree) == [
        Reference(None, "REV"),
        Reference(None, "COST"),
        Reference("FIN", "HEAD"),
        Reference(None, "OPEX"),
        Reference(None, "TAX"),
    ]
    assert references(parse("-(-REV)")) == [Reference(None, "REV")]
    assert references(parse("abs(min(max(COST))) + 1")) == [Reference(None, "COST")]


@pytest.mark.parametrize(
    "text,message,position",
    [
        ("", "the formula is empty", 1),
        ("   ", "the formula is empty", 1),
        ("1 +", "expected a number, a measure code or '(' but the formula ends", 4),
        ("(1 + 2", "expected ')' but the formula ends", 7),
        ("(1, 2)", "expected ')' but found ','", 3),  # an operator, but not ')'
        ("abs(1 (2))", "expected ')' but found '('", 7),
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


# Size limits (also refused through the service, the form and the API: osm/test_abuse_limits)


def test_a_formula_of_1000_characters_parses_and_one_more_is_refused():
    # "max(" + 498 digits 0-9 and 497 commas + ")": 4 + 498 + 497 + 1 = 1,000 characters
    # (one call rather than a chain of 500 sums, whose evaluation nests 500 deep)
    text = "max(" + ",".join(str(k % 10) for k in range(498)) + ")"
    assert len(text) == 1000
    assert evaluate(parse(text), value_of) == 9
    with pytest.raises(FormulaError) as caught:
        parse(text + "1")
    assert caught.value.message == "the formula is longer than 1,000 characters"
    assert caught.value.position == 1001


@pytest.mark.parametrize(
    "text,expected",
    [
        ("(" * 50 + "7" + ")" * 50, 7),  # 50 parentheses
        ("-" * 50 + "7", 7),  # 50 signs: minus applied an even number of times
        ("abs(" * 49 + "-7" + ")" * 49, 7),  # 49 parentheses and a sign
        ("1-" + "-" * 49 + "1", 2),  # a run of 50 signs: 1 - (-1), 49 being odd
        ("(1)+" * 60 + "0", 60),  # a closed parenthesis is a level no more
        ("(1)+" + "(" * 50 + "1" + ")" * 50, 2),  # the first level free again: 50 more
        ("(" * 50 + "1)+(" + "1" + ")" * 50, 2),  # one closed at level 50, one opened
        ("1-" * 60 + "1", -59),  # a number ends a run of signs: 1 - 60 ones
    ],
)
def test_nesting_up_to_50_levels_parses(text, expected):
    assert evaluate(parse(text), value_of) == expected


TOO_DEEP = "the formula nests more than 50 levels of parentheses or signs"


@pytest.mark.parametrize(
    "text,position",
    [
        ("(" * 51 + "7" + ")" * 51, 51),  # the 51st "("
        ("-" * 51 + "7", 51),  # the 51st sign
        ("abs(" * 51 + "1" + ")" * 51, 204),  # the 51st "(" is character 4 * 51
        ("-(" * 51 + "1" + ")" * 51, 101),  # the 51st "-" (character 2 * 50 + 1): 50 + 1
        ("(" * 25 + "-" * 26 + "1" + ")" * 25, 51),  # 25 levels + 26 signs
        # 50 levels, one closed (49) and two opened: the second "(" is character 50 + 5
        ("(" * 50 + "1)+((1))" + ")" * 49, 55),
        # an unmatched ")" earlier opens no room for more levels: still the 51st "(" (6 + 51)
        ("1)))+-" + "(" * 51 + "1" + ")" * 51, 57),
    ],
)
def test_nesting_deeper_than_50_levels_is_refused(text, position):
    with pytest.raises(FormulaError) as caught:
        parse(text)
    assert caught.value.message == TOO_DEEP
    assert caught.value.position == position


def test_a_recursion_error_in_the_parser_is_a_syntax_error(monkeypatch):
    # Not reached within the limits above; should it ever be, no RecursionError escapes.
    class Parser:
        def __init__(self, tokens):
            pass

        def parse(self):
            raise RecursionError

    monkeypatch.setattr(formulas, "_Parser", Parser)
    with pytest.raises(FormulaError) as caught:
        parse("1")
    assert (caught.value.message, caught.value.position) == ("the formula nests too deeply", 1)
