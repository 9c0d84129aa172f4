"""Breadcrumbs down the unit tree, for every page about a unit or something of a unit."""

from django.urls import reverse

from core.views import Crumb

from .models import OrgUnit
from .selectors.tree import breadcrumbs


def unit_url(unit: OrgUnit) -> str:
    """A unit's dashboard (the enterprise's is the home page)."""
    return reverse("unit", args=[unit.code]) if unit.parent_id else reverse("home")


def unit_crumbs(unit: OrgUnit, *after: Crumb) -> list[Crumb]:
    """The units from the root down to `unit`, each linking to its dashboard, then `after`."""
    return [Crumb(str(u), unit_url(u)) for u in breadcrumbs(unit)] + list(after)
