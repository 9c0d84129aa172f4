"""What export and import share: the file format's name and version, the models backed up
and their order, the migration state, the errors."""

from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import (
    models,
)
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

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
    labels += [label for label in THIRD_PARTY if installed(label)]
    if with_tokens and installed(TOKENS):
        labels.append(TOKENS)
    return dependency_order([apps.get_model(label) for label in labels])


def installed(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def dependency_order(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
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


def auto_through(model) -> list[type[models.Model]]:
    """The many-to-many tables Django made for `model` (explicit ones are models of ours)."""
    return [
        f.remote_field.through
        for f in model._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    ]


def check_migrated(connection, labels) -> None:
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


def migration_state(connection, labels) -> dict[str, list[str]]:
    """The applied migrations of the apps of `labels`: the schema the rows fit."""
    app_labels = {label.split(".")[0] for label in labels}
    applied = MigrationRecorder(connection).applied_migrations()
    return {app: sorted(name for a, name in applied if a == app) for app in sorted(app_labels)}


def osm_version() -> str:
    try:
        return version("osm")
    except PackageNotFoundError:
        return "unknown"
