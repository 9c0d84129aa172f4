"""A measure's create and edit pages: the measure with, in one go, its targets for a fiscal
year (an annual target spread over the periods, or a table of the periods' targets).

Thin, like scorecards/views.py (whose unit-cascade pages these are): the form checks what is
typed, the services save the measure and the targets in one transaction.
"""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.views import ServiceFormView, require

from . import services
from .forms import MeasureForm
from .models import Measure, Objective, OrgUnit
from .selectors.search import code_name, matching, measures_below
from .views import _OnUnit


class _MeasureFormPage(_OnUnit, ServiceFormView):
    """A measure's form with its year of targets: the measure is saved by its service, then
    the targets (spread from an annual target, or the table) by `measure_targets_set`, all
    in one transaction, so a refused target leaves the measure as it was."""

    form_class = MeasureForm
    template_name = "scorecards/measure_form.html"
    targets_done = None

    def objective(self) -> Objective:
        raise NotImplementedError

    def get_form_kwargs(self):
        kwargs = {
            **super().get_form_kwargs(),
            "objective": self.objective(),
            "refresh_url": self.request.path,
        }
        # ?frequency=&targets_year=: the table of targets for those (htmx redraws it).
        asked = {
            k: self.request.GET[k] for k in ("frequency", "targets_year") if k in self.request.GET
        }
        if asked and self.request.method == "GET":
            kwargs["initial"] = asked
        return kwargs

    def service_data(self, form):
        data = super().service_data(form)
        for name in form.form_only_fields():
            data.pop(name, None)
        return data

    def save(self, form):
        with transaction.atomic():
            measure = super().save(form)
            self.targets_done = self._save_targets(form, measure)
        return measure

    def _save_targets(self, form, measure: Measure):
        asked = form.targets_request
        if asked is None:
            return None
        year = form.cleaned_data["targets_year"]
        if asked[0] == "spread":
            _kind, method, annual = asked
            targets = services.measure_targets_plan(
                measure=measure, fiscal_year=year, method=method, annual_target=annual
            )
        else:
            targets = asked[1]
        return services.measure_targets_set(
            actor=self.request.user, measure=measure, fiscal_year=year, targets=targets
        )

    def success_url(self, saved):
        return reverse("measure", args=[saved.pk])

    def with_targets(self, message: str) -> str:
        """The page's message, then what was done to the targets, if anything."""
        if not self.targets_done:
            return message
        return f"{message} {self.targets_done.describe()}"  # two sentences


class MeasureCreate(_MeasureFormPage):
    """A new measure of the objective `pk`, with its targets for a year if given."""

    permission = "scorecards.add_measure"
    service = services.measure_create
    parent_field = "objective"

    def dispatch(self, request, *args, pk: int, **kwargs):
        self.parent = get_object_or_404(Objective.objects.select_related("unit"), pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def objective(self):
        return self.parent

    def unit(self):
        return self.parent.unit

    def permission_object(self):
        return self.parent

    def title(self):
        return _("New measure of %(objective)s") % {"objective": self.parent.code}

    def success_message(self, saved):
        return self.with_targets(_("Created the measure %(code)s.") % {"code": saved.code})


class MeasureEdit(_MeasureFormPage):
    """Change a measure (a rollup's sources too) and set its targets for a year."""

    permission = "scorecards.change_measure"
    service = services.measure_update

    def get_object(self):
        return get_object_or_404(
            Measure.objects.select_related("unit", "objective"), pk=self.kwargs["pk"]
        )

    def objective(self):
        return self.object.objective

    def unit(self):
        return self.object.unit

    def title(self):
        return _("Edit %(code)s %(name)s") % {"code": self.object.code, "name": self.object.name}

    def success_message(self, saved):
        return self.with_targets(_("Saved the measure %(code)s.") % {"code": saved.code})


@require_GET
@login_required
def measures_below_search(request, code: str):
    """JSON for a rollup's sources box (core.widgets.SearchedSelectMultiple): the measures
    of the units below `code` matching `q`, `{"results": [{"value": id, "text": label}]}`."""
    require(request.user, "scorecards.view_measure")
    unit = get_object_or_404(OrgUnit, code=code)
    found = matching(measures_below(unit.pk), request.GET.get("q", "")[:100])
    results = [{"value": m.pk, "text": code_name(m)} for m in found]
    return JsonResponse({"results": results})
