"""`manage.py import_osm FILE`: restore a file written by `export_osm`.

Into an empty (freshly migrated) database, or with `--replace` over one that holds data
(everything in it is deleted first). One transaction: on any error nothing changes.
Stop the worker and beat first (docs/operations.md, "Backup and restore").
"""

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, import_


class Command(BaseCommand):
    help = (
        "Load a file written by export_osm into this database, all or nothing. Refuses a "
        "database that already holds data unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            metavar="FILE",
            help="A file written by export_osm (plain or gzip); - for standard input.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete every row OSM holds here (users, sessions and history included) "
            "and load the file instead.",
        )

    def handle(self, *args, **options):
        try:
            summary = import_(options["file"], replace=options["replace"])
        except (BackupError, OSError) as exc:
            raise CommandError(f"import_osm: {exc}") from exc
        header = summary.header
        source = header.get("database") or {}
        self.stdout.write(
            self.style.SUCCESS(
                f"import_osm: {summary.rows:,} rows of {len(header['counts'])} models loaded "
                f"from {summary.path} in {summary.seconds:.1f} s (exported "
                f"{header.get('created_at')} from {source.get('vendor')} "
                f"database {source.get('name')}, OSM {header.get('osm_version')})."
            )
        )
        if options["verbosity"] > 1:
            for label, count in header["counts"].items():
                self.stdout.write(f"  {label:<45} {count:>10,}")
        if not header.get("api_tokens"):
            self.stdout.write("API tokens were not in the file: API clients log in again.")
        self.stdout.write("Sessions were cleared: everyone logs in again.")
