"""The forms of the user management pages: the list's filters, the invitation, and a
user's roles and headed units. They check the input's shape; the rules (an address with an
account, the last OSM staff member, a unit head without the role) are the services', whose
refusals the view kit puts next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.roles import ROLES, role_label
from core.widgets import SearchableSelectMultiple
from scorecards.display import unit_choices
from scorecards.models import OrgUnit
from scorecards.selectors.tree import unit_tree

from .selectors.users import ACTIVE, INACTIVE


def role_choices() -> list[tuple[str, str]]:
    """The roles as people read them, in their order (the value stays the role's name)."""
    return [(name, role_label(name)) for name in ROLES]


class UserFilterForm(forms.Form):
    """The list's search (name, username, e-mail), role and whether active."""

    q = forms.CharField(
        label=_("Name, username or e-mail"), required=False, max_length=100, strip=True
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    active = forms.ChoiceField(
        label=pgettext_lazy("a user", "Active"),
        required=False,
        choices=[
            ("", _("Active or not")),
            (ACTIVE, _("Active only")),
            (INACTIVE, _("Deactivated only")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("Any role")), *role_choices()]
        self.fields["q"].widget.attrs["type"] = "search"

    def clean_q(self):
        return self.cleaned_data["q"].replace("\x00", "")  # PostgreSQL refuses NUL


class RolesField(forms.MultipleChoiceField):
    """OSM's roles as checkboxes."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Roles"))
        super().__init__(choices=role_choices, **kwargs)


class InviteForm(forms.Form):
    """Whom to invite: the address the link goes to, the name, the roles."""

    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("The invitation goes there; the username is made from it."),
    )
    full_name = forms.CharField(
        label=_("Name"), max_length=300, help_text=_("First and last name.")
    )
    roles = RolesField(
        help_text=_("What the person may do in OSM. Unit heads head units: set them on the user's "
                    "page afterwards."),
        error_messages={"required": _("Choose at least one role.")},
    )  # fmt: skip


class UserAccessForm(forms.Form):
    """A user's roles and the units he or she heads (in tree order, searched as typed)."""

    roles = RolesField(required=False)
    units = forms.TypedMultipleChoiceField(
        label=_("Head of"),
        required=False,
        coerce=int,
        widget=SearchableSelectMultiple,
        help_text=_("Each unit chosen gets this person as its head, in place of its head now; "
                    "units no longer chosen are left without a head."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = unit_choices(unit_tree())

    def clean_units(self) -> list[OrgUnit]:
        ids = self.cleaned_data["units"]
        return list(OrgUnit.objects.filter(pk__in=ids).order_by("code"))


class UserDetailsForm(forms.Form):
    """A user's username, name and e-mail (single sign-on finds people by e-mail: change it
    here before it changes at the provider)."""

    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(
        label=_("Name"), max_length=300, help_text=_("First and last name.")
    )
    email = forms.EmailField(label=_("E-mail"), max_length=254)
