"""Backup and restore of OSM's whole dataset: `manage.py export_osm` and `import_osm`.

The file is JSON Lines (gzip-compressed when its name ends in `.gz`): a header line, then
one row per line in the format of Django's serializers (`{"model", "pk", "fields"}`), the
models in dependency order. What it holds: every row of our apps (their change history,
the `Historical*` tables, included), users, groups and their memberships, the admin's log
and the job schedules (django-celery-beat); API tokens only when asked. What it leaves
out: sessions, content types and permissions (every migrated database makes its own;
rows that refer to them name them by natural key), the data-version counter (an import
starts a new one, so no cache serves reports of the data before it) and caches.

Export reads one consistent snapshot (one transaction, REPEATABLE READ on PostgreSQL), so
the header's row counts are exact; import checks the header, then in ONE transaction
clears the tables, loads every row as it was (timestamps included: rows are inserted raw,
as `loaddata` does), checks the row counts and the foreign keys, resets the sequences and
moves the data version on. Anything wrong and nothing is changed. Both stream: memory
stays flat however large the dataset.
"""

from .common import FORMAT_VERSION, BackupError, Summary, backup_models
from .export import export
from .restore import clear, existing_data, import_

__all__ = [
    "FORMAT_VERSION",
    "BackupError",
    "Summary",
    "backup_models",
    "clear",
    "existing_data",
    "export",
    "import_",
]
