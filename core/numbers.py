"""Numbers typed by people, read strictly in their language's format: pure, no ORM.

A person in France types "12,5" for twelve and a half and "1 250,5" with a space between the
thousands; in England "12.5" and "1,250.5"; in Germany "12,5" and "1.250,5". The same
characters mean different numbers, so a figure is read only in the format of the language
the person works in (`NumberFormat`), and whatever that format cannot read without guessing
is refused with a message saying how to write it, never read another way: in English "12,5"
is refused ("Write 12.5 for a decimal; a comma separates thousands, as in 12,500"), never
taken for 125.

What `parse_decimal` accepts, with the format's decimal separator `d` and group separator `g`:

- an optional sign (`-`, `+` or the minus sign U+2212) right before the digits;
- ASCII digits, with at most one `d`; digits before it may be grouped by three with `g`, or
  with spaces (a space, no-break space or narrow no-break space: the international way,
  never a decimal separator anywhere), one kind of separator per number; the first group
  has one to three digits and does not start with 0, every other group exactly three;
- nothing else: no letters, exponents, currency or percent signs, no digits after a group
  of the wrong size, no separator in the decimals.

`active_number_format()` is the format of Django's active language (its
`DECIMAL_SEPARATOR` and `THOUSAND_SEPARATOR`); `format_plain` writes a Decimal back for a
form field in that format, without trailing zeros ("36.3", never "36.300000").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

SPACES = frozenset(" \u00a0\u202f\u2009")  # space, no-break, narrow no-break, thin
SIGNS = {"-": -1, "\u2212": -1, "+": 1}
MAX_LENGTH = 60  # the longest text read as a number (20 digits with separators and sign)


@dataclass(frozen=True)
class NumberFormat:
    """How a language writes numbers: its decimal separator and the separator of its
    groups of three digits (a space-like character means spaces)."""

    decimal: str = "."
    group: str = ","

    def __post_init__(self):
        if self.decimal not in {".", ","} or self.group == self.decimal:
            raise ValueError(f"Unsupported number format: {self.decimal!r} {self.group!r}.")

    @property
    def groups_with_spaces(self) -> bool:
        return self.group in SPACES or not self.group

    def write(self, digits: str) -> str:
        """`digits` ("12500.5", as Python writes it) in this format, grouped by three."""
        whole, _sep, decimals = digits.partition(".")
        sign = "-" if whole.startswith("-") else ""
        whole = whole.lstrip("-")
        group = " " if self.groups_with_spaces else self.group
        groups = []
        while len(whole) > 3:
            whole, last = whole[:-3], whole[-3:]
            groups.insert(0, last)
        text = sign + group.join([whole, *groups])
        return f"{text}{self.decimal}{decimals}" if decimals else text


ENGLISH = NumberFormat(".", ",")


class NumberError(ValueError):
    """Text that is not a number in the format: `message` says how to write it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _separator_name(char: str) -> str:
    if char in SPACES or not char:
        return _("a space")
    return {",": _("a comma"), ".": _("a point"), "'": _("an apostrophe")}.get(char, repr(char))


def parse_decimal(text: str, fmt: NumberFormat = ENGLISH) -> Decimal:
    """The number `text` writes in `fmt`; NumberError saying how to write it otherwise
    (the rules are in the module's docstring). Blank text is an error too: callers decide
    what a blank field means before calling."""
    if not isinstance(text, str):
        raise NumberError(_("Enter a number."))
    typed = text.strip()
    if not typed:
        raise NumberError(_("Enter a number."))
    if len(typed) > MAX_LENGTH:
        raise NumberError(_("This is too long for a number."))
    sign, body = 1, typed
    if body[0] in SIGNS:
        sign, body = SIGNS[body[0]], body[1:]
    if not body or not body[0].isascii() or body[0] in SPACES:
        raise _not_a_number(typed, fmt)
    whole, decimals = _split_decimals(typed, body, fmt)
    digits = _ungroup(typed, typed[: len(typed) - len(body)], whole, decimals, fmt)
    try:
        value = Decimal(f"{digits or '0'}.{decimals}" if decimals else digits)
    except InvalidOperation:  # pragma: no cover - the text holds only digits by now
        raise _not_a_number(typed, fmt) from None
    value = value if sign > 0 else -value
    return abs(value) if value == 0 else value  # never "-0"


def _not_a_number(typed: str, fmt: NumberFormat) -> NumberError:
    bare = typed.rstrip("%").rstrip()
    if typed.endswith("%") and bare:
        try:
            parse_decimal(bare, fmt)
        except NumberError:
            pass
        else:
            return NumberError(
                _("Write the number without the %% sign, as in %(example)s.")
                % {"example": fmt.write("45.5")}
            )
    return NumberError(_("'%(text)s' is not a number.") % {"text": typed})


def _split_decimals(typed: str, body: str, fmt: NumberFormat) -> tuple[str, str]:
    """The part before the decimal separator and the decimals (all digits)."""
    allowed = set("0123456789") | {fmt.decimal, ".", ","} | SPACES | {fmt.group}
    if any(char not in allowed for char in body):
        raise _not_a_number(typed, fmt)
    if body.count(fmt.decimal) > 1:
        raise NumberError(
            _("'%(text)s' has more than one decimal separator; write it as in %(example)s.")
            % {"text": typed, "example": fmt.write("1234567.5")}
        )
    whole, _sep, decimals = body.partition(fmt.decimal)
    if not decimals.isdigit() and decimals:
        raise NumberError(
            _(
                "'%(text)s': write the decimals after %(decimal)s, with digits only, as in "
                "%(example)s."
            )
            % {
                "text": typed,
                "decimal": _separator_name(fmt.decimal),
                "example": fmt.write("1234.5"),
            }
        )
    if not whole and not decimals:
        raise _not_a_number(typed, fmt)
    return whole, decimals


def _ungroup(typed: str, sign: str, whole: str, decimals: str, fmt: NumberFormat) -> str:
    """The digits of `whole` with its group separators checked and taken out (`sign` as
    typed, for the messages)."""
    marks = {char for char in whole if not char.isdigit()}
    if not marks:
        return whole
    if marks <= SPACES:
        groups = _split_groups(whole, SPACES)
    elif marks == {fmt.group}:
        groups = _split_groups(whole, {fmt.group})
    else:
        foreign = marks - SPACES - {fmt.group}
        mark = next(iter(foreign)) if len(foreign) == 1 else None
        if mark and marks == foreign and not decimals and whole.count(mark) == 1:
            # The other languages' decimal separator ("12.5" in French).
            number = sign + whole.replace(mark, fmt.decimal)
            raise NumberError(
                _("Write %(number)s for a decimal: the decimal separator here is %(decimal)s.")
                % {"number": number, "decimal": _separator_name(fmt.decimal)}
            )
        raise _bad_grouping(typed, fmt)
    if _groups_ok(groups):
        return "".join(groups)
    if len(groups) == 2 and not decimals and marks == {fmt.group}:
        # One separator and a group of the wrong size: a decimal written with this
        # language's thousands separator ("12,5" in English).
        raise NumberError(
            _("Write %(number)s for a decimal; %(group)s separates thousands, as in %(example)s.")
            % {
                "number": f"{sign}{groups[0]}{fmt.decimal}{groups[1]}",
                "group": _separator_name(fmt.group),
                "example": fmt.write("12500"),
            }
        )
    raise _bad_grouping(typed, fmt)


def _bad_grouping(typed: str, fmt: NumberFormat) -> NumberError:
    return NumberError(
        _("'%(text)s': group the digits by three, as in %(example)s.")
        % {"text": typed, "example": fmt.write("1234567.5")}
    )


def _split_groups(whole: str, separators: set[str]) -> list[str]:
    groups, current = [], ""
    for char in whole:
        if char in separators:
            groups.append(current)
            current = ""
        else:
            current += char
    groups.append(current)
    return groups


def _groups_ok(groups: list[str]) -> bool:
    """Groups of three digits after a first group of one to three not starting with 0."""
    first, rest = groups[0], groups[1:]
    if not (first.isdigit() and 1 <= len(first) <= 3 and first[0] != "0"):
        return False
    return all(len(group) == 3 and group.isdigit() for group in rest)


def format_plain(value: Decimal, fmt: NumberFormat = ENGLISH) -> str:
    """`value` for a form field: without trailing zeros or exponent, with the format's
    decimal separator and no grouping ("36.3", "1250000", "-0,5")."""
    text = format(Decimal(value).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text.replace(".", fmt.decimal)


def active_number_format() -> NumberFormat:
    """The number format of Django's active language."""
    from django.utils import formats

    decimal = formats.get_format("DECIMAL_SEPARATOR")
    group = formats.get_format("THOUSAND_SEPARATOR")
    if decimal not in {".", ","}:  # a language we have no rule for: English
        return ENGLISH
    if group == decimal:
        group = ""
    return NumberFormat(decimal, group)
