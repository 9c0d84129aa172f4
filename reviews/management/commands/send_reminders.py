"""`manage.py send_reminders [--date YYYY-MM-DD]`: the daily reminder job, on demand."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.clock import parse_day
from core.outbox import messages_deliver
from reviews.reminders import reminders_compose


def day_option(text: str | None) -> dt.date:
    """--date's value, or today."""
    if not text:
        return timezone.localdate()
    try:
        return parse_day(text)
    except ValueError as exc:
        raise CommandError(f"--date: {exc}") from None


class Command(BaseCommand):
    help = (
        "Compose and send the reminders of a day (data values due or overdue, escalations, "
        "review meetings, overdue action items). Running it twice sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        day = day_option(options["date"])
        composed = reminders_compose(day=day)
        delivery = messages_deliver()
        counts = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in composed.items())
        self.stdout.write(f"Reminders of {day:%Y-%m-%d}: composed {counts}.")
        self.stdout.write(
            self.style.SUCCESS(f"Sent {len(delivery.sent)}; {len(delivery.failed)} failed.")
        )
        if delivery.failed:
            raise CommandError(
                f"{len(delivery.failed)} message(s) could not be sent; they stay in the "
                "outbox and are retried (see the admin's outgoing messages for the errors)."
            )
