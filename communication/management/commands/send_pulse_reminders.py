"""`manage.py send_pulse_reminders [--date YYYY-MM-DD]`: the daily pulse reminders, on
demand."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.clock import parse_day
from core.outbox import messages_deliver

from ...services.pulses import REMIND_DAYS_LEFT, pulse_reminders_compose


class Command(BaseCommand):
    help = (
        f"Remind everyone an awareness pulse asks who has not answered it, when at most "
        f"{REMIND_DAYS_LEFT} days remain; then send. Running it twice sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        try:
            day = parse_day(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from None
        composed = pulse_reminders_compose(day=day)
        delivery = messages_deliver()
        self.stdout.write(f"Pulse reminders of {day:%Y-%m-%d}: composed {composed}.")
        self.stdout.write(
            self.style.SUCCESS(f"Sent {len(delivery.sent)}; {len(delivery.failed)} failed.")
        )
        if delivery.failed:
            raise CommandError(
                f"{len(delivery.failed)} message(s) could not be sent; they stay in the "
                "outbox and are retried (see the admin's outgoing messages for the errors)."
            )
