"""Forms of the Setup pages: units (add, edit, move), perspectives and themes. They check
what a field can check alone; the services check the rest (a move that would break links,
a rename that would break formulas) and their errors land next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.people import make_person_field

from .choices import UnitKind
from .models import OrgUnit, Perspective, Theme
from .selectors import unit_tree

# The kind a new unit most likely has below a unit of each kind (only a first guess).
CHILD_KIND = {
    UnitKind.ENTERPRISE: UnitKind.BUSINESS,
    UnitKind.BUSINESS: UnitKind.DEPARTMENT,
    UnitKind.SUPPORT: UnitKind.DEPARTMENT,
    UnitKind.DEPARTMENT: UnitKind.TEAM,
    UnitKind.TEAM: UnitKind.TEAM,
}


def unit_label(unit: OrgUnit, depth: int) -> str:
    """A unit in a list of the tree: indented by its depth, then its name."""
    return f"{'— ' * depth}{unit.name}"


def offer_units(field, units: list[tuple[OrgUnit, int]], *, blank: bool = True) -> None:
    """Offer `units` (in tree order, with depths) in a unit choice field, indented; the
    field's queryset is narrowed to them, so anything else posted is refused."""
    field.queryset = OrgUnit.objects.filter(pk__in=[u.pk for u, _ in units])
    choices = [(u.pk, unit_label(u, depth)) for u, depth in units]
    field.choices = [("", "---------"), *choices] if blank else choices


class _HeadField:
    """The head is picked among active users, by name; approval is inherited, required or
    not."""

    def _prepare_head(self):
        field = self.fields["head"]
        make_person_field(field)
        field.help_text = _("Who heads the unit: he or she writes its scorecard and those below.")
        approval = self.fields["approval_required"]
        approval.widget = forms.NullBooleanSelect()
        approval.widget.choices = [
            ("unknown", _("As the unit above")),
            ("true", _("Required")),
            ("false", _("Not required")),
        ]


class UnitCreateForm(_HeadField, forms.ModelForm):
    """A new unit: the enterprise (no parent) or a unit below another."""

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "parent", "head", "approval_required"]
        help_texts = {
            "code": _("Letters, digits, '_' and '-'; it names the unit in formulas (UNIT.CODE)."),
            "parent": _("The unit it belongs to; leave empty only for the enterprise."),
        }

    def __init__(self, *args, parent: OrgUnit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_head()
        offer_units(self.fields["parent"], unit_tree())
        if parent is not None:
            self.initial.setdefault("parent", parent.pk)
            self.initial.setdefault("kind", CHILD_KIND[UnitKind(parent.kind)])


class UnitEditForm(_HeadField, forms.ModelForm):
    """A unit's code, name, kind and head (moving it has its own page)."""

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind", "head", "approval_required"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_head()


class UnitMoveForm(forms.ModelForm):
    """A unit's new parent: any unit but itself and the units below it."""

    class Meta:
        model = OrgUnit
        fields = ["parent"]
        labels = {"parent": _("New parent")}
        help_texts = {
            "parent": _(
                "The unit goes there with every unit below it. A move that would leave a link "
                "(cascade, rollup, theme, initiative, goal) pointing at a unit no longer above "
                "it is refused."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        below = set(OrgUnit.objects.subtree_of(self.instance.pk).values_list("id", flat=True))
        field = self.fields["parent"]
        field.required = True
        offer_units(field, [(u, d) for u, d in unit_tree() if u.pk not in below], blank=False)


class PerspectiveForm(forms.ModelForm):
    """A perspective of every scorecard; `order` puts it top to bottom."""

    class Meta:
        model = Perspective
        fields = ["name", "order", "description"]
        help_texts = {"order": _("Lower numbers are drawn higher on the strategy map.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ThemeForm(forms.ModelForm):
    """A strategic theme of a unit's map; a stored one may move to another unit of `units`
    (those where the user may keep themes)."""

    class Meta:
        model = Theme
        fields = ["unit", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "unit": _(
                "A theme may move up or down the tree, not away from the objectives that use it."
            )
        }

    def __init__(self, *args, unit: OrgUnit | None = None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if unit is not None:  # a new theme: its unit is the page's
            self.instance.unit = unit
            del self.fields["unit"]
        else:
            offer_units(self.fields["unit"], units or [], blank=False)
