"""The versions of a unit's strategy map: `/units/<code>/versions/` lists them, publishes a
new one (OSM staff, the unit's heads) and picks two to compare; `/units/<code>/versions/
compare/?a=&b=` shows what changed, `b=live` against the map as it stands."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.clock import current_fiscal_year
from core.forms import add_service_errors
from core.views import Crumb, require

from . import services
from .crumbs import unit_crumbs
from .models import OrgUnit, StrategyVersion
from .selectors.versions import live_content, versions_of
from .strategy_map import MapLayout, MapObjective, layout
from .versions import compare, is_empty

ROLE = "scorecards.view_objective"
LIVE = "live"


class PublishForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200,
                           help_text=gettext_lazy('For example "Strategy 2027".'))  # fmt: skip
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What this version is, who approved it."),
    )


def _unit(request, code: str) -> OrgUnit:
    require(request.user, ROLE)
    return get_object_or_404(OrgUnit, code=code)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def versions_page(request, code: str):
    """The unit's published versions, the form to publish one, and the comparison's form."""
    unit = _unit(request, code)
    can_publish = request.user.has_perm("scorecards.add_strategyversion", unit)
    form = PublishForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require(request.user, "scorecards.add_strategyversion", unit)
        if form.is_valid():
            try:
                version = services.strategy_version_publish(
                    actor=request.user, data={"unit": unit, **form.cleaned_data}
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Version %(name)s published.") % {"name": version.name})
                return redirect("unit-versions", code=unit.code)
        status = 400
    versions = list(versions_of(unit))
    context = {
        "unit": unit,
        "crumbs": unit_crumbs(unit, Crumb(_("Strategy versions"))),
        "versions": versions,
        "form": form if can_publish else None,
        "fiscal_year": current_fiscal_year(),
    }
    return render(request, "scorecards/versions.html", context, status=status)


def _content(unit: OrgUnit, key: str, versions: dict) -> tuple[str, dict]:
    if key == LIVE:
        return _("the map as it stands"), live_content(unit, current_fiscal_year())
    version = versions.get(int(key)) if key.isdigit() else None
    if version is None:
        raise ValueError(key)
    return version.name, version.content


@login_required
def versions_compare(request, code: str):
    """What changed between two versions (or a version and the live map), grouped as the
    comparison's JSON is: objectives, arrows, measures."""
    unit = _unit(request, code)
    versions = {v.pk: v for v in StrategyVersion.objects.filter(unit=unit)}
    a, b = request.GET.get("a", ""), request.GET.get("b", LIVE)
    try:
        (old_name, older), (new_name, newer) = (
            _content(unit, a, versions),
            _content(unit, b, versions),
        )
    except ValueError:
        context = {"unit": unit, "problem": _("Choose two versions of this unit to compare."),
                   "crumbs": unit_crumbs(unit, Crumb(_("Strategy versions")))}  # fmt: skip
        return render(request, "scorecards/versions_compare.html", context, status=400)
    difference = compare(older, newer)
    context = {
        "unit": unit,
        "crumbs": unit_crumbs(unit, Crumb(_("Comparing versions"))),
        "old_name": old_name,
        "new_name": new_name,
        "difference": difference,
        "unchanged": is_empty(difference),
    }
    return render(request, "scorecards/versions_compare.html", context)


def version_layout(content: dict) -> MapLayout:
    """A version's map laid out as the dashboard lays out the live one (its boxes without
    statuses: a version holds the strategy, not its figures)."""
    perspectives = list(enumerate(content.get("perspectives", []), start=1))
    perspective_ids = {name: index for index, name in perspectives}
    themes = list(enumerate(content.get("themes", []), start=1))
    theme_ids = {name: index for index, name in themes}
    objectives = [
        MapObjective(
            id=index,
            code=row["code"].split(".", 1)[-1],
            name=row["name"],
            perspective_id=perspective_ids.get(row["perspective"], 0),
            theme_id=theme_ids.get(row["theme"]),
            status="no_data",
            score_text="",
        )
        for index, row in enumerate(content.get("objectives", []), start=1)
    ]
    ids = {row["code"]: index for index, row in enumerate(content.get("objectives", []), 1)}
    links = [
        (ids[cause], ids[effect])
        for cause, effect in content.get("links", [])
        if cause in ids and effect in ids
    ]
    return layout(perspectives, themes, objectives, links)


@login_required
def version_map(request, code: str, pk: int):
    """`/units/<code>/versions/<id>/`: the strategy map as the version froze it."""
    unit = _unit(request, code)
    version = get_object_or_404(StrategyVersion, unit=unit, pk=pk)
    context = {
        "unit": unit,
        "version": version,
        "map": version_layout(version.content),
        "frozen": True,
        "crumbs": unit_crumbs(
            unit, Crumb(_("Strategy versions"), reverse("unit-versions", args=[unit.code])),
            Crumb(version.name),
        ),
    }  # fmt: skip
    return render(request, "scorecards/version_map.html", context)
