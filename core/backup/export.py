"""Export: one consistent snapshot of the dataset, written as JSON Lines."""

import datetime as dt
import gzip
import io
import json
import os
import sys
import time
from pathlib import Path

from django.contrib.auth.models import Permission
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JSONLSerializer
from django.db import (
    DEFAULT_DB_ALIAS,
    connections,
    models,
    transaction,
)
from django.db.models import Prefetch
from django.utils import timezone

from .common import (
    BATCH,
    FORMAT,
    FORMAT_VERSION,
    NATURAL_KEY_MODELS,
    BackupError,
    Summary,
    backup_models,
    check_migrated,
    migration_state,
    osm_version,
)


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
        check_migrated(connection, [m._meta.label_lower for m in chosen])
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
    check_migrated(connection, [m._meta.label_lower for m in chosen])
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
            "osm_version": osm_version(),
            "created_at": timezone.now().isoformat(),
            "database": {
                "vendor": connection.vendor,
                "name": str(connection.settings_dict["NAME"]),
            },
            "api_tokens": with_tokens,
            "migrations": migration_state(connection, counts),
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
