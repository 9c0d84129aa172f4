"""Select widgets for choices that run into thousands (every active user as an owner: 20,000
at seed_scale; every objective within reach of an initiative: 4,000).

Django's `Select` renders each option through a template of its own, about half a
millisecond apiece: 10 s for the owner field of a measure at scale. These write the same
HTML in Python, in a fraction of that; the attributes (id, required, aria-*, multiple,
selected) are Django's own, computed by its `get_context`.
"""

from html import escape

from django import forms
from django.utils.safestring import SafeData, mark_safe


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


class _OptionsInPython:
    """`render` without a template per option; the rest is Django's widget."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
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


class ManyOptionsSelect(_OptionsInPython, forms.Select):
    """A `Select` of thousands of options."""


class ManyOptionsSelectMultiple(_OptionsInPython, forms.SelectMultiple):
    """A `SelectMultiple` of thousands of options."""
