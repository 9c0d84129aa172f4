"""`{{ period|month }}` ("Oct 2026") and `{{ day|day_month }}` ("3 Nov"): a period's month and
a near due day as the reader's language writes them (scorecards.display)."""

from django import template

from scorecards.display import day_month_text, month_text

register = template.Library()


@register.filter
def month(day):
    """A period's month ("" for none)."""
    return month_text(day)


@register.filter
def day_month(day):
    """A day without its year ("" for none)."""
    return day_month_text(day)
