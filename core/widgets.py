"""The form widgets every app's forms share, so a kind of input looks and behaves the same
on every page.

All the selects below write their options in Python (`_OptionsInPython`) rather than
through a template per option (about half a millisecond apiece), with Django's own HTML.

- `SearchableSelectMultiple`: a choice of several (an objective's supported objectives, a
  rollup's sources, an initiative's objectives, a meeting's attendees). A plain
  `<select multiple>` that static/js/searchable.js turns into a Tom Select box: type to
  search, click or Enter to add, its cross to remove, and what is already chosen stays chosen.
  Without script the plain select still works. Its files come with the form's media
  (`{{ form.media }}`, which templates/core/form.html writes).
- `SearchedSelect`, `SearchedSelectMultiple`: a choice among tens of thousands (a person,
  a rollup's sources at the top of a large company). Only the empty choice and what is
  chosen are written out; Tom Select asks the page's search address (`search_url`, JSON
  `{"results": [{"value", "text"}]}`) for the rest as the person types. Without script the
  select offers what is chosen only.
- `DateInput`, `DateTimeInput`: the browser's own date (and time) picker. Its value is
  always ISO (`2026-10-31`, `2026-10-31T14:30`), whatever the language; the browser shows
  it in the person's own format.
"""

from html import escape

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext

SEARCHABLE = "data-searchable"


def _text(value) -> str:
    """Escaped for HTML, as Django's templates escape (text already marked safe is kept)."""
    return value if isinstance(value, SafeData) else escape(str(value), quote=True)


def _attrs(attrs: dict) -> str:
    """The attributes as Django's attrs.html writes them: True alone, False and None left
    out, any other value quoted."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


def _search_box_words(attrs: dict) -> dict:
    """The words of the Tom Select box static/js/searchable.js makes of a select with
    `data-searchable` (its placeholder, what it says when nothing matches, its remove
    button's title), in the reader's language, as data attributes the script reads (its own
    English ones are the fallback); any the select already has are kept."""
    words = {
        "data-placeholder": gettext("Type to search…"),
        "data-no-results": gettext("Nothing matches."),
        "data-remove": gettext("Remove"),
    }
    return {name: text for name, text in words.items() if name not in attrs}


class _OptionsInPython:
    """`render` without a template per option; the rest is Django's widget."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if SEARCHABLE in widget["attrs"]:
            widget["attrs"] = {**widget["attrs"], **_search_box_words(widget["attrs"])}
        parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{_text(group_name)}">')
            parts.extend(
                f'<option value="{_text(o["value"])}"{_attrs(o["attrs"])}>{_text(o["label"])}'
                "</option>"
                for o in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        # every piece of text above went through _text
        return mark_safe("".join(parts))  # nosec B308, B703


class SearchableSelectMultiple(_OptionsInPython, forms.SelectMultiple):
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


class _ChosenOptionsOnly:
    """Options: the empty choice and the chosen ones only, read by primary key; the others
    are searched on the server as the person types (`search_url`, static/js/searchable.js).
    For a choice among tens of thousands (20,000 people at seed_scale), which no page
    should write out."""

    def __init__(self, attrs=None, choices=(), *, search_url: str):
        super().__init__({SEARCHABLE: "", "data-search-url": search_url, **(attrs or {})}, choices)

    def optgroups(self, name, value, attrs=None):
        every = self.choices
        self.choices = list(self._chosen(every, value))
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = every

    def _chosen(self, choices, value):
        field = getattr(choices, "field", None)
        if field is None:  # plain choices: nothing to save
            yield from choices
            return
        if field.empty_label is not None and not self.allow_multiple_selected:
            yield ("", field.empty_label)
        keys = [v for v in value if v not in (None, "")]
        if not keys:
            return
        try:
            rows = list(choices.queryset.filter(**{f"{field.to_field_name or 'pk'}__in": keys}))
        except (ValueError, TypeError, ValidationError):  # posted keys that are not keys
            return
        yield from (choices.choice(row) for row in rows)


class SearchedSelect(_ChosenOptionsOnly, _OptionsInPython, forms.Select):
    """One choice among very many, searched on the server (e.g. a person)."""

    class Media:
        css = {"all": ["vendor/tom-select/tom-select.min.css"]}
        js = ["vendor/tom-select/tom-select.popular.min.js", "js/searchable.js"]


class SearchedSelectMultiple(_ChosenOptionsOnly, _OptionsInPython, forms.SelectMultiple):
    """Several choices among very many, searched on the server (e.g. a rollup's sources)."""

    class Media:
        css = {"all": ["vendor/tom-select/tom-select.min.css"]}
        js = ["vendor/tom-select/tom-select.popular.min.js", "js/searchable.js"]
