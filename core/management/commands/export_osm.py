"""`manage.py export_osm FILE`: the whole dataset to one file, for backup or a move.

What it holds and leaves out, and the file's format: core/backup/. Restore it with
`manage.py import_osm FILE` into a database migrated by the same OSM version.
"""

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, export


class Command(BaseCommand):
    help = (
        "Write every row of OSM (our apps and their change history, users, groups, job "
        "schedules) to FILE as JSON Lines, gzip-compressed when FILE ends in .gz. Sessions, "
        "content types, permissions and caches are left out; API tokens unless asked."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            metavar="FILE",
            help="Where to write, e.g. osm.jsonl.gz; - for standard output (plain JSON Lines).",
        )
        parser.add_argument(
            "--with-api-tokens",
            action="store_true",
            help="Include the REST API tokens (left out by default: a restore would "
            "bring back tokens revoked since the backup).",
        )
        parser.add_argument("--force", action="store_true", help="Overwrite FILE if it exists.")

    def handle(self, *args, **options):
        try:
            summary = export(
                options["file"],
                with_tokens=options["with_api_tokens"],
                force=options["force"],
            )
        except (BackupError, OSError) as exc:
            raise CommandError(f"export_osm: {exc}") from exc
        # With FILE "-" the data is on standard output: the report goes to standard error.
        wrapper = self.stderr if summary.path == "-" else self.stdout

        def report(text):
            wrapper.write(text, style_func=lambda styled: styled)  # not stderr's red

        header = summary.header
        target = "standard output" if summary.path == "-" else summary.path
        size = f" ({summary.bytes / 1e6:,.1f} MB)" if summary.bytes else ""
        report(
            self.style.SUCCESS(
                f"export_osm: {summary.rows:,} rows of {len(header['counts'])} models written "
                f"to {target}{size} in {summary.seconds:.1f} s."
            )
        )
        if options["verbosity"] > 1:
            for label, count in header["counts"].items():
                report(f"  {label:<45} {count:>10,}")
        report("The file holds password hashes and people's data: keep it as safe as the database.")
