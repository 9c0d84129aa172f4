"""`manage.py run_strategy_tests [--date YYYY-MM-DD]`: the nightly strategy test run, on
demand and without a worker (no Redis needed)."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from alignment.strategy_tests import strategy_test_run
from core.commands import add_date_option, date_option


class Command(BaseCommand):
    help = (
        "Test every arrow of every unit's strategy map against the measures' history (up to "
        "a day, default today) and store the verdicts as a new run, with the exploratory "
        "candidates; the pages and the API serve the latest run."
    )

    def add_arguments(self, parser):
        add_date_option(parser, "Read the data up to this day (default: today).")

    def handle(self, *args, **options):
        day = date_option(options)
        try:
            run = strategy_test_run(today=day)
        except Exception as exc:
            raise CommandError(f"The strategy test run failed: {exc}") from exc
        results = list(run.results.values_list("exploratory", "verdict"))
        verdicts = Counter(verdict for exploratory, verdict in results if not exploratory)
        candidates = sum(exploratory for exploratory, _ in results)
        seconds = (run.finished_at - run.started_at).total_seconds()
        summary = ", ".join(
            f"{n} {verdict.replace('_', ' ')}" for verdict, n in sorted(verdicts.items())
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Strategy test of {day:%Y-%m-%d} (run {run.pk}) in {seconds:.1f} s: "
                f"{sum(verdicts.values())} arrows ({summary or 'none'}), {candidates} exploratory "
                f"candidates, {run.tests} p-values adjusted together."
            )
        )
