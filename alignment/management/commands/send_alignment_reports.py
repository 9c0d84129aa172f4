"""`manage.py send_alignment_reports [--date YYYY-MM-DD]`: the weekly report job, on demand."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from alignment.reports import alignment_reports_compose
from core.clock import parse_day
from core.outbox import messages_deliver


class Command(BaseCommand):
    help = (
        "Compose and send the alignment reports of the week containing a day: the enterprise "
        "to the OSM staff, each unit's subtree to its head. Once per week and recipient."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="A day of the week to run for (default: today).")

    def handle(self, *args, **options):
        try:
            day = parse_day(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from None
        composed = alignment_reports_compose(day=day)
        delivery = messages_deliver()
        self.stdout.write(f"Alignment reports of the week of {day:%Y-%m-%d}: {composed} new.")
        self.stdout.write(
            self.style.SUCCESS(f"Sent {len(delivery.sent)}; {len(delivery.failed)} failed.")
        )
        if delivery.failed:
            raise CommandError(
                f"{len(delivery.failed)} message(s) could not be sent; they stay in the "
                "outbox and are retried (see the admin's outgoing messages for the errors)."
            )
