"""Pages of the approval of updates (DESIGN.md "Reporting cycle"): the queue of submitted
values a unit head or the OSM staff review (also the first rows of *My updates*), the
Approve button and the Return page with its comment. Thin: the rules are in
services/approval.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from core.views import Crumb, ServiceFormView, require

from . import services
from .display import month_text
from .models import MeasureValue
from .selectors.approval import awaiting_review
from .value_forms import ReturnValueForm

QUEUE_PER_PAGE = 50
REVIEW = "scorecards.change_measure"  # who sets a measure's targets reviews its values


def _value(pk: int) -> MeasureValue:
    return get_object_or_404(
        MeasureValue.objects.select_related("measure__unit", "measure__objective", "submitted_by"),
        pk=pk,
    )


def _back(request) -> str:
    """Where the reviewer came from (the queue, a measure page), if it is ours."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse("approvals")


def _where(value: MeasureValue) -> dict:
    return {"measure": value.measure.code, "period": month_text(value.period)}


@login_required
def approvals_page(request):
    """Every submitted value the user may review, oldest submission first, a page at a
    time."""
    require(request.user, REVIEW)
    queue = Paginator(awaiting_review(request.user), QUEUE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "scorecards/approvals.html", {"queue": queue})


@require_POST
@login_required
def value_approve(request, pk: int):
    """Approve a submitted value (a button in the queue and on the measure page)."""
    value = _value(pk)
    require(request.user, REVIEW, value.measure)
    try:
        services.measure_value_approve(actor=request.user, instance=value)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Approved %(measure)s for %(period)s.") % _where(value))
    return redirect(_back(request))


class ValueReturn(ServiceFormView):
    """Return a submitted value to its owner with a comment saying what to correct."""

    form_class = ReturnValueForm
    permission = REVIEW
    submit_label = pgettext_lazy("a submitted value", "Return")
    lead = gettext_lazy(
        "The owner sees your comment in My updates and corrects the value; the scorecard keeps "
        "the approved value until then."
    )
    template_name = "scorecards/value_return.html"

    def get_object(self):
        return _value(self.kwargs["pk"])

    def permission_object(self):
        return self.object.measure

    def title(self):
        return _("Return %(measure)s for %(period)s") % _where(self.object)

    def crumbs(self):
        return [Crumb(_("Approvals"), reverse("approvals")), Crumb(_("Return"))]

    def extra_context(self, form):
        return {"value": self.object, "next": _back(self.request)}

    def save(self, form):
        return services.measure_value_return(
            actor=self.request.user, instance=self.object, comment=form.cleaned_data["comment"]
        )

    def success_message(self, saved):
        return _("Returned %(measure)s for %(period)s to its owner.") % _where(saved)

    def success_url(self, saved):
        return _back(self.request)

    def cancel_url(self):
        return _back(self.request)
