"""`manage.py notify_late_initiatives [--date YYYY-MM-DD]`: the daily notice of late
initiatives, on demand."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from core.clock import parse_day
from initiatives.alerts import late_initiatives_notify


class Command(BaseCommand):
    help = (
        "Notify the owners and unit heads of the initiatives late on a day (a milestone past "
        "due, or the end date passed, while not done). Each lateness is notified once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        try:
            day = parse_day(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from None
        with transaction.atomic():
            made = late_initiatives_notify(day=day)
        self.stdout.write(
            self.style.SUCCESS(f"Late initiatives on {day:%Y-%m-%d}: {made} new notifications.")
        )
