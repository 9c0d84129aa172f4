"""`{{ text|markdown }}`: an analysis or a comment as sanitised HTML (communication/text.py)."""

from django import template

from ..text import render

register = template.Library()


@register.filter
def markdown(text):
    return render(text)
