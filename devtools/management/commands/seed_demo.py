"""`manage.py seed_demo`: load Meridian Group, a believable demo company (devtools/demo/).

Deterministic (seeded) and idempotent: when the demo is already loaded it says so and
writes nothing. Refused unless DEBUG is on or `--yes` is given, because it creates logins
with a published password. `--if-empty` (what `make run` calls) does nothing when the
database already has any org unit.
"""

import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from devtools.demo import DEMO_PASSWORD, DEMO_ROOT_CODE, DemoBuilder
from scorecards.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Load Meridian Group, a demo company with 36 months of scorecard history, "
        f"and one demo login per role (password '{DEMO_PASSWORD}'). Development only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Load even though DEBUG is off (the demo logins' password is public).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has any org unit (for `make run`).",
        )

    def handle(self, *args, **options):
        if not (settings.DEBUG or options["yes"]):
            raise CommandError(
                "seed_demo creates demo logins (osm, executive, unithead, hr, owner, employee, "
                f"admin) with the known password '{DEMO_PASSWORD}', so it refuses to run with "
                "DEBUG off. Use it on a development database only; pass --yes if you really "
                "mean to load it here."
            )
        if options["if_empty"] and OrgUnit.objects.exists():
            self.stdout.write("seed_demo: the database already has org units; nothing loaded.")
            return
        if OrgUnit.objects.filter(code=DEMO_ROOT_CODE).exists():
            self.stdout.write("seed_demo: the demo company is already loaded; nothing changed.")
            return
        if OrgUnit.objects.exists():
            root = OrgUnit.objects.filter(parent__isnull=True).first()
            raise CommandError(
                f"The database already holds an organisation ({root}); the demo loads into "
                "an empty database only. Point DATABASE_URL at a fresh one."
            )

        started = time.perf_counter()
        try:
            result = DemoBuilder().build()
        except ValidationError as exc:
            # The builder runs in one transaction: nothing was written.
            raise CommandError(f"The demo data was refused, nothing was loaded: {exc}") from exc
        elapsed = time.perf_counter() - started

        self.stdout.write(
            self.style.SUCCESS(f"seed_demo: loaded Meridian Group in {elapsed:.1f} s.")
        )
        width = max(len(label) for label in result.counts)
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<{width}}  {count:>6,}")
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(
                "DEMO ONLY: these logins share a published password. "
                "Never load the demo into a real database."
            )
        )
        rows = [("username", "role", "password", ""), *result.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            line = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3]))
            self.stdout.write(f"  {line}  {row[3]}".rstrip())
