"""The report subscription pages (issue 16, item 6): `/reports/subscriptions/` lists the
user's own subscriptions (the OSM staff: everyone's, with the subscriber and a filter by
person), and the view kit's pages create, change and delete one (core/views.py).

Thin: the rules are asked by name (`reports.*`, from core.policies.SUBSCRIPTIONS), writes go
through reports/subscriptions.py, whose refusals show on the form (400, nothing written)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.scoping import restrict
from core.views import Crumb, ServiceDeleteView, ServiceFormView, require
from scorecards.models import OrgUnit

from . import subscriptions as services
from .choices import Cadence, PackKind
from .forms import SubscriberFilterForm, SubscriptionForm
from .models import ReportSubscription

PAGE_SIZE = 50


def _list_url() -> str:
    return reverse("reports:subscriptions")


def _describe(subscription: ReportSubscription) -> str:
    """ "Scorecard workbook (Excel) of Industrial Equipment": the pack and its unit."""
    return _("%(pack)s of %(unit)s") % {
        "pack": subscription.get_kind_display(),
        "unit": subscription.unit,
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def subscriptions(request):
    """`/reports/subscriptions/[?user=ID]`: the user's subscriptions, or everyone's for the
    OSM staff (of one person with `user`), by subscriber, unit and pack."""
    user = request.user
    # Anyone who may subscribe has a list, empty at first.
    require(user, "reports.add_reportsubscription")
    rows = restrict(ReportSubscription.objects.select_related("user", "unit"), user)
    see_all = services.manages_all(user)
    form, status = None, 200
    if see_all:
        form = SubscriberFilterForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            status = 400
        elif form.is_bound and form.cleaned_data["user"]:
            rows = rows.filter(user=form.cleaned_data["user"])
    rows = rows.order_by("user__first_name", "user__last_name", "user__username", "unit__code",
                         "kind", "cadence")  # fmt: skip
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "crumbs": [Crumb(_("Report subscriptions"))],
        "page": page,
        "form": form,
        "see_all": see_all,
        "query": query.urlencode(),
    }
    return render(request, "reports/subscriptions.html", context, status=status)


class _SubscriptionForm(ServiceFormView):
    """What the create and edit pages share: the form, with the subscriber for the OSM
    staff only; the server alone checks what is typed (the day's range per cadence)."""

    form_class = SubscriptionForm
    novalidate = True

    def get_form_kwargs(self):
        choose = services.manages_all(self.request.user)
        return {**super().get_form_kwargs(), "choose_person": choose}

    def cancel_url(self):
        return _list_url()

    def success_url(self, saved):
        return _list_url()


class SubscriptionCreate(_SubscriptionForm):
    """`/reports/subscriptions/new/[?unit=CODE&kind=KIND]`: subscribe to a unit's pack (the
    link from a unit's page or a download names them)."""

    permission = "reports.add_reportsubscription"
    service = services.subscription_create
    submit_label = gettext_lazy("Subscribe")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        initial = {"cadence": Cadence.MONTHLY, "day": 1, "active": True}
        unit = OrgUnit.objects.filter(code=self.request.GET.get("unit", "")).first()
        if unit is not None:
            initial["unit"] = unit.pk
        if self.request.GET.get("kind") in PackKind.values:
            initial["kind"] = self.request.GET["kind"]
        return {**kwargs, "initial": initial}

    def crumbs(self):
        return [Crumb(_("Report subscriptions"), _list_url()), Crumb(_("New"))]

    def title(self):
        return _("Subscribe to a report pack")

    def success_message(self, saved):
        return _("Subscribed: %(pack)s (%(schedule)s).") % {
            "pack": _describe(saved),
            "schedule": saved.schedule,
        }


class _OfSubscription:
    """Pages about one subscription (`pk`), with its subscriber and unit."""

    def get_object(self):
        return get_object_or_404(
            ReportSubscription.objects.select_related("user", "unit"), pk=self.kwargs["pk"]
        )


class SubscriptionEdit(_OfSubscription, _SubscriptionForm):
    """`/reports/subscriptions/<id>/edit/`: change a subscription's pack, unit, cadence,
    day, or pause it (its subscriber too, for the OSM staff)."""

    permission = "reports.change_reportsubscription"
    service = services.subscription_update

    def crumbs(self):
        return [Crumb(_("Report subscriptions"), _list_url()), Crumb(_("Edit"))]

    def title(self):
        return _("Edit the subscription to %(pack)s") % {"pack": _describe(self.object)}

    def success_message(self, saved):
        return _("Subscription saved: %(pack)s (%(schedule)s).") % {
            "pack": _describe(saved),
            "schedule": saved.schedule,
        }


class SubscriptionDelete(_OfSubscription, ServiceDeleteView):
    """`/reports/subscriptions/<id>/delete/`: asks, then (POST) stops a subscription."""

    permission = "reports.delete_reportsubscription"
    service = services.subscription_delete

    def crumbs(self):
        return [Crumb(_("Report subscriptions"), _list_url()), Crumb(_("Delete"))]

    def title(self):
        return _("Stop the subscription to %(pack)s?") % {"pack": _describe(self.object)}

    def details(self):
        subscription = self.object
        return _("%(person)s receives it by e-mail (%(schedule)s).") % {
            "person": subscription.user.get_full_name() or subscription.user.username,
            "schedule": subscription.schedule,
        }

    def question(self):
        return _("No more packs are sent for it. The messages already sent stay in the outbox.")

    def back_url(self):
        return _list_url()

    def success_message(self, deleted):
        return _("Subscription stopped: %(pack)s.") % {"pack": _describe(deleted)}
