"""Template filters that format the engine's exact numbers for people, in the reader's
language: "1,120.50" and "28.42%" in English, "1 120,50" and "28,42 %" in French,
"1.120,50" and "28,42 %" in German (Django's number formats of the active language)."""

from decimal import Decimal
from fractions import Fraction

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import pgettext, pgettext_lazy

from core.formatting import status_word, to_decimal
from core.numbers import active_number_format

register = template.Library()

NONE = "\u2013"  # an en dash where there is no figure

TREND_LABELS = {
    "up": pgettext_lazy("trend", "▲ up"),
    "down": pgettext_lazy("trend", "▼ down"),
    "flat": pgettext_lazy("trend", "▶ flat"),
}


@register.filter
def score(value):
    """A 0-10 score with two decimals ("7.50", "7,50" in French), or an en dash when there is
    none."""
    return NONE if value is None else _written(to_decimal(value), 2)


@register.filter
def figure(value, places=None):
    """An actual, target or red flag in the reader's language (1,234.5 in English, 1 234,5
    in French). `{{ value|figure:measure }}` writes it with the measure's decimal places
    (anything with a `decimal_places`, or a number of places); without them, or when the
    measure has none, with up to 2 decimals, trailing zeros dropped. Rounded half up."""
    if value is None:
        return NONE
    places = getattr(places, "decimal_places", places)
    if places is None or places == "":
        rounded = _rounded(value, 2).normalize()
        shown = max(0, -rounded.as_tuple().exponent)
    else:
        shown = int(places)
        rounded = _rounded(value, shown)
    return _written(rounded, shown, grouped=True)


def _written(number: Decimal, places: int, grouped: bool = False) -> str:
    """`number` with `places` decimals in the active language's format (its thousands
    grouped with `grouped`)."""
    return number_format(number, places, use_l10n=True, force_grouping=grouped)


def _percentage(number: str) -> str:
    """A number followed by the percent sign as the language writes it ("12.5%", "12,5 %")."""
    return pgettext("a percentage", "%(number)s%%") % {"number": number}


def _rounded(value, places: int) -> Decimal:
    exact = value if isinstance(value, Fraction) else Fraction(Decimal(value))
    return to_decimal(exact, places)


@register.filter
def fraction_percent(value):
    """A fraction written as a percentage in the reader's language: 0.1 is "10%", 0.125
    "12.5%" (a measure's tolerance)."""
    if value is None:
        return NONE
    return _percentage(figure(Fraction(Decimal(value)) * 100))


@register.filter
def money(value):
    """An amount of money: whole amounts without decimals, others with two ("1,120.50" in
    English, "1 120,50" in French, "1.120,50" in German); core.formatting.money_text writes
    the same in English."""
    if value is None:
        return NONE
    amount = Decimal(value).quantize(Decimal("0.01"))
    whole = amount == amount.to_integral_value()
    return _written(amount, 0 if whole else 2, grouped=True)


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
    return str(TREND_LABELS.get(trend, NONE))


@register.filter
def percent(value):
    """A 0-100 percentage with two decimals ("28.42%", "28,42 %" in French), or "n/a" where
    the denominator was empty."""
    if value is None:
        return pgettext("no percentage", "n/a")
    return _percentage(_written(to_decimal(value), 2))


@register.filter
def metric(metrics, name):
    """`metrics|metric:"budget_linkage"`: one metric of a Metrics object."""
    return getattr(metrics, name)


@register.simple_tag
def chart_separators():
    """Plotly's `separators` for the reader's language (its decimal mark, then the mark
    between groups of three digits: ".," in English, ",\u00a0" in French (a no-break space),
    ",." in German), which static/js/charts.js gives every chart, so hovers and axes write
    numbers as the page does."""
    number_format = active_number_format()
    group = "\u00a0" if number_format.groups_with_spaces else number_format.group
    return number_format.decimal + group
