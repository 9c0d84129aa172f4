"""The Alignment page (a subtree's metrics, each unit's, the lists behind them, the trend)
and a unit's Strategy test page (the verdict on each arrow of its map, with charts)."""

import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.clock import current_fiscal_year
from core.versioning import data_version
from core.views import Crumb
from scorecards.crumbs import unit_crumbs
from scorecards.display import show_unit
from scorecards.models import CauseEffect, OrgUnit
from scorecards.selectors import enterprise_unit
from scorecards.selectors.series import load_series
from scorecards.strategy_map import VERDICT_LABELS, lag_text, p_text

from . import charts, tasks
from .fixes import fix_links
from .forms import AlignmentFilterForm
from .metrics import LABELS, METRICS
from .models import AlignmentSnapshot, StrategyTestRun
from .selectors import cached_alignment_report
from .strategy_tests import latest_strategy_tests
from .trend import first_snapshot_on

logger = logging.getLogger(__name__)


@login_required
def alignment_page(request):
    """`/alignment/?unit=CODE&fiscal_year=YYYY` (defaults: the enterprise, this year)."""
    if not request.user.has_perm("scorecards.view_orgunit"):
        raise PermissionDenied(_("You have no role in OSM yet."))
    form = AlignmentFilterForm(request.GET or None, initial={"fiscal_year": current_fiscal_year()})
    if request.GET and not form.is_valid():
        return render(request, "alignment/page.html", {"form": form}, status=400)
    data = form.cleaned_data if request.GET else {}
    unit = data.get("unit") or enterprise_unit()
    if unit is None:
        return render(request, "alignment/page.html", {"form": form, "empty": True})
    show_unit(form, unit)
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
        "bar_chart": charts.metrics_bar(
            report.metrics, _("%(unit)s, FY%(year)s") % {"unit": unit, "year": year}
        ),
        "trend_chart": charts.index_trend(trend, _("Alignment index over time")) if trend else None,
        # An empty trend says when it starts (the nightly job's next run), or that it will not.
        "past_year": year < current_fiscal_year(),
        "first_snapshot_on": (None if trend else first_snapshot_on(year, now=timezone.now())),
        "see_budgets": user.has_perm("budgets.view_budgetline", unit),
        "see_people": user.has_perm("people.view_employee", unit),
        # Each gap with the links to the app's pages that fix it (alignment/fixes.py).
        # ?all=<list>: that list whole (the others stay at their first items).
        "lists": fix_links(report, user, whole=request.GET.get("all", "")),
    }
    return render(request, "alignment/page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def strategy_test_page(request, code: str):
    """`/units/<code>/strategy-test/`: the latest run's verdict on each arrow of the unit's
    strategy map (lag, effect size with its interval, adjusted p, periods and units used,
    the measures compared, a chart of the two series aligned at the best lag), then the
    exploratory candidates. POST (OSM staff): run the test now."""
    if not request.user.has_perm("alignment.view_strategytestresult"):
        raise PermissionDenied(_("You have no role in OSM yet: ask the OSM staff for one."))
    unit = get_object_or_404(OrgUnit, code=code)
    can_run = request.user.has_perm("alignment.add_strategytestrun")
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied(_("Only the OSM staff start a strategy test."))
        level, text = _start_run(request.user)
        messages.add_message(request, level, text)
        return redirect("strategy-test", unit.code)
    run, results = latest_strategy_tests(unit)
    arrows = [_row(r) for r in results if not r.exploratory]
    tested_links = {r.link_id for r in results if r.link_id}
    untested = (
        CauseEffect.objects.filter(cause__unit=unit)
        .exclude(pk__in=tested_links)
        .select_related("cause", "effect")
        .order_by("cause__code", "effect__code")
    )
    _add_charts(arrows, run)
    context = {
        "unit": unit,
        "crumbs": unit_crumbs(unit, Crumb(_("Strategy test"))),
        "run": run,
        "latest": StrategyTestRun.objects.order_by("-started_at", "-pk").first(),
        "arrows": arrows,
        "candidates": [_row(r) for r in results if r.exploratory],
        "untested": list(untested),
        "can_run": can_run,
        "labels": VERDICT_LABELS,
    }
    return render(request, "alignment/strategy_test.html", context)


def _start_run(user) -> tuple[int, str]:
    """Queue the run for a worker once this request's writes are committed; without a
    broker (Celery eager) it runs here and now. The run's log names who asked."""
    task = tasks.run_strategy_tests
    if not task.app.conf.task_always_eager:
        transaction.on_commit(lambda: task.delay(by=user.pk))
        return messages.INFO, _(
            "Strategy test queued: a worker runs it for every map; reload this page in a "
            "minute for the new results."
        )
    try:
        task.apply(kwargs={"by": user.pk}, throw=True)
    except Exception:  # the run records its failure; the page says so and stays up
        logger.exception("strategy test run failed")
        return messages.ERROR, _("The strategy test failed; the previous results stay shown.")
    return messages.SUCCESS, _("Strategy test done: the results below are the new run's.")


def _row(result) -> dict:
    """A stored result with its figures in words, for the template."""
    tested = result.effect_size is not None and result.lag is not None
    return {
        "result": result,
        "label": result.get_verdict_display(),
        "lag": lag_text(result.lag, result.frequency) if tested else "",
        "p": p_text(result.p_adjusted) if tested else "",
        "tested": tested,
        "chart": None,
        "chart_id": f"pair-{result.pk}",
    }


def _add_charts(rows: list[dict], run) -> None:
    """Each tested arrow's chart (`_charts`: 20 ms each to draw, a dozen on the demo's
    enterprise map), served from the cache while the data has not changed: the key holds
    the run, its results shown, the language and the data version, which every write moves
    on. Inside a transaction they are drawn afresh and not cached (as
    `cached_alignment_report`)."""
    charted = [
        row
        for row in rows
        if row["tested"] and row["result"].cause_measure and row["result"].effect_measure
    ]
    if not charted:
        return
    if connection.in_atomic_block:
        charts_by_result = _charts(charted, run)
    else:
        ids = ",".join(str(row["result"].pk) for row in charted)
        digest = hashlib.sha256(ids.encode()).hexdigest()[:16]
        # the charts' words are in the page's language
        key = f"osm:strategy-test-charts:{run.pk}:{digest}:{get_language()}:{data_version()}"
        charts_by_result = cache.get(key)
        if charts_by_result is None:
            charts_by_result = _charts(charted, run)
            cache.set(key, charts_by_result, 3600)
    for row in charted:
        row["chart"] = charts_by_result.get(row["result"].pk)


def _charts(charted: list[dict], run) -> dict[int, dict]:
    """Each tested arrow's chart by result id: its two measures' actuals up to the run's day
    (one load for every measure of the page), aligned at the best lag."""
    ids = {m for row in charted for m in (row["result"].cause_measure_id,
                                          row["result"].effect_measure_id)}  # fmt: skip
    series = load_series(Q(id__in=ids), upto=run.run_on)

    def actuals(measure_id):
        found = series.get(measure_id)
        if found is None:
            return found, {}
        return found.measure, {
            p: float(v.actual) for p, v in found.values.items() if v.actual is not None
        }

    drawn = {}
    for row in charted:
        result = row["result"]
        cause_info, cause = actuals(result.cause_measure_id)
        effect_info, effect = actuals(result.effect_measure_id)
        if cause_info is None or effect_info is None:
            continue
        frequency, aligned = charts.aligned_pair(
            cause,
            effect,
            cause_frequency=cause_info.frequency,
            effect_frequency=effect_info.frequency,
            cause_aggregation=cause_info.aggregation,
            effect_aggregation=effect_info.aggregation,
            lag=result.lag,
            fiscal_start=settings.FISCAL_YEAR_START_MONTH,
        )
        if not aligned:
            continue
        drawn[result.pk] = charts.strategy_test_chart(
            aligned,
            lag=result.lag,
            frequency=frequency,
            cause_name=f"{cause_info.code} {cause_info.name}",
            effect_name=f"{effect_info.code} {effect_info.name}",
            title=_("%(cause)s → %(effect)s: %(verdict)s, r %(r)s at lag %(lag)s")
            % {
                "cause": result.cause.code,
                "effect": result.effect.code,
                "verdict": row["label"],
                "r": formats.number_format(result.effect_size, 2),
                "lag": row["lag"],
            },
        )
    return drawn
