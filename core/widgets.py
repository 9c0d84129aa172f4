"""The form widgets every app's forms share, so a kind of input looks and behaves the same
on every page.

- `SearchableSelectMultiple`: a choice of several (an objective's supported objectives, a
  rollup's sources, an initiative's objectives, a meeting's attendees). A plain
  `<select multiple>` that static/js/searchable.js turns into a Tom Select box: type to
  search, click or Enter to add, its cross to remove, and what is already chosen stays chosen.
  Without script the plain select still works. Its files come with the form's media
  (`{{ form.media }}`, which templates/core/form.html writes).
- `DateInput`, `DateTimeInput`: the browser's own date (and time) picker. Its value is
  always ISO (`2026-10-31`, `2026-10-31T14:30`), whatever the language; the browser shows
  it in the person's own format.
"""

from django import forms

SEARCHABLE = "data-searchable"


class SearchableSelectMultiple(forms.SelectMultiple):
    """A multiple choice with search (Tom Select, vendored in static/vendor/tom-select)."""

    class Media:
        css = {"all": ["vendor/tom-select/tom-select.min.css"]}
        js = ["vendor/tom-select/tom-select.popular.min.js", "js/searchable.js"]

    def __init__(self, attrs=None, choices=()):
        super().__init__({SEARCHABLE: "", **(attrs or {})}, choices)


class DateInput(forms.DateInput):
    """`<input type="date">`: the value in ISO, shown by the browser in the reader's format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """`<input type="datetime-local">`, its value `YYYY-MM-DDTHH:MM`."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
