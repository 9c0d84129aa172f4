"""The Reporting months page: every month's state in the reporting cycle, and for the OSM
staff the pages that close a month (once it is over) and reopen one with a reason
(`services.month_close`, `month_reopen`, as the API)."""

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.views import Crumb, ServiceFormView, require

from . import services
from .selectors.reporting import close_checklist, reporting_months

VIEW = "scorecards.view_reportingperiod"
CLOSE = "scorecards.add_reportingperiod"  # who may close may reopen: the OSM staff


@login_required
def months_page(request):
    """`/reporting/months/`: this month and the 18 before it (and any other closed one),
    open or closed, with who closed each and every closing and reopening."""
    require(request.user, VIEW)
    context = {
        "crumbs": [Crumb(_("Reporting months"))],
        "months": reporting_months(timezone.localdate()),
        "can_close": request.user.has_perm(CLOSE),
    }
    return render(request, "scorecards/reporting/months.html", context)


def month_name(month: dt.date) -> str:
    """ "October 2026", in the reader's language (a page's title, not a period's text)."""
    return date_format(month, "YEAR_MONTH_FORMAT")


def month_from(text: str) -> dt.date:
    """The month of an address (`2026-03`); a 404 for anything else."""
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise Http404(_("No such month.")) from None


class CloseForm(forms.Form):
    """Nothing to type: the page asks, the button closes."""


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the month reopened?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept with the month, for everyone who reads it."),
    )


class _MonthPage(ServiceFormView):
    permission = CLOSE
    novalidate = True

    def get_object(self):
        self.month = month_from(self.kwargs["month"])
        return None

    def crumbs(self):
        return [Crumb(_("Reporting months"), reverse("reporting-months")), Crumb(self.title())]

    def cancel_url(self):
        return f"{reverse('reporting-months')}#month-{self.month:%Y-%m}"

    def success_url(self, saved):
        return self.cancel_url()


class MonthClose(_MonthPage):
    """`/reporting/months/<yyyy-mm>/close/`: close a month that is over."""

    form_class = CloseForm
    template_name = "scorecards/reporting/close.html"
    submit_label = pgettext_lazy("button", "Close the month")

    def extra_context(self, form):
        checklist = close_checklist(self.month)
        return {
            "month": self.month,
            "checklist": checklist,
            "missing_count": sum(len(unit.missing) for unit in checklist),
            "awaiting_count": sum(len(unit.awaiting) for unit in checklist),
            "red_count": sum(len(unit.red_unanalysed) for unit in checklist),
        }

    def title(self):
        return _("Close %(month)s") % {"month": month_name(self.month)}

    @property
    def lead(self):
        return _(
            "Once %(month)s is closed, no value of a period ending in it can be entered, "
            "corrected or removed, by anyone: the monthly, the quarter ending in it, the fiscal "
            "year ending in it. OSM staff can reopen it, saying why."
        ) % {"month": month_name(self.month)}

    def save(self, form):
        return services.month_close(actor=self.request.user, month=self.month)

    def success_message(self, saved):
        return _("Closed %(month)s.") % {"month": month_name(saved.month)}


class MonthReopen(_MonthPage):
    """`/reporting/months/<yyyy-mm>/reopen/`: reopen a closed month, saying why."""

    form_class = ReopenForm
    submit_label = pgettext_lazy("button", "Reopen the month")

    def title(self):
        return _("Reopen %(month)s") % {"month": month_name(self.month)}

    def save(self, form):
        return services.month_reopen(
            actor=self.request.user, month=self.month, reason=form.cleaned_data["reason"]
        )

    def success_message(self, saved):
        return _("Reopened %(month)s: its values can be corrected until it is closed again.") % {
            "month": month_name(saved.month)
        }
