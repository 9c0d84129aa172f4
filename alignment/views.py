"""The Alignment page: a subtree's metrics, each unit's, the lists behind them, the trend."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from scorecards.selectors import enterprise_unit

from . import charts
from .forms import AlignmentFilterForm
from .metrics import LABELS, METRICS
from .models import AlignmentSnapshot
from .selectors import cached_alignment_report, current_fiscal_year


@login_required
def alignment_page(request):
    """`/alignment/?unit=CODE&fiscal_year=YYYY` (defaults: the enterprise, this year)."""
    if not request.user.has_perm("scorecards.view_orgunit"):
        raise PermissionDenied("You have no role in OSM yet.")
    form = AlignmentFilterForm(request.GET or None, initial={"fiscal_year": current_fiscal_year()})
    if request.GET and not form.is_valid():
        return render(request, "alignment/page.html", {"form": form}, status=400)
    data = form.cleaned_data if request.GET else {}
    unit = data.get("unit") or enterprise_unit()
    if unit is None:
        return render(request, "alignment/page.html", {"form": form, "empty": True})
    year = data.get("fiscal_year") or current_fiscal_year()
    report = cached_alignment_report(unit, fiscal_year=year)
    trend = list(
        AlignmentSnapshot.objects.filter(unit=unit, fiscal_year=year)
        .order_by("taken_on")
        .values_list("taken_on", "alignment_index")
    )
    user = request.user
    context = {
        "form": form,
        "report": report,
        "unit": unit,
        "fiscal_year": year,
        "metric_names": [(name, LABELS[name]) for name in (*METRICS, "alignment_index")],
        "bar_chart": charts.metrics_bar(report.metrics, f"{unit.code}, FY{year}"),
        "trend_chart": charts.index_trend(trend, "Alignment index over time") if trend else None,
        "see_budgets": user.has_perm("budgets.view_budgetline", unit),
        "see_people": user.has_perm("people.view_employee", unit),
    }
    return render(request, "alignment/page.html", context)
