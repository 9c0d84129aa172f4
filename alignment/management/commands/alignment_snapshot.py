"""`manage.py alignment_snapshot [--fiscal-year Y]`: record today's alignment metrics of
every unit (once a day: a second run the same day replaces that day's snapshot)."""

from django.core.management.base import BaseCommand, CommandError

from alignment.services import alignment_snapshot_take


class Command(BaseCommand):
    help = "Take today's alignment snapshot of every unit (idempotent per day)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fiscal-year",
            type=int,
            help="Fiscal year, named after the calendar year it starts in (default: current).",
        )

    def handle(self, *args, fiscal_year=None, **options):
        if fiscal_year is not None and not 1900 <= fiscal_year <= 2999:
            raise CommandError("--fiscal-year must be a year between 1900 and 2999.")
        snapshots = alignment_snapshot_take(fiscal_year=fiscal_year)
        if not snapshots:
            raise CommandError("There is no enterprise unit yet: nothing to measure.")
        top = snapshots[0]
        self.stdout.write(
            self.style.SUCCESS(
                f"Alignment snapshot of FY{top.fiscal_year} taken on {top.taken_on} for "
                f"{len(snapshots)} units; {top.unit.code} alignment index "
                f"{top.alignment_index if top.alignment_index is not None else 'n/a'}%."
            )
        )
