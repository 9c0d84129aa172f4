"""`manage.py send_alignment_reports [--date YYYY-MM-DD]`: the weekly report job, on demand."""

from django.core.management.base import BaseCommand, CommandError

from alignment.reports import alignment_reports_compose
from core.commands import add_date_option, date_option
from core.outbox import messages_deliver


class Command(BaseCommand):
    help = (
        "Compose and send the alignment reports of the week containing a day: the enterprise "
        "to the OSM staff, each unit's subtree to its head. Once per week and recipient."
    )

    def add_arguments(self, parser):
        add_date_option(parser, "A day of the week to run for (default: today).")

    def handle(self, *args, **options):
        day = date_option(options)
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
