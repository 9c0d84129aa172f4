"""`{{ reading|trend_badge }}`: a measure's trend as an arrow for the way its actual moved and
a word for whether that is better or worse by its polarity ("▲ worse"), in words for every
reader and coloured as well (never by colour alone)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from scorecards import trends

register = template.Library()

NONE = "\u2013"  # an en dash where there is no earlier period to compare with


def _words(moved: str, polarity: str) -> tuple[str, str]:
    """(the movement for a screen reader, the badge's title) in the active language."""
    spoken = {
        trends.UP: pgettext("trend", "up"),
        trends.DOWN: pgettext("trend", "down"),
        trends.FLAT: pgettext("trend", "unchanged"),
    }[moved]
    higher = polarity == "increase"
    titles = {
        (trends.UP, True): _(
            "The actual went up since the previous period with data; higher is better."
        ),
        (trends.UP, False): _(
            "The actual went up since the previous period with data; lower is better."
        ),
        (trends.DOWN, True): _(
            "The actual went down since the previous period with data; higher is better."
        ),
        (trends.DOWN, False): _(
            "The actual went down since the previous period with data; lower is better."
        ),
        (trends.FLAT, True): _(
            "The actual did not change since the previous period with data; higher is better."
        ),
        (trends.FLAT, False): _(
            "The actual did not change since the previous period with data; lower is better."
        ),
    }
    return spoken, titles[(moved, higher)]


VERDICT_WORDS = {
    trends.BETTER: lambda: pgettext("trend", "better"),
    trends.WORSE: lambda: pgettext("trend", "worse"),
    trends.STEADY: lambda: pgettext("trend", "steady"),
}


@register.filter
def trend_badge(reading):
    """A reading with `movement` and `polarity` (scorecards MeasureReading) as a trend
    badge; an en dash without an earlier period with data."""
    moved = getattr(reading, "movement", None)
    word = trends.verdict(moved, getattr(reading, "polarity", ""))
    if word is None:
        return NONE
    spoken, title = _words(moved, reading.polarity)
    return format_html(
        '<span class="trend trend-{word}" title="{title}"><span aria-hidden="true">{arrow}'
        '</span><span class="visually-hidden">{spoken},</span> {label}</span>',
        word=word,
        title=title,
        spoken=spoken,
        label=VERDICT_WORDS[word](),
        arrow=trends.ARROWS[moved],
    )
