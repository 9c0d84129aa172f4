"""`manage.py notify_late_initiatives [--date YYYY-MM-DD]`: the daily notice of late
initiatives, on demand."""

from django.core.management.base import BaseCommand
from django.db import transaction

from core.commands import add_date_option, date_option
from initiatives.alerts import late_initiatives_notify


class Command(BaseCommand):
    help = (
        "Notify the owners and unit heads of the initiatives late on a day (a milestone past "
        "due, or the end date passed, while not done). Each lateness is notified once."
    )

    def add_arguments(self, parser):
        add_date_option(parser, "The day to run for, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        day = date_option(options)
        with transaction.atomic():
            made = late_initiatives_notify(day=day)
        self.stdout.write(
            self.style.SUCCESS(f"Late initiatives on {day:%Y-%m-%d}: {made} new notifications.")
        )
