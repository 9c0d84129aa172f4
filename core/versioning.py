"""The data version: one counter that moves on with every committed change to OSM's data,
so that heavy computed reads (the alignment report, dashboards' metrics) can be cached
exactly: a cache entry names the version it was computed at and is never served once the
data has moved on.

So that the first visitor after a change does not wait for them (at seed_scale the
enterprise dashboard takes seconds to compute afresh), a change also asks the workers to
compute them again: the tasks named by the setting `OSM_WARM_TASKS`, sent once the change
commits, `WARM_DELAY` seconds later and at most once in that time, so that a burst of
writes is followed by one computation of the version it leaves. With inline tasks (no
Redis) nothing is sent: the writer would wait instead of the reader."""

import logging

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from kombu.exceptions import OperationalError as BrokerUnavailable

from .models import DataVersion

logger = logging.getLogger(__name__)

WARM_DELAY = 10  # seconds
WARM_KEY = "osm:warm-scheduled"


# The counter: a sequence on PostgreSQL (migration osm 0014), the row on SQLite.
READ_VERSION = {
    "postgresql": "SELECT epoch, (SELECT last_value FROM osm_data_version_seq) "
    "FROM osm_dataversion WHERE id = 1",
    "sqlite": "SELECT epoch, counter FROM osm_dataversion WHERE id = 1",
}


def data_version() -> str:
    """The current data version (see DataVersion): its epoch and counter. One query."""
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        cursor.execute(READ_VERSION[connection.vendor])
        row = cursor.fetchone()
    if row is None:  # after a flush: a new epoch, so no entry of the old timeline matches
        DataVersion.objects.get_or_create(pk=1)
        return data_version()
    return f"{row[0]}-{row[1]}"


def data_changed() -> None:
    """Move the data version on once the change commits: cached computed reads stop being
    served. Writes through the ORM call this by signal (`connect`); bulk writes that send no
    signals call it.

    Why after the commit, and not with an UPDATE of one row inside the transaction: every
    writer would hold that row's lock until it commits, so writes queued behind each other
    however unrelated they were. The move is now outside every transaction (a sequence's
    `nextval` on PostgreSQL, which never waits), and still exact: an entry computed before the
    commit names the old version and is never served once the writer has answered. A
    reader that computes while the write is in flight names the old version too (what it
    read may be old). The one gap is a process dying between its commit and the move: the
    old entries live on until the next write or their expiry."""
    connection = transaction.get_connection()
    # once per transaction, however many rows it writes
    if not any(entry[1] is _committed for entry in connection.run_on_commit):
        transaction.on_commit(_committed)


def _committed() -> None:
    _move_on()
    if settings.OSM_WARM_TASKS:
        warm_soon()


def _move_on() -> None:
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval('osm_data_version_seq')")
            return
    if not DataVersion.objects.filter(pk=1).update(counter=F("counter") + 1):
        DataVersion.objects.get_or_create(pk=1)  # after a flush; a new epoch
        DataVersion.objects.filter(pk=1).update(counter=F("counter") + 1)


def warm_soon() -> None:
    """Send the `OSM_WARM_TASKS` to run in `WARM_DELAY` seconds, unless they were sent less
    than that ago. A broker that does not answer costs only the head start: logged."""
    if not cache.add(WARM_KEY, 1, WARM_DELAY):
        return
    for name in settings.OSM_WARM_TASKS:
        try:
            current_app.send_task(name, countdown=WARM_DELAY, retry=False)
        except (BrokerUnavailable, OSError) as exc:
            logger.warning("The caches are not warmed after this change: %s", exc)


def _on_change(sender, **kwargs):
    meta = getattr(sender, "_meta", None)
    # Models of migrations live in their own registry (and may predate the counter's table).
    if meta and meta.apps is apps and meta.app_label in settings.OSM_DATA_APPS:
        data_changed()


def connect() -> None:
    """Any change to the apps' data moves the version on: not domain logic, so a signal is
    the right place (the apps whose data counts are the setting `OSM_DATA_APPS`)."""
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_change, dispatch_uid=f"osm-data-version-{signal}")
