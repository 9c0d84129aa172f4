"""Import: check the header, then in one transaction clear, load, check and renumber."""

import gzip
import io
import json
import sys
import time
import uuid
from pathlib import Path

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.management.color import no_style
from django.core.serializers import base, python
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connections,
    transaction,
)

from .common import (
    ALWAYS_CLEARED,
    BATCH,
    FORMAT,
    FORMAT_VERSION,
    MAX_PARAMS,
    SET_UP_BY_MIGRATIONS,
    BackupError,
    Summary,
    auto_through,
    backup_models,
    check_migrated,
    dependency_order,
    installed,
    migration_state,
    osm_version,
)
from .export import STDIO


def _open_for_reading(path, stdin=None):
    if str(path) == STDIO:
        raw = stdin or sys.stdin.buffer
        if not hasattr(raw, "peek"):
            raw = io.BufferedReader(raw)
        if raw.peek(2)[:2] == b"\x1f\x8b":
            return gzip.open(raw, "rt", encoding="utf-8")
        return io.TextIOWrapper(raw, encoding="utf-8")
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    if gzipped:
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def _first_line(lines, path) -> str:
    try:
        return lines.readline()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path} is not an OSM export: it cannot be read ({exc}).") from None


def _check_header(line: str, path) -> dict:
    try:
        header = json.loads(line)
    except ValueError:
        raise BackupError(
            f"{path} is not an OSM export: its first line is not JSON "
            "(export_osm writes a JSON header line, then one JSON row per line)."
        ) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(
            f"{path} is not an OSM export: its first line is not an export_osm header "
            f'(no "format": "{FORMAT}").'
        )
    if header.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is in export format version {header.get('format_version')!r}; this OSM "
            f"({osm_version()}) reads version {FORMAT_VERSION} only."
        )
    counts = header.get("counts")
    if not isinstance(counts, dict) or not all(
        isinstance(n, int) and n >= 0 for n in counts.values()
    ):
        raise BackupError(f"{path}: the header's row counts are missing or not numbers.")
    migrations = header.get("migrations")
    if not isinstance(migrations, dict) or not all(
        isinstance(names, list) and all(isinstance(n, str) for n in names)
        for names in migrations.values()
    ):
        raise BackupError(f"{path}: the header's list of migrations is missing or damaged.")
    allowed = _allowed_labels()
    unknown = sorted(set(counts) - allowed)
    if unknown:
        raise BackupError(
            f"{path} holds rows of unknown model(s) {', '.join(unknown)}: not an OSM backup "
            "of this version (or a file edited by hand)."
        )
    return header


def _allowed_labels() -> set[str]:
    return {m._meta.label_lower for m in backup_models(with_tokens=True)}


def import_(path, *, replace: bool = False, using=DEFAULT_DB_ALIAS, stdin=None) -> Summary:
    """Load the file at `path` into this database, in one transaction: refused when the
    database already holds data unless `replace` (then the data is deleted first). `path`
    "-" reads `stdin` (a binary stream, the process's by default), plain or gzip."""
    started = time.perf_counter()
    connection = connections[using]
    opened = _open_for_reading(path, stdin)
    path = "the standard input" if str(path) == STDIO else Path(path)
    with opened as lines:
        header = _check_header(_first_line(lines, path), path)
        check_migrated(connection, _allowed_labels())
        _check_schema(header, connection, path)
        chosen = dependency_order([apps.get_model(label) for label in header["counts"]])
        try:
            with transaction.atomic(using=using):
                if not replace:
                    held = existing_data(using)
                    if held:
                        raise BackupError(
                            "This database already holds data ("
                            + ", ".join(f"{n:,} {label}" for label, n in list(held.items())[:5])
                            + (", ..." if len(held) > 5 else "")
                            + "). import_osm restores into an empty (freshly migrated) "
                            "database; pass --replace to delete everything in it and load "
                            "the file instead."
                        )
                cleared = clear(using)
                seen = _load(lines, header, path, using)
                _check_counts(header, seen, path)
                try:
                    connection.check_constraints()
                except IntegrityError as exc:
                    raise BackupError(
                        f"{path}: its rows do not fit together, nothing was imported: {exc}"
                    ) from None
                _reset_sequences(connection, chosen)
                _new_data_version()
        except IntegrityError as exc:  # at commit, on PostgreSQL
            raise BackupError(
                f"{path}: its rows do not fit together, nothing was imported: {exc}"
            ) from None
    return Summary(path, header, time.perf_counter() - started, cleared=cleared)


def _check_schema(header, connection, path) -> None:
    """The file's rows fit this database only if both are at the same migrations."""
    theirs = header.get("migrations") or {}
    ours = migration_state(connection, header["counts"])
    differ = [app for app in sorted(set(theirs) | set(ours)) if theirs.get(app) != ours.get(app)]
    if differ:
        details = []
        for app in differ:
            only_file = sorted(set(theirs.get(app, [])) - set(ours.get(app, [])))
            only_here = sorted(set(ours.get(app, [])) - set(theirs.get(app, [])))
            if only_file:
                details.append(f"{app}: the file has {', '.join(only_file)} not applied here")
            if only_here:
                details.append(f"{app}: this database has {', '.join(only_here)}, the file not")
        raise BackupError(
            f"{path} was written at another database schema (OSM {header.get('osm_version')}; "
            + "; ".join(details)
            + "). Restore it with the OSM version that wrote it (then upgrade and migrate), "
            "or run `manage.py migrate` here if this database is behind."
        )


def existing_data(using=DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows this database holds beyond what migrations create: label -> count."""
    held = {}
    for model in backup_models(with_tokens=True):
        label = model._meta.label_lower
        if label in SET_UP_BY_MIGRATIONS:
            continue
        manager = model._base_manager.using(using)
        if manager.exists():
            held[label] = manager.count()
    return held


def clear(using=DEFAULT_DB_ALIAS) -> list[str]:
    """Empty every table a backup fills, the sessions and API tokens, and any table that
    refers to them (its rows would point at other rows after the import). One statement
    per backend (TRUNCATE on PostgreSQL), inside the caller's transaction."""
    connection = connections[using]
    chosen = set(backup_models(with_tokens=True))
    chosen |= {apps.get_model(label) for label in ALWAYS_CLEARED if installed(label)}
    chosen |= {t for m in list(chosen) for t in auto_through(m)}
    grown = True
    while grown:  # close over the tables that refer to cleared ones
        extra = {
            model
            for model in apps.get_models(include_auto_created=True)
            if model not in chosen
            and model._meta.managed
            and not model._meta.proxy
            and any(f.related_model in chosen for f in model._meta.concrete_fields if f.is_relation)
        }
        chosen |= extra
        grown = bool(extra)
    tables = sorted({m._meta.db_table for m in chosen})
    if connection.vendor == "postgresql":
        # TRUNCATE refuses while deferred foreign-key checks are pending in this
        # transaction (rows written before it): run them now.
        connection.check_constraints()
    with connection.cursor() as cursor:
        for sql in connection.ops.sql_flush(no_style(), tables):
            cursor.execute(sql)
    return tables


class _Lines:
    """The file's rows as Django's deserializer reads them, remembering the line number
    (for messages) and refusing rows of models a backup does not hold."""

    def __init__(self, lines, allowed, path):
        self.lines, self.allowed, self.path = lines, allowed, path
        self.number = 1  # the header

    def __iter__(self):
        for number, line in enumerate(self.lines, start=2):
            self.number = number
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                raise self.error("not JSON (a damaged or truncated file?)") from None
            if not (
                isinstance(row, dict)
                and isinstance(row.get("model"), str)
                and isinstance(row.get("fields"), dict)
            ):
                raise self.error('not a row of an export (no "model" and "fields")')
            if row["model"].lower() not in self.allowed:
                raise self.error(
                    f"rows of {row['model']!r} are not part of this backup "
                    "(unknown, or not named in the header)"
                )
            yield row

    def error(self, text) -> BackupError:
        return BackupError(f"{self.path}, line {self.number}: {text}; nothing was imported.")


def _load(lines, header, path, using) -> dict[str, int]:
    """Insert every row of the file, in batches of one model; returns rows per model."""
    rows = _Lines(lines, set(header["counts"]), path)
    seen: dict[str, int] = {}
    batch: list[base.DeserializedObject] = []
    try:
        for item in python.Deserializer(rows, using=using):
            if batch and (type(item.object) is not type(batch[0].object) or len(batch) >= BATCH):
                _insert(batch, using, seen)
                batch = []
            batch.append(item)
        if batch:
            _insert(batch, using, seen)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise rows.error(f"the file cannot be read ({exc})") from None
    except (base.DeserializationError, FieldDoesNotExist) as exc:
        raise rows.error(f"a row does not fit this database: {exc}") from None
    except DatabaseError as exc:
        raise rows.error(f"a row was refused by the database: {exc}") from None
    return seen


def _insert(batch, using, seen) -> None:
    """One model's rows, inserted raw, as `loaddata` saves them: every stored value as it
    is (auto_now timestamps are not restamped), no signals (no history rows, no cache
    bumps: the file has its own history). Django's many-to-many tables after them."""
    model = type(batch[0].object)
    objs = [item.object for item in batch]
    fields = [f for f in model._meta.local_concrete_fields if not f.generated]
    connection = connections[using]
    size = min(
        connection.ops.bulk_batch_size(fields, objs) or len(objs),
        max(1, MAX_PARAMS // max(1, len(fields))),
    )
    for start in range(0, len(objs), size):
        # The manager's raw insert (what Model.save_base(raw=True) uses), many rows at once.
        model._base_manager.using(using)._insert(
            objs[start : start + size], fields=fields, raw=True, using=using
        )
    for name in {name for item in batch for name in item.m2m_data}:
        m2m = model._meta.get_field(name)
        through = m2m.remote_field.through
        source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        links = [
            through(**{f"{source}_id": item.object.pk, f"{target}_id": pk})
            for item in batch
            for pk in item.m2m_data.get(name, ())
        ]
        through._base_manager.using(using).bulk_create(links, batch_size=BATCH)
    label = model._meta.label_lower
    seen[label] = seen.get(label, 0) + len(objs)
    if connection.queries_logged:
        # With DEBUG on (manage.py's default) Django keeps the last 9,000 statements, each
        # here the SQL of a whole batch: a hundred megabytes at scale. Memory stays flat.
        connection.queries_log.clear()


def _check_counts(header, seen, path) -> None:
    wrong = [
        f"{label}: {seen.get(label, 0):,} of {count:,}"
        for label, count in header["counts"].items()
        if seen.get(label, 0) != count
    ]
    if wrong:
        raise BackupError(
            f"{path} does not hold the rows its header announces ({'; '.join(wrong[:5])}): "
            "a truncated or edited file; nothing was imported."
        )


def _reset_sequences(connection, chosen) -> None:
    """What `sqlsequencereset` prints, run: new rows get ids after the restored ones."""
    chosen = list(chosen) + [t for m in chosen for t in auto_through(m)]
    statements = connection.ops.sequence_reset_sql(no_style(), chosen)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _new_data_version() -> None:
    """A new epoch and a higher counter: no cache entry of before the import can match."""
    from ..models import DataVersion
    from ..versioning import data_changed

    DataVersion.objects.update_or_create(pk=1, defaults={"epoch": uuid.uuid4().hex})
    data_changed()
    try:
        from django_celery_beat.models import PeriodicTasks

        PeriodicTasks.update_changed()  # a running beat reloads its schedules
    except ImportError:  # pragma: no cover - beat is installed with OSM
        pass
