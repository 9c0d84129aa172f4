"""Celery beat once, however many beat processes run: `LockedDatabaseScheduler` is
django-celery-beat's `DatabaseScheduler` behind a lock in Redis.

    celery -A osm beat --scheduler osm.beat:LockedDatabaseScheduler

**The lock.** One key in Redis (`osm:beat:lock`), set with `SET NX PX` to a token naming
the process (host, pid, a random part), so `redis-cli GET osm:beat:lock` says which beat
sends. The beat holding it renews it at every tick (a compare-and-renew: only with its
token) and sends the due tasks; every other beat sends nothing and asks again every third
of the lock's time. The lock lasts `BEAT_LOCK_SECONDS` (30 by default: six ticks of five
seconds; six ticks of `--max-interval` when the setting is absent), so a beat that dies
without a word (SIGKILL, a lost machine) is replaced within that time and a third; one
stopped normally (SIGTERM) deletes the lock as it closes, and another takes over at its
next try.

**Once, across a takeover.** A run is written to the database (`last_run_at` and the run
count) right after the task goes out, not every three minutes as django-celery-beat does,
and a beat that takes the lock reads the schedule afresh before it sends anything, so it
knows what the one before it sent. A beat checks the lock once more just before each send,
so one that stalled past its lock's end (and was replaced) sends nothing more. What is
left: a holder that dies between a send and the write that follows (a few milliseconds)
has that run sent again by its successor; every OSM job is safe to run twice (the outbox,
SKIP LOCKED claims), so the cost is a second, idle run.

**Redis down.** The broker is down too, so no beat could send anyway: a holder keeps its
claim and sends nothing until Redis answers (then renews, or, its lock gone meanwhile,
takes it again and reads the schedule afresh). Without `REDIS_URL` there is no lock (and
no broker: tasks run inline, no beat is needed).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid

import redis
from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler
from redis.exceptions import LockError, RedisError

logger = logging.getLogger(__name__)

LOCK_KEY = "osm:beat:lock"
TICKS_PER_LOCK = 6  # the lock's default length, in ticks (30 s at beat's 5 s)


class LockedDatabaseScheduler(DatabaseScheduler):
    """django-celery-beat's database scheduler that sends only while it holds the lock
    in Redis (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock_seconds = float(
            getattr(settings, "BEAT_LOCK_SECONDS", 0) or TICKS_PER_LOCK * self.max_interval
        )
        # Renewed three times within its life: two renewals may fail before it lapses.
        self.lock_wait = self.lock_seconds / 3
        self.holding = False
        self._waiting_said = False
        self._lock = None
        if settings.REDIS_URL:
            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
            )
            self._lock = client.lock(
                LOCK_KEY, timeout=self.lock_seconds, blocking=False, thread_local=False
            )
        else:
            logger.warning("beat: no REDIS_URL, so no lock: run one beat only.")

    # The lock ---------------------------------------------------------------------------

    def _renew(self) -> bool:
        """Whether this beat still holds the lock (its time renewed)."""
        if self._lock is None:
            return True
        if not self.holding:
            return False
        try:
            self._lock.reacquire()
            return True
        except LockError:
            # Expired (this beat stalled longer than the lock) or deleted: whoever holds it
            # now sends; what this beat reserved but did not send is not recorded.
            logger.warning("beat: lost the lock %s; another beat may send now.", LOCK_KEY)
            self.holding = False
            self._dirty.clear()
        except RedisError as exc:
            logger.warning("beat: Redis does not answer (%s); sending nothing until it does.", exc)
        return False

    def _acquire(self) -> bool:
        """Take the lock if no beat holds it; on success, read the schedule afresh."""
        token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        try:
            taken = self._lock.acquire(token=token)
        except RedisError as exc:
            logger.warning("beat: Redis does not answer (%s); sending nothing until it does.", exc)
            return False
        if not taken:
            if not self._waiting_said:
                logger.info("beat: another beat holds the lock %s; this one waits.", LOCK_KEY)
                self._waiting_said = True
            return False
        logger.info("beat: this beat holds the lock %s and sends the due tasks.", LOCK_KEY)
        self.holding, self._waiting_said = True, False
        # What the beat before sent is in the database (written after each send): the
        # schedule is read again and the heap of due times rebuilt from it.
        self._dirty.clear()
        self._initial_read = True
        self._heap = None
        return True

    def _release(self) -> None:
        if self._lock is None or not self.holding:
            return
        self.holding = False
        # Expired, taken by another, or Redis away: then it lapses by itself.
        with contextlib.suppress(LockError, RedisError):
            self._lock.release()

    # The scheduler ----------------------------------------------------------------------

    def tick(self, *args, **kwargs):
        """One pass of the scheduler when this beat holds the lock; otherwise nothing is
        sent and the beat asks again a third of the lock's time later."""
        if not self._holds():
            return self.lock_wait
        return min(super().tick(*args, **kwargs), self.lock_wait)

    def _holds(self) -> bool:
        """Whether this beat holds the lock now: renewed, or just taken from no one (a
        holder that Redis did not answer keeps its claim and tries again next time)."""
        if self._renew():
            return True
        return self._lock is not None and not self.holding and self._acquire()

    def apply_entry(self, entry, producer=None):
        """Send `entry`'s task if the lock still holds, and record the run at once."""
        if not self._renew():
            self._dirty.discard(entry.name)  # not sent: no run to record
            return
        super().apply_entry(entry, producer=producer)
        self.sync()

    def close(self):
        """Write the runs, close the broker connection, and release the lock."""
        try:
            super().close()
        finally:
            self._release()
