"""Formulas of calculated measures: a small grammar parsed by hand, never `eval`ed.

    expression := term (("+" | "-") term)*
    term       := unary (("*" | "/") unary)*
    unary      := ("-" | "+") unary | primary
    primary    := NUMBER | reference | function "(" expression ("," expression)* ")"
                | "(" expression ")"
    reference  := CODE | UNITCODE "." CODE
    function   := min | max | abs      (a name followed by "(")

Evaluation is exact (Fractions). A missing input or a division by zero gives None (no value
for that period), never an exception. Pure: no ORM; the services resolve the references.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from django.utils.formats import number_format
from django.utils.translation import gettext as _

FUNCTIONS = {"min": (1, None), "max": (1, None), "abs": (1, 1)}  # name: (min args, max args)


class FormulaError(ValueError):
    """A formula that cannot be parsed; `position` is the 1-based character it fails at."""

    def __init__(self, message: str, position: int):
        super().__init__(
            _("%(message)s (at character %(position)s)")
            % {"message": message, "position": position}
        )
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Number:
    value: Fraction


@dataclass(frozen=True)
class Reference:
    """A measure code, optionally qualified by its unit's code (`UNIT.CODE`)."""

    unit_code: str | None
    code: str

    def __str__(self):
        return f"{self.unit_code}.{self.code}" if self.unit_code else self.code


@dataclass(frozen=True)
class Negate:
    operand: Node


@dataclass(frozen=True)
class Binary:
    operator: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    function: str
    arguments: tuple[Node, ...]


Node = Number | Reference | Negate | Binary | Call

_TOKEN = re.compile(
    r"\s*(?:(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)|(?P<name>[A-Za-z][A-Za-z0-9_]*)|(?P<op>[-+*/(),.\u2212]))"
)


@dataclass(frozen=True)
class _Token:
    kind: str  # number, name, op, end
    text: str
    position: int  # 1-based


def _tokens(text: str) -> list[_Token]:
    tokens, index = [], 0
    while index < len(text):
        if text[index].isspace():
            index += 1
            continue
        match = _TOKEN.match(text, index)
        if not match or match.end() == index:
            raise FormulaError(
                _("unexpected character %(character)s") % {"character": repr(text[index])},
                index + 1,
            )
        kind = match.lastgroup
        value = match.group(kind)
        start = match.start(kind)
        tokens.append(_Token(kind, "-" if value == "\u2212" else value, start + 1))
        index = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


def _expected(expected: str, token: _Token) -> str:
    """ "expected ')' but found 'x'", or "... but the formula ends"."""
    if token.kind == "end":
        return _("expected %(expected)s but the formula ends") % {"expected": repr(expected)}
    return _("expected %(expected)s but found %(found)s") % {
        "expected": repr(expected),
        "found": repr(token.text),
    }


def _expected_operand(token: _Token) -> str:
    if token.kind == "end":
        return _("expected a number, a measure code or '(' but the formula ends")
    return _("expected a number, a measure code or '(' but found %(found)s") % {
        "found": repr(token.text)
    }


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.current
        self.index += 1
        return token

    def expect(self, text: str) -> _Token:
        if self.current.text != text or self.current.kind != "op":
            raise FormulaError(_expected(text, self.current), self.current.position)
        return self.take()

    def parse(self) -> Node:
        if self.current.kind == "end":
            raise FormulaError(_("the formula is empty"), 1)
        node = self.expression()
        if self.current.kind != "end":
            raise FormulaError(
                _("unexpected %(text)s") % {"text": repr(self.current.text)},
                self.current.position,
            )
        return node

    def expression(self) -> Node:
        node = self.term()
        while self.current.kind == "op" and self.current.text in "+-":
            operator = self.take().text
            node = Binary(operator, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.current.kind == "op" and self.current.text in "*/":
            operator = self.take().text
            node = Binary(operator, node, self.unary())
        return node

    def unary(self) -> Node:
        if self.current.kind == "op" and self.current.text in "+-":
            operator = self.take().text
            operand = self.unary()
            return Negate(operand) if operator == "-" else operand
        return self.primary()

    def primary(self) -> Node:
        token = self.current
        if token.kind == "number":
            self.take()
            return Number(Fraction(token.text))
        if token.kind == "name":
            self.take()
            if self.current.kind == "op" and self.current.text == "(":
                return self.call(token)
            if self.current.kind == "op" and self.current.text == ".":
                self.take()
                code = self.current
                if code.kind != "name":
                    raise FormulaError(
                        _("expected a measure code after '%(unit)s.'") % {"unit": token.text},
                        code.position,
                    )
                self.take()
                return Reference(token.text, code.text)
            return Reference(None, token.text)
        if token.kind == "op" and token.text == "(":
            self.take()
            node = self.expression()
            self.expect(")")
            return node
        raise FormulaError(_expected_operand(token), token.position)

    def call(self, name: _Token) -> Node:
        function = name.text.lower()
        if function not in FUNCTIONS:
            raise FormulaError(
                _("unknown function %(function)s (use min, max or abs)")
                % {"function": repr(name.text)},
                name.position,
            )
        self.expect("(")
        arguments = [self.expression()]
        while self.current.kind == "op" and self.current.text == ",":
            self.take()
            arguments.append(self.expression())
        self.expect(")")
        least, most = FUNCTIONS[function]
        if len(arguments) < least or (most is not None and len(arguments) > most):
            counts = {"function": function, "least": least, "given": len(arguments)}
            message = (
                _("%(function)s takes exactly %(least)s argument(s), not %(given)s")
                if least == most
                else _("%(function)s takes at least %(least)s argument(s), not %(given)s")
            )
            raise FormulaError(message % counts, name.position)
        return Call(function, tuple(arguments))


MAX_LENGTH = 1000
MAX_DEPTH = 50


def _refuse_deep(tokens: list[_Token]) -> None:
    """Refuse, before parsing, nesting deeper than MAX_DEPTH levels: each open parenthesis
    (a function's too) and each sign in a row is a level of the parser's recursion."""
    depth = signs = 0
    for token in tokens:
        is_op = token.kind == "op"
        if is_op and token.text == "(":
            depth += 1
        elif is_op and token.text == ")":
            depth = max(depth - 1, 0)  # an unmatched ")" is the parser's to report
        signs = signs + 1 if is_op and token.text in "+-" else 0
        if depth + signs > MAX_DEPTH:
            raise FormulaError(
                _("the formula nests more than %(depth)s levels of parentheses or signs")
                % {"depth": MAX_DEPTH},
                token.position,
            )


def parse(text: str) -> Node:
    """The syntax tree of `text`, or FormulaError naming the position. Too long or too
    deeply nested a text is refused before it is parsed."""
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            _("the formula is longer than %(length)s characters")
            % {"length": number_format(MAX_LENGTH, force_grouping=True)},
            MAX_LENGTH + 1,
        )
    tokens = _tokens(text)
    _refuse_deep(tokens)
    try:
        return _Parser(tokens).parse()
    except RecursionError:  # not reached within the limits above; kept as a safety net
        raise FormulaError(_("the formula nests too deeply"), 1) from None


def references(node: Node) -> list[Reference]:
    """The measure references of a formula, in order of appearance, without repeats."""
    found: list[Reference] = []

    def walk(n: Node):
        if isinstance(n, Reference):
            if n not in found:
                found.append(n)
        elif isinstance(n, Negate):
            walk(n.operand)
        elif isinstance(n, Binary):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, Call):
            for argument in n.arguments:
                walk(argument)

    walk(node)
    return found


def evaluate(node: Node, value_of: Callable[[Reference], Fraction | None]) -> Fraction | None:
    """The formula's value given each reference's value; None when an input is missing or
    a division by zero occurs."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Reference):
        return value_of(node)
    if isinstance(node, Negate):
        operand = evaluate(node.operand, value_of)
        return None if operand is None else -operand
    if isinstance(node, Binary):
        left = evaluate(node.left, value_of)
        right = evaluate(node.right, value_of)
        if left is None or right is None:
            return None
        if node.operator == "+":
            return left + right
        if node.operator == "-":
            return left - right
        if node.operator == "*":
            return left * right
        return None if right == 0 else left / right
    arguments = [evaluate(argument, value_of) for argument in node.arguments]
    if any(a is None for a in arguments):
        return None
    if node.function == "abs":
        return abs(arguments[0])
    return min(arguments) if node.function == "min" else max(arguments)
