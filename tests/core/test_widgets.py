"""The selects that write their options in Python write the same HTML as Django's own."""

import pytest
from django import forms
from django.test.html import parse_html

from core.widgets import _OptionsInPython


# The options written in Python, on Django's two selects (what every select of core.widgets
# builds on).
class ManyOptionsSelect(_OptionsInPython, forms.Select):
    pass


class ManyOptionsSelectMultiple(_OptionsInPython, forms.SelectMultiple):
    pass


CHOICES = [
    ("", "No owner"),
    (1, 'Ann <b>"A"</b> & co'),
    (2, "Bob"),
    ("Group & more", [(3, "Cyd"), (4, "Dee's")]),
]
ATTRS = {"id": "id_owner", "required": True, "aria-describedby": "owner_help", "hidden": False}


@pytest.mark.parametrize(
    ("ours", "django", "value"),
    [
        (ManyOptionsSelect, forms.Select, 2),
        (ManyOptionsSelect, forms.Select, None),
        (ManyOptionsSelect, forms.Select, 4),
        (ManyOptionsSelectMultiple, forms.SelectMultiple, [1, 4]),
        (ManyOptionsSelectMultiple, forms.SelectMultiple, []),
    ],
)
def test_the_same_html_as_django(ours, django, value):
    mine = ours(choices=CHOICES).render("owner", value, attrs=ATTRS)
    theirs = django(choices=CHOICES).render("owner", value, attrs=ATTRS)
    assert parse_html(mine) == parse_html(theirs)
    assert "<b>" not in mine and "&lt;b&gt;" in mine  # the label escaped, as the template does


def test_a_form_field_with_it_validates_as_before():
    class Form(forms.Form):
        owner = forms.ChoiceField(choices=CHOICES[:3], widget=ManyOptionsSelect)

    form = Form(data={"owner": "7"})
    assert not form.is_valid() and "owner" in form.errors
    html = str(form["owner"])
    assert 'aria-invalid="true"' in html and 'name="owner"' in html
    assert Form(data={"owner": "2"}).is_valid()
