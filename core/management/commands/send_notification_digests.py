"""`manage.py send_notification_digests [--date YYYY-MM-DD]`: the daily digest job, on
demand."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.clock import parse_day
from core.notifications import digests_compose
from core.outbox import messages_deliver


class Command(BaseCommand):
    help = (
        "Compose and send the notification digests of a day (the day before's unread "
        "notifications, to those who chose a digest). Running it twice sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        try:
            day = parse_day(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from None
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
