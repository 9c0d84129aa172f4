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

import datetime as dt
import gzip
import io
import json
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.management.color import no_style
from django.core.serializers import base, python
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JSONLSerializer
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connections,
    models,
    transaction,
)
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Prefetch
from django.utils import timezone

FORMAT = "osm-export"
FORMAT_VERSION = 1

# Every model of OSM's apps (the setting `OSM_APPS`) is backed up, whatever is added later.
# Models of other apps that are OSM's data too.
THIRD_PARTY = (
    "auth.group",
    "auth.user",
    "admin.logentry",
    "django_celery_beat.intervalschedule",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.solarschedule",
    "django_celery_beat.clockedschedule",
    "django_celery_beat.periodictask",
)
TOKENS = "knox.authtoken"
# Not backed up, though in our apps or beside them: derived or per-installation state.
LEFT_OUT = {
    "osm.dataversion": "the cache counter: an import starts a new one",
    "django_celery_beat.periodictasks": "beat's change marker: an import touches it",
}
# Rows that migrations create in every fresh database (the roles, the default
# perspectives, the job schedules): an "empty" database has them, and an import replaces
# them with the file's.
SET_UP_BY_MIGRATIONS = {
    "auth.group",
    "scorecards.perspective",
    "django_celery_beat.intervalschedule",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.solarschedule",
    "django_celery_beat.clockedschedule",
    "django_celery_beat.periodictask",
}
# Cleared by every import though never exported: they point at users by id, and a restored
# user 7 may be another person than this database's user 7.
ALWAYS_CLEARED = ("sessions.session", TOKENS)
# Rows that refer to these are written with natural keys (names), not ids: ids of rows
# made by migrations differ from one database to the next.
NATURAL_KEY_MODELS = (Permission, ContentType)

BATCH = 2000  # rows read and inserted at a time
MAX_PARAMS = 60000  # below PostgreSQL's 65,535 bind parameters per statement


class BackupError(Exception):
    """A file or database that export or import refuses; the message says why."""


@dataclass
class Summary:
    """What an export or import did: the header and how long it took."""

    path: Path | str
    header: dict
    seconds: float
    bytes: int = 0
    cleared: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.header["counts"].values())


# ---------------------------------------------------------------- which models, in what order


def backup_models(*, with_tokens: bool = False) -> list[type[models.Model]]:
    """The models a backup holds, each after the models it refers to (where the
    references allow it; foreign keys are checked at the end of an import anyway)."""
    labels = [
        model._meta.label_lower
        for app in settings.OSM_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.label_lower not in LEFT_OUT
    ]
    labels += [label for label in THIRD_PARTY if _installed(label)]
    if with_tokens and _installed(TOKENS):
        labels.append(TOKENS)
    return _dependency_order([apps.get_model(label) for label in labels])


def _installed(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def _dependency_order(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    """Kahn's algorithm over foreign keys and many-to-many targets; stable (ties keep the
    given order); self-references and cycles are left to the deferred constraint check."""
    chosen_set = set(chosen)
    needs = {}
    for model in chosen:
        targets = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
        targets |= {f.related_model for f in model._meta.many_to_many}
        needs[model] = {t for t in targets if t in chosen_set and t is not model}
    ordered, placed = [], set()
    while len(ordered) < len(chosen):
        ready = [m for m in chosen if m not in placed and needs[m] <= placed]
        if not ready:  # a cycle: take the first remaining model as it comes
            ready = [next(m for m in chosen if m not in placed)]
        ordered.append(ready[0])
        placed.add(ready[0])
    return ordered


def _auto_through(model) -> list[type[models.Model]]:
    """The many-to-many tables Django made for `model` (explicit ones are models of ours)."""
    return [
        f.remote_field.through
        for f in model._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    ]


def _check_migrated(connection, labels) -> None:
    """The rows are read and written through today's models: their tables must be there."""
    executor = MigrationExecutor(connection)
    app_labels = {label.split(".")[0] for label in labels}
    missing = [
        f"{migration.app_label}.{migration.name}"
        for migration, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())
        if migration.app_label in app_labels
    ]
    if missing:
        raise BackupError(
            f"This database is not fully migrated ({', '.join(missing[:5])}"
            + (", ..." if len(missing) > 5 else "")
            + " not applied): run `manage.py migrate` first."
        )


def _migration_state(connection, labels) -> dict[str, list[str]]:
    """The applied migrations of the apps of `labels`: the schema the rows fit."""
    app_labels = {label.split(".")[0] for label in labels}
    applied = MigrationRecorder(connection).applied_migrations()
    return {app: sorted(name for a, name in applied if a == app) for app in sorted(app_labels)}


def _osm_version() -> str:
    try:
        return version("osm")
    except PackageNotFoundError:
        return "unknown"


# ---------------------------------------------------------------- export


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (it cuts them to milliseconds,
    and a restore must give back every timestamp exactly)."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class _Serializer(JSONLSerializer):
    """Django's JSON Lines serializer, with natural keys only for permissions and content
    types (users, groups and our rows keep their ids: they are restored with them)."""

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = field.related_model in NATURAL_KEY_MODELS
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        # Django's builds a queryset per row even when the rows were prefetched (half the
        # time of the users' export): read the prefetched rows, as Django writes them.
        if not field.remote_field.through._meta.auto_created:
            return  # an explicit through model: its rows are exported as a model
        related = obj._prefetched_objects_cache[field.name]
        if field.related_model in NATURAL_KEY_MODELS:
            self._current[field.name] = [r.natural_key() for r in related]
        else:
            self._current[field.name] = [self._value_from_field(r, r._meta.pk) for r in related]

    def end_object(self, obj):
        # json.dumps in one piece: json.dump, which Django's uses, takes the pure-Python
        # encoder and writes every token separately (three times slower).
        self.stream.write(json.dumps(self.get_dump_object(obj), **self.json_kwargs) + "\n")
        self._current = None


STDIO = "-"  # FILE "-": write to standard output, read from standard input


def export(
    path, *, with_tokens: bool = False, force: bool = False, using=DEFAULT_DB_ALIAS, stdout=None
) -> Summary:
    """Write the whole dataset to `path` (gzip when it ends in .gz). The file appears
    only when complete (written beside it, then renamed), readable by its owner only: it
    holds password hashes and people's pay links. `path` "-" writes plain JSON Lines to
    `stdout` (a binary stream, the process's by default), for a pipe out of a container."""
    started = time.perf_counter()
    chosen = backup_models(with_tokens=with_tokens)
    connection = connections[using]
    if str(path) == STDIO:
        _check_migrated(connection, [m._meta.label_lower for m in chosen])
        out = io.TextIOWrapper(stdout or sys.stdout.buffer, encoding="utf-8")
        try:
            header = _write_all(out, chosen, connection, using, with_tokens)
        finally:
            out.flush()
            out.detach()  # the stream stays open: it is the caller's
        return Summary(STDIO, header, time.perf_counter() - started)
    path = Path(path)
    if path.exists() and not force:
        raise BackupError(f"{path} exists already; pass --force to overwrite it.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} is not a directory.")
    _check_migrated(connection, [m._meta.label_lower for m in chosen])
    partial = path.with_name(path.name + ".partial")
    try:
        with _open_for_writing(partial, gzipped=path.suffix == ".gz") as out:
            header = _write_all(out, chosen, connection, using, with_tokens)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Summary(path, header, time.perf_counter() - started, bytes=path.stat().st_size)


def _write_all(out, chosen, connection, using, with_tokens) -> dict:
    """The header and every row, read in one transaction."""
    # Inside a caller's transaction (a test), that transaction is the snapshot.
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and own_transaction:
            # One snapshot for every table: the counts and the rows agree.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        counts = {m._meta.label_lower: m._base_manager.using(using).count() for m in chosen}
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "osm_version": _osm_version(),
            "created_at": timezone.now().isoformat(),
            "database": {
                "vendor": connection.vendor,
                "name": str(connection.settings_dict["NAME"]),
            },
            "api_tokens": with_tokens,
            "migrations": _migration_state(connection, counts),
            "counts": counts,
        }
        out.write(json.dumps(header) + "\n")
        for model in chosen:
            _write_rows(out, model, using)
    return header


def _open_for_writing(path: Path, *, gzipped: bool):
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # owner only, from the start
    if gzipped:
        # Level 6: most of the size gain of 9 for a fraction of its time.
        return gzip.open(path, "wt", encoding="utf-8", compresslevel=6)
    return open(path, "w", encoding="utf-8")


def _write_rows(out, model, using) -> None:
    queryset = model._base_manager.using(using).order_by("pk")
    m2m = [
        Prefetch(f.name, queryset=_linked_rows(f.related_model))
        for f in model._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    ]
    if m2m:  # one query per chunk of rows, not per row
        queryset = queryset.prefetch_related(*m2m)
    # A server-side cursor on PostgreSQL: rows stream, memory stays flat.
    _Serializer().serialize(queryset.iterator(chunk_size=BATCH), stream=out, cls=_Encoder)


def _linked_rows(model) -> models.QuerySet:
    """What a many-to-many list needs of the rows it names: the id, or the natural key."""
    if model is Permission:
        return Permission.objects.select_related("content_type")
    if model in NATURAL_KEY_MODELS:
        return model._base_manager.all()
    return model._base_manager.only("pk")


# ---------------------------------------------------------------- import


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
            f"({_osm_version()}) reads version {FORMAT_VERSION} only."
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
        _check_migrated(connection, _allowed_labels())
        _check_schema(header, connection, path)
        chosen = _dependency_order([apps.get_model(label) for label in header["counts"]])
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
    ours = _migration_state(connection, header["counts"])
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
    chosen |= {apps.get_model(label) for label in ALWAYS_CLEARED if _installed(label)}
    chosen |= {t for m in list(chosen) for t in _auto_through(m)}
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
    chosen = list(chosen) + [t for m in chosen for t in _auto_through(m)]
    statements = connection.ops.sequence_reset_sql(no_style(), chosen)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _new_data_version() -> None:
    """A new epoch and a higher counter: no cache entry of before the import can match."""
    from .models import DataVersion
    from .versioning import data_changed

    DataVersion.objects.update_or_create(pk=1, defaults={"epoch": uuid.uuid4().hex})
    data_changed()
    try:
        from django_celery_beat.models import PeriodicTasks

        PeriodicTasks.update_changed()  # a running beat reloads its schedules
    except ImportError:  # pragma: no cover - beat is installed with OSM
        pass
