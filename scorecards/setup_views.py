"""Setup: the OSM staff keep the unit tree, the perspectives and the strategic themes here,
without the admin. The Setup page lists the tree (each unit with its themes) and the
perspectives; every add, edit, move and delete page is the view kit's and calls the
service the API calls, so a page refuses exactly what the API refuses (a unit with units
or objectives in it, a move that breaks links, a perspective objectives are placed in).

Units and perspectives are the OSM staff's; themes follow the strategy's rules (a unit
head keeps the themes of his or her subtree, as through the API)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.views import Crumb, ServiceDeleteView, ServiceFormView, require

from . import services
from .crumbs import unit_crumbs
from .models import OrgUnit, Perspective, Theme
from .selectors import unit_tree
from .selectors.setup import setup_perspectives, setup_tree
from .setup_forms import (
    PerspectiveForm,
    ThemeForm,
    UnitCreateForm,
    UnitEditForm,
    UnitMoveForm,
)
from .views import NewOfUnit

SETUP = "scorecards.add_orgunit"  # who keeps the unit tree keeps Setup: the OSM staff


@login_required
def setup_page(request):
    """`/setup/`: the unit tree with each unit's themes and actions, and the perspectives."""
    require(request.user, SETUP)
    user = request.user
    context = {
        "crumbs": [Crumb(_("Setup"))],
        "units": setup_tree(),
        "perspectives": setup_perspectives(),
        "can_theme": user.has_perm("scorecards.add_theme"),
    }
    return render(request, "scorecards/setup/index.html", context)


def setup_url(unit: OrgUnit | None = None) -> str:
    """The Setup page, at `unit`'s row if given."""
    url = reverse("setup")
    return f"{url}#unit-{unit.code}" if unit is not None else url


def _setup_crumbs(*after: Crumb) -> list[Crumb]:
    return [Crumb(_("Setup"), reverse("setup")), *after]


class _SetupPage:
    """Pages of Setup: the crumbs lead back to it; the server alone checks what is typed."""

    novalidate = True
    # Back to the page's own unit on the Setup page (else to its top).
    anchored = False

    def crumbs(self):
        return _setup_crumbs(Crumb(self.title()))

    def cancel_url(self):
        return setup_url(getattr(self, "object", None) if self.anchored else None)

    def back_url(self):
        return self.cancel_url()


# Units -------------------------------------------------------------------------------------


def _unit(code: str) -> OrgUnit:
    return get_object_or_404(OrgUnit.objects.select_related("parent", "head"), code=code)


class UnitCreate(_SetupPage, ServiceFormView):
    """`/setup/units/new/` (`?parent=CODE` starts below that unit): add a unit."""

    form_class = UnitCreateForm
    permission = "scorecards.add_orgunit"
    service = services.unit_create
    submit_label = gettext_lazy("Create")

    def get_form_kwargs(self):
        code = self.request.GET.get("parent", "")
        parent = OrgUnit.objects.filter(code=code).first() if code else None
        return {**super().get_form_kwargs(), "parent": parent}

    def title(self):
        return _("New unit")

    def success_url(self, saved):
        return setup_url(saved)

    def success_message(self, saved):
        return _("Created the unit %(code)s %(name)s.") % {"code": saved.code, "name": saved.name}


class UnitEdit(_SetupPage, ServiceFormView):
    """`/setup/units/<code>/edit/`: a unit's code, name, kind and head."""

    form_class = UnitEditForm
    permission = "scorecards.change_orgunit"
    service = services.unit_update
    anchored = True

    def get_object(self):
        return _unit(self.kwargs["code"])

    def title(self):
        return _("Edit %(code)s %(name)s") % {"code": self.object.code, "name": self.object.name}

    def success_url(self, saved):
        return setup_url(saved)

    def success_message(self, saved):
        return _("Saved the unit %(code)s.") % {"code": saved.code}


class UnitMove(_SetupPage, ServiceFormView):
    """`/setup/units/<code>/move/`: put a unit (and the units below it) under another."""

    form_class = UnitMoveForm
    permission = "scorecards.change_orgunit"
    service = services.unit_update
    submit_label = gettext_lazy("Move")
    anchored = True

    def get_object(self):
        return _unit(self.kwargs["code"])

    def title(self):
        return _("Move %(code)s %(name)s") % {"code": self.object.code, "name": self.object.name}

    @property
    def lead(self):
        unit = self.object
        if unit.parent is None:
            return _("%(unit)s is the enterprise, the top of the tree: it has no parent.") % {
                "unit": unit.code
            }
        return _("%(unit)s is now below %(code)s %(name)s.") % {
            "unit": unit.code,
            "code": unit.parent.code,
            "name": unit.parent.name,
        }

    def success_url(self, saved):
        return setup_url(saved)

    def success_message(self, saved):
        return _("Moved %(unit)s below %(parent)s.") % {
            "unit": saved.code,
            "parent": saved.parent.code,
        }


class UnitDelete(_SetupPage, ServiceDeleteView):
    """`/setup/units/<code>/delete/`: delete a unit nothing depends on any more (else say
    what still does: units below it, objectives, themes, budget lines, employees...)."""

    permission = "scorecards.delete_orgunit"
    service = services.unit_delete
    anchored = True

    def get_object(self):
        return _unit(self.kwargs["code"])

    def title(self):
        return _("Delete the unit %(code)s %(name)s?") % {
            "code": self.object.code,
            "name": self.object.name,
        }

    def question(self):
        return _("It cannot be undone from here.")

    def success_url(self, deleted):
        return setup_url(deleted.parent)

    def success_message(self, deleted):
        return _("Deleted the unit %(code)s %(name)s.") % {
            "code": deleted.code,
            "name": deleted.name,
        }


# Perspectives ------------------------------------------------------------------------------


def _perspective(pk: int) -> Perspective:
    return get_object_or_404(Perspective, pk=pk)


class PerspectiveCreate(_SetupPage, ServiceFormView):
    """`/setup/perspectives/new/`: add a perspective to every scorecard."""

    form_class = PerspectiveForm
    permission = "scorecards.add_perspective"
    service = services.perspective_create
    submit_label = gettext_lazy("Create")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "GET":  # the next place at the bottom
            last = Perspective.objects.order_by("-order").values_list("order", flat=True)
            kwargs["initial"] = {"order": (last.first() or 0) + 1}
        return kwargs

    def title(self):
        return _("New perspective")

    def success_url(self, saved):
        return f"{reverse('setup')}#perspectives"

    def success_message(self, saved):
        return _("Created the perspective %(name)s.") % {"name": saved.name}


class PerspectiveEdit(_SetupPage, ServiceFormView):
    """`/setup/perspectives/<pk>/edit/`: rename or reorder a perspective."""

    form_class = PerspectiveForm
    permission = "scorecards.change_perspective"
    service = services.perspective_update

    def get_object(self):
        return _perspective(self.kwargs["pk"])

    def title(self):
        return _("Edit the perspective %(name)s") % {"name": self.object.name}

    def cancel_url(self):
        return f"{reverse('setup')}#perspectives"

    def success_url(self, saved):
        return self.cancel_url()

    def success_message(self, saved):
        return _("Saved the perspective %(name)s.") % {"name": saved.name}


class PerspectiveDelete(_SetupPage, ServiceDeleteView):
    """`/setup/perspectives/<pk>/delete/`: delete a perspective no objective is placed in."""

    permission = "scorecards.delete_perspective"
    service = services.perspective_delete

    def get_object(self):
        return _perspective(self.kwargs["pk"])

    def title(self):
        return _("Delete the perspective %(name)s?") % {"name": self.object.name}

    def back_url(self):
        return f"{reverse('setup')}#perspectives"

    def success_message(self, deleted):
        return _("Deleted the perspective %(name)s.") % {"name": deleted.name}


# Themes ------------------------------------------------------------------------------------


def _theme(pk: int) -> Theme:
    return get_object_or_404(Theme.objects.select_related("unit"), pk=pk)


class _ThemePage(_SetupPage):
    """Theme pages: back to the theme's unit on the Setup page for the OSM staff, to the
    unit's cascade for a unit head (who has no Setup page)."""

    def unit(self) -> OrgUnit:
        raise NotImplementedError

    def back_to(self, unit: OrgUnit) -> str:
        if self.request.user.has_perm(SETUP):
            return setup_url(unit)
        return reverse("unit-cascade", args=[unit.code])

    def cancel_url(self):
        return self.back_to(self.unit())

    def crumbs(self):
        if self.request.user.has_perm(SETUP):
            return super().crumbs()
        unit = self.unit()
        cascade = Crumb(_("Cascade"), reverse("unit-cascade", args=[unit.code]))
        return unit_crumbs(unit, cascade, Crumb(self.title()))

    def success_url(self, saved):
        return self.back_to(saved.unit)


class ThemeCreate(NewOfUnit, _ThemePage, ServiceFormView):
    """`/setup/units/<code>/themes/new/`: a strategic theme of the unit's map."""

    form_class = ThemeForm
    permission = "scorecards.add_theme"
    service = services.theme_create
    submit_label = gettext_lazy("Create")

    def title(self):
        return _("New theme of %(unit)s") % {"unit": self.parent.name}

    def success_message(self, saved):
        return _("Created the theme %(theme)s of %(unit)s.") % {
            "theme": saved.name,
            "unit": self.parent.name,
        }


class ThemeEdit(_ThemePage, ServiceFormView):
    """`/setup/themes/<pk>/edit/`: rename a theme, or move it to another unit the user may
    keep themes in."""

    form_class = ThemeForm
    permission = "scorecards.change_theme"
    service = services.theme_update

    def get_object(self):
        return _theme(self.kwargs["pk"])

    def unit(self):
        return self.object.unit

    def get_form_kwargs(self):
        user = self.request.user
        units = [(u, d) for u, d in unit_tree() if user.has_perm(self.permission, u)]
        return {**super().get_form_kwargs(), "units": units}

    def title(self):
        return _("Edit the theme %(name)s") % {"name": self.object.name}

    def success_message(self, saved):
        return _("Saved the theme %(name)s.") % {"name": saved.name}


class ThemeDelete(_ThemePage, ServiceDeleteView):
    """`/setup/themes/<pk>/delete/`: delete a theme no objective uses."""

    permission = "scorecards.delete_theme"
    service = services.theme_delete

    def get_object(self):
        return _theme(self.kwargs["pk"])

    def unit(self):
        return self.object.unit

    def title(self):
        return _("Delete the theme %(theme)s of %(unit)s?") % {
            "theme": self.object.name,
            "unit": self.object.unit.code,
        }

    def question(self):
        return _("It cannot be undone from here.")

    def success_message(self, deleted):
        return _("Deleted the theme %(name)s.") % {"name": deleted.name}
