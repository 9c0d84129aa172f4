"""`{{ reading|trend_badge }}`: a measure's trend as an arrow for the way its actual moved and
a word for whether that is better or worse by its polarity ("▲ worse"), in words for every
reader and coloured as well (never by colour alone)."""

from django import template
from django.utils.html import format_html

from scorecards import trends

register = template.Library()

NONE = "\u2013"  # an en dash where there is no earlier period to compare with
SPOKEN = {trends.UP: "up", trends.DOWN: "down", trends.FLAT: "unchanged"}
SENTENCE = {trends.UP: "went up", trends.DOWN: "went down", trends.FLAT: "did not change"}


@register.filter
def trend_badge(reading):
    """A reading with `movement` and `polarity` (scorecards MeasureReading) as a trend
    badge; an en dash without an earlier period with data."""
    moved = getattr(reading, "movement", None)
    word = trends.verdict(moved, getattr(reading, "polarity", ""))
    if word is None:
        return NONE
    better = "higher" if reading.polarity == "increase" else "lower"
    return format_html(
        '<span class="trend trend-{word}" title="The actual {sentence} since the previous '
        'period with data; {better} is better."><span aria-hidden="true">{arrow}</span>'
        '<span class="visually-hidden">{spoken},</span> {word}</span>',
        word=word,
        spoken=SPOKEN[moved],
        sentence=SENTENCE[moved],
        better=better,
        arrow=trends.ARROWS[moved],
    )
