"""`manage.py prune_strategy_tests [--date YYYY-MM-DD] [--days N]`: the nightly pruning of
old strategy test runs, on demand and without a worker."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alignment.models import StrategyTestRun
from alignment.strategy_tests import MAX_RETENTION_DAYS, strategy_test_runs_prune
from core.commands import add_date_option, date_option


class Command(BaseCommand):
    help = (
        "Delete the strategy test runs started more than N days (default "
        "STRATEGY_TEST_RETENTION_DAYS) before a day (default today), with their results; "
        "the runs the pages still show and runs in progress are kept."
    )

    def add_arguments(self, parser):
        add_date_option(parser, "Count the days back from this day (default: today).")
        parser.add_argument(
            "--days",
            type=int,
            help="Keep the runs started within this many days (default: "
            "STRATEGY_TEST_RETENTION_DAYS).",
        )

    def handle(self, *args, **options):
        day = date_option(options)
        days = options["days"]
        if days is None:
            days = settings.STRATEGY_TEST_RETENTION_DAYS
        if not 0 <= days <= MAX_RETENTION_DAYS:
            raise CommandError(f"--days must be a number of days from 0 to {MAX_RETENTION_DAYS}.")
        deleted = strategy_test_runs_prune(today=day, days=days)
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {deleted} strategy test run{'s' if deleted != 1 else ''} started more "
                f"than {days} days before {day:%Y-%m-%d}; {StrategyTestRun.objects.count()} "
                f"kept."
            )
        )
