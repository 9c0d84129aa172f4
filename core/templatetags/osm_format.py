"""Template filters that format the engine's exact numbers for people."""

from decimal import Decimal
from fractions import Fraction

from django import template
from django.utils.html import format_html

from core.formatting import money_text, status_word, to_decimal

register = template.Library()

NONE = "\u2013"  # an en dash where there is no figure

TREND_LABELS = {"up": "▲ up", "down": "▼ down", "flat": "▶ flat"}


@register.filter
def score(value):
    """A 0-10 score with two decimals, or an en dash when there is none."""
    return NONE if value is None else f"{to_decimal(value):.2f}"


@register.filter
def figure(value):
    """An actual, target or red flag: up to 2 decimals, trailing zeros dropped."""
    if value is None:
        return NONE
    if isinstance(value, Fraction):
        value = to_decimal(value)
    text = f"{Decimal(value).quantize(Decimal('0.01')):,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def money(value):
    """An amount of money: whole amounts without decimals, others with two (1,120.50)."""
    return NONE if value is None else money_text(value)


@register.filter
def status_label(status):
    """A status in words (core.formatting.STATUS_WORDS): "red" -> "Off target"."""
    return status_word(status)


@register.simple_tag
def status_badge(status):
    """`{% status_badge objective.status %}`: the status in words on its colour (the code
    only in the class, for the colour)."""
    code = status or "no_data"
    return format_html('<span class="status status-{}">{}</span>', code, status_word(code))


@register.filter
def trend_label(trend):
    return TREND_LABELS.get(trend, NONE)


@register.filter
def percent(value):
    """A 0-100 percentage with two decimals, or "n/a" where the denominator was empty."""
    return "n/a" if value is None else f"{to_decimal(value):.2f}%"


@register.filter
def metric(metrics, name):
    """`metrics|metric:"budget_linkage"`: one metric of a Metrics object."""
    return getattr(metrics, name)
