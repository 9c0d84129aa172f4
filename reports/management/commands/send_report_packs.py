"""`manage.py send_report_packs [--date YYYY-MM-DD]`: the daily report packs, on demand and
inline (no worker needed): each subscription due that day composed, then delivered."""

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from core.commands import add_date_option, date_option
from core.outbox import messages_deliver
from reports.subscriptions import report_pack_compose, subscriptions_due


class Command(BaseCommand):
    help = (
        "Compose and send the report packs due on a day (weekly subscriptions on their "
        "weekday, monthly ones on their day of the month). Each pack once per due date."
    )

    def add_arguments(self, parser):
        add_date_option(parser, "The due date to run for, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        day = date_option(options)
        outcomes = Counter()
        for subscription_id in subscriptions_due(day).values_list("pk", flat=True):
            outcome = report_pack_compose(subscription_id=subscription_id, day=day)
            outcomes[outcome.status] += 1
            if outcome.reason:
                self.stdout.write(f"Subscription {subscription_id}: skipped, {outcome.reason}.")
        delivery = messages_deliver()
        summary = ", ".join(f"{n} {status}" for status, n in sorted(outcomes.items()))
        self.stdout.write(f"Report packs due on {day:%Y-%m-%d}: {summary or 'none'}.")
        self.stdout.write(
            self.style.SUCCESS(f"Sent {len(delivery.sent)}; {len(delivery.failed)} failed.")
        )
        if delivery.failed:
            raise CommandError(
                f"{len(delivery.failed)} message(s) could not be sent; they stay in the "
                "outbox and are retried (see the admin's outgoing messages for the errors)."
            )
