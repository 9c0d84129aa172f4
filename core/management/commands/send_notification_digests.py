"""`manage.py send_notification_digests [--date YYYY-MM-DD]`: the daily digest job, on
demand."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.commands import add_date_option, date_option
from core.notifications import digests_compose
from core.outbox import messages_deliver


class Command(BaseCommand):
    help = (
        "Compose and send the notification digests of a day (the day before's unread "
        "notifications, to those who chose a digest). Running it twice sends nothing twice."
    )

    def add_arguments(self, parser):
        add_date_option(parser, "The day to run for, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        day = date_option(options)
        with transaction.atomic():
            composed = digests_compose(day=day)
        delivery = messages_deliver()
        self.stdout.write(f"Digests of {day:%Y-%m-%d}: composed {composed}.")
        self.stdout.write(
            self.style.SUCCESS(f"Sent {len(delivery.sent)}; {len(delivery.failed)} failed.")
        )
        if delivery.failed:
            raise CommandError(
                f"{len(delivery.failed)} message(s) could not be sent; they stay in the "
                "outbox and are retried (see the admin's outgoing messages for the errors)."
            )
