"""Test and adapt, with the database: what the statistics of `alignment/testing.py` are fed
(selectors), the run that stores their verdicts (a service), and the latest results of a
unit's map (a selector the pages and the API share).
"""

from __future__ import annotations

from .models import StrategyTestResult, StrategyTestRun


def latest_run() -> StrategyTestRun | None:
    """The latest run that finished (`done`); a running or failed one is never served."""
    return (
        StrategyTestRun.objects.filter(status=StrategyTestRun.Status.DONE)
        .order_by("-started_at", "-pk")
        .first()
    )


def latest_strategy_tests(unit) -> tuple[StrategyTestRun | None, list[StrategyTestResult]]:
    """The latest done run and its results for `unit`'s strategy map: the arrows first,
    then the exploratory candidates, each by cause then effect code; objectives, measures
    and the arrow read along (two queries whatever the size). `(None, [])` before any run
    has finished."""
    run = latest_run()
    if run is None:
        return None, []
    results = list(
        StrategyTestResult.objects.filter(run=run, unit=unit)
        .select_related("cause", "effect", "cause_measure", "effect_measure", "link")
        .order_by("exploratory", "cause__code", "effect__code", "pk")
    )
    return run, results
