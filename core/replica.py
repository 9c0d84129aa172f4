"""Heavy read-only work on a streaming replica of PostgreSQL, when one is configured.

With `DATABASE_REPLICA_URL` set, the settings add a second database alias, `replica`, and
this module's `ReplicaRouter`. The router sends nothing to the replica on its own: only code
run inside `heavy_reads()` reads there (the alignment report's computation, the strategy
tests' data, the report packs' figures, search), and only when these rules allow it:

- **Writes go to the primary**, always (`db_for_write` is `default`; a replica would refuse
  them anyway). Migrations run only on the primary (`allow_migrate`); the replica copies
  them. Objects of both may be related (`allow_relation`): they are the same rows.
- **Not inside a transaction on the primary.** What a transaction wrote is visible only in
  it, on the primary: a block entered inside `transaction.atomic()` reads the primary, and
  so does every read inside a transaction opened on the primary within the block. A caller
  whose open transaction has written nothing the block reads (it holds row locks only)
  says so with `heavy_reads(despite_transaction=True)`.
- **Never older than the primary at the start of the block** (a person's write committed
  a moment ago must show in the report he or she asks for next). Entering the block reads
  the primary's WAL position, `pg_current_wal_lsn()`, which every transaction committed so
  far lies behind (with `synchronous_commit` on, PostgreSQL's default), and uses the
  replica once it has replayed that far (`pg_last_wal_replay_lsn()`), waiting up to
  `DATABASE_REPLICA_MAX_WAIT_MS` (default 100 ms) for it. A replica further behind leaves
  the block to the primary. So a heavy read sees every write committed before it, as it
  would on the primary, and a cache entry keyed by the data version read before the block
  (core/versioning.py) is no staler than one computed on the primary.
- **A replica that does not answer** (refused, not connected within
  `DATABASE_REPLICA_CONNECT_TIMEOUT` seconds, or no longer a standby) leaves the block to
  the primary, without an error, with a warning in the log; this process then does not ask
  it again for `DATABASE_REPLICA_RETRY_SECONDS` (default 30). A function decorated with
  `@heavy_reads()` (a pure read) whose replica fails while it runs is run again on the
  primary; a `with heavy_reads():` block raises the error instead (and the replica is
  skipped as above if its connection is gone).
- **Outside the block every read goes to the primary**, the related rows of objects loaded
  from the replica included.

Without a replica `heavy_reads()` does nothing and costs no query.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import Error, InterfaceError, OperationalError, connections

DEFAULT = "default"
REPLICA = "replica"
POLL_SECONDS = 0.01  # between two looks at a lagging replica's position

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Block:
    """The outermost `heavy_reads` block being run: where its reads go, and how many
    atomic blocks the primary's connection had open when it was entered."""

    alias: str
    depth: int


_current: ContextVar[_Block | None] = ContextVar("osm_heavy_reads", default=None)
# Until when (time.monotonic()) this process leaves the replica alone after a failure.
_down_until = 0.0


def replica_configured() -> bool:
    """Whether the settings name a replica (DATABASE_REPLICA_URL)."""
    return REPLICA in settings.DATABASES


def _primary_depth() -> int:
    return len(connections[DEFAULT].atomic_blocks)


class ReplicaRouter:
    """The database router of the settings when a replica is configured (see the module's
    docstring for the rules)."""

    def db_for_read(self, model, **hints):
        block = _current.get()
        if block is None or block.alias != REPLICA or _primary_depth() > block.depth:
            return DEFAULT
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT


class heavy_reads:  # named like a function: `with heavy_reads():`, `@heavy_reads()`
    """Run the block's (or the decorated function's) reads on the replica when the rules
    allow it; `with heavy_reads() as alias` names the database chosen ("replica" or
    "default"). Blocks nest: an inner block keeps the outer one's choice."""

    def __init__(self, *, despite_transaction: bool = False):
        self.despite_transaction = despite_transaction
        self._token = None

    def __enter__(self) -> str:
        outer = _current.get()
        if outer is not None:
            same = outer.alias == REPLICA and _primary_depth() == outer.depth
            return REPLICA if same else DEFAULT
        if not replica_configured():
            return DEFAULT  # no block is recorded: the router is not installed either
        block = _Block(choose(despite_transaction=self.despite_transaction), _primary_depth())
        self._token = _current.set(block)
        return block.alias

    def __exit__(self, kind, error, traceback) -> bool:
        if self._token is None:
            return False
        block = _current.get()
        _current.reset(self._token)
        self._token = None
        failed = isinstance(error, OperationalError | InterfaceError)
        if block.alias == REPLICA and failed and not _replica_usable():
            _mark_down(f"failed during a heavy read ({error})")
        return False

    def __call__(self, function):
        despite_transaction = self.despite_transaction

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            outermost, alias = _current.get() is None, DEFAULT
            try:
                with heavy_reads(despite_transaction=despite_transaction) as alias:
                    return function(*args, **kwargs)
            except (OperationalError, InterfaceError) as error:
                if not outermost or alias != REPLICA:
                    raise
                logger.warning(
                    "%s failed on the read replica (%s); run again on the primary.",
                    function.__qualname__,
                    error,
                )
            return function(*args, **kwargs)  # outside the block: every read on the primary

        return wrapper


def choose(*, despite_transaction: bool = False) -> str:
    """Where a heavy-read block entered now reads: "replica" when it is configured, the
    primary is not in a transaction (unless `despite_transaction`), the replica is not
    resting after a failure, answers as a standby and has replayed the primary's current
    WAL position (waiting a little for it); "default" otherwise."""
    if not replica_configured():
        return DEFAULT
    if connections[DEFAULT].in_atomic_block and not despite_transaction:
        return DEFAULT
    if time.monotonic() < _down_until:
        return DEFAULT
    target = _primary_lsn()
    deadline = time.monotonic() + settings.DATABASE_REPLICA_MAX_WAIT_MS / 1000
    while True:
        try:
            standby, caught_up = _replica_position(target)
        except Error as error:
            _mark_down(f"does not answer ({error})")
            return DEFAULT
        if not standby:
            _mark_down("is not a standby (pg_is_in_recovery() is false)")
            return DEFAULT
        if caught_up:
            return REPLICA
        if time.monotonic() >= deadline:
            logger.debug("The read replica has not replayed %s yet: reading the primary.", target)
            return DEFAULT
        time.sleep(POLL_SECONDS)


def _primary_lsn() -> str:
    """The primary's current WAL write position: every committed transaction is behind it."""
    with connections[DEFAULT].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        return cursor.fetchone()[0]


def _replica_position(target: str) -> tuple[bool, bool]:
    """(whether the replica is a standby, whether it has replayed up to `target`)."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)",
            [target],
        )
        standby, caught_up = cursor.fetchone()
    return bool(standby), bool(caught_up)


def _replica_usable() -> bool:
    with contextlib.suppress(Error):
        return connections[REPLICA].connection is not None and connections[REPLICA].is_usable()
    return False


def _mark_down(reason: str) -> None:
    """Leave the replica alone for DATABASE_REPLICA_RETRY_SECONDS, closing its connection."""
    global _down_until
    retry = settings.DATABASE_REPLICA_RETRY_SECONDS
    _down_until = time.monotonic() + retry
    _close_replica()
    logger.warning("The read replica %s: heavy reads go to the primary for %s s.", reason, retry)


def _close_replica() -> None:
    with contextlib.suppress(Error):
        connections[REPLICA].close()


def replica_resting() -> bool:
    """Whether this process is leaving the replica alone after a failure."""
    return time.monotonic() < _down_until
