"""Dataclasses (an agenda) as JSON and back, exactly: numbers as text ("95", "12.5",
"20/3"), never floats; dates as ISO text. A field missing from the JSON (an agenda frozen
before the field existed) takes its default."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from fractions import Fraction


def number_text(value: Fraction) -> str:
    """An exact number as text: a decimal when it has a finite one (12.5), else p/q (20/3);
    `Fraction(text)` reads both back exactly."""
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    digits = str(abs(value.numerator) * (10**places // value.denominator)).rjust(places + 1, "0")
    sign = "-" if value < 0 else ""
    return sign + (f"{digits[:-places]}.{digits[-places:]}" if places else digits)


def encode(value):
    """`value` (a dataclass, list, number, date or plain value) as JSON-ready data."""
    if dataclasses.is_dataclass(value):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, Fraction):
        return number_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def decode(kind, value):
    """A `kind` (a type hint) back from `encode`'s data."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return decode(inner, value)
    if origin is list:
        (inner,) = typing.get_args(kind)
        return [decode(inner, v) for v in value]
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: decode(hints[f.name], value[f.name])
                       for f in dataclasses.fields(kind) if f.name in value})  # fmt: skip
    if kind is Fraction:
        return Fraction(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    return value
