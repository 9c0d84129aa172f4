"""The awareness pulse pages: `/pulses/` lists them (with the button to answer where one
asks you, and the results where you may see them); the OSM staff open, change and delete
them (the view kit's pages); `/pulses/<id>/answer/` asks the two questions;
`/pulses/<id>/results/` shows the figures per unit and the trend against the article's 5%.

Thin: the rules are asked by name (`communication.*_pulse`, from core.policies.PULSES),
writes go through communication/services/pulses.py, whose refusals show on the form (400,
nothing written)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from core.scoping import restrict
from core.views import Crumb, ServiceDeleteView, ServiceFormView, require
from scorecards.models import OrgUnit

from . import pulse_charts
from .awareness import MIN_GROUP
from .choices import PulseStatus
from .models import Pulse
from .pulse_forms import PulseAnswerForm, PulseForm
from .selectors import pulses as selectors
from .services import pulses as services

ROLE = "communication.view_pulse"
PAGE_SIZE = 50


def _list_url() -> str:
    return reverse("pulse-list")


def _list_crumb() -> Crumb:
    return Crumb(_("Awareness pulses"), _list_url())


@dataclass(frozen=True)
class PulseRow:
    """A pulse as the list shows it to the reader."""

    pulse: Pulse
    status: str
    asked: bool
    answered: bool
    results: bool

    @property
    def status_label(self) -> str:
        return PulseStatus(self.status).label

    @property
    def may_answer(self) -> bool:
        return self.asked and not self.answered and self.status == PulseStatus.OPEN


@login_required
@require_http_methods(["GET", "HEAD"])
def pulse_list(request):
    """`/pulses/`: every pulse, latest first, with its status and, for the reader, whether
    it asks him or her and has been answered; a constant number of queries per page."""
    user = request.user
    require(user, ROLE)
    today = timezone.localdate()
    rows = restrict(Pulse.objects.select_related("unit"), user).order_by("-opens_on", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    asking = selectors.asking_units(user)
    answered = selectors.answered_pulses(user, [p.pk for p in page.object_list])
    items = []
    for pulse in page.object_list:
        status = pulse.status_on(today)
        items.append(
            PulseRow(
                pulse=pulse,
                status=status,
                asked=pulse.unit_id in asking,
                answered=pulse.pk in answered,
                results=status == PulseStatus.CLOSED,
            )
        )
    context = {
        "crumbs": [Crumb(_("Awareness pulses"))],
        "page": page,
        "rows": items,
        "can_add": user.has_perm("communication.add_pulse"),
        "can_change": user.has_perm("communication.change_pulse"),
        "can_delete": user.has_perm("communication.delete_pulse"),
        "minimum": MIN_GROUP,
    }
    return render(request, "communication/pulses/list.html", context)


class _PulseForm(ServiceFormView):
    """What the create and edit pages share."""

    form_class = PulseForm
    novalidate = True

    def cancel_url(self):
        return _list_url()

    def success_url(self, saved):
        return _list_url()


class PulseCreate(_PulseForm):
    """`/pulses/new/[?unit=CODE]`: open a pulse (OSM staff)."""

    permission = "communication.add_pulse"
    service = services.pulse_create
    submit_label = gettext_lazy("Open the pulse")
    lead = gettext_lazy(
        "Everyone with a login in the unit and below answers two questions once, "
        "anonymously: which objective their work serves most, and how well they understand "
        "the strategy."
    )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        unit = OrgUnit.objects.filter(code=self.request.GET.get("unit", "")).first()
        return {**kwargs, "initial": {"unit": unit.pk} if unit else {}}

    def crumbs(self):
        return [_list_crumb(), Crumb(_("New"))]

    def title(self):
        return _("Open an awareness pulse")

    def success_message(self, saved):
        return _("Pulse “%(title)s” saved: it asks %(unit)s and the units below it.") % {
            "title": saved.title,
            "unit": saved.unit,
        }


class _OfPulse:
    """Pages about one pulse (`pk`)."""

    def get_object(self):
        return get_object_or_404(Pulse.objects.select_related("unit"), pk=self.kwargs["pk"])


class PulseEdit(_OfPulse, _PulseForm):
    """`/pulses/<id>/edit/`: change a pulse's title or days (and its unit, until someone
    has answered)."""

    permission = "communication.change_pulse"
    service = services.pulse_update

    def get_form(self):
        form = super().get_form()
        if self.object.answers.exists():
            form.fields["unit"].disabled = True
            form.fields["unit"].help_text = _("It has answers: its unit can no longer change.")
        return form

    def crumbs(self):
        return [_list_crumb(), Crumb(_("Edit"))]

    def title(self):
        return _("Edit the pulse “%(title)s”") % {"title": self.object.title}

    def success_message(self, saved):
        return _("Pulse “%(title)s” saved.") % {"title": saved.title}


class PulseDelete(_OfPulse, ServiceDeleteView):
    """`/pulses/<id>/delete/`: asks, then (POST) deletes a pulse nobody has answered."""

    permission = "communication.delete_pulse"
    service = services.pulse_delete

    def crumbs(self):
        return [_list_crumb(), Crumb(_("Delete"))]

    def title(self):
        return _("Delete the pulse “%(title)s”?") % {"title": self.object.title}

    def question(self):
        return _("A pulse nobody has answered can be deleted; one with answers stays.")

    def back_url(self):
        return _list_url()

    def success_message(self, deleted):
        return _("Pulse “%(title)s” deleted.") % {"title": deleted.title}


def _not_asked(pulse: Pulse) -> str:
    return _("This pulse does not ask you: it is for %(unit)s and the units below it.") % {
        "unit": pulse.unit
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pulse_answer(request, pk: int):
    """`/pulses/<id>/answer/`: the two questions, for the people the pulse asks (whatever
    their role); answered once, while it is open. A refusal shows above the form (400).
    Someone who sees the pulse but is not asked reads why (an answer from him or her is a
    403); a pulse one neither sees nor is asked by is a 404."""
    pulse = get_object_or_404(Pulse.objects.select_related("unit"), pk=pk)
    unit_id = selectors.respondent_unit(pulse, request.user)
    context = {
        "crumbs": [_list_crumb(), Crumb(pulse.title)],
        "pulse": pulse,
        "status": pulse.status_on(timezone.localdate()),
    }
    if unit_id is None:
        if not request.user.has_perm(ROLE, pulse):
            raise Http404(_("No such pulse."))
        if request.method == "POST":
            raise PermissionDenied(_not_asked(pulse))
        context["not_asked"] = _not_asked(pulse)
        return render(request, "communication/pulses/answer.html", context)
    question = selectors.pulse_question(pulse, request.user, unit_id)
    form = PulseAnswerForm(request.POST if request.method == "POST" else None, question=question)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.pulse_answer(
                    actor=request.user,
                    pulse=pulse,
                    objective=form.objective_id(),
                    understanding=form.cleaned_data["understanding"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Thank you: your answer is recorded with your unit, not with your name."),
                )
                return redirect(_list_url() if request.user.has_perm(ROLE) else "home")
        status = 400
    context.update(form=form, answered=selectors.has_answered(pulse, request.user))
    return render(request, "communication/pulses/answer.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def pulse_results(request, pk: int):
    """`/pulses/<id>/results/`: response rate, awareness and mean understanding of the
    subtree and of each unit in it, with the minimum group explained, and the trend of the
    pulse's unit across the closed pulses that asked it, against the article's 5%."""
    require(request.user, ROLE)
    pulse = get_object_or_404(restrict(Pulse.objects.select_related("unit"), request.user), pk=pk)
    if not selectors.may_see_results(request.user, pulse):
        raise PermissionDenied(_("The results are shown once the pulse has closed."))
    results = selectors.pulse_results(pulse)
    trend = selectors.awareness_trend(pulse.unit)
    chart = None
    if trend:
        title = _("Awareness of %(unit)s, pulse by pulse") % {"unit": pulse.unit}
        chart = pulse_charts.awareness_trend(trend, title)
    context = {
        "crumbs": [_list_crumb(), Crumb(pulse.title)],
        "pulse": pulse,
        "results": results,
        "trend": trend,
        "chart": chart,
        "baseline": pulse_charts.baseline_share(),
        "baseline_label": pulse_charts.baseline_label(),
        "minimum": MIN_GROUP,
    }
    return render(request, "communication/pulses/results.html", context)
